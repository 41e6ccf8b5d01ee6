"""Settings, actions and a seeded ledger for the reminder tests (and the crash driver)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from overdue_reminder import config
from overdue_reminder.config import Settings
from overdue_reminder.model import Action, ActionLine, Attorney, Invoice, InvoiceKind, Partner, Plan
from overdue_reminder.store import Store
from overdue_reminder.store.ledger import store_attorneys, store_invoices, store_partners

RUN = date(2026, 3, 10)  # a Tuesday
NOW = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)  # 11:00 in New York (EDT): inside 09:00-17:00
PHONE = "+1 212 555 0100"
ATTORNEY = Attorney(700, "Maria Lopez", "mlopez", "mlopez@harperlowe.example")

CONFIG = """
source = "files"

[firm]
name = "Harper & Lowe LLP"
address = ["350 Fifth Avenue, Suite 4100", "New York, NY 10118"]
phone = "{phone}"
email = "billing@harperlowe.example"
timezone = "America/New_York"
holiday_country = "US"
holiday_subdivision = "NY"

[store]
path = "store.db"
url = "{store_url}"

[delivery]
mode = "{mode}"
outbox_dir = "outbox"
from_address = "billing@harperlowe.example"
from_name = "{from_name}"
reply_to = "accounts@harperlowe.example"
smtp_host = "127.0.0.1"
smtp_port = {smtp_port}
smtp_security = "{security}"
smtp_timeout = 10.0
max_per_run = {max_per_run}
write_back_notes = {write_back}
send_window = "{window}"
business_days_only = {business_days_only}

[payment]
verify_phone = "{phone}"

[[payment.channels]]
label = "Bank transfer (USD)"
details = ["First Example Bank, New York", "ABA routing 021000021", "Account 1234567890"]
labels = {{ zh_CN = "银行转账（美元）" }}

[[payment.channels]]
label = "Client portal"
url = "https://pay.harperlowe.example"
labels = {{ zh_CN = "客户门户" }}

[templates]
dir = "{templates_dir}"
"""


def make_settings(tmp_path: Path, *, store_url: str = "", mode: str = "outbox", smtp_port: int = 2525,
                  security: str = "none", max_per_run: int = 500, write_back: bool = False,
                  templates_dir: str = "", extra: str = "", window: str = "09:00-17:00",
                  business_days_only: bool = True, from_name: str = "") -> Settings:
    """Write a real configuration file and load it, as the CLI would."""
    text = CONFIG.format(phone=PHONE, store_url=store_url, mode=mode, smtp_port=smtp_port, security=security,
                         max_per_run=max_per_run, write_back=str(write_back).lower(),
                         templates_dir=templates_dir, window=window, from_name=from_name,
                         business_days_only=str(business_days_only).lower()) + extra
    path = tmp_path / "overdue-reminder.toml"
    path.write_text(text, encoding="utf-8")
    return config.load(str(path))


def line(invoice_id: int, *, name: str | None = None, days: int = 20, total: str = "1500.00", paid: str = "0",
         currency: str = "USD", matter: str = "2025-0193", kind: InvoiceKind = InvoiceKind.INVOICE) -> ActionLine:
    due = RUN - timedelta(days=days)
    t, p = Decimal(total), Decimal(paid)
    return ActionLine(invoice_id, name or f"INV/2026/{invoice_id:05d}", kind, matter, currency,
                      due - timedelta(days=30), due, t, p, t - p, days)


def action(client_id: int, *, tier: str = "friendly", tier_index: int = 1, language: str = "en_US",
           lines: Sequence[ActionLine] | None = None, to_email: str | None = None, name: str | None = None,
           auto_send: bool = False, attorney_review: bool = False, channel: str = "email",
           with_offer: bool = False, matter_ref: str = "", attorney_id: int | None = ATTORNEY.id,
           contact_id: int | None = None, interest: dict[str, Decimal] | None = None) -> Action:
    lines = tuple(lines) if lines is not None else (line(client_id * 10 + 1),)
    totals: dict[str, Decimal] = {}
    for ln in lines:
        sign = -1 if ln.kind is InvoiceKind.CREDIT_NOTE else 1
        totals[ln.currency] = totals.get(ln.currency, Decimal(0)) + sign * ln.amount_residual
    return Action(
        client_id=client_id, client_name=name or f"Client {client_id} Inc.", tier=tier, tier_index=tier_index,
        channel=channel, attorney_review=attorney_review, auto_send=auto_send, with_offer=with_offer,
        matter_ref=matter_ref, lines=lines, totals=totals, credits={}, unapplied_payments={},
        max_days_past_due=max(ln.days_past_due for ln in lines), attorney_id=attorney_id,
        contact_id=contact_id if contact_id is not None else client_id + 100000,
        to_email=f"ap{client_id}@client{client_id}.example" if to_email is None else to_email,
        language=language, grade="B", reasons=(f"{tier} tier reached",), interest=interest or {},
    )


def plan(*actions: Action, today: date = RUN) -> Plan:
    return Plan(today, tuple(actions), ())


def seed(store: Store, actions: Sequence[Action], *, contact_names: dict[int, str] | None = None) -> None:
    """Clients, billing contacts, the attorney and the open invoices, as a sync would leave them."""
    partners: list[Partner] = []
    invs: list[Invoice] = []
    for a in actions:
        partners.append(Partner(a.client_id, a.client_name, a.client_id, email=a.to_email, lang=a.language,
                                is_company=True))
        cname = (contact_names or {}).get(a.client_id, f"Alex Contact {a.client_id}")
        partners.append(Partner(a.contact_id, cname, a.client_id, email=a.to_email, lang=a.language))
        for ln in a.lines:
            invs.append(Invoice(ln.invoice_id, ln.name, ln.kind, a.client_id, a.contact_id, a.attorney_id,
                                ln.matter_ref, ln.currency, ln.amount_total, ln.amount_residual, ln.invoice_date,
                                ln.due_date, "partial" if ln.amount_paid else "not_paid", True))
    with store.begin() as conn:
        store_partners(conn, partners, NOW)
        store_attorneys(conn, [ATTORNEY])
        store_invoices(conn, invs, NOW)


def pay(store: Store, invoice_id: int, residual: Decimal = Decimal(0)) -> None:
    """The invoice was paid (or part-paid) in the accounting system after drafting."""
    from sqlalchemy import update

    from overdue_reminder.store.schema import invoices

    with store.begin() as conn:
        conn.execute(update(invoices).where(invoices.c.id == invoice_id).values(
            amount_residual=residual, is_open=residual > 0, payment_state="paid" if residual == 0 else "partial"))


def with_tier(a: Action, tier: str, **changes: object) -> Action:
    return replace(a, tier=tier, **changes)  # type: ignore[arg-type]
