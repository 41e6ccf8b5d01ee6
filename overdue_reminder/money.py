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


@cache
def known_currencies() -> frozenset[str]:
    return frozenset(list_currencies())


def is_currency(code: str) -> bool:
    """ISO 4217 code known to Babel (CLDR); test codes such as XTS are not money."""
    return code in known_currencies() and not code.startswith("X")


@cache
def precision(currency: str) -> int:
    """Minor-unit digits: 2 for USD/EUR/CNY, 0 for JPY, 3 for KWD."""
    if not is_currency(currency):
        raise MoneyError(f"unknown currency {currency!r}")
    return int(get_currency_precision(currency))


@cache
def quantum(currency: str) -> Decimal:
    return Decimal(1).scaleb(-precision(currency))


def quantize(amount: Decimal, currency: str) -> Decimal:
    """Round half-up to the currency's minor unit (the accounting convention Odoo uses)."""
    return amount.quantize(quantum(currency), rounding=ROUND_HALF_UP)


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
