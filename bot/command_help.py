"""`/delegate help`: every command, one line each, and how dates, cadences and settings
are written. The vendor settings' lines come from their table (bot.vendor_settings)."""

from __future__ import annotations

from bot import vendor_settings

HELP_LINES = [
    ("/delegate", "open a form to delegate a task"),
    (
        "/delegate [#vendor] [@assignee] title… [due:DATE] [cost:450] [| standard expected]",
        "log a task for a vendor (this channel when none is given)",
    ),
    ("/delegate list [all|overdue|#vendor]", "open tasks: yours, everyone's, overdue, a vendor's"),
    ("/delegate done ID", "close your task (accepting a delivery); a vendor's goes to review"),
    ("/delegate cancel ID", "cancel a task"),
    ("/delegate due ID DATE", "move a task's due date"),
    ("/delegate cost ID AMOUNT|none", "set or clear what a task costs (never shown to vendors)"),
    ("/delegate reopen ID", "undo a done or cancel"),
    ("/delegate edit ID [title] [| standard]", "change a task's title or standard"),
    ("/delegate assign ID @person|none", "who works on it"),
    ("/delegate owner ID @person", "hand it over"),
    ("/delegate summary [#vendor]", "post a vendor's weekly summary in its channel now"),
    (
        "/delegate scorecard [#vendor] [weeks:12]",
        "a vendor's weekly scorecard, verdict, spend and chart, sent to you",
    ),
    (
        "/delegate report [#vendor] [from:DATE] [to:DATE]",
        "a CSV of tasks, updates, replies and feedback, sent to you (default: the last 4 weeks)",
    ),
    (
        "/delegate settings [digest:#channel] [admins:@a,@b] [tz:Area/City]",
        "this workspace's digest channel, admins and default time zone (admins only)",
    ),
    (vendor_settings.ADD_HELP, "register a vendor channel"),
    (vendor_settings.SET_HELP, "change a vendor's settings (at least one)"),
    (
        "/delegate vendor holiday #channel [add|remove DATE…]",
        "a vendor's days off (its own and its country's public holidays): list or change",
    ),
    (
        "/delegate vendor away #channel [clear [@person]]",
        "who at a vendor said they are away (check-in menu: Away…); clear absences",
    ),
    (
        "/delegate vendor questions #channel",
        "a form for up to five questions asked at each check-in (Answer button)",
    ),
    ("/delegate vendor list [removed]", "vendors and their schedules (or removed ones)"),
    ("/delegate vendor pause #channel", "stop check-ins for a vendor"),
    ("/delegate vendor resume #channel", "start them again"),
    ("/delegate vendor rename #channel New name", "rename"),
    ("/delegate vendor remove|restore #channel", "stop and hide a vendor (history kept), or undo"),
    ("/delegate help", "this help"),
]
TITLE_HELP = "A title starting like a command needs the channel first: `/delegate #acme list…`."
DATE_HELP = (
    "DATE: `YYYY-MM-DD`, `today`, `tomorrow`, `fri` or `friday`, `+3d`, `+2w` (vendor's time)."
)
CADENCE_HELP = (
    "CADENCE: `daily`, `weekdays`, `weekly` or days like `mon,wed,fri`, optionally `@HH:MM` "
    "in the vendor's time (check-ins take several: `weekdays@09:00,15:00`). "
    "Defaults: check-ins `weekdays@09:00`, summary `fri@16:00`, "
    "feedback prompt with the summary (`feedback:summary` puts it back there)."
)
SETTINGS_HELP = (
    "`remind:` how long after a check-in to nudge (`4h`, `90m`, at most `7d`); `workdays:` the "
    "days the vendor works (`mon-fri`, `sun-thu`, `mon,tue,thu`); `holidays:` a country's "
    "public holidays as days off (`PH`, `AR`, `US-CA`; `none` turns them off). With "
    "`vendor set`: `figures:on` shows response rates and ratings in the vendor's own "
    "summary (default off); `review:24h` how long a delivery may wait for review before "
    "its owner is reminded."
)
LIFECYCLE_HELP = (
    "`trial:30d` (or `2w`, `until:DATE`, `none`) puts a vendor on trial: you get its scorecard "
    "and Keep / Extend / End buttons 3 working days before the end. `currency:` an ISO code "
    "(default USD); `rate:` hourly rate; `budget:` monthly budget (alerts at 80% and 100%). "
    "Costs: `cost:450`, `cost:450.50`, `cost:12h@35`, `cost:12h` (at the vendor's rate)."
)


def help_text() -> str:
    lines = ["*How to use /delegate*"]
    lines += [f"• `{usage}`: {what}" for usage, what in HELP_LINES]
    lines += [TITLE_HELP, DATE_HELP, CADENCE_HELP, SETTINGS_HELP, LIFECYCLE_HELP]
    return "\n".join(lines)
