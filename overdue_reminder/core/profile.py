"""A client's payment profile: a grade A-D that templates and offers may use to fit the tone and terms.

Pure: built from the last twelve months of payment history (when each invoice was due and paid;
invoices still open, when passed, count with the days they are late so far) and the promises to pay
the client broke. The grade is explainable: `reasons` says which figures set it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

WINDOW_DAYS = 365

# (grade, highest average days late, highest share of invoices paid late (num, den), most broken promises)
GRADES: tuple[tuple[str, int, tuple[int, int], int], ...] = (
    ("A", 5, (1, 4), 0),
    ("B", 20, (1, 2), 1),
    ("C", 45, (1, 1), 2),
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
    invoices_considered: int
    invoices_paid_late: int
    open_overdue: int
    broken_promises: int
    total_days_late: int
    window_days: int = WINDOW_DAYS

    @property
    def average_days_late(self) -> Decimal:
        """One decimal place; 0.0 without history."""
        if not self.invoices_considered:
            return Decimal("0.0")
        return (Decimal(self.total_days_late) / self.invoices_considered).quantize(Decimal("0.1"), ROUND_HALF_UP)

    @property
    def reasons(self) -> tuple[str, ...]:
        if not self.invoices_considered and not self.broken_promises:
            return (f"no payment history in the last {self.window_days} days: grade {self.grade}",)
        n, bp = self.invoices_considered, self.broken_promises
        facts = (f"{n} invoices in the last {self.window_days} days, {self.invoices_paid_late} paid late"
                 + (f" ({self.open_overdue} still open and overdue)" if self.open_overdue else "")
                 + f", {self.average_days_late} days late on average, {bp} broken promise{'s' if bp != 1 else ''}"
                   " to pay")
        return (f"{facts}: grade {self.grade}",)


def client_profile(records: Iterable[PaymentRecord], broken_promise_dates: Iterable[date], today: date,
                   window_days: int = WINDOW_DAYS) -> ClientProfile:
    """Grade A (pays on time) to D (pays very late or breaks promises) over the last `window_days`."""
    start = today - timedelta(days=window_days)
    n = late = total = open_overdue = 0
    for r in records:
        if r.paid_date is None:
            if r.due_date < today:
                open_overdue += 1
                days = (today - r.due_date).days
            else:
                continue
        elif start <= r.paid_date <= today:
            days = max(0, (r.paid_date - r.due_date).days)
        else:
            continue
        n += 1
        total += days
        if days > 0:
            late += 1
    broken = sum(1 for d in broken_promise_dates if start <= d <= today)
    if n == 0 and broken == 0:
        grade = NO_HISTORY_GRADE
    else:
        grade = "D"
        for g, max_avg, (num, den), max_broken in GRADES:
            # average <= max_avg and late / n <= num / den, in integers
            if total <= max_avg * n and late * den <= num * n and broken <= max_broken:
                grade = g
                break
    return ClientProfile(grade, n, late, open_overdue, broken, total, window_days)
