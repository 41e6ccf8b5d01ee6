"""Property tests: exact money, business-day schedules, and no offer beyond a floor (hypothesis)."""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import assume, given, settings
from hypothesis import strategies as st
from offer_factory import US

from overdue_reminder import money
from overdue_reminder.config import OfferFloors, OfferReasons, OfferSettings, ReasonTerms
from overdue_reminder.core.offers import (
    Combined,
    Extension,
    Frequency,
    InstallmentPlan,
    NoOffer,
    Offer,
    OfferError,
    Reason,
    Settlement,
    authorize,
    combined,
    extension,
    installment_plan,
    measures,
    settlement,
    suggest,
    term_limit,
)

CURRENCIES = ["USD", "EUR", "CNY", "JPY", "KWD"]
amounts = st.decimals(min_value=Decimal("0.001"), max_value=Decimal("50000000"), places=3, allow_nan=False,
                      allow_infinity=False)
days = st.dates(min_value=date(2025, 1, 1), max_value=date(2045, 12, 31))
percents = st.decimals(min_value=Decimal(0), max_value=Decimal("60"), places=2)
frequencies = st.sampled_from(list(Frequency))


def unit(currency: str) -> Decimal:
    return Decimal(1).scaleb(-money.precision(currency))


def assert_schedule(offer: Offer, total: Decimal) -> None:
    sched = offer.schedule
    assert sum(i.amount for i in sched) == total
    assert all(i.amount > 0 for i in sched), [i.amount for i in sched]
    assert all(money.quantize(i.amount, offer.currency) == i.amount for i in sched)
    dues = [i.due for i in sched]
    assert all(a < b for a, b in itertools.pairwise(dues)), dues
    assert all(US.is_business_day(d) for d in dues), [d for d in dues if not US.is_business_day(d)]
    assert dues[0] >= offer.offered_on


@given(balance=amounts, currency=st.sampled_from(CURRENCIES), n=st.integers(1, 48), freq=frequencies,
       down_pct=percents, start=days)
@settings(max_examples=300, deadline=None)
def test_installments_sum_exactly_positive_increasing_on_business_days(
        balance: Decimal, currency: str, n: int, freq: Frequency, down_pct: Decimal, start: date) -> None:
    balance = money.quantize(balance, currency)
    assume(balance > 0)
    down = money.percent_of(balance, down_pct, currency)
    try:
        plan = installment_plan(balance, currency, n, freq, down, start, US)
    except OfferError:
        # Refused only when the balance cannot carry n installments of at least one minor unit.
        assert down >= balance or balance - down < n * unit(currency)
        return
    assert plan.number == n == len(plan.installments)
    assert_schedule(plan, balance)
    assert plan.down_payment == down
    if down > 0:
        assert plan.schedule[0].label == "down_payment"
        assert plan.schedule[0].due == US.next_business_day(start)
    assert plan.first_date >= start


@given(balance=amounts, currency=st.sampled_from(CURRENCIES), n=st.integers(1, 24), rate=percents, start=days)
@settings(max_examples=100, deadline=None)
def test_interest_is_added_exactly_and_marks_written_terms(balance: Decimal, currency: str, n: int, rate: Decimal,
                                                           start: date) -> None:
    balance = money.quantize(balance, currency)
    assume(balance >= n * unit(currency))
    plan = installment_plan(balance, currency, n, Frequency.MONTHLY, Decimal(0), start, US, interest_percent=rate)
    assert plan.interest_amount == money.percent_of(balance, rate, currency)
    assert_schedule(plan, balance + plan.interest_amount)
    decision = authorize(plan, OfferSettings(supervising_partner="p@firm.example"), US)
    if rate > 0:
        assert decision.written_terms and decision.level != "staff"


@given(balance=amounts, currency=st.sampled_from(CURRENCIES), pct=st.decimals(Decimal("0.01"), Decimal("99"), places=2),
       offered=days, wait=st.integers(0, 120))
@settings(max_examples=150, deadline=None)
def test_settlement_amounts_are_exact(balance: Decimal, currency: str, pct: Decimal, offered: date, wait: int) -> None:
    balance = money.quantize(balance, currency)
    assume(balance > 0)
    try:
        s = settlement(balance, currency, pct, offered + timedelta(days=wait), US, offered_on=offered)
    except OfferError:
        assert balance - money.percent_of(balance, pct, currency) <= 0
        return
    assert s.amount + s.discount_amount == balance
    assert s.discount_amount == money.percent_of(balance, pct, currency)
    assert_schedule(s, s.amount)


@given(balance=amounts, currency=st.sampled_from(CURRENCIES), n_days=st.integers(1, 800), today=days)
@settings(max_examples=100, deadline=None)
def test_extension_falls_on_a_business_day(balance: Decimal, currency: str, n_days: int, today: date) -> None:
    balance = money.quantize(balance, currency)
    assume(balance > 0)
    e = extension(balance, currency, n_days, US, today=today)
    assert_schedule(e, balance)
    assert e.new_due >= today + timedelta(days=n_days)
    assert (e.new_due - (today + timedelta(days=n_days))).days <= 10


# ---------------------------------------------------------------- floors
floors = st.builds(OfferFloors, max_discount_percent=st.decimals(Decimal(0), Decimal(95), places=1),
                   min_down_payment_percent=st.decimals(Decimal(0), Decimal(30), places=1),
                   longest_term_months=st.integers(1, 36))


def within_floors(offer: Offer, f: OfferFloors) -> bool:
    m = measures(offer)
    if m.discount_percent > f.max_discount_percent:
        return False
    if m.installments and m.down_payment < money.percent_of(m.plan_base, f.min_down_payment_percent, offer.currency):
        return False
    return offer.last_due <= term_limit(offer.offered_on, f.longest_term_months, US)


@given(reason=st.sampled_from(list(Reason)), balance=amounts, currency=st.sampled_from(CURRENCIES),
       grade=st.sampled_from("ABCD"), today=days, fl=floors, freq=frequencies)
@settings(max_examples=300, deadline=None)
def test_no_suggestion_exceeds_a_floor(reason: Reason, balance: Decimal, currency: str, grade: str, today: date,
                                       fl: OfferFloors, freq: Frequency) -> None:
    s = OfferSettings(floors=fl, supervising_partner="p@firm.example", default_frequency=freq.value)
    res = suggest(reason, balance, currency, grade, s, today, US)
    if reason is Reason.DISPUTE:
        assert isinstance(res, NoOffer) and res.to_attorney
        return
    if isinstance(res, NoOffer):
        return
    offer = res.offer
    assert within_floors(offer, fl), (offer, fl)
    assert res.decision.level != "refused"
    assert authorize(offer, s, US).level == res.decision.level
    assert_schedule(offer, offer.total_payable)
    payable = offer.plan.total_payable if isinstance(offer, Combined) and offer.plan else offer.total_payable
    assert payable <= money.quantize(balance, currency)
    for alt in res.alternatives:
        assert within_floors(alt, fl)


reason_terms = st.builds(
    ReasonTerms, kind=st.sampled_from(["installments", "settlement", "extension", "combined", "none"]),
    installments=st.integers(1, 48), frequency=st.sampled_from(["", "weekly", "biweekly", "monthly"]),
    down_payment_percent=st.decimals(Decimal(0), Decimal(90), places=1), extension_days=st.integers(0, 900),
    discount_percent=st.decimals(Decimal(0), Decimal(95), places=1))


@given(terms=reason_terms, balance=amounts, currency=st.sampled_from(CURRENCIES), grade=st.sampled_from("ABCD"),
       today=days, fl=floors, settle_in=st.integers(0, 90), per=st.sampled_from([None, Decimal(50)]))
@settings(max_examples=300, deadline=None)
def test_no_suggestion_exceeds_a_floor_whatever_the_default_terms(
        terms: ReasonTerms, balance: Decimal, currency: str, grade: str, today: date, fl: OfferFloors,
        settle_in: int, per: Decimal | None) -> None:
    s = OfferSettings(floors=fl, reasons=OfferReasons(other=terms), settlement_days=settle_in,
                      min_installment={currency: per} if per else {}, supervising_partner="p@firm.example")
    res = suggest("other", balance, currency, grade, s, today, US)
    if isinstance(res, NoOffer):
        return
    assert within_floors(res.offer, fl), (res.offer, fl)
    assert res.decision.level != "refused"
    assert_schedule(res.offer, res.offer.total_payable)
    for alt in res.alternatives:
        assert within_floors(alt, fl)


@st.composite
def any_offer(draw: st.DrawFn) -> Offer:
    currency = draw(st.sampled_from(CURRENCIES))
    balance = money.quantize(draw(st.decimals(Decimal(10000), Decimal(10000000), places=2)), currency)
    today = draw(days)
    kind = draw(st.sampled_from(["installments", "settlement", "extension", "combined"]))
    disc = draw(st.decimals(Decimal("0.5"), Decimal(50), places=1))
    n = draw(st.integers(1, 40))
    freq = draw(frequencies)
    down = money.percent_of(balance, draw(st.decimals(Decimal(0), Decimal(40), places=1)), currency)
    ext_days = draw(st.integers(1, 900))
    interest = draw(st.sampled_from([Decimal(0), Decimal(0), Decimal(3)]))
    security = draw(st.sampled_from(["", "", "a lien on the client's office lease"]))
    if kind == "installments":
        return installment_plan(balance, currency, n, freq, down, today + timedelta(days=draw(st.integers(0, 30))),
                                US, offered_on=today, interest_percent=interest, security=security)
    if kind == "settlement":
        return settlement(balance, currency, disc, today + timedelta(days=draw(st.integers(0, 60))), US,
                          offered_on=today)
    if kind == "extension":
        return extension(balance, currency, ext_days, US, today=today)
    parts = draw(st.sampled_from([("d", "n"), ("e", "n"), ("d", "e"), ("d", "e", "n")]))
    return combined(balance, currency, US, today=today, discount_percent=disc if "d" in parts else Decimal(0),
                    extension_days=ext_days if "e" in parts else 0, n=n if "n" in parts else 0, frequency=freq,
                    down_payment=down if "n" in parts else Decimal(0), interest_percent=interest, security=security)


@given(offer=any_offer(), fl=floors)
@settings(max_examples=300, deadline=None)
def test_nothing_beyond_a_floor_is_ever_authorized(offer: Offer, fl: OfferFloors) -> None:
    s = OfferSettings(floors=fl, supervising_partner="p@firm.example")
    decision = authorize(offer, s, US)
    if not within_floors(offer, fl):
        assert decision.level == "refused" and decision.reasons
    assert_schedule(offer, offer.total_payable)


@given(offer=any_offer())
@settings(max_examples=300, deadline=None)
def test_staff_grants_exactly_what_is_within_staff_limits(offer: Offer) -> None:
    s = OfferSettings(supervising_partner="p@firm.example")
    lim = s.staff
    m = measures(offer)
    within = (m.discount_percent <= lim.max_discount_percent and m.installments <= lim.max_installments
              and m.extension_days <= lim.max_extension_days
              and not (m.installments and m.down_payment < money.percent_of(m.plan_base, lim.min_down_payment_percent,
                                                                            offer.currency))
              and offer.last_due <= term_limit(offer.offered_on, lim.max_term_months, US)
              and m.interest_percent == 0 and not m.security)
    decision = authorize(offer, s, US)
    assert (decision.level == "staff") == within, (decision, m)
    if decision.level in ("attorney", "partner"):
        assert decision.reasons
    if m.interest_percent > 0 or m.security:
        assert decision.written_terms
        assert decision.level == "refused" or any("independent counsel" in r for r in decision.reasons)


def test_kinds_are_what_they_say() -> None:
    plan = installment_plan(Decimal("100.00"), "USD", 2, "monthly", Decimal(0), date(2026, 1, 5), US)
    assert isinstance(plan, InstallmentPlan)
    assert isinstance(settlement(Decimal(100), "USD", Decimal(5), date(2026, 1, 5), US, offered_on=date(2026, 1, 5)),
                      Settlement)
    assert isinstance(extension(Decimal(100), "USD", 5, US, today=date(2026, 1, 5)), Extension)
