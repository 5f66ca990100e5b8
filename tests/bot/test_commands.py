"""The /delegate grammar, as tables: what parses to what, and what is refused with which hint."""

from __future__ import annotations

from datetime import time

import pytest

from bot.command_grammar import parse_command
from bot.command_help import help_text
from bot.commands import (
    AddVendor,
    AssignTask,
    CancelTask,
    CloseTask,
    CreateTask,
    EditTask,
    HandOverTask,
    ListTasks,
    ListVendors,
    ManageHolidays,
    OpenDelegateForm,
    PauseVendor,
    RemoveVendor,
    ReopenTask,
    RescheduleTask,
    RestoreVendor,
    ResumeVendor,
    ShowHelp,
    UpdateVendor,
)
from bot.errors import UsageError
from bot.schedule_rules import Cadence
from bot.slack_text import readable_text

ACME = "<#C0ACME|acme-design>"

PARSES = [
    ("", OpenDelegateForm()),
    ("   ", OpenDelegateForm()),
    ("help", ShowHelp()),
    ("HELP", ShowHelp()),
    ("Logo refresh", CreateTask("Logo refresh")),
    (f"{ACME} Logo refresh due:fri", CreateTask("Logo refresh", "C0ACME", None, "fri")),
    (
        f"{ACME} <@U0VENDOR|vera> Logo refresh due:2026-12-04",
        CreateTask("Logo refresh", "C0ACME", "U0VENDOR", "2026-12-04"),
    ),
    (
        f"<@U0VENDOR> {ACME} Logo due:+3d refresh",
        CreateTask("Logo refresh", "C0ACME", "U0VENDOR", "+3d"),
    ),
    (
        f"{ACME} Logo refresh due:fri | three options, SVG &amp; PNG",
        CreateTask("Logo refresh", "C0ACME", None, "fri", "three options, SVG & PNG"),
    ),
    ("<#C0ACME> Fix: header", CreateTask("Fix: header", "C0ACME")),
    ("R&amp;D &lt;notes&gt;", CreateTask("R&D <notes>")),
    ("Tell <!channel> about <@U0BOB|bob>", CreateTask("Tell @channel about @bob")),
    ("#12 is a title too", CreateTask("#12 is a title too")),
    ("list", ListTasks("mine")),
    ("list all", ListTasks("all")),
    ("list OVERDUE", ListTasks("overdue")),
    (f"list {ACME}", ListTasks("vendor", "C0ACME")),
    ("done 12", CloseTask(12)),
    ("done #12", CloseTask(12)),
    ("cancel 3", CancelTask(3)),
    ("due 12 fri", RescheduleTask(12, "fri")),
    ("due #7 2026-12-24", RescheduleTask(7, "2026-12-24")),
    (f"vendor add {ACME}", AddVendor("C0ACME")),
    (
        f"vendor add {ACME} Acme Design Co tz:Asia/Manila checkins:weekdays@08:30 summary:fri",
        AddVendor(
            "C0ACME",
            "Acme Design Co",
            "Asia/Manila",
            Cadence((0, 1, 2, 3, 4), time(8, 30)),
            Cadence((4,), time(16, 0)),
        ),
    ),
    (
        f"vendor add {ACME} checkins:mon,wed,fri",
        AddVendor("C0ACME", checkins=Cadence((0, 2, 4), time(9, 0))),
    ),
    ("vendor list", ListVendors()),
    (f"vendor pause {ACME}", PauseVendor("C0ACME")),
    (f"vendor resume {ACME}", ResumeVendor("C0ACME")),
    (
        f"vendor add {ACME} Acme remind:90m workdays:sun-thu",
        AddVendor("C0ACME", "Acme", remind_after_minutes=90, workdays="sun-thu"),
    ),
    (f"vendor add {ACME} name:Acme Co", AddVendor("C0ACME", "Acme Co")),
    (f"vendor set {ACME} tz:asia/manila", UpdateVendor("C0ACME", timezone="Asia/Manila")),
    (
        f"vendor set {ACME} checkins:mon,wed@10:00 summary:fri remind:4h workdays:sun-thu",
        UpdateVendor(
            "C0ACME",
            checkins=Cadence((0, 2), time(10, 0)),
            summary=Cadence((4,), time(16, 0)),
            remind_after_minutes=240,
            workdays="sun-thu",
        ),
    ),
    (
        f"vendor set {ACME} name:Acme &amp; Sons tz:UTC",
        UpdateVendor("C0ACME", name="Acme & Sons", timezone="UTC"),
    ),
    (f"vendor set {ACME} workdays:thu,sun,mon,tue,wed", UpdateVendor("C0ACME", workdays="sun-thu")),
    (f"vendor set {ACME} remind:1d2h", UpdateVendor("C0ACME", remind_after_minutes=1560)),
    (f"vendor holiday {ACME}", ManageHolidays("C0ACME", "list")),
    (f"vendor holidays {ACME}", ManageHolidays("C0ACME", "list")),
    (
        f"vendor holiday {ACME} add 2026-12-25 2026-12-26",
        ManageHolidays("C0ACME", "add", ("2026-12-25", "2026-12-26")),
    ),
    (
        f"vendor holiday {ACME} ADD Fri fri +1w",
        ManageHolidays("C0ACME", "add", ("fri", "+1w")),
    ),
    (f"vendor holiday {ACME} remove tomorrow", ManageHolidays("C0ACME", "remove", ("tomorrow",))),
    # Undo and edit (issue 13).
    ("reopen 12", ReopenTask(12)),
    ("REOPEN #12", ReopenTask(12)),
    ("edit 12 Logo v2", EditTask(12, "Logo v2")),
    ("edit 12 | SVG &amp; PNG", EditTask(12, None, "SVG & PNG")),
    ("edit 12 Logo v2 | three options", EditTask(12, "Logo v2", "three options")),
    ("edit 12 Logo v2 |", EditTask(12, "Logo v2", "")),  # `|` alone clears the standard
    ("assign 12 <@U0BOB|bob>", AssignTask(12, "U0BOB")),
    ("assign #12 none", AssignTask(12, None)),
    ("owner 12 <@U0BOB>", HandOverTask(12, "U0BOB")),
    (f"vendor remove {ACME}", RemoveVendor("C0ACME")),
    (f"vendor restore {ACME}", RestoreVendor("C0ACME")),
    ("vendor list removed", ListVendors(removed=True)),
    (f"vendor rename {ACME} Acme &amp; Co", UpdateVendor("C0ACME", name="Acme & Co")),
    # Titles that only look like commands: a changed letter in a short word, or two edits.
    ("Last minute flyer", CreateTask("Last minute flyer")),
    ("Post launch survey", CreateTask("Post launch survey")),
    ("Design the logo", CreateTask("Design the logo")),
    (f"{ACME} lsit of venues", CreateTask("lsit of venues", "C0ACME")),
    (f"{ACME} undo the merge", CreateTask("undo the merge", "C0ACME")),
    (f"{ACME} Edit the brochure", CreateTask("Edit the brochure", "C0ACME")),
]


@pytest.mark.parametrize(("text", "expected"), PARSES, ids=[p[0] or "empty" for p in PARSES])
def test_parses(text: str, expected: object) -> None:
    assert parse_command(text) == expected


REFUSALS = [
    # (text, words the reply must contain)
    ("help me", ["/delegate help", "/delegate #vendor help …"]),
    # Typos and words people type as commands: refused, never a task called "lsit".
    ("lsit", ["did you mean `/delegate list`?", "/delegate #vendor lsit …"]),
    ("lst", ["did you mean `/delegate list`?"]),
    ("Lsit all", ["did you mean `/delegate list`?"]),
    ("dnoe 4", ["did you mean `/delegate done ID`?"]),
    ("vendro add", ["did you mean `/delegate vendor"]),
    ("summray", ["did you mean `/delegate summary #vendor`?"]),
    ("scorcard", ["`/delegate scorecard #vendor`"]),
    ("reopne 4", ["`/delegate reopen ID`"]),
    ("undo", ["`/delegate reopen ID`", "`/delegate cancel ID`"]),
    ("undo 4", ["`/delegate reopen ID`"]),
    ("remove 4", ["`/delegate cancel ID`", "`/delegate vendor remove #channel`"]),
    ("delete 4", ["`/delegate cancel ID`"]),
    ("vend", ["`/delegate vendor"]),
    ("edit", ["/delegate edit ID", "/delegate #vendor edit …"]),
    ("edit the brochure", ["not a task id", "/delegate #vendor edit …"]),
    ("edit 4", ["Say what to change"]),
    # A `key:` after edit would become part of the title: the command that was meant instead.
    ("edit 4 title:Logo v2", ["no `title:`", "`/delegate edit 4 New title`"]),
    ("edit 4 Standard:SVG", ["no `standard:`", "`/delegate edit 4 | new standard`"]),
    ("edit 4 due:fri", ["no `due:`", "`/delegate due 4 DATE`"]),
    ("edit 4 cost:120", ["no `cost:`", "`/delegate cost 4 AMOUNT`"]),
    ("edit 4 assignee:<@U0BOB>", ["no `assignee:`", "`/delegate assign 4 @person`"]),
    ("reopen", ["/delegate reopen ID"]),
    ("assign 4", ["/delegate assign ID @person"]),
    ("assign 4 bob", ["not a person"]),
    ("owner 4 none", ["not a person"]),
    ("vendor remvoe <#C0ACME>", ["Did you mean `/delegate vendor remove`?"]),
    ("vendor remove", ["/delegate vendor remove #channel"]),
    ("vendor rename <#C0ACME>", ["/delegate vendor rename #channel New name"]),
    ("vendor list gone", ["/delegate vendor list [removed]"]),
    ("list everything", ["/delegate list all"]),
    ("list #acme", ["/delegate list #vendor"]),
    ("done", ["/delegate done ID"]),
    ("done abc", ["not a task id", "#12"]),
    ("done 1 2", ["/delegate done ID"]),
    ("cancel", ["/delegate cancel ID"]),
    ("due 12", ["/delegate due ID DATE"]),
    ("due x fri", ["not a task id"]),
    ("vendor", ["vendor add"]),
    ("vendor fly", ["not something I can do"]),
    ("vendor add", ["/delegate vendor add #channel"]),
    ("vendor add #acme", ["is not a channel", "suggestions"]),
    ("vendor add <@U0BOB>", ["is not a channel"]),
    (f"vendor add {ACME} tz:Mars/Base", ["not a time zone", "Asia/Manila"]),
    (f"vendor add {ACME} checkins:sometimes", ["sometimes", "weekdays"]),
    (f"vendor add {ACME} checkins:daily@25:00", ["25:00", "HH:MM"]),
    (f"vendor add {ACME} color:blue", ["not a vendor setting", "tz:"]),
    (f"vendor add {ACME} tz:UTC tz:UTC", ["given twice"]),
    (f"vendor add {ACME} tz:", ["needs a value"]),
    ("vendor list extra", ["/delegate vendor list"]),
    ("vendor pause", ["/delegate vendor pause #channel"]),
    ("vendor resume #acme", ["is not a channel"]),
    (f"vendor add {ACME} remind:soon", ["not a duration", "4h"]),
    (f"vendor add {ACME} remind:8d", ["longer than a week"]),
    (f"vendor add {ACME} workdays:funday", ["not a list of days", "mon-fri"]),
    (f"vendor add {ACME} workdays:mon-fri@09:00", ["take none"]),
    ("vendor set", ["/delegate vendor set #channel"]),
    ("vendor set #acme tz:UTC", ["is not a channel"]),
    (f"vendor set {ACME}", ["Say what to change", "remind:4h"]),
    (f"vendor set {ACME} Acme Design", ["key:value", "name:"]),
    (f"vendor set {ACME} tz:UTC Acme", ["key:value"]),
    (f"vendor set {ACME} name:", ["needs a value", "name:Acme"]),
    (f"vendor set {ACME} color:red", ["not a vendor setting", "remind:", "workdays:"]),
    (f"vendor set {ACME} remind:0m", ["too short"]),
    (f"vendor set {ACME} remind:4h remind:2h", ["given twice"]),
    (f"vendor set {ACME} tz:Mars/Base", ["not a time zone"]),
    (f"vendor set {ACME} checkins:whenever", ["not a schedule"]),
    (f"vendor set {ACME} name:" + "n" * 81, ["at most 80"]),
    ("vendor holiday", ["/delegate vendor holiday #channel"]),
    ("vendor holiday #acme", ["is not a channel"]),
    (f"vendor holiday {ACME} add", ["Which dates", "add 2026-12-25"]),
    (f"vendor holiday {ACME} remove", ["Which dates"]),
    (f"vendor holiday {ACME} move 2026-12-25", ["`add` or `remove`"]),
    (f"vendor holiday {ACME} add " + " ".join(["fri"] * 32), ["at most 31"]),
    (f"{ACME} due:fri", ["needs a title"]),
    (f"{ACME} due:", ["needs a date"]),
    (f"{ACME} Logo due:fri due:mon", ["given twice"]),
    ("#acme Logo refresh", ["is not a channel", "suggestions"]),
    (f"{ACME} " + "x" * 301, ["301 characters", "300"]),
]


@pytest.mark.parametrize(("text", "hints"), REFUSALS, ids=[r[0][:40] for r in REFUSALS])
def test_refuses_with_a_hint(text: str, hints: list[str]) -> None:
    with pytest.raises(UsageError) as raised:
        parse_command(text)
    for hint in hints:
        assert hint in raised.value.message


def test_refusal_quotes_user_text_escaped() -> None:
    with pytest.raises(UsageError) as raised:
        parse_command("done <!channel>")
    assert "<!channel>" not in raised.value.message
    assert "&lt;!channel&gt;" in raised.value.message


def test_title_of_exactly_300_characters_is_accepted() -> None:
    command = parse_command(f"{ACME} " + "y" * 300)
    assert isinstance(command, CreateTask) and len(command.title) == 300


def test_help_lists_every_command() -> None:
    text = help_text()
    words = ("list", "done", "cancel", "due", "vendor add", "vendor pause", "DATE", "CADENCE")
    words += ("vendor set", "vendor holiday", "remind:", "workdays:")
    for word in words:
        assert word in text


@pytest.mark.parametrize(
    ("raw", "plain"),
    [
        ("<@U1|bob> and <#C1|general>", "@bob and #general"),
        ("<!here> <!channel> <!everyone>", "@here @channel @everyone"),
        ("<!subteam^S123|@designers>", "@@designers"),
        ("a &amp;lt; b", "a &lt; b"),
        ("<@U1>", "@U1"),
    ],
)
def test_readable_text(raw: str, plain: str) -> None:
    assert readable_text(raw) == plain
