"""Client grade A-D from twelve months of payment history and broken promises."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from overdue_reminder.core.profile import PaymentRecord, client_profile

TODAY = date(2026, 11, 28)


def paid(days_ago: int, late: int) -> PaymentRecord:
    paid_on = TODAY - timedelta(days=days_ago)
    return PaymentRecord(paid_on - timedelta(days=late), paid_on)


def test_no_history_is_neutral() -> None:
    p = client_profile([], [], TODAY)
    assert p.grade == "B" and p.invoices_considered == 0
    assert "no payment history" in p.reasons[0]


def test_grades_by_average_days_late_and_share_paid_late() -> None:
    assert client_profile([paid(30, 0)] * 8 + [paid(20, 10)], [], TODAY).grade == "A"  # avg 1.1, 1 of 9 late
    assert client_profile([paid(30, 15)] * 3 + [paid(20, 0)] * 3, [], TODAY).grade == "B"
    assert client_profile([paid(30, 40)] * 4, [], TODAY).grade == "C"
    p = client_profile([paid(30, 90)] * 4, [], TODAY)
    assert p.grade == "D" and p.average_days_late == Decimal("90.0") and p.invoices_paid_late == 4
    assert "4 invoices in the last 365 days, 4 paid late" in p.reasons[0] and p.reasons[0].endswith("grade D")


def test_broken_promises_lower_the_grade() -> None:
    ontime = [paid(30, 0)] * 5
    assert client_profile(ontime, [TODAY - timedelta(days=3)], TODAY).grade == "B"
    assert client_profile(ontime, [TODAY - timedelta(days=3)] * 2, TODAY).grade == "C"
    assert client_profile(ontime, [TODAY - timedelta(days=3)] * 3, TODAY).grade == "D"
    assert client_profile(ontime, [TODAY - timedelta(days=400)] * 3, TODAY).grade == "A"  # outside the year


def test_only_the_last_twelve_months_count_and_open_invoices_count_as_late_so_far() -> None:
    assert client_profile([paid(500, 120)] * 5 + [paid(10, 0)], [], TODAY).grade == "A"
    p = client_profile([paid(10, 0), PaymentRecord(TODAY - timedelta(days=100), None)], [], TODAY)
    assert p.open_overdue == 1 and p.average_days_late == Decimal("50.0") and p.grade == "D"


@given(lates=st.lists(st.integers(0, 200), min_size=1, max_size=20), extra=st.integers(1, 60),
       broken=st.integers(0, 4))
@settings(max_examples=100, deadline=None)
def test_paying_later_never_improves_the_grade(lates: list[int], extra: int, broken: int) -> None:
    promises = [TODAY - timedelta(days=5)] * broken
    before = client_profile([paid(30, d) for d in lates], promises, TODAY).grade
    after = client_profile([paid(30, d + extra) for d in lates], promises, TODAY).grade
    more_broken = client_profile([paid(30, d) for d in lates], [*promises, TODAY], TODAY).grade
    assert after >= before and more_broken >= before
