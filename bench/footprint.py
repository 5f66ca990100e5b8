"""Benchmark 4: resident memory and start-up time of `web`, `scheduler` and `run`.

    python -m bench.footprint [--vendors 1000] [--tasks 20000] [--updates 200000] [--quick]

Each command is started as an operator starts it (`python -m bot COMMAND`, a subprocess
with its settings in the environment, the fake Slack in a process of its own):

- **start-up**: from starting the process to `GET /healthz` answering 200 (`web`, `run`),
  or to the scheduler's "running" log line (`scheduler`). The database is already migrated.
- **idle**: resident memory (VmRSS of the process and all its children, so gunicorn's
  master and worker together) a few seconds after start-up, on an empty database.
- **loaded**: the same, on benchmark 3's workspace (bench.dataset.seed_history, every
  vendor in UTC with its check-in and its summary due a few minutes ago), once the command
  has done its work on it: for `web` and `run`, `/delegate list all`, `/delegate list`,
  `/delegate vendor list` and the Home tab of five owners, all answered; for `scheduler` and
  `run`, the first tick, which posts every vendor's check-in, summary (with its thread) and
  feedback prompt. The claims a command made are deleted before the next starts, so each
  has the same work.

Summed RSS counts twice the pages gunicorn's worker shares with its master after fork, so
PSS (proportional set size, /proc/PID/smaps_rollup) is shown beside it; peak RSS is the
summed VmHWM (each process's high-water mark).
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import text

from bench import common
from bench.common import (
    FakeSlackProcess,
    descendants,
    fresh_database,
    stop_process,
    subprocess_env,
    table,
    tree_pss_mib,
    tree_rss_mib,
    wait_until_serving,
    work_directory,
)
from bench.dataset import OWNERS, TEAM_ID, channel_of, seed_history
from bot.console.transport import sign, slash_command_form

COMMANDS = ("web", "scheduler", "run")
HOME_VIEWERS = OWNERS[:5]


@dataclass
class Figure:
    database: str
    state: str  # "idle" or "loaded"
    command: str
    startup: float  # seconds
    rss: float  # MiB
    pss: float  # MiB
    peak: float  # MiB
    work: str  # what it did before the memory was read
    exit_status: int | None


def _hwm_mib(pid: int) -> float:
    total = 0
    for p in [pid, *descendants(pid)]:
        try:
            with open(f"/proc/{p}/status") as status:
                for line in status:
                    if line.startswith("VmHWM:"):
                        total += int(line.split()[1])
        except OSError:
            pass
    return total / 1024


def wait_for_line(path: Path, needle: str, process: subprocess.Popen[Any], timeout: float) -> float:
    """The monotonic time at which `needle` first shows in the log at `path`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if needle in path.read_text(errors="replace"):
            return time.monotonic()
        if process.poll() is not None:
            raise RuntimeError(f"{process.args!r} exited with status {process.returncode}")
        time.sleep(0.01)
    raise RuntimeError(f"no {needle!r} in {path} within {timeout}s")


class WebWorkload:
    """Slash commands and Home tabs sent to a running `web` or `run`, signed like Slack's."""

    def __init__(self, url: str, fake: FakeSlackProcess) -> None:
        self.url = url
        self.fake = fake

    def _post(self, body: str, content_type: str) -> int:
        request = urllib.request.Request(
            self.url + "/slack/events",
            data=body.encode(),
            headers={"Content-Type": content_type, **sign(body, common.SIGNING_SECRET)},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return int(response.status)
        except urllib.error.HTTPError as error:
            return error.code

    def command(self, text: str, user: str) -> int:
        form = slash_command_form(
            text,
            token="legacy-verification-token",
            team_id=TEAM_ID,
            team_domain="bench",
            channel_id=channel_of(0),
            channel_name=channel_of(0).lower(),
            user_id=user,
            user_name=user.lower(),
            api_app_id="A0APP",
            response_url=self.fake.response_url(uuid.uuid4().hex),
            trigger_id="1337.42.abcdef",
        )
        return self._post(urlencode(form), "application/x-www-form-urlencoded")

    def open_home(self, user: str) -> int:
        now = time.time()
        envelope = {
            "token": "legacy-verification-token",
            "team_id": TEAM_ID,
            "api_app_id": "A0APP",
            "event": {
                "type": "app_home_opened",
                "user": user,
                "channel": "D" + user,
                "tab": "home",
                "event_ts": f"{now:.6f}",
            },
            "type": "event_callback",
            "event_id": "Ev" + uuid.uuid4().hex[:12].upper(),
            "event_time": int(now),
            "authorizations": [
                {"enterprise_id": None, "team_id": TEAM_ID, "user_id": "U0BOT", "is_bot": True}
            ],
        }
        return self._post(json.dumps(envelope), "application/json")

    def run(self, timeout: float = 180) -> str:
        before = self.fake.stats()
        statuses = [
            self.command("list all", OWNERS[0]),
            self.command("list", OWNERS[1]),
            self.command("vendor list", OWNERS[2]),
            *(self.open_home(user) for user in HOME_VIEWERS),
        ]
        replies, homes = 3, len(HOME_VIEWERS)
        deadline = time.monotonic() + timeout
        stats = before
        while time.monotonic() < deadline:
            stats = self.fake.stats()
            got_replies = stats["responses"] - before["responses"]
            got_homes = stats["calls"].get("views.publish", 0) - before["calls"].get(
                "views.publish", 0
            )
            if got_replies >= replies and got_homes >= homes:
                break
            time.sleep(0.1)
        got_replies = stats["responses"] - before["responses"]
        got_homes = stats["calls"].get("views.publish", 0) - before["calls"].get("views.publish", 0)
        bad = sum(1 for s in statuses if s != 200)
        return f"{got_replies}/{replies} replies, {got_homes}/{homes} Home tabs" + (
            f", {bad} requests refused" if bad else ""
        )


def measure(
    command: str,
    kind: str,
    state: str,
    workdir: Path,
    database: common.Database,
    fake: FakeSlackProcess,
) -> Figure:
    port = common.free_port()
    log_path = workdir / f"{command}-{kind}-{state}.log"
    env = subprocess_env(
        SLACK_BOT_TOKEN=common.BOT_TOKEN,
        SLACK_SIGNING_SECRET=common.SIGNING_SECRET,
        SLACK_API_URL=fake.api_url,
        DATABASE_URL=database.url,
        PORT=str(port),
    )
    with log_path.open("w") as log:
        started = time.monotonic()
        process = subprocess.Popen(
            [common.PYTHON, "-m", "bot", command], cwd=workdir, env=env, stdout=log, stderr=log
        )
    work = []
    try:
        if command == "scheduler":
            ready = wait_for_line(log_path, "scheduler: running", process, 60)
        else:
            ready = wait_until_serving(f"http://127.0.0.1:{port}/healthz", process, timeout=60)
        startup = ready - started
        if state == "loaded" and command != "scheduler":
            work.append(WebWorkload(f"http://127.0.0.1:{port}", fake).run())
        if state == "loaded" and command != "web":
            done = wait_for_line(log_path, "scheduler: tick at", process, 600)
            lines = log_path.read_text().splitlines()
            line = next(x for x in lines if "scheduler: tick at" in x)
            tick = line.split("scheduler: tick at", 1)[1].split(": ", 1)[-1]
            work.append(f"first tick, done {done - ready:.0f} s after start-up: {tick}")
        if state == "idle":
            time.sleep(3)  # the first (empty) tick, settling
            work.append("nothing")
        rss, pss, peak = (
            tree_rss_mib(process.pid),
            tree_pss_mib(process.pid),
            _hwm_mib(process.pid),
        )
    finally:
        stop_process(process)
    return Figure(
        kind, state, command, startup, rss, pss, peak, "; ".join(work), process.returncode
    )


def forget_claims(database: common.Database) -> None:
    """Delete what a command posted (claims not from the seed), so the next has the same work."""
    from storage.database import make_engine

    engine = make_engine(database.url)
    try:
        with engine.begin() as connection:
            mine = "SELECT id FROM scheduled_posts WHERE claimed_by <> 'bench:1'"
            connection.execute(text(f"DELETE FROM checkin_tasks WHERE post_id IN ({mine})"))
            connection.execute(text(f"DELETE FROM status_updates WHERE post_id IN ({mine})"))
            connection.execute(text("DELETE FROM scheduled_posts WHERE claimed_by <> 'bench:1'"))
    finally:
        engine.dispose()


def run_database(kind: str, workdir: Path, vendors: int, tasks: int, updates: int) -> list[Figure]:
    from storage.database import make_engine

    figures = []
    with (
        fresh_database(kind, workdir) as database,
        (workdir / f"fake-{kind}.log").open("w") as fake_log,
        FakeSlackProcess(log=fake_log) as fake,
    ):
        for command in COMMANDS:
            figures.append(measure(command, kind, "idle", workdir, database, fake))
            print(f"  {kind} idle {command}: done", flush=True)
        now = datetime.now(UTC)
        due = (now - timedelta(minutes=5)).strftime("%H:%M")
        engine = make_engine(database.url)
        try:
            start = time.monotonic()
            seeded = seed_history(
                engine,
                vendors=vendors,
                tasks=tasks,
                updates_and_responses=updates,
                today=now.date(),
                timezones=("UTC",),
                checkins=f"daily@{due}",
                summaries=f"daily@{due}",
            )
        finally:
            engine.dispose()
        print(f"  {kind}: {seeded.rows:,} rows in {time.monotonic() - start:.0f} s", flush=True)
        fake.setup(channels=[channel_of(n) for n in range(vendors)], users=list(OWNERS))
        for command in COMMANDS:
            figures.append(measure(command, kind, "loaded", workdir, database, fake))
            forget_claims(database)
            print(f"  {kind} loaded {command}: done", flush=True)
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = common.base_parser(__doc__.splitlines()[0])
    parser.add_argument("--vendors", type=int, default=None, help="1000 (--quick 100)")
    parser.add_argument("--tasks", type=int, default=None, help="20000 (--quick 2000)")
    parser.add_argument("--updates", type=int, default=None, help="200000 (--quick 20000)")
    args = parser.parse_args(argv)
    vendors = args.vendors or (100 if args.quick else 1000)
    tasks = args.tasks or (2000 if args.quick else 20_000)
    updates = args.updates or (20_000 if args.quick else 200_000)
    common.print_machine()
    print(
        f"Footprint of web, scheduler and run: idle on an empty database, then loaded with "
        f"{vendors} vendors, {tasks:,} tasks and {updates:,} status updates and replies\n"
    )
    figures: list[Figure] = []
    with work_directory("bench-footprint-") as workdir:
        for kind in common.databases_from(args.database):
            figures += run_database(kind, workdir, vendors, tasks, updates)
    print()
    print(
        table(
            [
                "database",
                "data",
                "command",
                "start-up s",
                "RSS MiB",
                "PSS MiB",
                "peak RSS MiB",
                "exit",
                "work",
            ],
            [
                [
                    f.database,
                    f.state,
                    f.command,
                    f"{f.startup:.2f}",
                    f"{f.rss:.0f}",
                    f"{f.pss:.0f}",
                    f"{f.peak:.0f}",
                    f.exit_status,
                    f.work,
                ]
                for f in figures
            ],
        )
    )
    print(
        "\nRSS = VmRSS of the process and its children (gunicorn master + worker for web and "
        "run), summed; PSS = the same with pages shared after fork counted once (what the "
        "tree really occupies); peak RSS = their VmHWM summed; exit = status after SIGTERM."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
