"""Money as integer minor units: currencies, `cost:` as typed, formatting, and a property
test that text -> minor units -> text loses nothing (no float anywhere)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.errors import UsageError
from bot.money import (
    CURRENCIES,
    exponent,
    format_money,
    format_plain,
    parse_amount,
    parse_cost,
    parse_currency,
    resolve_cost,
)


@pytest.mark.parametrize(
    ("code", "digits"),
    [("EUR", 2), ("USD", 2), ("JPY", 0), ("KRW", 0), ("KWD", 3), ("BHD", 3), ("GBP", 2)],
)
def test_minor_units_follow_iso_4217(code: str, digits: int) -> None:
    assert code in CURRENCIES and exponent(code) == digits


@pytest.mark.parametrize(("text", "code"), [("eur", "EUR"), (" JPY ", "JPY"), ("Kwd", "KWD")])
def test_currency_codes(text: str, code: str) -> None:
    assert parse_currency(text) == code


@pytest.mark.parametrize("text", ["XYZ", "euro", "€", "XAU", ""])
def test_unknown_currencies_are_refused(text: str) -> None:
    with pytest.raises(UsageError, match="not a currency I know"):
        parse_currency(text)


@pytest.mark.parametrize(
    ("typed", "currency", "vendor_rate", "minor"),
    [
        ("450", "EUR", None, 45_000),
        ("450.50", "EUR", None, 45_050),
        ("450.5", "EUR", None, 45_050),
        ("0.01", "EUR", None, 1),
        ("12h@35", "EUR", None, 42_000),
        ("1.5h@35", "EUR", None, 5_250),
        ("12h", "EUR", 3_500, 42_000),  # the vendor's rate
        ("2h@40", "EUR", 3_500, 8_000),  # a typed rate wins
        ("1.5h@35.55", "EUR", None, 5_333),  # 53.325 rounds half up to 53.33
        ("0.25h@10.02", "EUR", None, 251),  # 2.505 -> 2.51
        ("45000", "JPY", None, 45_000),  # no decimals
        ("12h@4500", "JPY", None, 54_000),
        ("1.5h@333", "JPY", None, 500),  # 499.5 -> 500
        ("1.250", "KWD", None, 1_250),
        ("999999999999.99", "EUR", None, 99_999_999_999_999),
    ],
)
def test_costs_as_typed(typed: str, currency: str, vendor_rate: int | None, minor: int) -> None:
    assert resolve_cost(parse_cost(typed), currency, vendor_rate) == minor


@pytest.mark.parametrize(
    ("typed", "currency", "message"),
    [
        ("", "EUR", "needs a value"),
        ("abc", "EUR", "is not an amount"),
        ("-5", "EUR", "can't be negative"),
        ("1,000", "EUR", "thousands separators"),
        ("450,50", "EUR", "use a dot for decimals"),
        ("€450", "EUR", "Leave out the currency"),
        ("450EUR", "EUR", "is not an amount"),
        ("450.505", "EUR", "at most 2 decimals"),
        ("450.5", "JPY", "no decimals"),
        ("1.2345", "KWD", "at most 3 decimals"),
        ("12h", "EUR", "needs a rate"),
        ("1.555h@35", "EUR", "at most two decimals"),
        ("0h@35", "EUR", "more than 0"),
        ("20000h@35", "EUR", "more than 0 and at most"),
        ("12@35", "EUR", "hours come before"),
        ("12h@", "EUR", "is not an amount"),
        ("12h@35.555", "EUR", "at most 2 decimals"),
        ("1e3", "EUR", "is not an amount"),
        ("NaN", "EUR", "is not an amount"),
        ("1234567890123", "EUR", "is not an amount"),  # 13 digits
    ],
)
def test_bad_costs_say_how_to_write_them(typed: str, currency: str, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        resolve_cost(parse_cost(typed), currency, None)


@pytest.mark.parametrize(
    ("minor", "currency", "shown"),
    [
        (123_450, "EUR", "EUR 1,234.50"),
        (5, "EUR", "EUR 0.05"),
        (0, "EUR", "EUR 0.00"),
        (-300, "EUR", "EUR -3.00"),
        (45_000, "JPY", "JPY 45,000"),
        (1_250, "KWD", "KWD 1.250"),
        (99_999_999_999_999, "USD", "USD 999,999,999,999.99"),
    ],
)
def test_money_is_shown_with_the_currency_and_its_decimals(
    minor: int, currency: str, shown: str
) -> None:
    assert format_money(minor, currency) == shown


CURRENCY = st.sampled_from(["EUR", "USD", "JPY", "KWD", "GBP", "KRW", "BHD"])


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_minor_units_round_trip_through_text(data: st.DataObject) -> None:
    currency = data.draw(CURRENCY)
    # Up to 12 digits before the decimal point, whatever the currency's decimals.
    minor = data.draw(st.integers(min_value=0, max_value=10 ** (12 + exponent(currency)) - 1))
    text = format_plain(minor, currency)
    assert parse_amount(text, currency) == minor
    shown = format_money(minor, currency)
    assert (
        shown == f"{currency} " + f"{int(text.split('.')[0]):,}" + text[len(text.split(".")[0]) :]
    )


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_typed_amounts_round_trip_to_the_cent(data: st.DataObject) -> None:
    """Any amount written with at most the currency's decimals is stored exactly and
    written back as the same number (trailing zeros aside)."""
    currency = data.draw(CURRENCY)
    places = exponent(currency)
    amount = data.draw(
        st.decimals(min_value=0, max_value=Decimal(10**12) - 1, places=places).filter(
            lambda value: value.is_finite()
        )
    )
    typed = f"{amount:f}"
    minor = parse_amount(typed, currency)
    assert isinstance(minor, int)
    assert Decimal(format_plain(minor, currency)) == amount
    assert Decimal(minor).scaleb(-places) == amount


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.integers(min_value=1, max_value=10**7), min_size=1, max_size=30),
)
def test_sums_of_costs_are_exact(cents: list[int]) -> None:
    """Adding stored costs is integer addition: EUR 0.10 + EUR 0.20 is EUR 0.30, always."""
    typed = [format_plain(value, "EUR") for value in cents]
    total = sum(parse_amount(text, "EUR") for text in typed)
    assert format_plain(total, "EUR") == f"{sum(Decimal(text) for text in typed):.2f}"
