"""A hostile-data firm on top of a generated one: what an attacker or an unlucky firm puts in Odoo.

Control characters pasted from word processors, a NUL in an invoice number, right-to-left overrides and
zero-width characters, a 20,000-character name, CR/LF in client and attorney emails, "Criminal" inside a
legal name, an amount of 1e30, and invoices in currencies whose precision differs from CLDR's (HUF has 2
decimal places in Odoo) or that CLDR-only code once refused (XOF, XAF, XPF, XCD). `clean` lists the
clients a nightly pass must still remind; `listed` the records it must skip and list.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from typing import Any

from .constants import ATTORNEYS, COMPANY_PARTNER_ID
from .models import GROUP_INVOICE, GROUP_USER
from .store import SandboxDB

# Odoo's own figures (res.currency.decimal_places / rounding): HUF is 2 places in Odoo, 0 in CLDR.
HOSTILE_CURRENCIES = {"HUF": (301, 2), "JPY": (302, 0), "KWD": (303, 3), "XOF": (304, 0), "XAF": (305, 0),
                      "XPF": (306, 0), "XCD": (307, 2)}
LONG_NAME = ("Extremely Long Holdings " * 900)[:20_000]
CRLF_ATTORNEY_UID = 40


@dataclass
class HostileFirm:
    clients: dict[str, int] = field(default_factory=dict)  # key -> partner id
    invoices: dict[str, int] = field(default_factory=dict)  # key -> account.move id
    clean: dict[str, int] = field(default_factory=dict)  # clients whose reminder must still go out by email
    listed: dict[str, tuple[str, int]] = field(default_factory=dict)  # key -> (model, id) skipped and listed
    attorney_uid: int = CRLF_ATTORNEY_UID


def add_hostile_firm(db: SandboxDB, *, days_overdue: int = 20, letter_days: int = 120) -> HostileFirm:
    """Add the hostile clients, invoices, currencies and an attorney to a generated sandbox firm.

    Most invoices are `days_overdue` (an email tier); the vertical-tab, "Criminal" and CR/LF-attorney
    clients' are `letter_days` overdue, so their escalation letters are built too.
    """
    firm = HostileFirm()
    today = db.today()
    with db.lock:
        db.insert("res.currency", [{"id": cid, "name": code, "symbol": code, "decimal_places": places,
                                    "rounding": Decimal(1).scaleb(-places), "position": "after"}
                                   for code, (cid, places) in HOSTILE_CURRENCIES.items()])
        attorney_partner = db.create("res.partner", {
            "name": "Mallory\tVance", "parent_id": COMPANY_PARTNER_ID, "email": "mallory@harborreed.example"})
        db.insert("res.users", [{"id": CRLF_ATTORNEY_UID, "name": "Mallory Vance\r\n", "login": "mallory.vance",
                                 "partner_id": attorney_partner, "company_id": 1,
                                 "email": "mallory.vance@harborreed.example\r\nBcc: all@evil.example"}])
        db.set_auth(CRLF_ATTORNEY_UID, passwords=["unused"], groups=[GROUP_USER, GROUP_INVOICE])

    def client(key: str, name: str, email: str, *, clean: bool = True) -> int:
        pid = db.create("res.partner", {"name": name, "email": email, "is_company": True, "customer_rank": 1,
                                        "lang": "en_US", "company_id": 1, "street": "1 Main\x0bStreet",
                                        "city": "Boston\x00", "zip": "02110"})
        firm.clients[key] = pid
        if clean:
            firm.clean[key] = pid
        return pid

    def invoice(key: str, pid: int, amount: Decimal, currency: str = "USD", *, name: str | None = None,
                attorney: int = ATTORNEYS[0][0], ref: str = "", overdue: int = days_overdue) -> int:
        year = today.year
        cur = HOSTILE_CURRENCIES[currency][0] if currency in HOSTILE_CURRENCIES else 1
        values: dict[str, Any] = {
            "name": name or f"HST/{year}/{db.next_sequence(f'HST/{year}'):05d}", "move_type": "out_invoice",
            "state": "posted", "payment_state": "not_paid", "partner_id": pid, "invoice_user_id": attorney,
            "invoice_origin": ref or f"M-{year}-HST{len(firm.invoices):02d}", "ref": False, "currency_id": cur,
            "amount_total": amount, "amount_untaxed": amount, "amount_residual": amount,
            "invoice_date": today - timedelta(days=overdue + 30),
            "invoice_date_due": today - timedelta(days=overdue), "date": today - timedelta(days=overdue + 30),
        }
        values.update(id=db.table("account.move").next_id, commercial_partner_id=pid, company_id=1,
                      amount_tax=Decimal(0))
        with db.lock:  # inserted as stored: Odoo keeps each currency's own precision (KWD 3 places)
            mid = db.insert("account.move", [values])[0]
        firm.invoices[key] = mid
        return mid

    invoice("vertical_tab", client("vertical_tab", "Acme\x0bHoldings\x00 LLC", "ap@acme-vt.example"),
            Decimal("1200.00"), name=f"INV/{today.year}/\x0077001", overdue=letter_days)
    invoice("rtl", client("rtl", "\u202eSNOITULOS\u202c \u0634\u0631\u0643\u0629 \u0627\u0644\u0623\u0641\u0642"
                                 "\u200b Ltd", "billing@ofoq.example"), Decimal("980.50"))
    invoice("long_name", client("long_name", LONG_NAME, "ap@long.example"), Decimal("450.00"))
    invoice("criminal", client("criminal", "Criminal Defense Associates of Suffolk LLP", "ap@cda.example"),
            Decimal("3100.00"), overdue=letter_days)
    invoice("huf", client("huf", "Budapesti Ügyvédi Iroda Kft.", "szamla@iroda.example"), Decimal("12345.67"), "HUF")
    invoice("jpy", client("jpy", "Tokyo Shoji KK", "ar@shoji.example"), Decimal("150000"), "JPY")
    invoice("kwd", client("kwd", "Gulf Trading WLL", "ar@gulf.example"), Decimal("1234.567"), "KWD")
    invoice("xof", client("xof", "Dakar Conseil SARL", "compta@dakar.example"), Decimal("500000"), "XOF")
    invoice("xcd", client("xcd", "Basseterre Marine Ltd", "ar@basseterre.example"), Decimal("2500.25"), "XCD")
    crlf = client("crlf_email", "Newline Freight Co.", "ap@newline.example\r\nBcc: all@evil.example", clean=False)
    invoice("crlf_email", crlf, Decimal("700.00"))
    firm.listed["crlf_email"] = ("res.partner", crlf)
    huge_client = client("huge_amount", "Overflow Capital LLC", "ap@overflow.example", clean=False)
    firm.listed["huge_amount"] = ("account.move", invoice("huge_amount", huge_client, Decimal("1e30")))
    mallory = client("crlf_attorney", "Vance Matter Client Inc.", "ap@vance-client.example")
    invoice("crlf_attorney", mallory, Decimal("640.00"), attorney=CRLF_ATTORNEY_UID, overdue=letter_days)
    firm.listed["crlf_attorney"] = ("res.users", CRLF_ATTORNEY_UID)
    firm.listed["long_name"] = ("res.partner", firm.clients["long_name"])
    return firm
