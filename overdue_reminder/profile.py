"""A client's payment profile: a grade A-D that templates and offers may use to fit the tone and terms.

Pure: built from the last twelve months of payment history (when each invoice was due and paid,
invoices still open count with the days they are late so far) and the promises to pay the client
broke. The grade is explainable: `reasons` says which figure set it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

WINDOW_DAYS = 365

# (grade, highest average days late, highest share of invoices paid late, most broken promises)
GRADES: tuple[tuple[str, Decimal, Decimal, int], ...] = (
    ("A", Decimal(5), Decimal("0.25"), 0),
    ("B", Decimal(20), Decimal("0.50"), 1),
    ("C", Decimal(45), Decimal("1"), 2),
)
NO_HISTORY_GRADE = "B"  # a new client is neither rewarded nor penalised


@dataclass(frozen=True, slots=True)
class PaymentRecord:
    """One invoice in the client's history: when it was due and when it was paid (None: still open)."""

    due_date: date
    paid_date: date | None


@dataclass(frozen=True, slots=True)
class ClientProfile:
    grade: str
    average_days_late: Decimal  # one decimal place
    invoices_considered: int
    invoices_paid_late: int
    open_overdue: int
    broken_promises: int
    reasons: tuple[str, ...]


def client_profile(records: Iterable[PaymentRecord], broken_promise_dates: Iterable[date], today: date,
                   window_days: int = WINDOW_DAYS) -> ClientProfile:
    """Grade A (pays on time) to D (pays very late or breaks promises) over the last `window_days`."""
    start = today - timedelta(days=window_days)
    lates: list[int] = []
    open_overdue = 0
    for r in records:
        if r.paid_date is None:
            if r.due_date < today:
                open_overdue += 1
                lates.append((today - r.due_date).days)
            continue
        if start <= r.paid_date <= today:
            lates.append(max(0, (r.paid_date - r.due_date).days))
    broken = sum(1 for d in broken_promise_dates if start <= d <= today)
    n = len(lates)
    late_count = sum(1 for days in lates if days > 0)
    avg = (Decimal(sum(lates)) / n).quantize(Decimal("0.1"), ROUND_HALF_UP) if n else Decimal("0.0")
    share = Decimal(late_count) / n if n else Decimal(0)
    if n == 0 and broken == 0:
        return ClientProfile(NO_HISTORY_GRADE, avg, 0, 0, 0, 0,
                             (f"no payment history in the last {window_days} days: grade {NO_HISTORY_GRADE}",))
    grade = "D"
    for g, max_avg, max_share, max_broken in GRADES:
        if avg <= max_avg and share <= max_share and broken <= max_broken:
            grade = g
            break
    facts = (f"{n} invoices in the last {window_days} days, {late_count} paid late"
             + (f" ({open_overdue} still open and overdue)" if open_overdue else "")
             + f", {avg} days late on average, {broken} broken promise{'s' if broken != 1 else ''} to pay")
    return ClientProfile(grade, avg, n, late_count, open_overdue, broken, (f"{facts}: grade {grade}",))
