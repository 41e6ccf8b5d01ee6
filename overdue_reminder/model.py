"""Domain records shared by sources, store and policy: frozen, typed, money as Decimal.

Sources produce these from the accounting system; the store persists them; policy reads
them. Odoo ids are kept as the primary identity so write-backs address the same records.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import NamedTuple


class InvoiceKind(StrEnum):
    INVOICE = "invoice"
    CREDIT_NOTE = "credit_note"


class ClientKind(StrEnum):
    """docs/rules.md, "The firm's own name": consumer debts collected for others bring the FDCPA; tag each client."""

    BUSINESS = "business"
    CONSUMER = "consumer"


@dataclass(frozen=True, slots=True)
class Address:
    street: str = ""
    street2: str = ""
    city: str = ""
    zip: str = ""
    state: str = ""
    country: str = ""

    def lines(self) -> list[str]:
        city_line = " ".join(p for p in (self.zip, self.city) if p)
        if self.state:
            city_line = f"{city_line}, {self.state}" if city_line else self.state
        return [p for p in (self.street, self.street2, city_line, self.country) if p]


@dataclass(frozen=True, slots=True)
class Partner:
    """A res.partner: a client (commercial partner) or one of its contacts."""

    id: int
    name: str
    commercial_id: int
    email: str = ""
    lang: str = ""
    phone: str = ""
    is_company: bool = False
    contact_type: str = "contact"
    address: Address = field(default_factory=Address)
    write_date: datetime | None = None

    @property
    def is_client(self) -> bool:
        return self.id == self.commercial_id

    @property
    def kind(self) -> ClientKind:
        return ClientKind.BUSINESS if self.is_company else ClientKind.CONSUMER


@dataclass(frozen=True, slots=True)
class Attorney:
    """The responsible user on an invoice (Odoo's invoice_user_id)."""

    id: int
    name: str
    login: str = ""
    email: str = ""
    write_date: datetime | None = None


class Invoice(NamedTuple):
    """A customer invoice or credit note as the accounting system last reported it.

    A named tuple rather than a frozen dataclass: a nightly plan builds one per open invoice (100,000 at
    the benchmark's scale) and a tuple is built in C, three times faster (scripts/bench, policy).
    """

    id: int
    name: str
    kind: InvoiceKind
    client_id: int
    contact_id: int
    attorney_id: int | None
    matter_ref: str
    currency: str
    amount_total: Decimal
    amount_residual: Decimal
    invoice_date: date | None
    due_date: date
    payment_state: str
    is_open: bool
    write_date: datetime | None = None
    access_token: str = ""  # Odoo's customer-portal token (portal.mixin); "" when it has none yet
    jurisdiction: str = ""  # from odoo.jurisdiction_field, when configured

    @property
    def amount_paid(self) -> Decimal:
        return self.amount_total - self.amount_residual

    @property
    def signed_residual(self) -> Decimal:
        """What the client owes on this document: credit notes count against the balance."""
        return -self.amount_residual if self.kind is InvoiceKind.CREDIT_NOTE else self.amount_residual


@dataclass(frozen=True, slots=True)
class Payment:
    """A customer payment; an unreconciled one still reduces what a reminder asks for."""

    id: int
    client_id: int
    amount: Decimal
    currency: str
    date: date
    reconciled: bool
    invoice_ids: tuple[int, ...] = ()
    state: str = "posted"
    write_date: datetime | None = None


@dataclass(frozen=True, slots=True)
class TrustBalance:
    """Money held in trust for a client (docs/rules.md, "Trust money untouched"): shown to staff, never applied."""

    client_id: int
    currency: str
    amount: Decimal


@dataclass(frozen=True, slots=True)
class Skipped:
    """A record the source could not use, with the reason a person can read."""

    model: str
    record_id: int | str
    reason: str


@dataclass(frozen=True, slots=True)
class Watermark:
    """How far a model has been read: the last write_date (Odoo's UTC string) and keyset id."""

    watermark: str = ""
    last_id: int = 0
    phase: str = "full"  # full: paging the open set by id; incremental: paging changes by write_date


# ---------------------------------------------------------------- the plan (policy's output)
@dataclass(frozen=True, slots=True)
class ActionLine:
    """One document in an action, with what is still owed on it."""

    invoice_id: int
    name: str
    kind: InvoiceKind
    matter_ref: str
    currency: str
    invoice_date: date | None
    due_date: date
    amount_total: Decimal
    amount_paid: Decimal
    amount_residual: Decimal
    days_past_due: int


@dataclass(frozen=True, slots=True)
class Action:
    """What tonight's run would do for one client (or one matter): a tier, and why.

    `totals` is what the reminder asks for per currency, after credit notes and unreconciled
    payments; it is never summed across currencies.
    """

    client_id: int
    client_name: str
    tier: str
    tier_index: int
    channel: str  # "email" | "letter"
    attorney_review: bool
    auto_send: bool
    with_offer: bool
    matter_ref: str  # "" when one action covers all of the client's matters
    lines: tuple[ActionLine, ...]
    totals: dict[str, Decimal]
    credits: dict[str, Decimal]
    unapplied_payments: dict[str, Decimal]
    max_days_past_due: int
    attorney_id: int | None
    contact_id: int
    to_email: str
    language: str
    grade: str
    reasons: tuple[str, ...]
    staff_notes: tuple[str, ...] = ()  # trust balance, employer-domain warning, no email …
    interest: dict[str, Decimal] = field(default_factory=dict)
    client_kind: str = "business"  # "consumer" | "business" (docs/rules.md, "The firm's own name")
    trust: dict[str, Decimal] = field(default_factory=dict)  # shown to staff, never applied ("Trust money untouched")
    last_tier: str = ""  # the tier sent last in this cycle, "" when none
    last_contact: date | None = None
    aging: dict[str, dict[str, Decimal]] = field(default_factory=dict)  # bucket -> currency -> amount
    before_court: tuple[str, ...] = ()  # matter refs before a court (docs/rules.md, "Court's leave stated")
    sent_before: int = 0  # reminders already sent in this cycle: history sentences only when > 0

    @property
    def invoice_ids(self) -> tuple[int, ...]:
        return tuple(line.invoice_id for line in self.lines)

    @property
    def why(self) -> str:
        return " ".join(self.reasons)


@dataclass(frozen=True, slots=True)
class SkippedClient:
    """A client the plan leaves alone tonight, with the reason (hold, below minimum, too soon…)."""

    client_id: int
    client_name: str
    kind: str
    reason: str
    matter_ref: str = ""
    attorney_id: int | None = None  # who decides, e.g. on a dispute (docs/rules.md, "Disputes go to the attorney")
    hold_ids: tuple[int, ...] = ()
    invoice_ids: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class Plan:
    today: date
    actions: tuple[Action, ...]
    skipped: tuple[SkippedClient, ...]
