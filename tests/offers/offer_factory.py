"""A small firm for the offers tests: one client with a billing contact, an attorney, two USD invoices."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any

from actors import staff
from sqlalchemy import select

from overdue_reminder import config
from overdue_reminder.calendar import FirmCalendar
from overdue_reminder.config import Settings
from overdue_reminder.model import Attorney, Invoice, InvoiceKind, Partner, Payment
from overdue_reminder.store import Store
from overdue_reminder.store.ledger import store_attorneys, store_invoices, store_partners, store_payments
from overdue_reminder.store.schema import audit

US = FirmCalendar(timezone="America/New_York", country="US")
CLERK = "clerk@firm.example"
DESK = staff(CLERK)  # the clerk, proven (mapped OS account or --as): may propose and record within staff authority
ALEX = Attorney(7, "Alex Morgan", "alex", "alex@firm.example")
OTHER = Attorney(8, "Blair Chen", "blair", "blair@firm.example")
PARTNER = "partner@firm.example"
CLIENT = Partner(100, "Acme Holdings Ltd", 100, email="ap@acme.example", is_company=True)
CONTACT = Partner(101, "Jane Doe", 100, email="jane@acme.example", contact_type="invoice")
OTHER_CLIENT = Partner(200, "Quiet Client LLC", 200, email="ap@quiet.example", is_company=True)
TODAY = date(2026, 11, 20)  # a Friday


def at(day: date, hour: int = 15) -> datetime:
    """15:00 UTC is 10:00 in New York: the same calendar day at the firm."""
    return datetime.combine(day, time(hour), tzinfo=UTC)


NOW = at(TODAY)


def make_settings(partner: str = PARTNER, **offers: Any) -> Settings:
    base = config.parse(f'[offers]\nsupervising_partner = "{partner}"\n' if partner else "")
    return dataclasses.replace(base, offers=dataclasses.replace(base.offers, **offers)) if offers else base


def invoice(inv_id: int, total: str, residual: str | None = None, *, due: date = date(2026, 8, 1),
            client: int = 100, currency: str = "USD", attorney: int | None = 7, ref: str = "M-2026-001",
            kind: InvoiceKind = InvoiceKind.INVOICE) -> Invoice:
    res = Decimal(residual if residual is not None else total)
    return Invoice(id=inv_id, name=f"INV/2026/{inv_id:04d}", kind=kind, client_id=client,
                   contact_id=101 if client == 100 else client, attorney_id=attorney, matter_ref=ref,
                   currency=currency, amount_total=Decimal(total), amount_residual=res,
                   invoice_date=date(2026, 7, 1), due_date=due, payment_state="partial" if res < Decimal(total)
                   else "not_paid", is_open=res > 0)


def seed(store: Store, invoices: list[Invoice] | None = None) -> None:
    with store.begin() as conn:
        store_partners(conn, [CLIENT, CONTACT, OTHER_CLIENT], NOW)
        store_attorneys(conn, [ALEX, OTHER])
        store_invoices(conn, invoices if invoices is not None else
                       [invoice(1001, "6000.00"), invoice(1002, "3000.00", due=date(2026, 9, 1))], NOW)


def pay(store: Store, pay_id: int, amount: str, day: date, *, residuals: dict[int, str] | None = None,
        invoice_ids: tuple[int, ...] = (), client: int = 100, currency: str = "USD",
        reconciled: bool = True) -> None:
    """What a sync does when a payment arrives: the payment row, and the invoices' lower residuals."""
    with store.begin() as conn:
        store_payments(conn, [Payment(pay_id, client, Decimal(amount), currency, day, reconciled, invoice_ids)])
        if residuals:
            from overdue_reminder.store.ledger import load_invoices

            current = {i.id: i for i in load_invoices(conn, residuals)}
            store_invoices(conn, [current[i]._replace(amount_residual=Decimal(r), is_open=Decimal(r) > 0,
                                                      payment_state="partial" if Decimal(r) > 0 else "paid")
                                  for i, r in residuals.items()], at(day))


def audit_rows(store: Store, object_type: str = "offer", object_id: int | None = None) -> list[Any]:
    q = select(audit).where(audit.c.object_type == object_type).order_by(audit.c.id)
    if object_id is not None:
        q = q.where(audit.c.object_id == str(object_id))
    with store.begin() as conn:
        return list(conn.execute(q))
