"""What the planner reads: the ledger snapshot and its holds, past contacts and matter flags.

Pure data: `services.planning.load_snapshot` fills it from the store, `core.policy.plan` reads it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from overdue_reminder.core.jurisdictions import Limits
from overdue_reminder.core.profile import PaymentRecord
from overdue_reminder.model import Attorney, Invoice, Partner, Payment, TrustBalance

HOLD_KINDS = ("dispute", "bankruptcy", "other_counsel", "do_not_contact", "payment_plan", "promise_to_pay", "pause",
              "arbitration_requested")
# These stop every contact with the client even when the hold names one invoice.
CLIENT_WIDE_KINDS = frozenset({"bankruptcy", "do_not_contact", "other_counsel"})
# Statuses of a reminder that count as a contact (queued or out of the door).
# A postal item (no email address) is a contact too: staff print and post it, and it must not be
# planned again the next night.
CONTACT_STATUSES = ("draft", "approved", "sending", "sent", "unconfirmed", "postal")


@dataclass(frozen=True, slots=True)
class Hold:
    """A stop on contact: client-wide, or one invoice when `invoice_id` is set (see CLIENT_WIDE_KINDS)."""

    id: int
    client_id: int
    kind: str
    reason: str = ""
    created_by: str = ""
    created_at: datetime | None = None
    until: date | None = None  # active through this date; None: until removed
    invoice_id: int | None = None
    source_ref: str | None = None  # e.g. 'offer:12', 'contact:7'
    removed_by: str | None = None
    removed_at: datetime | None = None

    @property
    def client_wide(self) -> bool:
        return self.invoice_id is None or self.kind in CLIENT_WIDE_KINDS

    def active_on(self, day: date) -> bool:
        return self.removed_at is None and (self.until is None or day <= self.until)


@dataclass(frozen=True, slots=True)
class PastContact:
    """A reminder that counts as a contact (status in CONTACT_STATUSES), dated in the firm's timezone."""

    client_id: int
    tier: str
    tier_index: int
    on: date
    matter_ref: str = ""
    invoice_ids: tuple[int, ...] = ()
    status: str = "sent"


@dataclass(frozen=True, slots=True)
class MatterFlags:
    before_court: bool = False  # LAW.md #11
    interest_allowed: bool = False  # LAW.md #6
    interest_rate: Decimal | None = None  # the matter's own yearly percent (core/matter_flags.py)
    interest_cap: Decimal | None = None  # interest never above this percent of an invoice's open amount


@dataclass(frozen=True)
class LedgerSnapshot:
    """Everything the policy reads, loaded at once; `invoices` are the open invoices and credit notes."""

    partners: Mapping[int, Partner]
    invoices: Sequence[Invoice]
    attorneys: Mapping[int, Attorney] = field(default_factory=dict)
    payments: Sequence[Payment] = ()  # unreconciled
    trust: Sequence[TrustBalance] = ()
    holds: Sequence[Hold] = ()  # active ones; inactive ones are ignored anyway
    contacts: Sequence[PastContact] = ()
    matters: Mapping[tuple[int, str], MatterFlags] = field(default_factory=dict)
    history: Mapping[int, Sequence[PaymentRecord]] = field(default_factory=dict)  # last 12 months
    broken_promises: Mapping[int, Sequence[date]] = field(default_factory=dict)
    limits: Limits | None = None  # limitation periods (None: none applied)
