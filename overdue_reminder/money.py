"""Decimal money: currency precision, wire conversion, exact allocation, per-currency totals.

Amounts are never summed across currencies; a `Totals` maps currency code to amount.
Everything here is pure.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import cache

from babel.numbers import get_currency_precision, list_currencies

Totals = dict[str, Decimal]
ZERO = Decimal(0)


class MoneyError(ValueError):
    """A value that cannot be money: not a number, not finite, or an unknown currency."""


# ISO 4217 codes that are not money a client can owe: testing, "no currency", metals, fund units.
NOT_MONEY = frozenset({"XTS", "XXX", "XAU", "XAG", "XPD", "XPT", "XDR", "XBA", "XBB", "XBC", "XBD", "XSU",
                       "XUA"})
# The accounting system's own currency list (Odoo's res.currency: code -> decimal_places), when known.
# It decides precision and existence; CLDR is the fallback for sources that carry no currency table.
_ACCOUNTING: dict[str, int] = {}


@cache
def known_currencies() -> frozenset[str]:
    return frozenset(list_currencies())


def use_currencies(places: Mapping[str, int]) -> None:
    """Adopt the accounting system's currencies and their decimal places (empty: CLDR only).

    Odoo rounds every amount to its own res.currency precision (HUF has 2 places there, 0 in CLDR);
    storing and comparing amounts at another precision would change them.
    """
    if dict(places) == _ACCOUNTING:
        return
    _ACCOUNTING.clear()
    _ACCOUNTING.update({code: int(n) for code, n in places.items() if code not in NOT_MONEY})
    precision.cache_clear()
    quantum.cache_clear()


def accounting_currencies() -> dict[str, int]:
    return dict(_ACCOUNTING)


def is_currency(code: str) -> bool:
    """A currency a client can owe: in the accounting system's list or CLDR; XTS, XXX and metals are not."""
    if code in NOT_MONEY:
        return False
    return code in _ACCOUNTING or code in known_currencies()


@cache
def precision(currency: str) -> int:
    """Minor-unit digits: the accounting system's, else CLDR's (2 for USD/EUR/CNY, 0 for JPY, 3 for KWD)."""
    if not is_currency(currency):
        raise MoneyError(f"unknown currency {currency!r}")
    if currency in _ACCOUNTING:
        return _ACCOUNTING[currency]
    return int(get_currency_precision(currency))


@cache
def quantum(currency: str) -> Decimal:
    return Decimal(1).scaleb(-precision(currency))


def quantize(amount: Decimal, currency: str) -> Decimal:
    """Round half-up to the currency's minor unit (the accounting convention Odoo uses)."""
    try:
        return amount.quantize(quantum(currency), rounding=ROUND_HALF_UP)
    except InvalidOperation as exc:  # more digits than the context holds (1e30 at 2 places)
        raise MoneyError(f"amount {amount:.6g} {currency} is out of range") from exc


def same_amount(a: Decimal, b: Decimal, currency: str) -> bool:
    """Equal at the accounting system's precision (12,345.67 HUF read live equals the stored figure)."""
    if not is_currency(currency):
        return a == b
    return quantize(a, currency) == quantize(b, currency)


def to_decimal(value: object, currency: str | None = None) -> Decimal:
    """Convert a wire value (Odoo sends JSON/XML-RPC doubles) to Decimal without binary noise.

    Floats go through their shortest repr, so 1234.56 stays 1234.56 and never becomes
    1234.5599999999999.
    """
    if isinstance(value, bool):
        raise MoneyError(f"not an amount: {value!r}")
    try:
        if isinstance(value, Decimal):
            result = value
        elif isinstance(value, int):
            result = Decimal(value)
        elif isinstance(value, float):
            result = Decimal(repr(value))
        elif isinstance(value, str):
            result = Decimal(value.strip())
        else:
            raise MoneyError(f"not an amount: {value!r}")
    except InvalidOperation as exc:
        raise MoneyError(f"not an amount: {value!r}") from exc
    if not result.is_finite():
        raise MoneyError(f"not a finite amount: {value!r}")
    return quantize(result, currency) if currency else result


def allocate(total: Decimal, weights: Iterable[Decimal | int], currency: str) -> list[Decimal]:
    """Split `total` into parts proportional to `weights` that sum to it exactly.

    Largest-remainder method in minor units: each part is rounded down, then the leftover
    minor units go to the parts with the largest remainders (ties to the earliest part).
    """
    ws = [Decimal(w) for w in weights]
    if not ws:
        raise MoneyError("cannot allocate over no parts")
    if any(w < 0 for w in ws) or sum(ws) <= 0:
        raise MoneyError("weights must be non-negative and not all zero")
    total = quantize(total, currency)
    q = quantum(currency)
    units = int(total / q)
    weight_sum = sum(ws)
    exact = [Decimal(units) * w / weight_sum for w in ws]
    floors = [int(e) for e in exact]  # int() truncates toward zero; units >= 0 here or negated
    leftover = units - sum(floors)
    order = sorted(range(len(ws)), key=lambda i: (-(exact[i] - floors[i]), i))
    step = 1 if leftover >= 0 else -1
    for i in order[: abs(leftover)]:
        floors[i] += step
    return [Decimal(f) * q for f in floors]


def split_even(total: Decimal, parts: int, currency: str) -> list[Decimal]:
    """Split into `parts` near-equal amounts; the earlier parts carry the extra minor units."""
    if parts < 1:
        raise MoneyError("parts must be at least 1")
    return allocate(total, [1] * parts, currency)


def add(totals: Mapping[str, Decimal], currency: str, amount: Decimal) -> Totals:
    """A new Totals with `amount` added under `currency` (pure)."""
    out = dict(totals)
    out[currency] = out.get(currency, ZERO) + amount
    return out


def sum_by_currency(items: Iterable[tuple[str, Decimal]]) -> Totals:
    """Totals per currency, in first-seen order; never a cross-currency sum."""
    out: Totals = {}
    for currency, amount in items:
        out[currency] = out.get(currency, ZERO) + amount
    return out


def percent_of(amount: Decimal, percent: Decimal, currency: str) -> Decimal:
    return quantize(amount * percent / Decimal(100), currency)


def format_plain(amount: Decimal, currency: str) -> str:
    """Locale-free '2,500.00 USD' for logs, staff notes and the CLI."""
    return f"{quantize(amount, currency):,} {currency}"
