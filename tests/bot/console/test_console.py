"""`python -m bot console`: the real app and the fake Slack in one process, driven by text.

The scheduler issue's check-in scenario is replayed from a script on stdin, as a real
subprocess with no Slack settings, and compared screen for screen with
tests/fixtures/console/checkin_scenario.out (after the bot's wording changes, look at the
difference, then regenerate it with
`UPDATE_GOLDEN=1 python -m pytest tests/bot/console/test_console.py`).
The other tests run the console in-process, on StringIO, which is faster and lets them look
in the database afterwards.
"""

from __future__ import annotations

import logging
import os
import re
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlmodel import Session, col, select

from bot.__main__ import main
from bot.console.clock import parse_time
from bot.console.commands import HELP
from bot.console.world import sidecar_path
from storage.database import make_engine, migrate
from storage.models import (
    CheckinResponse,
    PostKind,
    ScheduledPost,
    StatusUpdate,
    Task,
    TaskStatus,
    Vendor,
)
from tests.support.cli import bot_env
from tests.support.console import FIXTURES, MONDAY, after_prompt, run_console, run_subprocess
from tests.support.fake_slack import Call, FakeSlack
from tests.support.paths import REPO
from tests.support.scheduling import add_vendor

SCENARIO = FIXTURES / "checkin_scenario.txt"
GOLDEN = FIXTURES / "checkin_scenario.out"


@pytest.fixture(autouse=True)
def _keep_logging() -> Iterator[None]:
    """The console sets up logging for itself; put the test run's back afterwards."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def items(transcript: str) -> dict[int, list[str]]:
    """Each item's last state: its number -> its header and body lines. An update is shown
    as what changed (`  - old`, `  + new`): applied to the item's previous body here."""
    shown: dict[int, list[str]] = {}
    current: list[str] | None = None
    updated = False
    for line in transcript.splitlines():
        match = re.match(r"^\[(\d+)\] ", line)
        if match:
            number = int(match.group(1))
            updated = "(updated)" in line
            body = shown.get(number, [""])[1:] if updated else []
            current = shown[number] = [line, *body]
        elif current is not None and line.startswith("  - "):
            gone = "    " + line[4:]
            if gone in current:
                current.remove(gone)
        elif current is not None and line.startswith("  + "):
            current.append("    " + line[4:])
        elif current is not None and line.startswith("    "):
            if not updated:  # in an update, an unchanged line shown for context
                current.append(line)
        else:
            current = None
    return shown


# --------------------------------------------------------------------------- the scenario


def test_the_checkin_scenario_screen_for_screen(tmp_path: Path) -> None:
    """The scheduler issue's scenario, typed into `python -m bot console --fresh` on stdin,
    on a fresh clone with no Slack settings."""
    result = run_subprocess(tmp_path, "--fresh", "--now", MONDAY, script=SCENARIO.read_text())
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    transcript = result.stdout
    if os.environ.get("UPDATE_GOLDEN") == "1":
        GOLDEN.write_text(transcript)
    assert transcript == GOLDEN.read_text()


def test_the_checkin_scenario_line_by_line(tmp_path: Path) -> None:
    """What the golden file shows, said in words: the same facts, independent of wording."""
    database = f"sqlite:///{tmp_path / 'checkins.db'}"
    status, transcript = run_console(SCENARIO.read_text(), database=database)
    assert status == 0

    # Moving to Tuesday 01:05 UTC (09:05 in Manila): one check-in, four buttons per task.
    moved = after_prompt(transcript, ":time 2026-12-01 01:05")
    assert moved[0] == "── Tue 1 Dec 2026 01:00 UTC ──"
    [checkin] = [line for line in moved if re.match(r"^\[\d+\] #acme-design · @delegate$", line)]
    number = int(checkin[1 : checkin.index("]")])
    rows = [line for line in moved if "[On track] [At risk] [Blocked] [Done]" in line]
    assert rows == [
        f"    ({number}.1) [On track] [At risk] [Blocked] [Done]",
        f"    ({number}.2) [On track] [At risk] [Blocked] [Done]",
    ]
    assert moved[-1] == "· Clock: Tue 1 Dec 2026 01:05 UTC"
    # Moving again posts nothing new.
    assert after_prompt(transcript, ":time +1h") == [
        "· Clock: Tue 1 Dec 2026 02:05 UTC (nothing new)"
    ]

    # "At risk": the check-in is updated in place and the owner is told.
    clicked = after_prompt(transcript, f':click {number}.1 "At risk"')
    assert clicked[0] == f"[{number}] (updated) #acme-design · @delegate"
    assert any("*At risk* by @vera" in line for line in clicked)
    dms = [i for i, line in enumerate(clicked) if line.startswith("[") and "DM to @alice" in line]
    assert dms and "*At risk*" in clicked[dms[0] + 1] and f"[→ {number}]" in clicked[dms[0] + 1]

    # The thread replies are stored; the one with a status answers the second task.
    engine = make_engine(database)
    try:
        with Session(engine) as session:
            posts = session.exec(select(ScheduledPost)).all()
            replies = session.exec(select(CheckinResponse).order_by(col(CheckinResponse.id))).all()
            updates = session.exec(select(StatusUpdate).order_by(col(StatusUpdate.id))).all()
    finally:
        engine.dispose()
    assert [p.kind for p in posts] == [PostKind.CHECKIN]
    assert [r.text for r in replies] == [
        "The brochure copy arrived, starting today.",
        "#2 on track, first draft Thursday",
    ]
    assert [(u.task_id, u.status, u.source, u.note) for u in updates] == [
        (1, "at_risk", "button", "Waiting for the brand colours"),
        (2, "on_track", "reply", "first draft Thursday"),
    ]
    assert "2 of 2 tasks answered" in items(transcript)[number][-1]


def test_a_second_session_carries_on_with_the_same_workspace(tmp_path: Path) -> None:
    database = f"sqlite:///{tmp_path / 'checkins.db'}"
    run_console(SCENARIO.read_text(), database=database)
    assert sidecar_path(tmp_path / "checkins.db").is_file()

    # The clock, who you are and where, and the vendor's channel with the bot in it are
    # all back: Wednesday's check-in is posted, the vendor is not paused as unreachable.
    script = ':time +1d\n:click last.1 "On track"\n'
    status, transcript = run_console(script, database=database, now=None)
    assert status == 0
    assert "· Clock: Tue 1 Dec 2026 02:05 UTC" in transcript
    assert "] @vera in #acme-design> :time +1d" in transcript
    wednesday = after_prompt(transcript, ":time +1d")
    assert "── Wed 2 Dec 2026 01:00 UTC ──" in wednesday
    assert any("Check-in for Acme Design" in line for line in wednesday)
    assert any(
        "*On track* by @vera" in line
        for line in after_prompt(transcript, ':click last.1 "On track"')
    )
    engine = make_engine(database)
    try:
        with Session(engine) as session:
            [vendor] = session.exec(select(Vendor)).all()
            posted = session.exec(select(ScheduledPost.message_ts)).all()
    finally:
        engine.dispose()
    assert not vendor.paused
    assert len(set(posted)) == len(posted)  # no timestamp handed out twice


def test_a_database_of_a_real_workspace_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'checkins.db'}"
    engine = make_engine(url)
    migrate(engine)
    add_vendor(engine)  # team T0TEAM: a real installation's data
    engine.dispose()
    status, transcript = run_console(":time +1d\n", database=url)
    assert status == 2
    [line] = capsys.readouterr().err.strip().splitlines()
    assert "team T0TEAM" in line and "--fresh" in line
    assert "Clock" not in transcript


# --------------------------------------------------------------------------- the demo


def test_the_demo_plays_a_week_and_ends_with_the_summary(tmp_path: Path) -> None:
    # How long the demo takes is a benchmark (bench/console_demo.py), not an assertion.
    result = run_subprocess(tmp_path, "--demo")
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    transcript = result.stdout
    assert "\n! " not in transcript, "a step of the demo failed"
    assert not list(tmp_path.iterdir()), "the demo leaves no database behind"

    # Check-ins arrive at the vendor's 09:00 (01:00 UTC) on each working day.
    for day in ("Tue 1 Dec", "Wed 2 Dec", "Thu 3 Dec", "Fri 4 Dec"):
        assert f"── {day} 2026 01:00 UTC ──\n" in transcript
    # A blocker reaches the owner; a delivery is accepted and rated.
    assert re.search(
        r"DM to @alice · @delegate\n    :red_circle: @vera marked .*Blocked", transcript
    )
    assert ":white_check_mark: Accepted by @alice" in transcript
    assert "Rated by @alice: quality 5/5 · timeliness 4/5 · communication 5/5" in transcript
    # The Friday summary is posted, and the demo ends with the summaries on screen.
    shown = items(transcript)
    summary = [n for n, lines in shown.items() if "*Weekly summary for Acme Design*" in lines[1]]
    assert summary, "no weekly summary"
    tail = transcript.rsplit("── Fri 4 Dec 2026 08:00 UTC ──", 1)[1]
    assert "*Weekly summary for Acme Design*" in tail
    last = max(shown)
    assert "Vendor digest" in shown[last][1]
    assert transcript.rstrip().splitlines()[-1].startswith("· End of the demo")


# --------------------------------------------------------------------------- commands


def test_help_lists_every_console_command() -> None:
    status, transcript = run_console(":help\n")
    assert status == 0
    assert HELP in transcript
    for command in (
        ":reply N",
        ':click N "label"',
        ":as @name",
        "--external",
        ":in #channel",
        ":time +1d",
        "2026-12-04 09:00",
        ":show N",
        ":quit",
        "/delegate",
    ):
        assert command in HELP


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        (":frobnicate", "unknown console command :frobnicate"),
        (":click", 'write :click N "label"'),
        (':click 99 "On track"', "there is no message [99]"),
        (':click "Nope"', 'has a "Nope" button'),
        (':click 3 "unbalanced', "unbalanced quotes"),
        (":reply", "write :reply N text"),
        (":reply x hello", "write :reply N text"),
        (":time someday", "write :time +1d"),
        (":time 2026-13-01", "is not a date and time"),
        (":time 2026-12-01 09:00 Mars/Olympus", "Mars/Olympus is not a time zone"),
        (":as vera", "write :as @name"),
        (":as @Not_OK!", "is not a usable name"),
        (":as @delegate", "is the bot"),
        (":in general", "write :in #channel"),
        (":show", "write :show N"),
        ("/remind me", "/remind is not a command here"),
    ],
)
def test_a_bad_console_command_gets_one_clear_line(typed: str, says: str) -> None:
    status, transcript = run_console(f"{typed}\n:time\n")
    assert status == 0
    answer = after_prompt(transcript, typed)
    assert len(answer) == 1, answer
    assert answer[0].startswith("! ") and says in answer[0], answer
    assert after_prompt(transcript, ":time") == ["· Clock: Mon 30 Nov 2026 10:00 UTC"]


def test_an_external_guest_cannot_use_the_teams_command() -> None:
    _, transcript = run_console(":as @vera --external\n/delegate list\n")
    [line] = after_prompt(transcript, "/delegate list")
    assert line.startswith("! ") and "@vera (external)" in line


def test_the_delegate_form_is_filled_line_by_line_and_shows_the_apps_errors(
    tmp_path: Path,
) -> None:
    database = f"sqlite:///{tmp_path / 'checkins.db'}"
    script = "\n".join(
        [
            ":new #acme-design",
            ":new @vera --external",
            "/delegate vendor add #acme-design Acme",
            "/delegate",
            "    #acme-design",
            "    Logo refresh",
            "    2020-01-01",
            "    2026-12-04",  # asked again: the date is in the past
            "    Three options, SVG and PNG",
            "    @vera",
            "",
        ]
    )
    status, transcript = run_console(script, database=database)
    assert status == 0
    answer = after_prompt(transcript, "/delegate")
    assert answer[0] == '[2] form for @alice: "Delegate a task"'
    # Typed in #general, which is no vendor's: the form starts with no channel picked.
    assert "    Vendor channel> #acme-design" in answer
    assert "    Due date (optional)> 2020-01-01" in answer
    # Refused as `due:` refuses it (one date grammar), and asked again at once.
    errors = [line for line in answer if line.startswith("    ! ")]
    assert len(errors) == 1 and "is in the past" in errors[0]
    assert answer.index(errors[0]) + 1 == answer.index("    Due date (optional)> 2026-12-04")
    shown = items(transcript)
    assert any(
        "DM to @alice" in lines[0] and "Task *#1* Logo refresh" in lines[1]
        for lines in shown.values()
    )
    engine = make_engine(database)
    try:
        with Session(engine) as session:
            [task] = session.exec(select(Task)).all()
    finally:
        engine.dispose()
    assert (task.title, str(task.due_date), task.standard) == (
        "Logo refresh",
        "2026-12-04",
        "Three options, SVG and PNG",
    )
    assert task.assignee_id == "U0VERA"


def test_a_form_can_be_cancelled_and_stray_answer_lines_are_skipped() -> None:
    script = "/delegate\n    :cancel\n    nobody asked\n:time\n"
    _, transcript = run_console(script)
    answer = after_prompt(transcript, "/delegate")
    assert "    Vendor channel> :cancel" in answer
    assert "    · form closed without sending" in answer
    assert "· no form is open; skipped the answer line: nobody asked" in answer


def test_buttons_on_several_rows_must_be_told_apart() -> None:
    script = "\n".join(
        [
            ":new #acme",
            "/delegate vendor add #acme tz:UTC",
            "/delegate #acme One",
            "/delegate #acme Two",
            ":time 2026-12-01 09:05",
            ':click "On track"',
            ':click last.2 "On track"',
            "",
        ]
    )
    _, transcript = run_console(script)
    [line] = after_prompt(transcript, ':click "On track"')
    assert line == (
        '! "On track" is on more than one row of [6]: '
        ':click 6.1 "On track" or :click 6.2 "On track"'
    )
    clicked = after_prompt(transcript, ':click last.2 "On track"')
    assert clicked[0] == "[6] (updated) #acme · @delegate"
    # Shown as what changed: task 2's answer, and the count.
    assert clicked[1:] == [
        "    *#2* Two · no due date · owner @alice",
        "  + :large_green_circle: *On track* by @alice",
        "    (6.4) [⋯ Nothing new today | Away…]",  # the menu row (issue 18), after All on track
        "  - 0 of 2 tasks answered",
        "  + 1 of 2 tasks answered",
    ]


def test_messages_and_mentions_reach_the_app_as_slack_sends_them() -> None:
    typed = "Hi @vera, see #acme-design & <!here> or mail a@b.co"
    script = f":new @vera\n:new #acme-design\n{typed}\n:show 1\n"
    _, transcript = run_console(script)
    answer = after_prompt(transcript, typed)
    assert answer[:1] == ["[1] #general · @alice"]
    # Shown back readably: the mentions resolved, the typed `<!here>` inert text.
    assert answer[1] == "    Hi @vera, see #acme-design & <!here> or mail a@b.co"


def test_private_channels_keep_people_out() -> None:
    script = ":in #secret --private\nhello\n:as @bob\n:reply 1 peek\n:in #secret\n"
    _, transcript = run_console(script)
    assert (
        after_prompt(transcript, ":in #secret --private")[0] == "· #secret is a new private channel"
    )
    for typed in (":reply 1 peek", ":in #secret"):
        [line] = after_prompt(transcript, typed)
        assert line == "! #secret is private and @bob is not in it; go elsewhere with :in #channel"


def test_moving_the_clock_back_asks_first_and_runs_nothing() -> None:
    _, transcript = run_console(":time 2026-11-01 08:00\n    n\n:time 2026-11-01 08:00\n    y\n")
    question = (
        "    Sun 1 Nov 2026 08:00 UTC is before the clock; move back? "
        "(nothing runs for the past) [y/N]> "
    )
    no, yes = transcript.split(":time 2026-11-01 08:00\n")[1:]
    assert no.splitlines()[:2] == [question + "n", "· Clock: Mon 30 Nov 2026 10:00 UTC (not moved)"]
    assert yes.splitlines()[:2] == [
        question + "y",
        "· Clock: Sun 1 Nov 2026 08:00 UTC (moved back: nothing runs for the past)",
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("+1d", datetime(2026, 12, 1, 10, 0, tzinfo=UTC)),
        ("+2h30m", datetime(2026, 11, 30, 12, 30, tzinfo=UTC)),
        ("+1w", datetime(2026, 12, 7, 10, 0, tzinfo=UTC)),
        ("2026-12-04 09:00", datetime(2026, 12, 4, 9, 0, tzinfo=UTC)),
        ("2026-12-04T09:00Z", datetime(2026, 12, 4, 9, 0, tzinfo=UTC)),
        ("2026-12-04", datetime(2026, 12, 4, 0, 0, tzinfo=UTC)),
        ("2026-12-04 09:00 Asia/Manila", datetime(2026, 12, 4, 1, 0, tzinfo=UTC)),
    ],
)
def test_time_accepts_relative_and_absolute_moments(text: str, expected: datetime) -> None:
    assert parse_time(text, datetime(2026, 11, 30, 10, 0, tzinfo=UTC)) == expected


def test_console_flags_go_with_the_console_only() -> None:
    for argv in (["tick", "--fresh"], ["run", "--demo"], ["migrate", "--now", MONDAY]):
        with pytest.raises(SystemExit) as stopped:
            main(argv)
        assert stopped.value.code == 2


# --------------------------------------------------------------------------- the fake's part


def test_the_fake_keeps_a_timeline_of_calls_with_answers_and_responses() -> None:
    with FakeSlack() as fake:
        fake.add_channel("C0ACME", "acme", members=["U0BOT"])
        client = WebClient(base_url=fake.api_url, token=fake.bot_token)
        client.chat_postMessage(channel="C0ACME", text="hi")
        urllib.request.urlopen(
            urllib.request.Request(fake.response_url("k1"), data=b'{"text": "reply"}'), timeout=5
        ).close()
        client.chat_update(channel="C0ACME", ts="1700000000.000100", text="edited")
        with pytest.raises(SlackApiError):
            client.chat_update(channel="C0ACME", ts="9.9", text="nope")
        kinds = [e.method if isinstance(e, Call) else e["_key"] for e in fake.timeline]
        assert kinds == ["chat.postMessage", "k1", "chat.update", "chat.update"]
        post, _, update, failed = fake.timeline
        assert isinstance(post, Call) and post.result is not None
        assert post.result["ts"] == "1700000000.000100"
        assert isinstance(update, Call) and update.result is not None
        assert update.result["message"]["text"] == "edited"
        assert isinstance(failed, Call) and failed.result is None
        # Results do not take part in comparisons: tests compare calls as they were sent.
        assert post == Call("chat.postMessage", post.params, post.token)


def test_the_fake_adds_members_and_resumes_timestamps() -> None:
    with FakeSlack() as fake:
        fake.add_user("U0VERA", "vera", team_id="T0VENDOR")
        fake.add_user("U0BOB", "bob")
        fake.add_channel("C0ACME", "acme")
        fake.add_member("C0ACME", "U0BOB")
        assert fake.members_of("C0ACME") == ["U0BOB"]
        fake.add_member("C0ACME", "U0VERA")  # a guest from another organisation
        assert fake.members_of("C0ACME") == ["U0BOB", "U0VERA"]
        fake.add_bot_to("C0ACME")
        client = WebClient(base_url=fake.api_url, token=fake.bot_token)
        assert client.conversations_info(channel="C0ACME")["channel"]["is_ext_shared"] is True
        fake.resume_ts_after("1700000000.000900")
        assert client.chat_postMessage(channel="C0ACME", text="x")["ts"] == "1700000000.001000"
        assert fake.last_ts() == "1700000000.001000"
        assert fake.members_of("C0NOPE") == []


def test_the_console_needs_no_checkout_files_besides_the_package() -> None:
    """The demo script ships inside the package (a module, not a data file)."""
    from bot.console.demo import DEMO_SCRIPT, DEMO_START

    assert DEMO_SCRIPT.startswith("# ") and DEMO_START.tzinfo is UTC
    assert (REPO / "bot" / "console" / "demo.py").is_file()


def test_home_opens_the_app_home_tab() -> None:
    pytest.importorskip("handlers.home")
    script = ":new #acme\n/delegate vendor add #acme Acme\n/delegate #acme One\n:home\n"
    _, transcript = run_console(script)
    answer = after_prompt(transcript, ":home")
    assert answer[0] == "[4] App Home of @alice"
    assert any("*#1* One" in line for line in answer)


# --------------------------------------------------------------------------- the first hour


def test_the_console_keeps_its_own_database_and_never_the_bots(tmp_path: Path) -> None:
    """Fake vendors must never land where a real `tick` would post them: DATABASE_URL is
    the bot's; the console uses console.db unless --db names a database."""
    env = {**bot_env(), "DATABASE_URL": f"sqlite:///{tmp_path / 'checkins.db'}"}
    script = ":new #acme\n/delegate vendor add #acme Acme\n"
    result = subprocess.run(
        [sys.executable, "-m", "bot", "console", "--now", MONDAY],
        cwd=tmp_path,
        env=env,
        input=script,
        capture_output=True,
        text=True,
        timeout=90,
    )
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["console.db", "console.json"]
    assert f"Database: {tmp_path / 'console.db'} (the console's own" in result.stdout

    other = tmp_path / "other.db"
    status, transcript = run_console(":time\n", database=f"sqlite:///{other}")
    assert status == 0 and other.is_file() and f"Database: {other}" in transcript


def test_quit_and_cancel_inside_a_form_are_never_answers(tmp_path: Path) -> None:
    database = f"sqlite:///{tmp_path / 'c.db'}"
    status, transcript = run_console(
        "/delegate\n    :cancel\n/delegate\n    :quit\n:time\n", database=database
    )
    assert status == 0
    assert transcript.count("· one line per field") == 2
    assert ":cancel closes the form, :quit leaves the console" in transcript
    assert "] @alice in #general> :time" not in transcript  # :quit left the console
    engine = make_engine(database)
    try:
        with Session(engine) as session:
            assert session.exec(select(Task)).all() == []
    finally:
        engine.dispose()


def test_the_forms_due_date_takes_what_due_takes(tmp_path: Path) -> None:
    database = f"sqlite:///{tmp_path / 'c.db'}"
    script = ":new #acme\n/delegate vendor add #acme Acme\n/delegate\n    #acme\n    Logo\n"
    script += "    someday\n    fri\n    \n    \n"
    status, transcript = run_console(script, database=database)  # Monday 30 November
    assert status == 0
    assert "is not a date I understand. Write `YYYY-MM-DD`, `today`" in transcript
    engine = make_engine(database)
    try:
        with Session(engine) as session:
            [task] = session.exec(select(Task)).all()
    finally:
        engine.dispose()
    assert str(task.due_date) == "2026-12-04"


def test_only_names_that_exist_become_mentions() -> None:
    typed = "Colour #1A5CFF for @bob in #nowhere, see #general and #12"
    _, transcript = run_console(f"{typed}\n")
    answer = after_prompt(transcript, typed)
    assert answer == [
        "· @bob is nobody here, so it stays text "
        "(:new @bob adds a teammate, --external a vendor's guest)",
        "· #nowhere is not a channel here, so it stays text (:new #nowhere creates it)",
        "[1] #general · @alice",
        "    " + typed,
    ]
    assert "1a5cff" not in transcript.lower().replace("#1a5cff for", "")


def test_an_uploaded_csv_is_saved_and_shown_as_a_table(tmp_path: Path) -> None:
    database = f"sqlite:///{tmp_path / 'c.db'}"
    script = ":new #acme\n/delegate vendor add #acme Acme\n/delegate #acme Logo\n"
    status, transcript = run_console(script + "/delegate report\n", database=database)
    assert status == 0
    [saved] = (tmp_path / "console-files").iterdir()
    assert saved.suffix == ".csv" and saved.read_text(encoding="utf-8-sig").startswith("record,")
    answer = after_prompt(transcript, "/delegate report")
    assert answer[0] == "[4] DM to @alice · @delegate"
    assert any(line.startswith("    file: ") and str(saved) in line for line in answer)
    header = next(line for line in answer if line.startswith("    record | id "))
    assert answer[answer.index(header) + 1].startswith("    -------+----+")
    assert any(line.startswith("    task   | 1  | Acme ") for line in answer)


def test_time_takes_weekday_words_and_next() -> None:
    now = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)  # a Monday
    assert parse_time("fri 16:05", now) == datetime(2026, 12, 4, 16, 5, tzinfo=UTC)
    assert parse_time("tomorrow 09:00 Asia/Manila", now) == datetime(2026, 12, 1, 1, 0, tzinfo=UTC)
    assert parse_time("mon", now) == datetime(2026, 12, 7, 0, 0, tzinfo=UTC)  # never today
    script = ":new #acme\n/delegate vendor add #acme tz:UTC\n/delegate #acme Logo\n:time next\n"
    _, transcript = run_console(script)
    answer = after_prompt(transcript, ":time next")
    assert answer[0] == "── Tue 1 Dec 2026 09:00 UTC ──"
    assert answer[-1] == "· Clock: Tue 1 Dec 2026 09:00 UTC"


def test_a_reopened_console_shows_the_messages_that_still_have_buttons(tmp_path: Path) -> None:
    database = f"sqlite:///{tmp_path / 'checkins.db'}"
    run_console(SCENARIO.read_text(), database=database)
    status, transcript = run_console(':click 1.2 "Done"\n', database=database, now=None)
    assert status == 0
    lines = transcript.splitlines()
    assert lines[2] == "· From your last session, the messages that still have buttons:"
    assert lines[3] == "[1] #acme-design · @delegate"
    assert "    (1.1) [On track] [At risk] [Blocked] [Done]" in lines
    clicked = after_prompt(transcript, ':click 1.2 "Done"')
    assert clicked[0] == "[1] (updated) #acme-design · @delegate"
    engine = make_engine(database)
    try:
        with Session(engine) as session:
            task = session.get(Task, 2)
    finally:
        engine.dispose()
    assert task is not None and task.status == "delivered"  # "Done" asks the owner to review


def test_the_demo_into_head_ends_quietly(tmp_path: Path) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "console", "--demo"],
        cwd=tmp_path,
        env=bot_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None and process.stderr is not None
    first = [process.stdout.readline() for _ in range(3)]
    process.stdout.close()  # `| head -3` has read its lines and gone
    errors = process.stderr.read()
    assert process.wait(timeout=60) == 0
    assert first[0].startswith("Delegate console") and errors == ""


def test_a_row_keeps_its_number_when_another_row_loses_its_buttons() -> None:
    """After task 1 is done its row has no buttons; `6.2` must still mean task 2's row."""
    script = "\n".join(
        [
            ":new #acme",
            "/delegate vendor add #acme tz:UTC",
            "/delegate #acme One",
            "/delegate #acme Two",
            ":time 2026-12-01 09:05",
            ':click 6.1 "Done"',
            ':click 6.2 "Blocked"',
            "    the printer",
            ":show 6",
            "",
        ]
    )
    _, transcript = run_console(script)
    shown = after_prompt(transcript, ":show 6")
    assert "    (6.1) [On track] [At risk] [Blocked] [Done]" not in shown
    assert "    (6.2) [On track] [At risk] [Blocked] [Done]" in shown
    two = shown.index("    *#2* Two · no due date · owner @alice")
    assert "*Blocked* by @alice" in shown[two + 1]


# --------------------------------------------------------------------------- mistakes (issue 13)

MISTAKES = FIXTURES / "mistakes_scenario.txt"
MISTAKES_GOLDEN = FIXTURES / "mistakes_scenario.out"


def test_the_mistakes_scenario_screen_for_screen(tmp_path: Path) -> None:
    """Issue 13's mistakes, replayed as a new user typed them into `python -m bot console
    --fresh`: compared with tests/fixtures/console/mistakes_scenario.out."""
    result = run_subprocess(tmp_path, "--fresh", "--now", MONDAY, script=MISTAKES.read_text())
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    if os.environ.get("UPDATE_GOLDEN") == "1":
        MISTAKES_GOLDEN.write_text(result.stdout)
    assert result.stdout == MISTAKES_GOLDEN.read_text()


def test_the_mistakes_reach_no_vendor_and_change_no_figure(tmp_path: Path) -> None:
    """The same session, said in words: every mistake got a private answer saying what to do
    instead; nothing was posted for #general; the stray vendor is removed, not deleted."""
    database = f"sqlite:///{tmp_path / 'mistakes.db'}"
    status, transcript = run_console(MISTAKES.read_text(), database=database)
    assert status == 0
    for typed, advice in (
        ("/delegate lsit", "did you mean `/delegate list`?"),
        ("/delegate dnoe 4", "did you mean `/delegate done ID`?"),
        ("/delegate summray", "did you mean `/delegate summary #vendor`?"),
        ("/delegate help me", "`/delegate help` alone"),
        ("/delegate Foo due:fri", "general channel"),
        ("/delegate #general Foo due:fri", "general channel"),
        ("/delegate summary", "`/delegate summary #vendor`"),
        ("/delegate scorecard", "`/delegate scorecard #vendor`"),
        ("/delegate undo", "`/delegate reopen ID`"),
        ("/delegate remove 2", "`/delegate cancel ID`"),
        ("/delegate done 1", "belongs to @alice"),
    ):
        shown = after_prompt(transcript, typed)
        assert "only visible to" in shown[0], (typed, shown)
        assert advice in shown[1], (typed, shown)
    # The next morning: Acme's check-in only; nothing for #general or the removed #marketing.
    morning = after_prompt(transcript, ":time 2026-12-01 01:05")
    posted = [line for line in morning if re.match(r"^\[\d+\] #", line)]
    assert posted == ["[37] #acme-design · @delegate"]
    # Nothing but private replies ever appeared in #general.
    general = [line for line in transcript.splitlines() if re.match(r"^\[\d+\] #general", line)]
    assert general and all("only visible to @alice" in line for line in general)
    engine = make_engine(database)
    try:
        with Session(engine) as session:
            vendors = {v.name: v for v in session.exec(select(Vendor))}
            tasks = list(session.exec(select(Task).order_by(col(Task.id))))
    finally:
        engine.dispose()
    assert set(vendors) == {"Acme Design Ltd", "marketing"}
    assert vendors["marketing"].removed_at is not None
    assert [(t.title, t.status, t.owner_id, t.closed_at) for t in tasks] == [
        ("Logo refresh v2", "open", "U0BOB", None),
        ("Brochure", "open", "U0ALICE", None),
        ("Launch plan", "open", "U0ALICE", None),
    ]


# --------------------------------------------------------------------------- statuses (issue 12)

STATUSES = FIXTURES / "status_scenario.txt"
STATUSES_GOLDEN = FIXTURES / "status_scenario.out"


def test_the_status_scenario_screen_for_screen(tmp_path: Path) -> None:
    """A task taken through every status in `python -m bot console --fresh`, mistakes
    included: compared with tests/fixtures/console/status_scenario.out."""
    result = run_subprocess(tmp_path, "--fresh", "--now", MONDAY, script=STATUSES.read_text())
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    if os.environ.get("UPDATE_GOLDEN") == "1":
        STATUSES_GOLDEN.write_text(result.stdout)
    assert result.stdout == STATUSES_GOLDEN.read_text()


def test_the_status_scenario_leaves_typed_statuses(tmp_path: Path) -> None:
    """The same session, read back from the database: each task's status is a TaskStatus
    member, and the one the vendor delivered was accepted, so it is done."""
    database = f"sqlite:///{tmp_path / 'statuses.db'}"
    status, transcript = run_console(STATUSES.read_text(), database=database)
    assert status == 0
    assert "There is no task #9; nothing changed." in transcript
    engine = make_engine(database)
    try:
        with Session(engine) as session:
            tasks = list(session.exec(select(Task).order_by(col(Task.id))))
    finally:
        engine.dispose()
    assert [(t.title, t.status) for t in tasks] == [
        ("Logo refresh", TaskStatus.DONE),
        ("Brochure", TaskStatus.CANCELLED),
    ]
    assert all(type(t.status) is TaskStatus for t in tasks)


# --------------------------------------------------------------------------- a newcomer (issue 12)

NEWCOMER = FIXTURES / "newcomer_scenario.txt"
NEWCOMER_GOLDEN = FIXTURES / "newcomer_scenario.out"


def test_a_newcomers_first_session_screen_for_screen() -> None:
    """Played by hand when the console became a package (issue 12): help, a mistyped console
    command and slash command, a vendor added before its channel exists, a task delegated to
    a channel that is not a vendor yet, its check-in answered by the vendor, the task done.
    Compared with tests/fixtures/console/newcomer_scenario.out, made before the split."""
    status, transcript = run_console(NEWCOMER.read_text())
    assert status == 0
    if os.environ.get("UPDATE_GOLDEN") == "1":
        NEWCOMER_GOLDEN.write_text(transcript)
    assert transcript == NEWCOMER_GOLDEN.read_text()


def test_the_console_runs_without_the_test_only_extras(tmp_path: Path) -> None:
    """The console's stand-in Slack is bot.fake_slack alone: Socket Mode (`websockets`),
    HTTPS (`trustme`) and the test helpers (tests.support) are never imported by it, so a
    plain `pip install .` runs `python -m bot console`."""
    blocked = ("websockets", "trustme", "pytest", "tests")
    code = (
        "import sys\n"
        "class Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        f"        if name.split('.')[0] in {blocked!r}:\n"
        "            raise ImportError(f'{name} is a test extra')\n"
        "sys.meta_path.insert(0, Block())\n"
        "from bot.__main__ import main\n"
        "sys.exit(main(['console', '--fresh', '--now', '2026-11-30T10:00Z']))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        env={**bot_env(), "PYTHONPATH": str(REPO)},
        input="/delegate help\n:quit\n",
        capture_output=True,
        text=True,
        timeout=90,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert "*How to use /delegate*" in result.stdout
