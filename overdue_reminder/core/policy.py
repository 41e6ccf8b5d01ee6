"""Who is overdue and what happens next: aging, tiers, holds, and a plain sentence for every decision.

Pure: `plan(settings, snapshot, today)` reads a `LedgerSnapshot` (built from the store by
`planning.load_snapshot`) and returns a `Plan`. No I/O, no clock.

The rules, in the order they are applied to each client (or each matter with group_by = "matter"):

1. Only open invoices with something owed count; 'in_payment' is not overdue (the payment is
   registered). A client override's `extra_days` moves every due date later (longer terms).
2. A client-wide hold (bankruptcy, do-not-contact, other counsel, or any hold without an invoice)
   stops all contact; an invoice hold leaves that invoice out. `no_reminders` skips the client.
3. Overdue invoices go in the reminder; when nothing is overdue, invoices inside a pre-due tier's
   window (negative days) may get a courtesy notice. Amounts are per currency, after open credit
   notes and unreconciled payments; a currency whose balance is below its minimum is left out.
4. Progression: the next tier is the one after the last sent in this cycle (the first overdue tier
   when there is none); it goes out once the oldest invoice in the reminder reaches its threshold.
   Tiers are never skipped (unless skip_tiers) and never go down. A cycle resets when every invoice
   of the last reminder has been paid. Pre-due tiers are notices before the due date: once anything
   is overdue the ladder starts at the first overdue tier.
5. Contacts are at least max(min_gap_days, the last tier's min_days_before_next, 1) days apart, and a
   contact that stated a deadline (any overdue tier) is followed only after that deadline.

Every action carries its reasons as plain sentences, and every client a rule stopped is listed
with its reason; clients simply on schedule are explained on request (`explain_all`). The code is
written for 100,000 invoices a night: one pass per client, strings built only for what is shown.

The steps live in core/planner/: grouping, amounts, tiers, recipient, reasons (composed in its
__init__); the snapshot's types in core/snapshot.py. This module is the entry point.
"""

from __future__ import annotations

from datetime import date

from overdue_reminder.calendar import FirmCalendar
from overdue_reminder.config import PolicySettings
from overdue_reminder.core.interest import CapTable
from overdue_reminder.core.planner import Planner
from overdue_reminder.core.planner.reasons import hold_sentence
from overdue_reminder.core.planner.state import PERSONAL_EMAIL_DOMAINS, DayCounter, days_past_due
from overdue_reminder.core.snapshot import (
    CLIENT_WIDE_KINDS,
    CONTACT_STATUSES,
    HOLD_KINDS,
    Hold,
    LedgerSnapshot,
    MatterFlags,
    PastContact,
)
from overdue_reminder.model import Plan


def plan(settings: PolicySettings, snapshot: LedgerSnapshot, today: date, *,
         calendar: FirmCalendar | None = None, explain_all: bool = False, caps: CapTable | None = None,
         notice_days: int = 0) -> Plan:
    """What tonight's run would do for every client, and why; pure (today and calendar are parameters).

    `skipped` lists the clients a rule stopped (hold, no reminders, covered, below minimum, too soon).
    Clients simply on schedule - waiting for the next tier's date, or past the last tier - are
    listed too (kinds 'waiting' and 'last_tier') only with `explain_all`: a nightly run does not
    need thousands of "not yet" lines, `plan --client` and `plan --all` do.

    `caps` are the firm's [interest]/[fees] caps (none: uncapped, for the planner alone); `notice_days` the
    business days each contact's stated deadline gives (templates.respond_within_days): the next contact never
    comes before that deadline has passed (rule 5).
    """
    return Planner(settings, snapshot, today, calendar or FirmCalendar(), explain_all, caps, notice_days).run()


__all__ = [
    "CLIENT_WIDE_KINDS", "CONTACT_STATUSES", "HOLD_KINDS", "PERSONAL_EMAIL_DOMAINS", "DayCounter", "Hold",
    "LedgerSnapshot", "MatterFlags", "PastContact", "days_past_due", "hold_sentence", "plan",
]
