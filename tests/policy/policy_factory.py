"""Small builders for policy tests: invoices, partners and snapshots with readable defaults."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

from overdue_reminder.config import PolicySettings, TierSettings, default_tiers
from overdue_reminder.core.policy import Hold, LedgerSnapshot, PastContact
from overdue_reminder.model import Invoice, InvoiceKind, Partner, Payment

TODAY = date(2026, 11, 28)


def inv(id: int, client: int = 1, due: date | int = 10, amount: str = "100.00", currency: str = "USD",
        matter: str = "M-1", credit: bool = False, state: str = "not_paid", contact: int | None = None,
        attorney: int | None = 9) -> Invoice:
    """`due` as a date, or as days past due relative to TODAY."""
    due_date = due if isinstance(due, date) else date.fromordinal(TODAY.toordinal() - due)
    return Invoice(id=id, name=f"{'RINV' if credit else 'INV'}/2026/{id:04d}",
                   kind=InvoiceKind.CREDIT_NOTE if credit else InvoiceKind.INVOICE, client_id=client,
                   contact_id=contact if contact is not None else client, attorney_id=attorney, matter_ref=matter,
                   currency=currency, amount_total=Decimal(amount), amount_residual=Decimal(amount),
                   invoice_date=None, due_date=due_date, payment_state=state, is_open=True)


def partner(id: int, name: str | None = None, email: str = "", company: bool = True, lang: str = "en_US") -> Partner:
    return Partner(id=id, name=name or f"Client {id}", commercial_id=id, email=email or f"ap@client{id}.example",
                   is_company=company, lang=lang)


def snapshot(invoices: Sequence[Invoice], partners: Sequence[Partner] = (), **kw: Any) -> LedgerSnapshot:
    ps = {p.id: p for p in partners}
    for i in invoices:
        ps.setdefault(i.client_id, partner(i.client_id))
    return LedgerSnapshot(partners=ps, invoices=list(invoices), **kw)


def sent(client: int, tier: str, on: date | int, invoice_ids: Sequence[int] = (), index: int | None = None,
         matter: str = "", status: str = "sent") -> PastContact:
    day = on if isinstance(on, date) else date.fromordinal(TODAY.toordinal() - on)
    idx = index if index is not None else [t.name for t in default_tiers()].index(tier)
    return PastContact(client, tier, idx, day, matter, tuple(invoice_ids), status)


def hold(id: int, client: int, kind: str, invoice: int | None = None, until: date | None = None,
         reason: str = "test") -> Hold:
    return Hold(id=id, client_id=client, kind=kind, reason=reason, created_by="alice", invoice_id=invoice,
                until=until)


def payment(id: int, client: int, amount: str, currency: str = "USD", invoice_ids: tuple[int, ...] = ()) -> Payment:
    return Payment(id, client, Decimal(amount), currency, TODAY, False, invoice_ids)


def settings(**kw: Any) -> PolicySettings:
    return replace(PolicySettings(), **kw)


def tiers(*spec: tuple[str, int] | TierSettings) -> list[TierSettings]:
    return [s if isinstance(s, TierSettings) else TierSettings(s[0], s[1]) for s in spec]
