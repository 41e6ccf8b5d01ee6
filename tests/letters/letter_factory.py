"""Helpers for the letters tests: settings from TOML, store rows, actions built by hand."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from overdue_reminder import config
from overdue_reminder.config import Settings
from overdue_reminder.model import Action, ActionLine, Address, Attorney, Invoice, InvoiceKind, Partner
from overdue_reminder.services.letter_enclosures import write_sample_forms
from overdue_reminder.sources.odoo_writeback import OdooActivity, OdooFile, OdooNote
from overdue_reminder.store import Store
from overdue_reminder.store.ledger import store_invoices
from overdue_reminder.store.schema import matters, reminders

TODAY = date(2026, 3, 2)
NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
ATTORNEY = Attorney(7, "Dana Whitfield", "dwhitfield", "dana@harperlowe.example")
OTHER_ATTORNEY = Attorney(8, "Sam Ortiz", "sortiz", "sam@harperlowe.example")
PARTNER_EMAIL = "partner@harperlowe.example"
CLIENT = Partner(101, "Acme Widgets Inc.", 101, email="ap@acme.example", lang="en_US", is_company=True,
                 address=Address("500 Market Street", "Suite 12", "Albany", "12207", "NY", "United States"))
CONTACT = Partner(102, "Pat Billing", 101, email="pat@acme.example", contact_type="invoice")
ZH_CLIENT = Partner(201, "华东贸易有限公司", 201, lang="zh_CN", is_company=True,
                    address=Address("南京路100号", "", "上海", "200001", "", "中国"))


FORMS = """[letters.jurisdictions.NY.form_files]
"UCS 137-1" = "forms/SAMPLE-UCS-137-1.txt"
"UCS 137-2" = "forms/SAMPLE-UCS-137-2.txt"
[letters.jurisdictions.CA.form_files]
"State Bar of California" = "forms/SAMPLE-State-Bar-of-California.txt"
"""


def make_settings(tmp_path: Path, extra: str = "", jurisdiction: str = "NY", logo: str = "",
                  forms: bool = True) -> Settings:
    """The letters' test firm; `forms` attaches the sample official forms (written into tmp_path/forms)."""
    text = f"""
source = "files"
[firm]
name = "Harper & Lowe LLP"
address = ["350 Fifth Avenue, Suite 4100", "New York, NY 10118"]
phone = "+1 212 555 0100"
email = "billing@harperlowe.example"
website = "https://harperlowe.example"
timezone = "America/New_York"
holiday_country = "US"
holiday_subdivision = "NY"
jurisdiction = "{jurisdiction}"
logo = "{logo}"
[store]
path = "store.db"
[letters]
dir = "letters"
supervising_partner = "{PARTNER_EMAIL}"
{extra}
{FORMS if forms else ""}"""
    write_sample_forms(tmp_path / "forms")
    cfg = tmp_path / "overdue-reminder.toml"
    cfg.write_text(text, encoding="utf-8")
    return config.parse(text, str(cfg))


def line(invoice_id: int, name: str, residual: str, *, total: str | None = None, currency: str = "USD",
         matter: str = "M-2025-001", kind: InvoiceKind = InvoiceKind.INVOICE, due: date = date(2025, 11, 1),
         issued: date = date(2025, 10, 2)) -> ActionLine:
    tot = Decimal(total if total is not None else residual)
    res = Decimal(residual)
    return ActionLine(invoice_id, name, kind, matter, currency, issued, due, tot, tot - res, res,
                      (TODAY - due).days)


def make_action(lines: Sequence[ActionLine], *, client: Partner = CLIENT, tier: str = "escalation",
                totals: dict[str, Decimal] | None = None, unapplied: dict[str, Decimal] | None = None,
                attorney_id: int | None = ATTORNEY.id, language: str = "en_US", contact_id: int | None = None,
                before_court: tuple[str, ...] = (), matter_ref: str = "") -> Action:
    if totals is None:
        totals = {}
        for ln in lines:
            sign = -1 if ln.kind is InvoiceKind.CREDIT_NOTE else 1
            totals[ln.currency] = totals.get(ln.currency, Decimal(0)) + sign * ln.amount_residual
        for cur, amount in (unapplied or {}).items():
            totals[cur] -= amount
    return Action(
        client_id=client.id, client_name=client.name, tier=tier, tier_index=4, channel="letter",
        attorney_review=True, auto_send=False, with_offer=False, matter_ref=matter_ref, lines=tuple(lines),
        totals=totals, credits={}, unapplied_payments=dict(unapplied or {}),
        max_days_past_due=max(ln.days_past_due for ln in lines), attorney_id=attorney_id,
        contact_id=contact_id or client.id, to_email=client.email, language=language, grade="C",
        reasons=("test",), before_court=before_court)


@dataclass
class RecordingWriteBack:
    """A fake Odoo write-back that records every call (and can be told to fail)."""

    calls: list[tuple[str, Any]] = field(default_factory=list)
    fail: bool = False
    next_id: int = 1000

    def _id(self) -> int:
        self.next_id += 1
        return self.next_id

    def _fail(self) -> None:
        if self.fail:
            from overdue_reminder.errors import TransientSourceError

            raise TransientSourceError("Odoo timed out")

    def attach_files(self, files: Sequence[OdooFile]) -> list[int]:
        self._fail()
        ids = []
        for f in files:
            self.calls.append(("attach_file", (f.res_model, f.res_id, f.filename, len(f.data), f.mimetype)))
            ids.append(self._id())
        return ids

    def post_notes(self, notes: Sequence[OdooNote]) -> list[int]:
        self._fail()
        self.calls.append(("post_notes", tuple((n.res_id, n.attachment_ids) for n in notes)))
        return [self._id() for _ in notes]

    def create_activities(self, items: Sequence[OdooActivity]) -> list[int]:
        self._fail()
        ids = []
        for a in items:
            self.calls.append(("create_activity", (a.res_model, a.res_id, a.user_id, a.summary, a.note, a.deadline)))
            ids.append(self._id())
        return ids

    def close_activity(self, activity_id: int, feedback: str) -> None:
        self.calls.append(("close_activity", (activity_id, feedback)))

    def names(self) -> list[str]:
        return [c[0] for c in self.calls]

def seed_invoices(store: Store, action: Action) -> None:
    """The action's invoices in the ledger as a sync would have left them: clearance reads today's figures there."""
    invs = [Invoice(ln.invoice_id, ln.name, ln.kind, action.client_id, action.contact_id, action.attorney_id,
                    ln.matter_ref, ln.currency, ln.amount_total, ln.amount_residual, ln.invoice_date, ln.due_date,
                    "partial" if ln.amount_paid else "not_paid", True) for ln in action.lines]
    with store.begin() as conn:
        store_invoices(conn, invs, NOW)


def add_reminder(store: Store, client_id: int, tier: str, sent_at: datetime, status: str = "sent") -> None:
    with store.begin() as conn:
        conn.execute(reminders.insert().values(
            client_id=client_id, tier=tier, tier_index=1, channel="email", run_date=sent_at.date(),
            invoice_ids=[1], totals={"USD": "1.00"}, status=status, idempotency_key=f"r-{tier}-{sent_at}-{status}",
            message_id=f"<{tier}@x>", created_at=sent_at, sent_at=sent_at if status == "sent" else None))


def add_matter(store: Store, client_id: int, ref: str, before_court: bool) -> None:
    with store.begin() as conn:
        conn.execute(matters.insert().values(client_id=client_id, reference=ref, attorney_id=ATTORNEY.id,
                                             before_court=before_court, interest_allowed=False))


def no_soffice(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    empty = tmp_path / "emptybin"
    empty.mkdir(exist_ok=True)
    monkeypatch.setenv("PATH", str(empty))


NOTICE_LINES = (line(6001, "INV/2025/0090", "900.00", matter="M-2025-001", due=date(2025, 9, 1)),)


def serve_notice(store: Store, settings: Settings, on: date, method: str | None = "certified_mail",
                 release: bool = True) -> Any:
    """An escalation letter carrying the jurisdiction's notice, approved by the attorney and (with `release`)
    released on `on` with its serving method recorded: the only way a notice comes to count."""
    from actors import attorney, staff

    from overdue_reminder.services.letters import approve_letter, create_letter, get_letter, release_letter

    action = make_action(NOTICE_LINES)
    seed_invoices(store, action)
    at = datetime(on.year, on.month, on.day, 15, 0, tzinfo=UTC)
    lt = create_letter(store, settings, action, today=on, now=at).letter
    approve_letter(store, settings, lt.id, attorney(store, ATTORNEY.email), now=at)
    if release:
        release_letter(store, settings, lt.id, staff("clerk"), today=on, now=at, served_method=method)
    return get_letter(store, lt.id)
