"""Negotiation offers: installment plans, settlements, extensions and combinations of them.

Pure: frozen terms, builders that keep every amount exact per currency and every due date on a
business day, `suggest` (reason + balance + grade → terms) and `authorize` (terms → who may grant
them, or why nobody may). Storage, lifecycle and payment matching live in services/offers.py.
The terms' types and JSON are in core/offer_terms.py, their wording in core/offer_text.py (both
re-exported here).
"""

from __future__ import annotations

import calendar as _cal
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from overdue_reminder.calendar import FirmCalendar
from overdue_reminder.config import OfferLimits, OfferSettings, ReasonTerms
from overdue_reminder.core.offer_terms import (
    GRADES,
    Combined,
    Extension,
    Frequency,
    Installment,
    InstallmentPlan,
    Level,
    Measures,
    Offer,
    OfferError,
    Reason,
    Settlement,
    from_json,
    measures,
    to_json,
)
from overdue_reminder.core.offer_text import offer_context
from overdue_reminder.money import ZERO, is_currency, percent_of, precision, quantize, split_even


# ---------------------------------------------------------------- dates
def add_months(day: date, months: int) -> date:
    """Same day-of-month `months` later, clamped to the month's end (Jan 31 + 1 → Feb 28/29)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, _cal.monthrange(year, month)[1]))


def period_date(start: date, frequency: Frequency, k: int) -> date:
    """The k-th period after `start`, always counted from `start` so month ends do not drift."""
    if frequency is Frequency.WEEKLY:
        return start + timedelta(days=7 * k)
    if frequency is Frequency.BIWEEKLY:
        return start + timedelta(days=14 * k)
    return add_months(start, k)


def term_limit(offered_on: date, months: int, calendar: FirmCalendar) -> date:
    """The last due date a term of `months` allows; rolled like the due dates, so rolling never breaks it."""
    return calendar.next_business_day(add_months(offered_on, months))


def _business_dates(nominal: list[date], calendar: FirmCalendar, after: date | None) -> list[date]:
    """Each date rolled forward to a business day, and strictly after the one before it."""
    out: list[date] = []
    prev = after
    for d in nominal:
        rolled = calendar.next_business_day(d)
        if prev is not None and rolled <= prev:
            rolled = calendar.next_business_day(prev + timedelta(days=1))
        out.append(rolled)
        prev = rolled
    return out


# ---------------------------------------------------------------- builders
def _money(amount: Decimal, currency: str, what: str) -> Decimal:
    if not is_currency(currency):
        raise OfferError(f"unknown currency {currency!r}: use an ISO 4217 code such as USD.")
    q = quantize(Decimal(amount), currency)
    if q <= 0:
        raise OfferError(f"{what} must be positive, got {q} {currency}.")
    return q


def _percent(value: Decimal, what: str) -> Decimal:
    p = Decimal(value)
    if not p.is_finite() or p < 0 or p >= 100:
        raise OfferError(f"{what} must be at least 0 and below 100, got {value}.")
    return p


def installment_plan(balance: Decimal, currency: str, n: int, frequency: Frequency | str, down_payment: Decimal,
                     start: date, calendar: FirmCalendar, *, offered_on: date | None = None,
                     interest_percent: Decimal = ZERO, security: str = "") -> InstallmentPlan:
    """A plan whose payments sum exactly to the balance (plus any interest), none zero, on business days.

    With a down payment it falls due on `start` and the installments follow one period apart;
    without one the first installment falls due on `start`.
    """
    balance = _money(balance, currency, "the balance")
    freq = Frequency(frequency)
    if n < 1:
        raise OfferError(f"a plan needs at least one installment, got {n}.")
    down = quantize(Decimal(down_payment), currency)
    if down < 0:
        raise OfferError(f"the down payment cannot be negative ({down} {currency}).")
    if down >= balance:
        raise OfferError(f"the down payment {down} {currency} covers the whole balance {balance} {currency}: "
                         "offer a settlement or an extension instead.")
    offered = offered_on or start
    if start < offered:
        raise OfferError(f"the plan cannot start ({start}) before it is offered ({offered}).")
    rate = _percent(interest_percent, "the interest percent")
    financed = balance - down
    interest = percent_of(financed, rate, currency)
    payable = financed + interest
    unit = Decimal(1).scaleb(-precision(currency))
    if payable < unit * n:
        raise OfferError(f"{payable} {currency} cannot be split into {n} installments of at least "
                         f"{unit} {currency}: offer fewer installments.")
    amounts = split_even(payable, n, currency)
    if down > 0:
        down_due: date | None = calendar.next_business_day(start)
        nominal = [period_date(start, freq, k) for k in range(1, n + 1)]
    else:
        down_due = None
        nominal = [period_date(start, freq, k) for k in range(n)]
    dues = _business_dates(nominal, calendar, down_due)
    items = tuple(Installment(i + 1, d, a) for i, (d, a) in enumerate(zip(dues, amounts, strict=True)))
    return InstallmentPlan(currency=currency, balance=balance, offered_on=offered, down_payment=down,
                           down_payment_due=down_due, number=n, frequency=freq, first_date=items[0].due,
                           installments=items, interest_percent=rate, interest_amount=interest,
                           security=security.strip())


def settlement(balance: Decimal, currency: str, discount_percent: Decimal, pay_by: date, calendar: FirmCalendar,
               *, offered_on: date) -> Settlement:
    """The balance less `discount_percent`, due in one payment by `pay_by` (rolled to a business day)."""
    balance = _money(balance, currency, "the balance")
    pct = _percent(discount_percent, "the discount percent")
    if pct == 0:
        raise OfferError("a settlement needs a discount above 0%: without one, offer an extension.")
    discount = percent_of(balance, pct, currency)
    amount = balance - discount
    if amount <= 0:
        raise OfferError(f"a {pct}% discount leaves nothing to pay on {balance} {currency}.")
    if pay_by < offered_on:
        raise OfferError(f"the pay-by date {pay_by} is before the offer date {offered_on}.")
    return Settlement(currency=currency, balance=balance, offered_on=offered_on, discount_percent=pct,
                      discount_amount=discount, amount=amount, pay_by=calendar.next_business_day(pay_by))


def extension(balance: Decimal, currency: str, days: int, calendar: FirmCalendar, *, today: date) -> Extension:
    """The whole balance due `days` after today; a weekend or holiday moves it to the next business day."""
    balance = _money(balance, currency, "the balance")
    if days < 1:
        raise OfferError(f"an extension needs at least one day, got {days}.")
    return Extension(currency=currency, balance=balance, offered_on=today, days=days,
                     new_due=calendar.next_business_day(today + timedelta(days=days)))


def combined(balance: Decimal, currency: str, calendar: FirmCalendar, *, today: date,
             discount_percent: Decimal = ZERO, extension_days: int = 0, n: int = 0,
             frequency: Frequency | str = Frequency.MONTHLY, down_payment: Decimal = ZERO,
             interest_percent: Decimal = ZERO, security: str = "") -> Combined:
    """A discount, a deferred start and/or a plan. The plan (if any) runs over the discounted amount and
    starts when the extension ends; the discount holds if everything is paid by the last due date."""
    balance = _money(balance, currency, "the balance")
    parts = sum(1 for x in (Decimal(discount_percent) > 0, extension_days > 0, n > 0) if x)
    if parts < 2:
        raise OfferError("a combined offer needs at least two of: a discount, an extension, installments.")
    payable = balance
    if discount_percent > 0:
        payable = balance - percent_of(balance, _percent(discount_percent, "the discount percent"), currency)
    ext = extension(balance, currency, extension_days, calendar, today=today) if extension_days > 0 else None
    plan = None
    if n > 0:
        start = ext.new_due if ext is not None else today
        plan = installment_plan(payable, currency, n, frequency, down_payment, start, calendar, offered_on=today,
                                interest_percent=interest_percent, security=security)
    sett = None
    if discount_percent > 0:
        pay_by = plan.last_due if plan is not None else ext.new_due if ext is not None else today
        sett = settlement(balance, currency, discount_percent, pay_by, calendar, offered_on=today)
    return Combined(currency=currency, balance=balance, offered_on=today, settlement=sett, extension=ext, plan=plan)


# ---------------------------------------------------------------- authority
@dataclass(frozen=True, slots=True)
class Decision:
    """Who may grant an offer: staff alone, the responsible attorney, the supervising partner, or nobody.

    `reasons` says why it is not staff's to grant (or why it is refused); `written_terms` marks a plan
    that adds interest or takes security: the attorney's written terms and advice to seek independent
    counsel are required (LAW.md #7).
    """

    level: Level
    reasons: tuple[str, ...] = ()
    written_terms: bool = False

    @property
    def within_staff_authority(self) -> bool:
        return self.level == "staff"

    @property
    def refused(self) -> bool:
        return self.level == "refused"

    @property
    def why(self) -> str:
        return "; ".join(self.reasons) if self.reasons else "within staff authority"


def _pct(p: Decimal) -> str:
    return f"{p.normalize():f}%"


def _over(m: Measures, limits: OfferLimits, offer: Offer, calendar: FirmCalendar, who: str) -> list[str]:
    out = []
    if m.discount_percent > limits.max_discount_percent:
        out.append(f"discount {_pct(m.discount_percent)} is above {who}'s limit of {_pct(limits.max_discount_percent)}")
    if m.installments > limits.max_installments:
        out.append(f"{m.installments} installments are more than {who}'s limit of {limits.max_installments}")
    if m.extension_days > limits.max_extension_days:
        out.append(f"an extension of {m.extension_days} days is longer than {who}'s limit of "
                   f"{limits.max_extension_days} days")
    if m.installments and m.down_payment < percent_of(m.plan_base, limits.min_down_payment_percent, offer.currency):
        out.append(f"the down payment is below {who}'s minimum of {_pct(limits.min_down_payment_percent)}")
    limit = term_limit(offer.offered_on, limits.max_term_months, calendar)
    if m.last_due > limit:
        out.append(f"the last payment on {m.last_due} is beyond {who}'s longest term of "
                   f"{limits.max_term_months} months ({limit})")
    return out


def authorize(offer: Offer, authority: OfferSettings, calendar: FirmCalendar | None = None) -> Decision:
    """Staff alone, the attorney, the supervising partner, or refused with the reason (floors first)."""
    cal = calendar or FirmCalendar()
    m = measures(offer)
    f = authority.floors
    refused = []
    if m.discount_percent > f.max_discount_percent:
        refused.append(f"discount {_pct(m.discount_percent)} is above the firm's maximum of "
                       f"{_pct(f.max_discount_percent)}")
    if m.installments and m.down_payment < percent_of(m.plan_base, f.min_down_payment_percent, offer.currency):
        refused.append(f"the down payment {m.down_payment} {offer.currency} is below the firm's minimum of "
                       f"{_pct(f.min_down_payment_percent)} "
                       f"({percent_of(m.plan_base, f.min_down_payment_percent, offer.currency)} {offer.currency})")
    limit = term_limit(offer.offered_on, f.longest_term_months, cal)
    if m.last_due > limit:
        refused.append(f"the last payment on {m.last_due} is beyond the firm's longest term of "
                       f"{f.longest_term_months} months ({limit})")
    written = m.interest_percent > 0 or bool(m.security)
    if refused:
        return Decision("refused", tuple(refused), written)
    counsel = []
    if m.interest_percent > 0:
        counsel.append(f"the plan adds interest of {_pct(m.interest_percent)}")
    if m.security:
        counsel.append(f"the plan takes security ({m.security})")
    if counsel:
        counsel = [f"{c}: the responsible attorney must set written terms and advise the client in writing to "
                   "seek independent counsel (LAW.md #7)" for c in counsel]
    over_attorney = _over(m, authority.attorney, offer, cal, "the attorney")
    if over_attorney:
        if not authority.supervising_partner:
            return Decision("refused", (*over_attorney, "no supervising partner is configured to grant more "
                                        "than the attorney ([offers] supervising_partner)"), written)
        return Decision("partner", (*over_attorney, *counsel), written)
    over_staff = _over(m, authority.staff, offer, cal, "staff")
    if over_staff or counsel:
        return Decision("attorney", (*over_staff, *counsel), written)
    return Decision("staff", (), False)


# ---------------------------------------------------------------- from reason to offer
@dataclass(frozen=True, slots=True)
class Suggestion:
    offer: Offer
    decision: Decision
    reason: Reason
    explanation: str
    alternatives: tuple[Offer, ...] = ()


@dataclass(frozen=True, slots=True)
class NoOffer:
    reason: str
    to_attorney: bool = False


def _grade(grade: str) -> str:
    g = (grade or "B").strip().upper()[:1]
    return g if g in GRADES else "B"


def _shape_int(table: Mapping[str, int], grade: str, default: int) -> int:
    return table.get(grade, default)


def suggest(reason: Reason | str, balance: Decimal, currency: str, grade: str, settings: OfferSettings,
            today: date, calendar: FirmCalendar) -> Suggestion | NoOffer:
    """Terms fitted to why the client is late, shaped by the client's grade, never beyond a floor.

    hardship → installments; emergency → extension; planning error → a short plan; forgot or
    administrative → a short extension (or none); dispute → no offer, the attorney takes it (LAW.md #8).
    """
    try:
        why = Reason(reason)
    except ValueError as exc:
        raise OfferError(f"unknown reason {reason!r}: use one of {', '.join(r.value for r in Reason)}.") from exc
    if why is Reason.DISPUTE:
        return NoOffer("the client disputes the bill: no offer; the matter goes to the responsible attorney, and "
                       "the next letter offers fee arbitration (LAW.md #8)", to_attorney=True)
    if not is_currency(currency):
        raise OfferError(f"unknown currency {currency!r}.")
    balance = quantize(balance, currency)
    if balance <= 0:
        return NoOffer(f"nothing is owed in {currency}")
    terms: ReasonTerms = settings.reasons.terms(why.value)
    g = _grade(grade)
    if terms.kind == "none":
        return NoOffer(f"no default terms for the reason '{why.value}': ask the client why the payment is late, "
                       "or propose terms yourself")
    inst_pct = _shape_int(settings.grade_installments_percent, g, 100)
    ext_pct = _shape_int(settings.grade_extension_percent, g, 100)
    extra_down = settings.grade_extra_down_payment_percent.get(g, ZERO)
    discount_ok = settings.grade_discount.get(g, g in ("A", "B"))
    floors = settings.floors
    note = f"reason '{why.value}', grade {g}"
    offer: Offer | None = None
    kind = terms.kind
    discount = min(terms.discount_percent, floors.max_discount_percent) if discount_ok else ZERO
    if kind in ("installments", "combined"):
        n = max(1, (terms.installments * inst_pct + 50) // 100)
        floor_down = floors.min_down_payment_percent
        down_pct = min(max(terms.down_payment_percent + extra_down, floor_down), max(Decimal(95), floor_down))
        freq = Frequency(terms.frequency or settings.default_frequency)
        ext_days = (terms.extension_days * ext_pct + 50) // 100 if kind == "combined" else 0
        plan_discount = discount if kind == "combined" else ZERO
        offer = _fit_plan(balance, currency, n, freq, down_pct, ext_days, plan_discount, settings, today, calendar)
        if offer is None:
            kind = "extension"
            note += "; the balance is too small for installments, so an extension instead"
    elif kind == "settlement":
        offer = _try_settlement(balance, currency, discount, settings, today, calendar)
        if offer is None:
            kind = "extension"
            note += f"; no discount for grade {g} on this balance, so an extension instead"
    if kind == "extension":
        if terms.kind == "extension":
            days = (terms.extension_days * ext_pct + 50) // 100
            if days < 1:
                return NoOffer(f"{note}: a reminder is enough, no extension")
        else:  # the fallback: staff's own longest extension, shaped by the grade
            days = max(1, (settings.staff.max_extension_days * ext_pct + 50) // 100)
        offer = _fit_extension(balance, currency, days, settings, today, calendar)
    assert offer is not None
    alternatives: tuple[Offer, ...] = ()
    alt = None if isinstance(offer, Settlement | Combined) else _try_settlement(balance, currency, discount, settings,
                                                                              today, calendar)
    if alt is not None:
        alternatives = (alt,)
    decision = authorize(offer, settings, calendar)
    return Suggestion(offer=offer, decision=decision, reason=why, explanation=note, alternatives=alternatives)


def _try_settlement(balance: Decimal, currency: str, discount: Decimal, settings: OfferSettings, today: date,
                    calendar: FirmCalendar) -> Settlement | None:
    """A settlement within the floors' term, or None (no discount, or one that would leave nothing to pay)."""
    if discount <= 0:
        return None
    try:
        s = settlement(balance, currency, discount, today + timedelta(days=settings.settlement_days), calendar,
                       offered_on=today)
    except OfferError:
        return None
    return s if s.pay_by <= term_limit(today, settings.floors.longest_term_months, calendar) else None


def _min_installment(settings: OfferSettings, currency: str) -> Decimal:
    unit = Decimal(1).scaleb(-precision(currency))
    return max(settings.min_installment.get(currency, unit), unit)


def _fit_plan(balance: Decimal, currency: str, n: int, freq: Frequency, down_pct: Decimal, ext_days: int,
              discount: Decimal, settings: OfferSettings, today: date, calendar: FirmCalendar) -> Offer | None:
    """The suggested plan with as many installments as the balance, the minimum installment and the
    longest term allow; None when not even two payments make sense."""
    payable = balance - percent_of(balance, discount, currency)
    down = percent_of(payable, down_pct, currency)
    financed = payable - down
    if financed <= 0:
        return None
    n = min(n, int(financed // _min_installment(settings, currency)))
    start = today + timedelta(days=settings.down_payment_days)
    limit = term_limit(today, settings.floors.longest_term_months, calendar)
    while n >= 1 and not (n == 1 and down == 0):
        offer: Offer
        if ext_days > 0 or discount > 0:
            offer = combined(balance, currency, calendar, today=today, extension_days=ext_days, n=n,
                             frequency=freq, down_payment=down, discount_percent=discount)
        else:
            offer = installment_plan(balance, currency, n, freq, down, start, calendar, offered_on=today)
        if offer.last_due <= limit:
            return offer
        n -= 1
    return None


def _fit_extension(balance: Decimal, currency: str, days: int, settings: OfferSettings, today: date,
                   calendar: FirmCalendar) -> Extension:
    limit = term_limit(today, settings.floors.longest_term_months, calendar)
    days = min(days, (limit - today).days)
    ext = extension(balance, currency, days, calendar, today=today)
    while ext.new_due > limit and days > 1:
        days -= 1
        ext = extension(balance, currency, days, calendar, today=today)
    return ext


__all__ = [
    "GRADES", "Combined", "Decision", "Extension", "Frequency", "Installment", "InstallmentPlan", "NoOffer",
    "Offer", "OfferError", "Reason", "Settlement", "Suggestion", "add_months", "authorize", "combined", "extension",
    "from_json", "installment_plan", "measures", "offer_context", "settlement", "suggest", "to_json",
]
