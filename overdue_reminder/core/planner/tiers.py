"""Tier choice: where the client is on the ladder (this cycle's contacts), the next tier, and the minimum gap.

Tiers are never skipped (unless skip_tiers) and never go down; a cycle resets when every invoice of
the last reminder is paid; pre-due tiers are notices before the due date only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from overdue_reminder.core.planner.state import Indexes, Line
from overdue_reminder.core.snapshot import PastContact


@dataclass(slots=True)
class History:
    """This cycle's contacts for one reminder: the last of any kind and the highest tier sent (`base`)."""

    last_any: PastContact | None = None
    base: PastContact | None = None
    base_pos: int = -1
    reset: bool = False  # earlier contacts covered only invoices paid since
    sent: int = 0  # reminders of this cycle already sent (queued ones are not yet said to the client)


def history(ix: Indexes, client_id: int, matter_ref: str) -> History:
    contacts = ix.contacts.get(client_id, ())
    if matter_ref:
        contacts = [c for c in contacts if c.matter_ref in ("", matter_ref)]
    h = History()
    open_ids = ix.open_ids
    last_tier = len(ix.tiers) - 1
    for c in contacts:
        if h.last_any is None or c.on > h.last_any.on:
            h.last_any = c
        in_cycle = not c.invoice_ids or any(i in open_ids for i in c.invoice_ids)
        if not in_cycle:
            h.reset = True
            continue
        h.sent += c.status not in ("draft", "approved")
        pos = ix.tier_pos.get(c.tier, min(max(c.tier_index, 0), last_tier))
        if pos > h.base_pos or (pos == h.base_pos and h.base is not None and c.on > h.base.on):
            h.base, h.base_pos = c, pos
    return h


def next_tier(ix: Indexes, h: History, is_overdue: bool) -> int:
    """The tier after the last sent in this cycle; once anything is overdue, at least the first overdue tier."""
    if h.base is None:
        return ix.first_overdue if is_overdue else 0
    start = h.base_pos + 1
    return max(start, ix.first_overdue) if is_overdue else start


def due_tier(ix: Indexes, lines: list[Line], oldest: Line, start: int, is_overdue: bool) -> int | None:
    """The tier whose threshold the oldest invoice has reached: `start`, or with skip_tiers the highest such."""
    limit = len(ix.tiers) if is_overdue else ix.first_overdue
    business_age: int | None = None
    for i in range(limit - 1, start - 1, -1) if ix.s.skip_tiers else (start,):
        if ix.tiers[i].day_count == "business":
            if business_age is None:
                business_age = max(ix.days.business(ln.due_ord) for ln in lines)
            age = business_age
        else:
            age = oldest.age
        if age >= ix.thresholds[i]:
            return i
    return None


def later_tiers_due(ix: Indexes, target: int, oldest: Line) -> list[str]:
    """Later tiers whose threshold is reached too: they follow in later runs (never skipped)."""
    if ix.s.skip_tiers or target + 1 >= len(ix.tiers) or oldest.age <= 0:
        return []
    return [t.name for i, t in enumerate(ix.tiers[target + 1:], target + 1)
            if (oldest.age if t.day_count == "calendar" else ix.days.business(oldest.due_ord)) >= ix.thresholds[i]]


def required_gap(ix: Indexes, h: History) -> tuple[int, date | None]:
    """Days between contacts: max(min_gap_days, the last tier's min_days_before_next, 1), and never on or before
    the deadline the last contact stated (`notice_days` business days after it, the firm's holidays honoured):
    a client told "pay by the 18th" hears from the firm again on the 19th at the earliest. Returns the gap and
    that deadline (None when the last contact states none: a notice before the due date)."""
    gap = max(ix.s.min_gap_days, 1)
    if h.base is not None:
        gap = max(gap, ix.tiers[h.base_pos].min_days_before_next)
    last = h.last_any
    if not ix.notice_days or last is None:
        return gap, None
    pos = ix.tier_pos.get(last.tier)
    if pos is not None and ix.tiers[pos].days <= 0:
        return gap, None  # a courtesy notice names the due date, not a deadline
    deadline = ix.deadline(last.on)
    return max(gap, (deadline - last.on).days + 1), deadline
