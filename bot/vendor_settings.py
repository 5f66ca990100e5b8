"""A vendor's settings, declared once: `vendor add` / `vendor set` read them, the help and
the usage lines show them, `vendor set` diffs and audits them, all from `SETTINGS`.

Each setting is a `key:value` word (`tz:Asia/Manila`) with an example, how the help and
the usage lines write its value, the parser that checks it, the name a reply and the audit
log give it, and the Vendor columns it changes. Adding a setting is adding a row here (and
its field on `VendorSettingsCommand`); a check at import makes sure the two agree.

Parsing is pure: no database, no Slack. Values that depend on the vendor (a trial's
`until:DATE` is in its time zone, an amount in its currency) stay text here and are
resolved by bot.lifecycle.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from typing import Any

from bot.command_tokens import CLEAR, CLEAR_WORDS, OPTION, show
from bot.errors import UsageError
from bot.money import check_amount_text, parse_currency
from bot.public_holidays import parse_holiday_code
from bot.schedule_rules import (
    DEFAULT_CHECKIN_TIME,
    DEFAULT_SUMMARY_TIME,
    Cadence,
    format_days,
    parse_cadence,
    parse_duration,
    parse_timezone,
    parse_workdays,
)
from bot.slack_text import readable_text

MAX_NAME_LENGTH = 80
MAX_TRIAL_DAYS = 365
# `feedback:summary`: the weekly feedback prompt goes with the summary (stored as None).
FEEDBACK_WITH_SUMMARY = "summary"
_TRIAL_LENGTH = re.compile(r"([0-9]{1,3})([dw])", re.IGNORECASE)


@dataclass(frozen=True)
class VendorSettingsCommand:
    """`vendor add` / `vendor set` (bot.commands): a channel and the settings given (None
    means "not given"), each parsed and checked by its row in SETTINGS."""

    channel_id: str
    name: str | None = None
    timezone: str | None = None
    checkins: Cadence | None = None
    summary: Cadence | None = None
    remind_after_minutes: int | None = None
    workdays: str | None = None  # canonical text from format_days, e.g. "sun-thu"
    feedback: str | None = None  # canonical cadence text, or FEEDBACK_WITH_SUMMARY
    trial: str | None = None  # `30d`, `until:DATE` (DATE as typed) or CLEAR
    currency: str | None = None  # ISO 4217 code
    rate: str | None = None  # an amount as typed (checked), or CLEAR
    budget: str | None = None  # an amount as typed (checked), or CLEAR
    public_holidays: str | None = None  # `PH`, `US-CA` (checked), or CLEAR
    show_figures: bool | None = None  # `figures:on|off`, `vendor set` only
    review_after_minutes: int | None = None  # `review:24h`, `vendor set` only

    def given(self) -> bool:
        """Whether any setting is given (the channel alone changes nothing)."""
        return any(getattr(self, setting.attr) is not None for setting in SETTINGS)


# --------------------------------------------------------------------------- value parsers


def _minutes(value: str) -> int:
    return int(parse_duration(value).total_seconds() // 60)


def _public_holidays(value: str) -> str:
    """`holidays:PH` / `holidays:US-CA` (checked against the calendar), or CLEAR."""
    if value.strip().lower() in CLEAR_WORDS:
        return CLEAR
    return parse_holiday_code(value)


def _on_off(key: str) -> Callable[[str], bool]:
    def parse(value: str) -> bool:
        word = value.strip().lower()
        if word in ("on", "yes", "true"):
            return True
        if word in ("off", "no", "false"):
            return False
        raise UsageError(f"`{key}:` is `on` or `off`, like `{key}:on`.")

    return parse


def _trial(value: str) -> str:
    """`trial:30d`, `trial:2w`, `trial:until:DATE` or `trial:none` -> canonical text; the
    date is resolved in the vendor's time zone by bot.lifecycle."""
    text = value.strip()
    if text.lower() in CLEAR_WORDS:
        return CLEAR
    if text.lower().startswith("until:"):
        if not text[6:]:
            raise UsageError("`trial:until:` needs a date, like `trial:until:2026-12-31`.")
        return "until:" + text[6:].lower()
    match = _TRIAL_LENGTH.fullmatch(text)
    days = int(match.group(1)) * (7 if match.group(2).lower() == "w" else 1) if match else 0
    if not 1 <= days <= MAX_TRIAL_DAYS:
        raise UsageError(
            f"`trial:{show(text)}` is not a trial length. Write `trial:30d`, `trial:6w`, "
            f"`trial:until:2026-12-31` (at most {MAX_TRIAL_DAYS} days), or `trial:none` "
            "to end it without a decision."
        )
    return f"{days}d"


def _money(key: str) -> Callable[[str], str]:
    """`rate:35` / `budget:2000` (checked to be an amount above 0), or CLEAR."""

    def parse(value: str) -> str:
        if value.strip().lower() in CLEAR_WORDS:
            return CLEAR
        amount = check_amount_text(value, f"{key}:")
        if amount <= 0:
            raise UsageError(f"`{key}:` must be more than 0; `{key}:none` clears it.")
        return value.strip()

    return parse


def _one_slot(key: str) -> Callable[[str], Cadence]:
    """Summaries and feedback prompts are weekly: one time a day; only check-ins take
    several (`checkins:weekdays@09:00,15:00`)."""

    def parse(value: str) -> Cadence:
        cadence = parse_cadence(value, DEFAULT_SUMMARY_TIME)
        if cadence.later:
            raise UsageError(
                f"`{key}:` takes one time a day, like `{SETTING[key].example}`; only "
                "`checkins:` takes several (`checkins:weekdays@09:00,15:00`)."
            )
        return cadence

    return parse


def _feedback_cadence(value: str) -> str:
    """`feedback:` takes a cadence, or `summary` for "with the summary" (the default)."""
    if value.strip().lower() in (FEEDBACK_WITH_SUMMARY, "with-summary"):
        return FEEDBACK_WITH_SUMMARY
    return str(_one_slot("feedback")(value))


def _as_is(value: Any) -> Any:
    return value


def _cleared_as_none(value: Any) -> Any:
    return None if value == CLEAR else value


def _feedback_stored(value: Any) -> Any:
    return None if value == FEEDBACK_WITH_SUMMARY else value  # "with the summary" is None


# --------------------------------------------------------------------------- the table

# How the help writes a cadence's value; the shorter usage lines write `…` for it.
CADENCE_FORM = "CADENCE"


@dataclass(frozen=True)
class Setting:
    key: str  # as typed, before the colon
    attr: str  # the VendorSettingsCommand field it fills
    example: str  # the whole word, `tz:Asia/Manila`, for "needs a value, like …"
    add_form: str | None  # the value in `vendor add`'s help; None: `vendor set` only
    set_form: str  # the value in `vendor set`'s usage line
    label: str  # the change's name in `vendor set`'s reply and the audit entry
    columns: tuple[str, ...]  # the Vendor columns it changes
    parse: Callable[[str], Any]
    # The column value a parsed value asks for; None: checked against the vendor by
    # bot.lifecycle.lifecycle_settings (trial, currency and amounts).
    store: Callable[[Any], Any] | None = _as_is


SETTINGS: tuple[Setting, ...] = (
    # `name` is read apart: bare words make the name (see read_vendor_settings).
    Setting("name", "name", "name:Acme Design", "…", "…", "name", ("name",), readable_text),
    Setting(
        "tz",
        "timezone",
        "tz:Asia/Manila",
        "Area/City",
        "Area/City",
        "time zone",
        ("timezone",),
        lambda value: parse_timezone(value).key,
    ),
    Setting(
        "checkins",
        "checkins",
        "checkins:weekdays@09:00",
        CADENCE_FORM,
        "…",
        "check-ins",
        ("checkin_cadence",),
        lambda value: parse_cadence(value, DEFAULT_CHECKIN_TIME),
        str,
    ),
    Setting(
        "summary",
        "summary",
        "summary:fri",
        CADENCE_FORM,
        "…",
        "summary",
        ("summary_cadence",),
        _one_slot("summary"),
        str,
    ),
    Setting(
        "feedback",
        "feedback",
        "feedback:mon@10:00",
        CADENCE_FORM,
        "…",
        "feedback prompt",
        ("feedback_cadence",),
        _feedback_cadence,
        _feedback_stored,
    ),
    Setting(
        "remind",
        "remind_after_minutes",
        "remind:4h",
        "4h",
        "4h",
        "reminder",
        ("remind_after_minutes",),
        _minutes,
    ),
    Setting(
        "workdays",
        "workdays",
        "workdays:sun-thu",
        "mon-fri",
        "sun-thu",
        "workdays",
        ("workdays",),
        lambda value: format_days(parse_workdays(value)),
    ),
    Setting(
        "trial",
        "trial",
        "trial:30d",
        "30d",
        "…",
        "trial",
        ("trial_started_on", "trial_ends_on"),
        _trial,
        None,
    ),
    Setting(
        "currency",
        "currency",
        "currency:EUR",
        "EUR",
        "…",
        "currency",
        ("currency",),
        parse_currency,
        None,
    ),
    Setting(
        "rate", "rate", "rate:35", "35", "…", "rate", ("hourly_rate_minor",), _money("rate"), None
    ),
    Setting(
        "budget",
        "budget",
        "budget:2000",
        "2000",
        "…",
        "budget",
        ("monthly_budget_minor",),
        _money("budget"),
        None,
    ),
    Setting(
        "holidays",
        "public_holidays",
        "holidays:PH",
        "PH",
        "PH",
        "public holidays",
        ("public_holidays",),
        _public_holidays,
        _cleared_as_none,
    ),
    # The vendor channel's summary and reviews: `vendor set` only.
    Setting(
        "figures",
        "show_figures",
        "figures:on",
        None,
        "on",
        "figures in the summary",
        ("show_figures",),
        _on_off("figures"),
    ),
    Setting(
        "review",
        "review_after_minutes",
        "review:24h",
        None,
        "24h",
        "review time",
        ("review_after_minutes",),
        _minutes,
    ),
)
SETTING: Mapping[str, Setting] = {setting.key: setting for setting in SETTINGS}
ADD_KEYS = tuple(setting.key for setting in SETTINGS if setting.add_form is not None)
SET_KEYS = tuple(setting.key for setting in SETTINGS)

if {s.attr for s in SETTINGS} != {f.name for f in fields(VendorSettingsCommand)} - {"channel_id"}:
    raise AssertionError("SETTINGS and VendorSettingsCommand name different settings")


# --------------------------------------------------------------------------- how they are shown


def _options(keys: tuple[str, ...], form: Callable[[Setting], str]) -> str:
    return " ".join(f"[{key}:{form(SETTING[key])}]" for key in keys if key != "name")


def _usage_form(setting: Setting) -> str:
    return "…" if setting.add_form == CADENCE_FORM else str(setting.add_form)


# The help's lines (bot.command_help): every value's form, and `…` for `vendor set`.
ADD_HELP = "/delegate vendor add #channel [name…] " + _options(
    ADD_KEYS, lambda setting: str(setting.add_form)
)
SET_HELP = "/delegate vendor set #channel [name:…] " + _options(ADD_KEYS, lambda _: "…")
# What a mistyped command is told to write.
ADD_USAGE = "/delegate vendor add #channel [name] " + _options(ADD_KEYS, _usage_form)
SET_USAGE = "/delegate vendor set #channel [name:…] " + _options(
    SET_KEYS, lambda setting: setting.set_form
)


# --------------------------------------------------------------------------- reading them


def read_vendor_settings(
    words: list[str], keys: tuple[str, ...], free_words: str
) -> dict[str, Any]:
    """Parse `key:value` words into VendorSettingsCommand fields; other words make the name.

    `free_words` says where a word without a key goes: "name" (vendor add: any bare word is
    part of the name) or "after-name" (vendor set: bare words only continue `name:`).
    """
    options: dict[str, str] = {}
    name_words: list[str] = []
    current: str | None = None
    for word in words:
        match = OPTION.match(word)
        if match and not word.startswith("<"):
            key, value = match.group(1).lower(), match.group(2)
            if key not in keys:
                raise UsageError(
                    f"`{show(key)}:` is not a vendor setting. Use "
                    + ", ".join(f"`{k}:`" for k in keys)
                    + "."
                )
            if key in options:
                raise UsageError(f"`{key}:` is given twice; give it once.")
            options[key] = value
            current = key
            if key == "name" and value:
                name_words.append(value)
        elif free_words == "name" or current == "name":
            name_words.append(word)
        else:
            raise UsageError(
                f"I didn't expect `{show(word)}` there: every setting is written `key:value`, "
                f"like `{SETTING['tz'].example}`. To rename, write `name:` followed by the new "
                "name."
            )
    for key, value in options.items():
        if not value and not (key == "name" and name_words):
            raise UsageError(f"`{key}:` needs a value, like `{SETTING[key].example}`.")
    name = readable_text(" ".join(name_words)) or None
    if name is not None and len(name) > MAX_NAME_LENGTH:
        raise UsageError(f"A vendor name can be at most {MAX_NAME_LENGTH} characters.")
    values: dict[str, Any] = {"name": name}
    for setting in SETTINGS:
        if setting.key in options and setting.key != "name":
            values[setting.attr] = setting.parse(options[setting.key])
    return values


# --------------------------------------------------------------------------- diffing them


def asked_columns(command: VendorSettingsCommand) -> dict[str, Any]:
    """The Vendor columns the command's settings ask for, except those bot.lifecycle checks
    against the vendor (trial, currency, amounts): settings not given are left out."""
    asked: dict[str, Any] = {}
    for setting in SETTINGS:
        value = getattr(command, setting.attr)
        if setting.store is not None and value is not None:
            asked |= {column: setting.store(value) for column in setting.columns}
    return asked


def changes_from(current: object, wanted: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """`{column: {"from": …, "to": …}}` for what `wanted` changes on `current` (a Vendor),
    in the table's order: what `vendor set` writes and audits."""
    return {
        column: {"from": getattr(current, column), "to": wanted[column]}
        for setting in SETTINGS
        for column in setting.columns
        if column in wanted and wanted[column] != getattr(current, column)
    }


def changed_labels(changes: Mapping[str, object]) -> tuple[str, ...]:
    """The settings' names for the changed columns, once each, in the table's order."""
    return tuple(
        setting.label
        for setting in SETTINGS
        if any(column in changes for column in setting.columns)
    )
