"""A small firm for the review-page tests: two attorneys with a client, a letter and an offer each, a partner,
a billing clerk, and a fake Odoo sign-in that knows their passwords."""

from __future__ import annotations

import importlib.util
import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from types import ModuleType

import docx
from actors import staff
from flask import Flask
from flask.testing import FlaskClient

from overdue_reminder import config
from overdue_reminder.calendar import FirmCalendar
from overdue_reminder.config import Settings
from overdue_reminder.core.offers import installment_plan, settlement
from overdue_reminder.errors import AuthError
from overdue_reminder.model import Action, ActionLine, Address, Attorney, Invoice, InvoiceKind, Partner
from overdue_reminder.services import offers as offer_service
from overdue_reminder.services.letter_enclosures import write_sample_forms
from overdue_reminder.services.letters import Letter, create_letter
from overdue_reminder.services.offers import OfferRecord
from overdue_reminder.store import Store
from overdue_reminder.store.ledger import store_attorneys, store_invoices, store_partners
from overdue_reminder.web import create_app
from overdue_reminder.web.auth import OdooUser

TODAY = date(2026, 3, 2)  # a Monday
NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
PASSWORD = "correct horse battery staple"
SECRET = "test-secret-key-0123456789abcdef-0123456789"
DANA = Attorney(7, "Dana Whitfield", "dwhitfield", "dana@harperlowe.example")
SAM = Attorney(8, "Sam Ortiz", "sortiz", "sam@harperlowe.example")
PARTNER = "partner@harperlowe.example"
CLERK = "clerk@harperlowe.example"
DESK_CLERK = staff(CLERK)  # the clerk, proven, as the CLI would have them (the offers below are staff's proposals)
STRANGER = "visitor@harperlowe.example"
CLIENT_A = Partner(101, "Acme Widgets Inc.", 101, email="ap@acme.example", lang="en_US", is_company=True,
                   address=Address("500 Market Street", "", "Albany", "12207", "NY", "United States"))
CLIENT_B = Partner(201, "Bexley Foods LLC", 201, email="ap@bexley.example", lang="en_US", is_company=True,
                   address=Address("9 Pier Road", "", "Buffalo", "14201", "NY", "United States"))
CLIENT_C = Partner(301, "Corvid Analytics", 301, email="ap@corvid.example", lang="en_US", is_company=True,
                   address=Address("77 Lake Ave", "", "Rochester", "14608", "NY", "United States"))
US = FirmCalendar(timezone="America/New_York", country="US")


def make_settings(tmp_path: Path, extra: str = "") -> Settings:
    text = f"""
source = "odoo"
[firm]
name = "Harper & Lowe LLP"
address = ["350 Fifth Avenue, Suite 4100", "New York, NY 10118"]
timezone = "America/New_York"
holiday_country = "US"
jurisdiction = "NY"
[odoo]
database = "firm"
[store]
path = "store.db"
[letters]
dir = "letters"
supervising_partner = "{PARTNER}"
pdf = "never"
max_edited_mb = 1
[offers]
supervising_partner = "{PARTNER}"
[web]
billing_staff = ["{CLERK}"]
login_failures_per_login = 3
login_failures_per_ip = 6
{extra}
[letters.jurisdictions.NY.form_files]
"UCS 137-1" = "forms/SAMPLE-UCS-137-1.txt"
"UCS 137-2" = "forms/SAMPLE-UCS-137-2.txt"
"""
    write_sample_forms(tmp_path / "forms")
    cfg = tmp_path / "overdue-reminder.toml"
    cfg.write_text(text, encoding="utf-8")
    return config.parse(text, str(cfg))


def invoice(inv_id: int, client: int, attorney: int, total: str, due: date, currency: str = "USD",
            ref: str = "M-2025-001") -> Invoice:
    return Invoice(id=inv_id, name=f"INV/2025/{inv_id}", kind=InvoiceKind.INVOICE, client_id=client,
                   contact_id=client, attorney_id=attorney, matter_ref=ref, currency=currency,
                   amount_total=Decimal(total), amount_residual=Decimal(total), invoice_date=due - timedelta(days=30),
                   due_date=due, payment_state="not_paid", is_open=True)


INVOICES = [
    invoice(5001, 101, DANA.id, "3600.00", date(2025, 11, 1)),
    invoice(5002, 101, DANA.id, "2150.50", date(2025, 12, 1), ref="M-2025-002"),
    invoice(6001, 201, SAM.id, "8800.00", date(2025, 10, 15)),
    invoice(7001, 301, DANA.id, "4000.00", date(2025, 11, 20), currency="EUR"),
]


def letter_action(client: Partner, invoices: list[Invoice], attorney: Attorney) -> Action:
    lines = tuple(ActionLine(i.id, i.name, i.kind, i.matter_ref, i.currency, i.invoice_date, i.due_date,
                             i.amount_total, Decimal(0), i.amount_residual, (TODAY - i.due_date).days)
                  for i in invoices)
    totals: dict[str, Decimal] = {}
    for ln in lines:
        totals[ln.currency] = totals.get(ln.currency, Decimal(0)) + ln.amount_residual
    return Action(client_id=client.id, client_name=client.name, tier="escalation", tier_index=4, channel="letter",
                  attorney_review=True, auto_send=False, with_offer=False, matter_ref="", lines=lines, totals=totals,
                  credits={}, unapplied_payments={}, max_days_past_due=max(ln.days_past_due for ln in lines),
                  attorney_id=attorney.id, contact_id=client.id, to_email=client.email, language="en_US",
                  grade="C", reasons=("test",))


@dataclass
class Firm:
    letter_a: Letter
    letter_b: Letter
    offer_a: OfferRecord  # over staff's limits: Dana decides
    offer_b: OfferRecord  # Sam's
    offer_c: OfferRecord  # over the attorney's limits: only the partner decides (Dana's client)


def seed(store: Store, settings: Settings) -> Firm:
    with store.begin() as conn:
        store_partners(conn, [CLIENT_A, CLIENT_B, CLIENT_C], NOW)
        store_attorneys(conn, [DANA, SAM])
        store_invoices(conn, INVOICES, NOW)
    la = create_letter(store, settings, letter_action(CLIENT_A, INVOICES[:2], DANA), today=TODAY,
                       now=NOW - timedelta(hours=5)).letter
    lb = create_letter(store, settings, letter_action(CLIENT_B, INVOICES[2:3], SAM), today=TODAY,
                       now=NOW - timedelta(hours=4)).letter
    first = TODAY + timedelta(days=7)
    oa = offer_service.propose(store, settings, client_id=101, offer=installment_plan(
        Decimal("5750.50"), "USD", 8, "monthly", Decimal("600.00"), first, US, offered_on=TODAY),
        by=DESK_CLERK, now=NOW - timedelta(hours=3), reason_code="financial_hardship")
    ob = offer_service.propose(store, settings, client_id=201, offer=installment_plan(
        Decimal("8800.00"), "USD", 8, "monthly", Decimal("900.00"), first, US, offered_on=TODAY),
        by=DESK_CLERK, now=NOW - timedelta(hours=2))
    oc = offer_service.propose(store, settings, client_id=301, offer=settlement(
        Decimal("4000.00"), "EUR", Decimal(20), TODAY + timedelta(days=14), US, offered_on=TODAY),
        by=DESK_CLERK, now=NOW - timedelta(hours=1))
    assert (oa.status, oa.needs, oa.assigned_to) == ("awaiting_attorney", "attorney", DANA.email)
    assert (ob.status, ob.assigned_to) == ("awaiting_attorney", SAM.email)
    assert (oc.status, oc.needs, oc.assigned_to, oc.attorney_id) == ("awaiting_attorney", "partner", PARTNER, DANA.id)
    return Firm(la, lb, oa, ob, oc)


@dataclass
class FakeOdoo:
    """`common.authenticate` as the review page sees it: a login and password in, an Odoo user out."""

    users: dict[str, OdooUser] = field(default_factory=lambda: {
        DANA.login: OdooUser(DANA.id, DANA.login, DANA.email, DANA.name),
        SAM.login: OdooUser(SAM.id, SAM.login, SAM.email, SAM.name),
        PARTNER: OdooUser(20, PARTNER, PARTNER, "Pat Partner"),
        CLERK: OdooUser(21, CLERK, CLERK, "Chris Clerk"),
        STRANGER: OdooUser(22, STRANGER, STRANGER, "Val Visitor"),
    })
    calls: list[str] = field(default_factory=list)

    def __call__(self, login: str, password: str) -> OdooUser:
        self.calls.append(login)
        user = self.users.get(login)
        if user is None or password != PASSWORD:
            raise AuthError(f"Odoo refused the login {login!r}")
        return user


def make_app(settings: Settings, store: Store, odoo: FakeOdoo | None = None) -> Flask:
    app = create_app(settings, store, auth=odoo or FakeOdoo(), secret_key=SECRET, clock=lambda: NOW)
    app.testing = True
    return app


CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_from(html: str) -> str:
    m = CSRF_RE.search(html)
    assert m, "no CSRF token in the page"
    return m.group(1)


def sign_in(client: FlaskClient, login: str, password: str = PASSWORD) -> str:
    """Sign in through the form; returns the session's CSRF token for later POSTs."""
    page = client.get("/login")
    resp = client.post("/login", data={"login": login, "password": password, "csrf_token": csrf_from(page.text)})
    assert resp.status_code == 303, resp.text
    with client.session_transaction() as sess:
        token = sess["csrf"]
    assert isinstance(token, str)
    return token


def docx_bytes(text: str, *, with_document: bool = True) -> bytes:
    if not with_document:
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as zf:
            zf.writestr("[Content_Types].xml", "<Types/>")
            zf.writestr("word/other.xml", "<x/>")
        return buf.getvalue()
    d = docx.Document()
    for para in text.split("\n"):
        d.add_paragraph(para)
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def load_bench(area: str) -> ModuleType:
    """scripts/bench_<area>.py as a module (the benchmarks are scripts, not part of the package)."""
    path = Path(__file__).resolve().parents[2] / "scripts" / f"bench_{area}.py"
    spec = importlib.util.spec_from_file_location(f"bench_{area}", path)
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod
