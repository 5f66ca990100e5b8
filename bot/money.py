"""Money: currencies, amounts typed by people, and how they are shown. Never floats.

Amounts are stored as integers in the currency's minor unit (cents for EUR, yen for JPY,
fils for KWD), with the number of decimals ISO 4217 gives each currency (its *exponent*).
Text is parsed with `Decimal`, checked to have no more decimals than the currency has, and
scaled exactly; formatting goes the other way with integer arithmetic only.

- **Amounts**: `450`, `450.50`; a dot for decimals, no thousands separators, no currency
  signs (`1,000` and `€450` are refused with a hint), at most 12 digits before the dot.
- **Hours at a rate** (`cost:12h@35`, `cost:1.5h@35`, or `cost:12h` with the vendor's
  `rate:`): hours (at most two decimals) times the rate, **rounded half up** to the minor
  unit: 1.5 h at EUR 35.55 is EUR 53.325, which is EUR 53.33.
- **Shown** as `EUR 1,234.50`, `JPY 45,000`, `KWD 1.250`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from bot.errors import UsageError
from bot.slack_text import shown as shown_input

DEFAULT_CURRENCY = "USD"

# ISO 4217 currencies with a minor unit other than 2 decimals; every other code has 2.
_EXPONENTS: dict[str, int] = {
    **dict.fromkeys(
        ("BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "VND",
         "VUV", "XAF", "XOF", "XPF"),
        0,
    ),
    **dict.fromkeys(("BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"), 3),
}  # fmt: skip

# The ISO 4217 currencies people pay suppliers in: fund codes, precious metals and test
# codes (XAU, XDR, XXX...) are left out on purpose. A block of codes reads better than a
# list of 150 quoted strings.
CURRENCIES: frozenset[str] = frozenset(
    """
    AED AFN ALL AMD AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN BWP
    BYN BZD CAD CDF CHF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP
    GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES
    KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU
    MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON
    RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND
    TOP TRY TTD TWD TZS UAH UGX USD UYU UZS VES VND VUV WST XAF XCD XCG XOF XPF YER ZAR ZMW
    ZWG
    """.split()  # noqa: SIM905
)

MAX_HOURS = Decimal(10_000)
# Up to 12 whole digits (999,999,999,999 in major units): far inside a 64-bit integer.
_AMOUNT = re.compile(r"[0-9]{1,12}(?:\.[0-9]+)?")
_HOURS = re.compile(r"([0-9]{1,5})(?:\.([0-9]+))?h", re.IGNORECASE)
_AMOUNT_FORMS = "a number like `450` or `450.50` (a dot for decimals, no thousands separators)"
COST_FORMS = "`cost:450`, `cost:450.50`, `cost:12h@35` (hours at a rate) or `cost:12h`"


def exponent(currency: str) -> int:
    """How many decimals the currency's minor unit has (ISO 4217): 2 unless listed."""
    return _EXPONENTS.get(currency, 2)


def parse_currency(text: str) -> str:
    """`eur` -> `EUR`; UsageError for anything that is not an ISO 4217 currency we know."""
    code = text.strip().upper()
    if code not in CURRENCIES:
        shown = shown_input(text.strip(), 20)
        raise UsageError(
            f"`{shown}` is not a currency I know. Write its three-letter ISO 4217 code, "
            "like `currency:EUR`, `currency:USD` or `currency:JPY`."
        )
    return code


def check_amount_text(text: str, what: str) -> Decimal:
    """Whether `text` is written as an amount at all (any currency): the Decimal, or a
    UsageError naming `what` (`rate:`, `budget:`, `cost:`) and how to write it."""
    value = text.strip()
    if not _AMOUNT.fullmatch(value):
        shown = shown_input(value, 30)
        hint = ""
        if "," in value:
            hint = " Leave out thousands separators and use a dot for decimals."
        elif value.startswith("-"):
            hint = " It can't be negative."
        elif value and not value[0].isdigit():
            hint = (
                " Leave out the currency: it is the vendor's (`vendor set #vendor currency:EUR`)."
            )
        raise UsageError(f"`{what}{shown}` is not an amount: write {_AMOUNT_FORMS}.{hint}")
    return Decimal(value)


def to_minor(amount: Decimal, currency: str, what: str = "") -> int:
    """An exact amount in major units -> integer minor units; UsageError when the amount
    has more decimals than the currency (`JPY 450.5`, `EUR 1.005`)."""
    scale = exponent(currency)
    scaled = amount.scaleb(scale)
    if scaled != scaled.to_integral_value():
        decimals = "no decimals" if scale == 0 else f"at most {scale} decimals"
        raise UsageError(
            f"`{what}{amount}`: {currency} amounts have {decimals}; "
            f"write it like `{what}{format_plain(123 * 10**scale, currency)}`."
        )
    return int(scaled)


def parse_amount(text: str, currency: str, what: str = "") -> int:
    """Typed text -> minor units in `currency`, exactly (see the module docstring)."""
    return to_minor(check_amount_text(text, what), currency, what)


def format_plain(minor: int, currency: str) -> str:
    """Minor units as the plain number `parse_amount` reads back: `1234.50`, `45000`."""
    scale = exponent(currency)
    sign = "-" if minor < 0 else ""
    whole, fraction = divmod(abs(minor), 10**scale)
    return f"{sign}{whole}" + (f".{fraction:0{scale}d}" if scale else "")


def format_money(minor: int, currency: str) -> str:
    """`EUR 1,234.50`, `JPY 45,000`, `KWD 1.250`, `EUR -3.00`."""
    scale = exponent(currency)
    sign = "-" if minor < 0 else ""
    whole, fraction = divmod(abs(minor), 10**scale)
    return f"{currency} {sign}{whole:,}" + (f".{fraction:0{scale}d}" if scale else "")


# --------------------------------------------------------------------------- task costs


@dataclass(frozen=True)
class CostSpec:
    """What was typed after `cost:`, checked for form but not yet in a currency: a fixed
    amount, or hours with an optional rate (the vendor's `rate:` when none)."""

    amount: Decimal | None = None
    hours: Decimal | None = None
    rate: Decimal | None = None

    def __str__(self) -> str:
        if self.amount is not None:
            return str(self.amount)
        rate = f"@{self.rate}" if self.rate is not None else ""
        return f"{self.hours}h{rate}"


def parse_cost(text: str) -> CostSpec:
    """`450`, `450.50`, `12h@35`, `1.5h@35`, `12h` -> a CostSpec; UsageError otherwise."""
    value = text.strip()
    if not value:
        raise UsageError(f"`cost:` needs a value: {COST_FORMS}.")
    hours_text, at, rate_text = value.partition("@")
    match = _HOURS.fullmatch(hours_text)
    if match is None:
        if at:
            raise UsageError(
                f"`cost:{shown_input(value, 30)}` is not a cost: hours come before the `@`, like "
                f"`cost:12h@35`. Write {COST_FORMS}."
            )
        if value.lower().endswith("h"):
            raise UsageError(
                f"`cost:{shown_input(value, 30)}` is not a number of hours: write it like `12h` or "
                "`1.5h`, at most two decimals."
            )
        return CostSpec(amount=check_amount_text(value, "cost:"))
    fraction = match.group(2) or ""
    hours = Decimal(match.group(1) + (f".{fraction}" if fraction else ""))
    if len(fraction) > 2 or not 0 < hours <= MAX_HOURS:
        raise UsageError(
            f"`cost:{shown_input(value, 30)}`: hours are more than 0 and at most {MAX_HOURS}, with "
            "at most two decimals, like `1.5h` or `12.25h`."
        )
    rate = check_amount_text(rate_text, "cost:…@") if at else None
    return CostSpec(hours=hours, rate=rate)


def resolve_cost(spec: CostSpec, currency: str, vendor_rate: int | None) -> int:
    """The cost in minor units of `currency`. Hours use the typed rate, else the vendor's
    hourly rate (`vendor_rate`, minor units); the product is rounded half up."""
    if spec.amount is not None:
        return to_minor(spec.amount, currency, "cost:")
    assert spec.hours is not None
    if spec.rate is not None:
        rate = to_minor(spec.rate, currency, f"cost:{spec.hours}h@")
    elif vendor_rate is not None:
        rate = vendor_rate
    else:
        raise UsageError(
            f"`cost:{spec.hours}h` needs a rate: write `cost:{spec.hours}h@35`, or give the "
            "vendor an hourly rate with `/delegate vendor set #vendor rate:35`."
        )
    return int((Decimal(rate) * spec.hours).quantize(Decimal(1), rounding=ROUND_HALF_UP))
