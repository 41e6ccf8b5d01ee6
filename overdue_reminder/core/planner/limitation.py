"""Limitation periods: invoices near or past the end of their period go to the attorney, not into a reminder.

A routine reminder about a claim that is (nearly) time-barred is the wrong tool: the attorney decides whether
to sue in time, write the claim off, or ask for an acknowledgment. Each invoice's period is its matter's
(core.jurisdictions.Limits); the cut-off dates are worked out once per period, so each line is two compares.
"""

from __future__ import annotations

from datetime import date, timedelta

from overdue_reminder.core.jurisdictions import Limits, Period, add_years, limitation_ends
from overdue_reminder.core.planner.state import ClientInfo, Line, attorney_of, ids_of, skipped
from overdue_reminder.model import SkippedClient

RULE = "rule: Limitation periods"


class Cutoffs:
    """Per period: invoices due on or before `past` are time-barred today, on or before `near` within warning."""

    def __init__(self, limits: Limits, today: date) -> None:
        self.limits = limits
        self.today = today
        self._cache: dict[Period, tuple[int, int]] = {}
        # The latest `near` of any period in play (the shortest one's): a line due after it is well within
        # every period, so the common case costs one compare and no lookup.
        known = [p for p in (limits.default, *limits.by_matter.values()) if p.years > 0]
        self.newest_near = max((self.of(p)[1] for p in known), default=-1)

    def of(self, period: Period) -> tuple[int, int]:
        found = self._cache.get(period)
        if found is None:
            if period.years <= 0:
                found = (-1, -1)
            else:  # due + years <= today  <=>  due <= today - years (29 February falls back a day: harmless)
                past = add_years(self.today, -period.years)
                near = add_years(self.today + timedelta(days=self.limits.warn_days), -period.years)
                found = (past.toordinal(), near.toordinal())
            self._cache[period] = found
        return found


def _sentence(ln: Line, period: Period, today: date) -> str:
    ends = limitation_ends(ln.inv.due_date, period)
    assert ends is not None
    where = f"the {period.code} " if period.code else "the "
    state = f"ended on {ends}" if ends <= today else f"ends on {ends}, in {(ends - today).days} days"
    return (f"{ln.inv.name} fell due {ln.inv.due_date}: {where}limitation period ({period.years} years, "
            f"{period.basis} engagement) {state}")


def split(cut: Cutoffs, who: ClientInfo, lines: list[Line]) -> tuple[list[Line], SkippedClient | None]:
    """The lines a routine reminder may carry, and the attorney's attention item for the rest (or None)."""
    newest = cut.newest_near
    if all(ln.inv.due_date.toordinal() > newest for ln in lines):
        return lines, None
    kept: list[Line] = []
    flagged: list[tuple[Line, Period]] = []
    for ln in lines:
        period = cut.limits.period(who.id, ln.inv.matter_ref)
        _, near = cut.of(period)
        if ln.inv.due_date.toordinal() <= near:
            flagged.append((ln, period))
        else:
            kept.append(ln)
    if not flagged:
        return lines, None
    gone = [ln for ln, _ in flagged]
    why = "; ".join(_sentence(ln, p, cut.today) for ln, p in flagged)
    reason = (f"limitation: {why}. No routine reminder for {'it' if len(gone) == 1 else 'them'}: the attorney "
              f"decides whether to act before the period ends ({RULE}).")
    return kept, skipped(who, "limitation", reason, attorney_id=attorney_of(gone), invoice_ids=ids_of(gone))


__all__ = ["Cutoffs", "split"]
