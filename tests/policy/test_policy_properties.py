"""Properties of the policy (hypothesis): tiers never go down or skip, holds stop contact, the minimum gap
holds, amounts never mix currencies, business days honour holidays."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from itertools import pairwise

import holidays as holidays_lib
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from policy_factory import hold, inv, payment, snapshot

from overdue_reminder.calendar import FirmCalendar
from overdue_reminder.config import PolicySettings, TierSettings, default_tiers
from overdue_reminder.core.policy import CLIENT_WIDE_KINDS, HOLD_KINDS, DayCounter, PastContact, plan
from overdue_reminder.money import quantize

START = date(2026, 1, 5)
CURRENCIES = ["USD", "EUR", "JPY", "KWD"]
CAL = FirmCalendar(country="US", subdivision="NY")


@st.composite
def tier_lists(draw: st.DrawFn) -> list[TierSettings]:
    n = draw(st.integers(1, 5))
    days = sorted(draw(st.sets(st.integers(1, 120), min_size=n, max_size=n)))
    if draw(st.booleans()):
        days = [-draw(st.integers(1, 10)), *days]
    return [TierSettings(f"t{i}", d, day_count=draw(st.sampled_from(["calendar", "business"])),
                         min_days_before_next=draw(st.integers(0, 20))) for i, d in enumerate(days)]


@st.composite
def policies(draw: st.DrawFn) -> PolicySettings:
    return PolicySettings(tiers=draw(st.one_of(st.just(default_tiers()), tier_lists())),
                          grace_days=draw(st.integers(0, 5)), min_gap_days=draw(st.integers(0, 14)),
                          group_by=draw(st.sampled_from(["client", "matter"])))


@given(pol=policies(), dues=st.lists(st.integers(-20, 150), min_size=1, max_size=4),
       run_days=st.lists(st.booleans(), min_size=60, max_size=220), matters=st.booleans())
@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_tiers_never_go_down_or_skip_and_the_gap_always_holds(
        pol: PolicySettings, dues: list[int], run_days: list[bool], matters: bool) -> None:
    """Simulate nightly runs (some nights skipped) over open invoices and record what was sent."""
    invoices = [inv(i + 1, due=START - timedelta(days=d), matter=f"M-{i % 2}" if matters else "M")
                for i, d in enumerate(dues)]
    first_overdue = next(i for i, t in enumerate(pol.tiers) if t.days > 0)
    contacts: list[PastContact] = []
    for offset, runs in enumerate(run_days):
        if not runs:
            continue
        today = START + timedelta(days=offset)
        p = plan(pol, snapshot(invoices, contacts=list(contacts)), today, calendar=CAL)
        for a in p.actions:
            contacts.append(PastContact(1, a.tier, a.tier_index, today, a.matter_ref, a.invoice_ids))
    streams: dict[str, list[PastContact]] = {}
    for c in contacts:
        streams.setdefault(c.matter_ref, []).append(c)
    for stream in streams.values():
        idx = [c.tier_index for c in stream]
        overdue = [i for i in idx if i >= first_overdue]
        assert overdue == list(range(first_overdue, first_overdue + len(overdue))), idx  # no skip, no step down
        assert idx == sorted(idx) and len(set(idx)) == len(idx)
        for prev, nxt in pairwise(stream):
            gap = max(pol.min_gap_days, 1, pol.tiers[prev.tier_index].min_days_before_next)
            assert (nxt.on - prev.on).days >= gap


@st.composite
def ledgers(draw: st.DrawFn):  # type: ignore[no-untyped-def]
    n_clients = draw(st.integers(1, 6))
    invs, holds_, pays = [], [], []
    next_id = 1
    for c in range(1, n_clients + 1):
        for _ in range(draw(st.integers(1, 5))):
            cur = draw(st.sampled_from(CURRENCIES))
            amount = draw(st.decimals(Decimal("0.001"), Decimal("99999"), places=3))
            invs.append(inv(next_id, client=c, due=draw(st.integers(-10, 200)), amount=str(amount), currency=cur,
                            credit=draw(st.integers(0, 4)) == 0, matter=draw(st.sampled_from(["A", "B", ""]))))
            next_id += 1
        for _ in range(draw(st.integers(0, 2))):
            pays.append(payment(next_id, c, str(draw(st.decimals(Decimal("0.01"), Decimal("5000"), places=2))),
                                draw(st.sampled_from(CURRENCIES))))
            next_id += 1
        if draw(st.booleans()):
            kind = draw(st.sampled_from(HOLD_KINDS))
            target = draw(st.sampled_from([None] + [i.id for i in invs if i.client_id == c]))
            holds_.append(hold(next_id, c, kind, invoice=target))
            next_id += 1
    return snapshot(invs, holds=holds_, payments=pays)


@given(snap=ledgers(), pol=policies())
@settings(max_examples=150, deadline=None)
def test_no_action_for_a_client_on_hold_and_no_held_invoice_in_a_reminder(snap, pol) -> None:  # type: ignore[no-untyped-def]
    p = plan(pol, snap, date(2026, 6, 1))
    wide = {h.client_id for h in snap.holds if h.invoice_id is None or h.kind in CLIENT_WIDE_KINDS}
    held_invoices = {h.invoice_id for h in snap.holds if h.invoice_id is not None}
    for a in p.actions:
        assert a.client_id not in wide
        assert not held_invoices & set(a.invoice_ids)


@given(snap=ledgers(), pol=policies(), minimum=st.decimals(Decimal(0), Decimal(500), places=2))
@settings(max_examples=150, deadline=None)
def test_no_amount_mixes_currencies(snap, pol, minimum) -> None:  # type: ignore[no-untyped-def]
    pol = replace(pol, minimum_amount={c: minimum for c in CURRENCIES})
    p = plan(pol, snap, date(2026, 6, 1))
    for a in p.actions:
        line_currencies = {ln.currency for ln in a.lines}
        assert set(a.totals) == line_currencies
        assert set(a.credits) <= line_currencies and set(a.unapplied_payments) <= line_currencies
        for cur in line_currencies:
            owed = sum((ln.amount_residual for ln in a.lines if ln.currency == cur), Decimal(0))
            assert a.totals[cur] == owed - a.credits.get(cur, 0) - a.unapplied_payments.get(cur, 0)
            assert a.totals[cur] > 0 and a.totals[cur] >= minimum
        for bucket in a.aging.values():
            assert set(bucket) <= line_currencies
    # credits of a currency (each rounded to the currency) never reduce another currency's total
    for a in p.actions:
        for cur, amount in a.credits.items():
            client_credit = sum((quantize(i.amount_residual, cur) for i in snap.invoices
                                 if i.client_id == a.client_id and i.currency == cur and i.kind.value == "credit_note"),
                                Decimal(0))
            assert amount <= client_credit


def _brute_business_days(due: date, today: date, closures: set[date]) -> int:
    table = holidays_lib.country_holidays("US", subdiv="NY", years=range(2025, 2029))
    sign = 1
    if today < due:
        due, today, sign = today, due, -1
    n = 0
    d = due + timedelta(days=1)
    while d <= today:
        if d.weekday() < 5 and d not in table and d not in closures:
            n += 1
        d += timedelta(days=1)
    return sign * n


@given(due=st.dates(date(2025, 6, 1), date(2027, 6, 1)), span=st.integers(-40, 200),
       closures=st.sets(st.dates(date(2025, 6, 1), date(2027, 12, 1)), max_size=6))
@settings(max_examples=150, deadline=None)
def test_business_day_counting_honours_holidays_and_closures(due: date, span: int, closures: set[date]) -> None:
    cal = FirmCalendar(country="US", subdivision="NY", closures=frozenset(closures))
    today = due + timedelta(days=span)
    counter = DayCounter(today, cal)
    expected = _brute_business_days(due, today, closures)
    assert counter.business(due.toordinal()) == expected
    assert cal.business_days_between(due, today) == expected
    # A day the firm is closed adds nothing.
    if not cal.is_business_day(today):
        assert counter.business(due.toordinal()) == DayCounter(today - timedelta(days=1), cal).business(
            due.toordinal())


@given(due=st.dates(date(2026, 1, 1), date(2027, 6, 1)), span=st.integers(1, 60), threshold=st.integers(1, 40))
@settings(max_examples=100, deadline=None)
def test_business_tier_fires_exactly_when_enough_business_days_passed(due: date, span: int, threshold: int) -> None:
    pol = PolicySettings(tiers=[TierSettings("only", threshold, day_count="business")])
    today = due + timedelta(days=span)
    p = plan(pol, snapshot([inv(1, due=due)]), today, calendar=CAL)
    reached = _brute_business_days(due, today, set()) >= threshold
    assert bool(p.actions) == reached
