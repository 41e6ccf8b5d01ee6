"""Interest and late fees, capped: the arithmetic the planner charges with and the exit checks against.

Simple interest, percent a year over 365 days, on an invoice's open amount from its due date; never above the
matter's cap (a percent of the open amount) nor above the yearly rate the firm caps for that kind of client;
a late fee per overdue invoice never above the per-invoice cap of its currency. The planner states at most
`charge(...)`; the exit refuses a text stating more than `ceiling(...)`, which is the same arithmetic at the
cap's rate and fee, so whatever the planner states the exit accepts, and nothing above the caps leaves.
Decimal throughout; rounding to the currency's minor unit happens once per currency, at the end (down for what is
charged, up for the ceiling).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

from overdue_reminder.config import FeesSettings, InterestSettings
from overdue_reminder.money import ZERO, quantum

DAYS_A_YEAR = Decimal(365)
HUNDRED = Decimal(100)
INFINITY = Decimal("Infinity")


@dataclass(frozen=True)
class Caps:
    """The firm's caps ([interest], [fees]) for one kind of client."""

    annual_rate: Decimal  # percent a year
    fee: Mapping[str, Decimal] | None = field(default_factory=dict)  # per invoice and currency; None: uncapped

    def fee_cap(self, currency: str) -> Decimal:
        """The most one invoice may carry as a fee in `currency`: 0 where the firm set no cap for it."""
        return INFINITY if self.fee is None else self.fee.get(currency, ZERO)


@dataclass(frozen=True)
class CapTable:
    """Both kinds' caps, as the settings give them; `for_client` picks one."""

    company: Caps
    individual: Caps

    def for_client(self, individual: bool) -> Caps:
        return self.individual if individual else self.company


@dataclass(frozen=True)
class Charge:
    """One overdue invoice a text may charge interest or a fee on."""

    currency: str
    residual: Decimal
    days: int  # days past due (calendar)
    allowed: bool  # the engagement terms (client or matter) agreed interest in advance
    matter_cap: Decimal | None = None  # percent of the open amount; None: no cap of the matter's own
    rate: Decimal | None = None  # the matter's own yearly rate; None: the client's or the firm's


def line_interest(residual: Decimal, days: int, rate: Decimal, matter_cap: Decimal | None = None) -> Decimal:
    """Unrounded simple interest: residual x rate% x days / 365, at most `matter_cap`% of the residual."""
    if days <= 0 or residual <= 0 or rate <= 0:
        return ZERO
    amount = residual * rate * days / (DAYS_A_YEAR * HUNDRED)
    if matter_cap is not None:
        amount = min(amount, residual * matter_cap / HUNDRED)
    return amount


def capped_rate(rate: Decimal, caps: Caps) -> Decimal:
    return min(max(rate, ZERO), caps.annual_rate)


def capped_fee(fee: Decimal, currency: str, caps: Caps) -> Decimal:
    return min(max(fee, ZERO), caps.fee_cap(currency))


def charge(lines: Iterable[Charge], rate: Decimal, fees: Mapping[str, Decimal], caps: Caps) -> dict[str, Decimal]:
    """What a text states per currency: interest at `rate` (capped) plus each currency's fee (capped), on the
    lines the terms allow; rounded down once per currency (rounding never takes a charge above its cap: a cap
    of 2.50 JPY states 2 yen); currencies with nothing to charge left out."""
    out: dict[str, Decimal] = {}
    for ln in lines:
        if not ln.allowed or ln.days <= 0:
            continue
        r = capped_rate(rate if ln.rate is None else ln.rate, caps)
        extra = line_interest(ln.residual, ln.days, r, ln.matter_cap) + capped_fee(fees.get(ln.currency, ZERO),
                                                                                ln.currency, caps)
        if extra:
            out[ln.currency] = out.get(ln.currency, ZERO) + extra
    return {c: q for c, a in out.items() if (q := _round(a, c, ROUND_FLOOR)) > 0}


def ceiling(lines: Iterable[Charge], caps: Caps) -> dict[str, Decimal]:
    """The most any text may state per currency on these lines: the capped rate and fee, rounded up."""
    out: dict[str, Decimal] = {}
    for ln in lines:
        if not ln.allowed or ln.days <= 0:
            continue
        most = line_interest(ln.residual, ln.days, caps.annual_rate, ln.matter_cap) + caps.fee_cap(ln.currency)
        out[ln.currency] = out.get(ln.currency, ZERO) + most
    return {c: _round(a, c, ROUND_CEILING) for c, a in out.items()}


def _round(amount: Decimal, currency: str, rounding: str) -> Decimal:
    try:
        return amount.quantize(quantum(currency), rounding)
    except Exception:  # an unknown code or an infinite ceiling: kept exact
        return amount


def over_ceiling(stated: Mapping[str, Decimal], most: Mapping[str, Decimal]) -> list[tuple[str, Decimal, Decimal]]:
    """(currency, stated, most) for each currency a text states more interest and fees than allowed."""
    return [(c, a, most.get(c, ZERO)) for c, a in sorted(stated.items()) if a > most.get(c, ZERO)]


def cap_table(interest: InterestSettings, fees: FeesSettings) -> CapTable:
    """The firm's [interest] and [fees] caps as the planner and the exit apply them."""
    return CapTable(Caps(interest.annual_rate_cap, dict(fees.per_invoice_cap)),
                    Caps(interest.annual_rate_cap_individual, dict(fees.per_invoice_cap_individual)))


NO_CAPS = Caps(INFINITY, None)  # a plan asked for without the firm's settings (tests of the planner alone)

__all__ = ["NO_CAPS", "CapTable", "Caps", "Charge", "cap_table", "capped_fee", "capped_rate", "ceiling", "charge",
           "line_interest", "over_ceiling"]
