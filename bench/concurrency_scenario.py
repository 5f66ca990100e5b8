"""Many people at once against the bot as production runs it, then invariants checked.

The bot is `python -m bot web` under gunicorn with WEB_CONCURRENCY worker processes on one
PostgreSQL schema, talking to the fake Slack on loopback; scheduler ticks run as their own
`python -m bot tick` processes at the same time. Simulated users send a seeded random mix of
slash commands, check-in button clicks (two people clicking different tasks of one check-in
at the same instant among them) and thread replies, all concurrently.

Afterwards `check_invariants` holds the bot to what the issue "Correct under concurrency"
asks: every command either took effect or its requester was told why, no 5xx, no "database
down" answer while the database was up, every check-in's "N of M answered" equal to the
database, and the summary's counts equal to counts made directly in SQL.

Used by tests/storage/test_concurrency.py (a small, seeded run in the suite) and by
bench/concurrency.py (a heavier run with figures).
"""

from __future__ import annotations

import json
import os
import random
import re
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from slack_sdk.signature import SignatureVerifier
from sqlalchemy import text
from sqlalchemy.engine import Engine

from bot.console.transport import slash_command_form
from storage.database import make_engine
from tests.support.fake_slack import FakeSlack

REPO = Path(__file__).resolve().parent.parent
PAYLOADS = REPO / "tests" / "fixtures" / "payloads"
SIGNING_SECRET = "concurrency-signing-secret-0123456789"
BOT_TOKEN = "xoxb-concurrency-test"
TEAM_ID = "T0TEAM"
VENDOR_TEAM = "T0VENDOR"
VENDOR_USERS = ("U0VERA", "U0VLAD")
# The Monday after the scenario's vendors are made: check-ins are due at 09:00 UTC.
CHECKIN_TICK = "2026-11-30T09:05:00Z"
REMINDER_TICK = "2026-11-30T13:30:00Z"
OUTAGE = "couldn't reach my database"
UNEXPECTED = "Something went wrong on my side"


@dataclass
class Sent:
    """One request a simulated person made, and what came of it."""

    kind: str  # "command", "press" (a button in a reply), "click" (a check-in's), "reply"
    user: str
    text: str
    status: int = 0
    key: str | None = None  # the response_url key of a command
    reply: str | None = None  # what the bot answered a command
    answer: dict[str, Any] | None = None  # the same, as Slack received it (blocks and all)
    ack_seconds: float = 0.0  # request sent to HTTP response read (what Slack times)


@dataclass
class Scenario:
    seed: int
    users: int = 4
    channels_per_user: int = 2
    extra_commands: int = 3
    workers: int = 2
    sent: list[Sent] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def channels_of(self, user: int) -> list[tuple[str, str]]:
        return [
            (f"C0U{user}V{k}", f"vendor-{user}-{k}") for k in range(1, self.channels_per_user + 1)
        ]

    def user_id(self, user: int) -> str:
        return f"U0USER{user}"


@dataclass
class Cluster:
    """The bot's processes, the fake Slack and the database they share."""

    url: str  # the bot's HTTP base
    slack: FakeSlack
    engine: Engine
    env: dict[str, str]
    log: Path

    def post(self, body: str, content_type: str) -> tuple[int, float]:
        """Send a request signed as Slack signs it: the HTTP status and the seconds it took."""
        ts = str(int(time.time()))
        signature = SignatureVerifier(SIGNING_SECRET).generate_signature(timestamp=ts, body=body)
        request = urllib.request.Request(
            self.url + "/slack/events",
            data=body.encode(),
            headers={
                "Content-Type": content_type,
                "X-Slack-Request-Timestamp": ts,
                "X-Slack-Signature": signature or "",
            },
            method="POST",
        )
        started = time.perf_counter()
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                response.read()
                status = int(response.status)
        except urllib.error.HTTPError as error:
            status = int(error.code)
        return status, time.perf_counter() - started

    def tick(self, now: str) -> subprocess.Popen[bytes]:
        """A scheduler tick in its own process, as the `clock` process runs it."""
        return subprocess.Popen(
            [sys.executable, "-m", "bot", "tick", "--now", now],
            cwd=REPO,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=self.log.open("a"),
        )


@contextmanager
def running_cluster(
    postgres_url: str, workdir: Path, scenario: Scenario, port: int
) -> Iterator[Cluster]:
    """A private schema, migrated; the fake Slack with the scenario's people and channels;
    `python -m bot web` with `scenario.workers` gunicorn workers. All torn down after."""
    schema = f"cc_{uuid.uuid4().hex[:10]}"
    admin = make_engine(postgres_url)
    with admin.begin() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    joiner = "&" if "?" in postgres_url else "?"
    url = f"{postgres_url}{joiner}options=-csearch_path%3D{schema}"
    engine = make_engine(url)
    log = workdir / "bot.log"
    try:
        with FakeSlack() as slack:
            _populate(slack, scenario)
            env = {
                "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
                "PYTHONPATH": str(REPO),
                "PYTHONUNBUFFERED": "1",
                "SLACK_BOT_TOKEN": BOT_TOKEN,
                "SLACK_SIGNING_SECRET": SIGNING_SECRET,
                "SLACK_API_URL": slack.api_url,
                "DATABASE_URL": url,
                "PORT": str(port),
                "WEB_CONCURRENCY": str(scenario.workers),
            }
            migrated = subprocess.run(
                [sys.executable, "-m", "bot", "migrate"],
                cwd=REPO,
                env=env,
                capture_output=True,
                text=True,
                timeout=60,
            )
            if migrated.returncode != 0:
                raise RuntimeError(f"migrate failed: {migrated.stderr}")
            with log.open("a") as stderr:
                web = subprocess.Popen(
                    [sys.executable, "-m", "bot", "web"],
                    cwd=REPO,
                    env=env,
                    stdout=subprocess.DEVNULL,
                    stderr=stderr,
                )
            try:
                base = f"http://127.0.0.1:{port}"
                _wait_until_serving(base + "/healthz", web)
                yield Cluster(base, slack, engine, env, log)
            finally:
                web.terminate()
                try:
                    web.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    web.kill()
                    web.wait(timeout=10)
    finally:
        engine.dispose()
        with admin.begin() as connection:
            connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


def _populate(slack: FakeSlack, scenario: Scenario) -> None:
    team_users = [scenario.user_id(u) for u in range(1, scenario.users + 1)]
    for user in team_users:
        slack.add_user(user, user.lower())
    for user in VENDOR_USERS:
        slack.add_user(user, user.lower(), team_id=VENDOR_TEAM)
    for u in range(1, scenario.users + 1):
        for channel_id, name in scenario.channels_of(u):
            slack.add_channel(channel_id, name, members=[*team_users, *VENDOR_USERS, "U0BOT"])


def _wait_until_serving(url: str, process: subprocess.Popen[bytes], timeout: float = 30) -> None:
    # Another process starting up: poll its health check (a real condition) until it answers.
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the bot exited with status {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError):
            pass
        time.sleep(0.05)
    raise RuntimeError(f"nothing answered at {url} within {timeout}s")


# ------------------------------------------------------------------------------ sending


def send_command(cluster: Cluster, scenario: Scenario, user: str, words: str) -> Sent:
    key = uuid.uuid4().hex
    form = slash_command_form(
        words,
        token="legacy-verification-token",
        team_id=TEAM_ID,
        team_domain="example",
        channel_id="C0GENERALX",
        channel_name="random",
        user_id=user,
        user_name=user.lower(),
        api_app_id="A0APP",
        response_url=cluster.slack.response_url(key),
        trigger_id="1337.42.abcdef",
    )
    sent = Sent("command", user, words, key=key)
    sent.status, sent.ack_seconds = cluster.post(
        urlencode(form), "application/x-www-form-urlencoded"
    )
    with scenario.lock:
        scenario.sent.append(sent)
    return sent


def send_click(
    cluster: Cluster, scenario: Scenario, user: str, checkin: CheckinSeen, task_id: int, status: str
) -> Sent:
    body = _fixture("block_actions_checkin_button")
    body["user"].update(id=user, team_id=VENDOR_TEAM)
    body["channel"]["id"] = checkin.channel_id
    body["container"].update(channel_id=checkin.channel_id, message_ts=checkin.ts)
    body["message"]["ts"] = checkin.ts
    body["trigger_id"] = f"1337.{uuid.uuid4().hex[:8]}"
    body["actions"][0].update(
        action_id=f"checkin_{status}", block_id=f"task:{task_id}", value=f"{checkin.id}:{task_id}"
    )
    sent = Sent("click", user, f"{status} #{task_id} in check-in {checkin.id}")
    sent.status, sent.ack_seconds = cluster.post(
        urlencode({"payload": json.dumps(body)}), "application/x-www-form-urlencoded"
    )
    with scenario.lock:
        scenario.sent.append(sent)
    return sent


def send_thread_reply(
    cluster: Cluster, scenario: Scenario, user: str, checkin: CheckinSeen, words: str
) -> Sent:
    envelope = _fixture("event_thread_reply")
    reply_ts = f"{int(time.time())}.{random.randrange(10**6):06d}"
    envelope["event_id"] = f"Ev{uuid.uuid4().hex[:10].upper()}"
    envelope["event"].update(
        user=user,
        text=words,
        ts=reply_ts,
        event_ts=reply_ts,
        thread_ts=checkin.ts,
        channel=checkin.channel_id,
    )
    sent = Sent("reply", user, words)
    sent.status, sent.ack_seconds = cluster.post(json.dumps(envelope), "application/json")
    with scenario.lock:
        scenario.sent.append(sent)
    return sent


def _fixture(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((PAYLOADS / f"{name}.json").read_text())
    return loaded


# ------------------------------------------------------------------------------ the play


@dataclass(frozen=True)
class CheckinSeen:
    id: int
    channel_id: str
    ts: str
    task_ids: tuple[int, ...]


def play(cluster: Cluster, scenario: Scenario) -> None:
    """Phase 1: everyone registers vendors and delegates at once, while a tick runs.
    Phase 2: with check-ins posted, clicks, replies and task commands at once, while a
    reminder tick runs."""
    rng = random.Random(scenario.seed)
    users = list(range(1, scenario.users + 1))

    def first_week(user: int) -> None:
        me = scenario.user_id(user)
        local = random.Random(rng.random())
        for channel_id, name in scenario.channels_of(user):
            # The report: `vendor add` then a task, each sent once the other's 200 came.
            send_command(cluster, scenario, me, f"vendor add <#{channel_id}|{name}> V {name}")
            send_command(cluster, scenario, me, f"<#{channel_id}|{name}> Task one due:+7d")
        for _ in range(scenario.extra_commands):
            channel_id, name = local.choice(scenario.channels_of(user))
            words = local.choice(
                [
                    f"<#{channel_id}|{name}> Task {local.randrange(100)} "
                    f"due:+{local.randrange(1, 9)}d",
                    "list",
                    "list all",
                    "vendor list",
                    f"<#{channel_id}|{name}> Another task",
                ]
            )
            send_command(cluster, scenario, me, words)

    with ThreadPoolExecutor(max_workers=len(users) + 1) as pool:
        futures = [pool.submit(first_week, user) for user in users]
        futures[len(futures) // 2].result()  # the tick starts half-way through the burst
        tick = cluster.tick(CHECKIN_TICK)
        for future in futures:
            future.result()
    _finish(cluster, tick)
    wait_for_replies(cluster, scenario)
    press_register_and_delegate(cluster, scenario)
    # Vendors registered after that tick looked get their check-in now (once: claims).
    _finish(cluster, cluster.tick(CHECKIN_TICK))

    checkins = checkins_posted(cluster.engine)
    tasks_by_owner = _tasks_by_owner(cluster.engine)

    def second_week(user: int, seed: float) -> None:
        me = scenario.user_id(user)
        local = random.Random(seed)
        mine = tasks_by_owner.get(me, [])
        for task_id in local.sample(mine, k=min(2, len(mine))):
            words = local.choice([f"done {task_id}", f"due {task_id} +3d", f"cancel {task_id}"])
            send_command(cluster, scenario, me, words)

    def vendor_answers(checkin: CheckinSeen, seed: float) -> None:
        local = random.Random(seed)
        for task_id in checkin.task_ids:
            kind = local.choice(["click", "click", "reply"])
            who = local.choice(VENDOR_USERS)
            if kind == "click":
                status = local.choice(["on_track", "on_track", "blocked"])
                send_click(cluster, scenario, who, checkin, task_id, status)
            else:
                send_thread_reply(cluster, scenario, who, checkin, f"#{task_id} on track")

    def same_instant(checkin: CheckinSeen) -> None:
        # Two people click different tasks of one check-in at the same instant.
        gate = threading.Barrier(2)

        def click(user: str, task_id: int) -> None:
            gate.wait(timeout=10)
            send_click(cluster, scenario, user, checkin, task_id, "on_track")

        pair = [
            threading.Thread(target=click, args=(who, task))
            for who, task in zip(VENDOR_USERS, checkin.task_ids[:2], strict=False)
        ]
        for thread in pair:
            thread.start()
        for thread in pair:
            thread.join(timeout=30)

    jobs: list[Callable[[], None]] = []
    for user in users:
        jobs.append(partial(second_week, user, rng.random()))
    for checkin in checkins:
        jobs.append(partial(vendor_answers, checkin, rng.random()))
        if len(checkin.task_ids) >= 2:
            jobs.append(partial(same_instant, checkin))
    rng.shuffle(jobs)
    reminders = cluster.tick(REMINDER_TICK)
    with ThreadPoolExecutor(max_workers=8) as pool:
        for future in [pool.submit(job) for job in jobs]:
            future.result()
    _finish(cluster, reminders)
    wait_for_replies(cluster, scenario)


def _finish(cluster: Cluster, process: subprocess.Popen[bytes]) -> None:
    if process.wait(timeout=120) != 0:
        # The tick wrote its reason to the shared log; pytest's temp folders are rotated.
        tail = cluster.log.read_text(errors="replace").splitlines()[-15:]
        raise AssertionError(
            f"a tick exited with status {process.returncode}; the log ends:\n" + "\n".join(tail)
        )


def wait_for_replies(cluster: Cluster, scenario: Scenario, timeout: float = 60) -> None:
    """Wait until every command (and button press) sent so far has its answer at its
    response_url; one never answered keeps `reply` None (check_invariants reports it)."""
    with scenario.lock:
        commands = [s for s in scenario.sent if s.kind in ("command", "press") and s.key]
    try:
        answers = cluster.slack.wait_for_response_keys([str(s.key) for s in commands], timeout)
    except AssertionError:
        answers = {str(r.get("_key")): r for r in reversed(list(cluster.slack.responses))}
    for sent in commands:
        answer = answers.get(str(sent.key))
        sent.answer = answer
        sent.reply = None if answer is None else _rendered(answer)


def press_register_and_delegate(cluster: Cluster, scenario: Scenario) -> int:
    """A task that reached a channel before its `vendor add` had committed is asked about
    ("not a vendor yet": Register and delegate / Cancel), as issue 13 wants for a channel
    that is not a vendor. Its requester presses Register and delegate, as a person would;
    returns how many were pressed."""
    with scenario.lock:
        asked = [s for s in scenario.sent if s.kind == "command" and s.answer]
    pressed = 0
    for sent in asked:
        button = _button(sent.answer or {}, "pending_task_register")
        if button is None:
            continue
        body = _fixture("block_actions_checkin_button")
        body["user"].update(id=sent.user, team_id=TEAM_ID, username=sent.user.lower())
        key = uuid.uuid4().hex
        body["response_url"] = cluster.slack.response_url(key)
        body["container"].update(is_ephemeral=True)
        body["actions"][0].update(
            action_id="pending_task_register", block_id="pending_task", value=button["value"]
        )
        press = Sent("press", sent.user, f"Register and delegate for {sent.text!r}", key=key)
        press.status, press.ack_seconds = cluster.post(
            urlencode({"payload": json.dumps(body)}), "application/x-www-form-urlencoded"
        )
        with scenario.lock:
            scenario.sent.append(press)
        pressed += 1
    wait_for_replies(cluster, scenario)
    return pressed


def _button(message: dict[str, Any], action_id: str) -> dict[str, Any] | None:
    for block in message.get("blocks") or []:
        for element in block.get("elements") or []:
            if isinstance(element, dict) and element.get("action_id") == action_id:
                return element
    return None


def _rendered(message: dict[str, Any]) -> str:
    parts = [str(message.get("text", ""))]
    for block in message.get("blocks") or []:
        inner = block.get("text")
        if isinstance(inner, dict):
            parts.append(str(inner.get("text", "")))
    return "\n".join(parts)


def checkins_posted(engine: Engine) -> list[CheckinSeen]:
    with engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT p.id, p.channel_id, p.message_ts, ct.task_id FROM scheduled_posts p "
                "JOIN checkin_tasks ct ON ct.post_id = p.id "
                "WHERE p.kind = 'checkin' AND p.message_ts IS NOT NULL "
                "ORDER BY p.id, ct.position"
            )
        ).all()
    seen: dict[int, CheckinSeen] = {}
    for post_id, channel_id, ts, task_id in rows:
        known = seen.get(post_id)
        tasks = (known.task_ids if known else ()) + (int(task_id),)
        seen[post_id] = CheckinSeen(int(post_id), str(channel_id), str(ts), tasks)
    return list(seen.values())


def _tasks_by_owner(engine: Engine) -> dict[str, list[int]]:
    with engine.connect() as connection:
        rows = connection.execute(
            text("SELECT owner_id, id FROM tasks WHERE status = 'open' ORDER BY id")
        ).all()
    owned: dict[str, list[int]] = {}
    for owner, task_id in rows:
        owned.setdefault(str(owner), []).append(int(task_id))
    return owned


# ------------------------------------------------------------------------------ invariants


@dataclass
class Findings:
    problems: list[str] = field(default_factory=list)

    def expect(self, holds: bool, problem: str) -> None:
        if not holds:
            self.problems.append(problem)


def check_invariants(cluster: Cluster, scenario: Scenario) -> Findings:
    found = Findings()
    for sent in scenario.sent:
        found.expect(sent.status == 200, f"{sent.kind} {sent.text!r} got HTTP {sent.status}")
        if sent.kind not in ("command", "press"):
            continue
        found.expect(sent.reply is not None, f"{sent.user}'s {sent.text!r} was never answered")
        reply = sent.reply or ""
        found.expect(OUTAGE not in reply, f"{sent.text!r} was told the database was down")
        found.expect(UNEXPECTED not in reply, f"{sent.text!r} was told something broke")
    _check_every_vendor_and_first_task(cluster, scenario, found)
    _check_checkin_counts(cluster, found)
    _check_summaries(cluster, scenario, found)
    log = cluster.log.read_text() if cluster.log.exists() else ""
    found.expect("Traceback" not in log, "a traceback in the bot's log:\n" + log[-3000:])
    return found


def _check_every_vendor_and_first_task(
    cluster: Cluster, scenario: Scenario, found: Findings
) -> None:
    with cluster.engine.connect() as connection:
        vendors = dict(connection.execute(text("SELECT channel_id, id FROM vendors")).all())
        titled = {
            (str(channel), str(title))
            for channel, title in connection.execute(
                text(
                    "SELECT v.channel_id, t.title FROM tasks t JOIN vendors v ON v.id = t.vendor_id"
                )
            ).all()
        }
    for user in range(1, scenario.users + 1):
        for channel_id, _ in scenario.channels_of(user):
            found.expect(channel_id in vendors, f"vendor {channel_id} is missing")
            found.expect((channel_id, "Task one") in titled, f"{channel_id}'s Task one is missing")


_ANSWERED = re.compile(r"(\d+) of (\d+) tasks? answered")


def _check_checkin_counts(cluster: Cluster, found: Findings, timeout: float = 20) -> None:
    """Each check-in message, as Slack now shows it, says as many answered as the database.

    The last chat.update of a burst may still be on its way: wait for agreement up to
    `timeout`, then report each disagreement (a stale message stays stale for ever)."""
    deadline = time.monotonic() + timeout
    while True:
        wrong = _checkin_disagreements(cluster)
        if not wrong or time.monotonic() > deadline:
            break
        time.sleep(0.1)  # the bot's workers are other processes: poll what Slack shows
    for problem in wrong:
        found.problems.append(problem)


def _checkin_disagreements(cluster: Cluster) -> list[str]:
    with cluster.engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT p.id, p.channel_id, p.message_ts, COUNT(DISTINCT ct.task_id), "
                "COUNT(DISTINCT su.task_id) FROM scheduled_posts p "
                "JOIN checkin_tasks ct ON ct.post_id = p.id "
                "LEFT JOIN status_updates su ON su.post_id = p.id AND su.task_id = ct.task_id "
                "WHERE p.kind = 'checkin' AND p.message_ts IS NOT NULL "
                "GROUP BY p.id, p.channel_id, p.message_ts"
            )
        ).all()
    wrong: list[str] = []
    for post_id, channel_id, ts, asked, answered in rows:
        shown = [m for m in cluster.slack.messages_in(str(channel_id)) if m.get("ts") == ts]
        match = _ANSWERED.search(str(shown[0].get("text", ""))) if shown else None
        said = (int(match.group(1)), int(match.group(2))) if match else None
        if said != (int(answered), int(asked)):
            wrong.append(
                f"check-in {post_id} shows {said} answered, the database {answered} of {asked}"
            )
    return wrong


_SUMMARY = re.compile(r"(\d+) completed, (\d+) open, (\d+) overdue, (\d+) blocked")


def _check_summaries(cluster: Cluster, scenario: Scenario, found: Findings) -> None:
    """`/delegate summary` for every vendor: its counts equal a count made in SQL."""
    admin = scenario.user_id(1)
    for user in range(1, scenario.users + 1):
        for channel_id, name in scenario.channels_of(user):
            before = len(cluster.slack.messages_in(channel_id))
            sent = send_command(cluster, scenario, admin, f"summary <#{channel_id}|{name}>")
            wait_for_replies(cluster, scenario)
            posted = cluster.slack.messages_in(channel_id)[before:]
            summary = next((m for m in posted if _SUMMARY.search(str(m.get("text", "")))), None)
            if summary is None:
                found.problems.append(f"no summary in {channel_id} ({sent.reply!r})")
                continue
            match = _SUMMARY.search(str(summary["text"]))
            assert match is not None
            completed, open_ = int(match.group(1)), int(match.group(2))
            found.expect(
                (completed, open_) == _counted_in_sql(cluster.engine, channel_id),
                f"{channel_id}'s summary says {completed} completed, {open_} open; SQL says "
                f"{_counted_in_sql(cluster.engine, channel_id)}",
            )


def _counted_in_sql(engine: Engine, channel_id: str) -> tuple[int, int]:
    """Completed (done; everything here happened this week) and open (open or delivered)."""
    with engine.connect() as connection:
        completed, open_ = connection.execute(
            text(
                "SELECT COUNT(*) FILTER (WHERE t.status = 'done'), "
                "COUNT(*) FILTER (WHERE t.status IN ('open', 'delivered')) "
                "FROM tasks t JOIN vendors v ON v.id = t.vendor_id WHERE v.channel_id = :c"
            ),
            {"c": channel_id},
        ).one()
    return int(completed), int(open_)
