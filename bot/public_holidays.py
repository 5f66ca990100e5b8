"""Public holidays by country (`vendor set #acme holidays:PH`), from the `holidays` package.

The `holidays` package (the maintained open calendar, "Open World Holidays Framework") is
read in-process: no network, no API key, and a new release brings corrected dates. A
vendor stores one code: an ISO 3166-1 alpha-2 country, optionally with a subdivision
(`PH`, `AR`, `US-CA`). Its public holidays are days off on top of the vendor's own
(`vendor holiday … add`), for every check-in, reminder, summary and trial prompt.

Pure functions of their arguments; the per-year calendars are cached (building one takes
a few milliseconds and the scheduler asks every tick).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from functools import lru_cache

import holidays as holiday_calendars

from bot.errors import UsageError
from bot.slack_text import shown as shown_input

__all__ = ["FIND_CODE_HINT", "parse_holiday_code", "public_holidays"]

FIND_CODE_HINT = (
    "Use the two-letter ISO country code, optionally with a region after a dash: "
    "`holidays:PH`, `holidays:AR`, `holidays:US-CA`, `holidays:DE-BY`. The codes are listed at "
    "https://holidays.readthedocs.io (Available Countries); `holidays:none` turns them off."
)
_CODE_RE = re.compile(r"([A-Za-z]{2,3})(?:-([A-Za-z0-9]{1,10}))?")


@lru_cache(maxsize=1)
def _countries() -> Mapping[str, tuple[str, ...]]:
    """Supported country codes (two-letter only) and their subdivision codes."""
    return {
        code: tuple(subdivisions)
        for code, subdivisions in holiday_calendars.list_supported_countries().items()
        if len(code) == 2
    }


@lru_cache(maxsize=1)
def _codes_by_name() -> Mapping[str, str]:
    """`philippines` -> `PH`, to suggest the code to someone who typed the country's name."""
    names: dict[str, str] = {}
    registry = getattr(holiday_calendars, "registry", None)
    for key, entry in getattr(registry, "COUNTRIES", {}).items():
        if len(entry) >= 2 and isinstance(entry[1], str) and len(entry[1]) == 2:
            names[key.replace("_", "")] = entry[1]
            names[str(entry[0]).lower()] = entry[1]
    return names


def parse_holiday_code(text: str) -> str:
    """`ph`, `PH`, `us-ca`, `PHL` -> the canonical `PH` / `US-CA`; UsageError otherwise.

    The error says how to find the right code (and guesses it from a country's name).
    """
    value = text.strip()
    shown = shown_input(value)
    match = _CODE_RE.fullmatch(value)
    countries = _countries()
    if match is None:
        guess = _codes_by_name().get(re.sub(r"[^a-z]", "", value.lower()))
        if guess:
            raise UsageError(f"`{shown}`: write the country's code, `holidays:{guess}`.")
        raise UsageError(f"`{shown}` is not a country code I know. {FIND_CODE_HINT}")
    country = match.group(1).upper()
    if len(country) == 3:
        # Accept the three-letter code the package knows (PHL) and store the two-letter one.
        alpha2 = _alpha2_of(country)
        if alpha2 is None:
            raise UsageError(f"`{shown}` is not a country code I know. {FIND_CODE_HINT}")
        country = alpha2
    if country not in countries:
        raise UsageError(f"`{shown}` is not a country code I know. {FIND_CODE_HINT}")
    subdivision = match.group(2)
    if subdivision is None:
        return country
    subdivision = subdivision.upper()
    known = countries[country]
    if subdivision not in known:
        if not known:
            raise UsageError(
                f"`{shown}`: {country} has no regions in the calendar; write `holidays:{country}`."
            )
        sample = ", ".join(f"`{country}-{code}`" for code in known[:6])
        raise UsageError(
            f"`{shown}`: {country} has no region `{subdivision[:10]}`. Regions look like "
            f"{sample}… (all of them at https://holidays.readthedocs.io), or write "
            f"`holidays:{country}` for the national holidays only."
        )
    return f"{country}-{subdivision}"


def _alpha2_of(alpha3: str) -> str | None:
    registry = getattr(holiday_calendars, "registry", None)
    for entry in getattr(registry, "COUNTRIES", {}).values():
        if len(entry) >= 3 and entry[2] == alpha3 and isinstance(entry[1], str):
            return entry[1]
    return None


@lru_cache(maxsize=256)
def _year(code: str, year: int) -> tuple[tuple[date, str], ...]:
    country, _, subdivision = code.partition("-")
    calendar = holiday_calendars.country_holidays(
        country, subdiv=subdivision or None, years=year, language="en_US"
    )
    # Two holidays on one date come back as one entry with both names, "A; B".
    return tuple(sorted((day, "; ".join(calendar.get_list(day))) for day in calendar))


def public_holidays(code: str | None, first: date, last: date) -> dict[date, str]:
    """The public holidays of `code` from `first` to `last` (inclusive), with their names.

    An empty or unknown code (an old or hand-edited row) gives none: a bad setting must not
    stop check-ins.
    """
    if not code or last < first:
        return {}
    found: dict[date, str] = {}
    for year in range(first.year, last.year + 1):
        try:
            days = _year(code, year)
        except (NotImplementedError, KeyError, ValueError):
            return {}
        found.update((day, name) for day, name in days if first <= day <= last)
    return found
