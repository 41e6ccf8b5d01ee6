"""Aging buckets per client, attorney and currency (pure): current, 1-30, 31-60, 61-90, 90+."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from overdue_reminder.model import Invoice
from overdue_reminder.money import quantize

BUCKETS = ("current", "1-30", "31-60", "61-90", "90+")


def bucket(days_past_due: int) -> str:
    if days_past_due <= 0:
        return "current"
    if days_past_due <= 30:
        return "1-30"
    if days_past_due <= 60:
        return "31-60"
    if days_past_due <= 90:
        return "61-90"
    return "90+"


@dataclass
class AgingRow:
    """One group (client, attorney or everything) in one currency."""

    key: str
    label: str
    currency: str
    buckets: dict[str, Decimal] = field(default_factory=lambda: {b: Decimal(0) for b in BUCKETS})
    count: int = 0

    @property
    def total(self) -> Decimal:
        return sum(self.buckets.values(), Decimal(0))


def aging(invoices: Iterable[Invoice], today: date, group_by: str,
          labels: Mapping[int, str] | None = None) -> list[AgingRow]:
    """Sum open residuals (credit notes negative, in 'current') per group and currency."""
    labels = labels or {}
    rows: dict[tuple[str, str], AgingRow] = {}
    for inv in invoices:
        if not inv.is_open:
            continue
        if group_by == "client":
            gid: int | None = inv.client_id
        elif group_by == "attorney":
            gid = inv.attorney_id
        else:
            gid = None
        key = "all" if group_by == "total" else str(gid) if gid is not None else "-"
        label = "all clients" if group_by == "total" else labels.get(gid, "(none)") if gid is not None else "(none)"
        row = rows.get((key, inv.currency))
        if row is None:
            zero = quantize(Decimal(0), inv.currency)  # '0.00', not '0', in tables and JSON
            row = rows[(key, inv.currency)] = AgingRow(key, label, inv.currency, {b: zero for b in BUCKETS})
        b = "current" if inv.signed_residual < 0 else bucket((today - inv.due_date).days)
        row.buckets[b] += inv.signed_residual
        row.count += 1
    return sorted(rows.values(), key=lambda r: (-r.total, r.label, r.currency))
