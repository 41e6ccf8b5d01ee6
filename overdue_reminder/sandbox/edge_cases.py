"""Fixed clients and invoices every generated firm has, whatever its size: records shaped like
the real samples (a child billing contact, EUR, zh_CN) and deliberately broken data (`bad`)."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal
from typing import Any

from .builder import Builder, Client, office_time
from .constants import ATTORNEYS, CURRENCY_IDS


def add_edge_cases(b: Builder) -> tuple[dict[str, int], dict[str, int]]:
    """Fixed clients and invoices every firm has, whatever its size: sample-like examples and bad data."""
    today = b.today
    bad: dict[str, int] = {}
    examples: dict[str, int] = {}
    clients: dict[str, Client] = {}

    def client(key: str, name: str, *, email: str | None, lang: str = "en_US", country: str = "US",
               currency: str = "USD", is_company: bool = True, **extra: Any) -> Client:
        values: dict[str, Any] = {"name": name, "email": email, "lang": lang, "is_company": is_company,
                                  "customer_rank": 1, "company_id": 1, **b.address(country), **extra}
        values["write_date"] = datetime.combine(today - timedelta(days=90), time(10))
        pid = b.partner(**values)
        c = Client(pid, name, lang, country, currency, is_company, matters=[(f"M-{today.year}-9{len(clients):03d}",
                                                                             ATTORNEYS[len(clients) % 8][0])])
        clients[key] = c
        return c

    keystone = client("keystone", "Keystone Capital Partners LP", email="billing@keystonecapitalpartners.example")
    keystone.billing_contact = b.partner(name="Susan Moore (Accounts Payable)", parent_id=keystone.pid,
                                         commercial_partner_id=keystone.pid, type="invoice", company_id=1,
                                         email="susan.moore@keystonecapitalpartners.example")
    examples.update(child_contact=keystone.billing_contact, child_parent_client=keystone.pid)
    examples["eur_client"] = client("eur", "Ingrid Young", email="ingrid.young@mail.example", country="DE",
                                    currency="EUR", is_company=False).pid
    examples["zh_cn_client"] = client("zh", "杭州云帆网络科技有限公司", email="billing@yunfan.example", lang="zh_CN",
                                      country="CN", currency="CNY").pid
    bad["client_no_email"] = client("no_email", "Quiet Harbor Consulting LLC", email=None).pid
    bad["client_invalid_email"] = client("invalid_email", "Bluepeak Advisory Inc.",
                                         email="accounts at bluepeak dot example").pid
    bad["client_employer_email"] = client("employer_email", "Jonathan Pryce", is_company=False,
                                          email="j.pryce@keystonecapitalpartners.example").pid
    bad["client_archived"] = client("archived", "Defunct Ventures LLC", email="ap@defunct.example", active=False).pid
    odd = {
        "client_name_quotes": "O'Brien & \"Sons\" Ltd.",
        "client_name_html": "<b>Bold</b> Ventures <script>alert('x')</script> Inc.",
        "client_name_jinja": "{{ client.name }} {% raw %}Holdings{% endraw %} LLC",
        "client_name_crlf": "Line\r\nBreak Trading Co.",
        "client_name_emoji": "🚀 Rocket Legal Tech 🎉 Inc.",
        "client_name_accents": "Société Générale d'Études Müller & Søn",
    }
    for key, name in odd.items():
        bad[key] = client(key, name, email=f"billing@{key.removeprefix('client_name_')}.example").pid

    overdue = today - timedelta(days=45)
    specs: list[dict[str, Any]] = []

    def invoice(c: Client, key: str | None = None, *, partner: int | None = None, **changes: Any) -> dict[str, Any]:
        spec = b.invoice_spec(c)
        amount = spec["amount_total"]
        spec.update(state="posted", payment_state="not_paid", amount_residual=amount, amount_untaxed=amount,
                    amount_tax=Decimal("0.00"), invoice_date=overdue - timedelta(days=30), invoice_date_due=overdue,
                    date=overdue - timedelta(days=30), invoice_origin=c.matters[0][0], ref=None,
                    partner_id=partner or c.billing_contact or c.pid, commercial_partner_id=c.pid,
                    invoice_user_id=c.matters[0][1], currency_id=CURRENCY_IDS[c.currency])
        spec.pop("pay", None)
        stamp = office_time(overdue - timedelta(days=30), b.rng.randrange(36000))
        spec.update(create_date=stamp, write_date=stamp + timedelta(hours=1))
        spec.update(changes)
        spec["_key"] = key
        specs.append(spec)
        return spec

    invoice(clients["keystone"], "child_contact_invoice")
    invoice(clients["eur"], "eur_invoice")
    invoice(clients["zh"], "zh_cn_invoice")
    invoice(clients["keystone"], "bad:invoice_zero_residual_not_paid", amount_residual=Decimal("0.00"))
    invoice(clients["keystone"], "bad:invoice_no_due_date", invoice_date_due=None)
    invoice(clients["keystone"], "bad:invoice_no_partner", partner_id=None, commercial_partner_id=None)
    invoice(clients["keystone"], "bad:invoice_negative_residual", amount_residual=Decimal("-125.00"))
    invoice(clients["keystone"], "bad:invoice_unknown_currency", currency_id=CURRENCY_IDS["XTS"])
    invoice(clients["keystone"], "bad:invoice_draft", state="draft")
    invoice(clients["keystone"], "bad:invoice_cancelled", state="cancel")
    for key in ("no_email", "invalid_email", "employer_email", "archived", *odd):
        invoice(clients[key], f"bad:invoice_{key.removeprefix('client_')}")
    trust = b.trust_spec(clients["keystone"], deposit=True, amount=Decimal("15000.00"),
                         when=today - timedelta(days=200))
    trust["_key"] = "trust_entry"
    specs.append(trust)
    first = b.db.table("account.move").next_id
    rows = []
    for offset, spec in enumerate(specs):
        spec["id"] = first + offset
        key = spec.pop("_key")
        year = spec["date"].year
        journal = "TRUST" if spec["kind"] == "trust" else "INV"
        spec["name"] = "/" if spec.get("state") == "draft" else f"{journal}/{year}/{b.seq(f'{journal}/{year}'):05d}"
        if key and key.startswith("bad:"):
            bad[key.removeprefix("bad:")] = spec["id"]
        elif key:
            examples[key] = spec["id"]
        if spec["kind"] == "trust":
            b.trust_lines(spec)
        row = {k: v for k, v in spec.items() if k not in ("kind", "client", "pay", "deposit")}
        rows.append(row | {"company_id": 1})
    b.db.insert("account.move", rows)
    examples["trust_client"] = keystone.pid
    return bad, examples
