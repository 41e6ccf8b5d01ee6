"""The generation state and the recipes for each kind of record (clients, invoices, refunds,
vendor bills, trust entries, payments); `generator.generate_firm` decides how many of each."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from .constants import (
    ACCOUNT_IDS,
    ADMIN_UID,
    ATTORNEY_PASSWORD,
    ATTORNEYS,
    CLERK_LOGIN,
    CLERK_PASSWORD,
    CLERK_UID,
    COMPANY_PARTNER_ID,
    COUNTRY_IDS,
    CURRENCY_IDS,
    FIRST_CLIENT_PARTNER_ID,
    SANDBOX_LOGIN,
    SANDBOX_PASSWORD,
    TRUST_ACCOUNT_CODE,
    VENDORS,
)
from .models import GROUP_ACCOUNT_MANAGER, GROUP_INVOICE, GROUP_READONLY, GROUP_SYSTEM, GROUP_USER
from .pools import (
    ADDRESSES,
    COMPANY_BODY,
    COMPANY_HEAD,
    EN_FIRST,
    EN_LAST,
    STREETS,
    SUFFIXES,
    TASKS,
    TOPICS,
    ZH_BRAND,
    ZH_CITY,
    ZH_GIVEN,
    ZH_INDUSTRY,
    ZH_SURNAME,
)
from .store import CENT, SandboxDB


@dataclass
class Client:
    pid: int
    name: str
    lang: str
    country: str
    currency: str
    is_company: bool
    billing_contact: int | None = None
    matters: list[tuple[str, int]] = field(default_factory=list)  # (reference, attorney uid)
    weight: float = 1.0


def office_time(day: date, seconds: int) -> datetime:
    return datetime.combine(day, time(8)) + timedelta(seconds=seconds)


class Builder:
    """Holds the generation state; one instance per generate_firm call."""

    def __init__(self, db: SandboxDB, seed: int, today: date) -> None:
        self.db = db
        self.rng = random.Random(seed)
        self.today = today
        self.cutoff = datetime.combine(today, time(8))
        self.partners: list[dict[str, Any]] = []
        self.moves: list[dict[str, Any]] = []
        self.lines: list[dict[str, Any]] = []
        self.payments: list[dict[str, Any]] = []
        self.used_names: set[str] = set()
        self.sequences: dict[str, int] = {}
        self.next_partner = FIRST_CLIENT_PARTNER_ID
        self.next_line = 1
        self.narrations = [
            f"<p>PRIVILEGED &amp; CONFIDENTIAL - ATTORNEY WORK PRODUCT</p><p>{task} regarding {topic}.</p>"
            for task in TASKS for topic in TOPICS
        ]
        self.batch_write_date = datetime.combine(today - timedelta(days=2), time(2, 0, 0))

    # ------------------------------------------------------------------ helpers

    def seq(self, key: str) -> int:
        self.sequences[key] = self.sequences.get(key, 0) + 1
        return self.sequences[key]

    def clamp(self, when: datetime) -> datetime:
        if when < self.cutoff:
            return when
        return self.cutoff - timedelta(seconds=self.rng.randrange(60, 7200))

    def partner(self, **values: Any) -> int:
        pid = values.pop("id", None) or self.next_partner
        self.next_partner = max(self.next_partner, pid + 1)
        values.setdefault("commercial_partner_id", pid)
        values.setdefault("lang", "en_US")
        values.setdefault("write_date", datetime.combine(self.today - timedelta(days=400), time(9)))
        values["id"] = pid
        self.partners.append(values)
        return pid

    def unique(self, name: str, fallback: str) -> str:
        if name in self.used_names:
            name = f"{name} ({fallback})"
            n = 2
            while name in self.used_names:
                name = f"{name.rsplit(' (', 1)[0]} ({fallback} {n})"
                n += 1
        self.used_names.add(name)
        return name

    # ------------------------------------------------------------------ the firm itself

    def base(self) -> None:
        db = self.db
        db.insert("res.currency", [
            {"id": CURRENCY_IDS["USD"], "name": "USD", "full_name": "United States dollar", "symbol": "$",
             "decimal_places": 2, "rounding": Decimal("0.01"), "position": "before"},
            {"id": CURRENCY_IDS["EUR"], "name": "EUR", "full_name": "Euro", "symbol": "€", "decimal_places": 2,
             "rounding": Decimal("0.01"), "position": "after"},
            {"id": CURRENCY_IDS["CNY"], "name": "CNY", "full_name": "Chinese yuan", "symbol": "¥",
             "decimal_places": 2, "rounding": Decimal("0.01"), "position": "before"},
            {"id": CURRENCY_IDS["XTS"], "name": "XTS", "full_name": "Code reserved for testing", "symbol": "XTS",
             "decimal_places": 2, "rounding": Decimal("0.01"), "active": False},
        ])
        db.insert("res.country", [
            {"id": COUNTRY_IDS["CA"], "name": "Canada", "code": "CA"},
            {"id": COUNTRY_IDS["CN"], "name": "China", "code": "CN"},
            {"id": COUNTRY_IDS["DE"], "name": "Germany", "code": "DE"},
            {"id": COUNTRY_IDS["FR"], "name": "France", "code": "FR"},
            {"id": COUNTRY_IDS["GB"], "name": "United Kingdom", "code": "GB"},
            {"id": COUNTRY_IDS["US"], "name": "United States", "code": "US"},
        ])
        db.insert("res.company", [{"id": 1, "name": "Harbor & Reed LLP", "partner_id": COMPANY_PARTNER_ID,
                                   "currency_id": CURRENCY_IDS["USD"]}])
        self.partner(id=COMPANY_PARTNER_ID, name="Harbor & Reed LLP", is_company=True,
                     email="accounts@harborreed.example", phone="+1 617-555-0100", street="1 Federal St",
                     city="Boston", zip="02110", country_id=COUNTRY_IDS["US"], company_id=1)
        self.partner(id=2, name="OdooBot", email="odoobot@example.com", active=False)
        self.partner(id=3, name="Mitchell Admin", parent_id=COMPANY_PARTNER_ID,
                     commercial_partner_id=COMPANY_PARTNER_ID, email="admin@harborreed.example")
        users = [
            {"id": 1, "name": "OdooBot", "login": "__system__", "partner_id": 2, "active": False},
            {"id": ADMIN_UID, "name": "Mitchell Admin", "login": SANDBOX_LOGIN, "partner_id": 3,
             "email": "admin@harborreed.example", "company_id": 1},
        ]
        for uid, pid, name, login in ATTORNEYS:
            self.partner(id=pid, name=name, email=login, parent_id=COMPANY_PARTNER_ID,
                         commercial_partner_id=COMPANY_PARTNER_ID)
            users.append({"id": uid, "name": name, "login": login, "partner_id": pid, "email": login,
                          "company_id": 1})
        self.partner(id=20, name="Jordan Lee (Records Clerk)", email="jordan.lee@harborreed.example",
                     parent_id=COMPANY_PARTNER_ID, commercial_partner_id=COMPANY_PARTNER_ID)
        users.append({"id": CLERK_UID, "name": "Jordan Lee (Records Clerk)", "login": CLERK_LOGIN, "partner_id": 20,
                      "email": "jordan.lee@harborreed.example", "company_id": 1})
        for pid, name in VENDORS:
            self.partner(id=pid, name=name, is_company=True, supplier_rank=1,
                         email=f"ar@{name.split()[0].lower()}.example", country_id=COUNTRY_IDS["US"])
        db.insert("res.users", users)
        db.set_auth(ADMIN_UID, passwords=[SANDBOX_PASSWORD],
                    groups=[GROUP_USER, GROUP_INVOICE, GROUP_ACCOUNT_MANAGER, GROUP_READONLY, GROUP_SYSTEM])
        for uid, _, _, _ in ATTORNEYS:
            db.set_auth(uid, passwords=[ATTORNEY_PASSWORD], groups=[GROUP_USER, GROUP_INVOICE])
        db.set_auth(CLERK_UID, passwords=[CLERK_PASSWORD], groups=[GROUP_USER])
        db.insert("account.account", [
            {"id": ACCOUNT_IDS["receivable"], "code": "121000", "name": "Account Receivable",
             "account_type": "asset_receivable", "reconcile": True},
            {"id": ACCOUNT_IDS["bank"], "code": "101401", "name": "Bank", "account_type": "asset_cash"},
            {"id": ACCOUNT_IDS["trust_bank"], "code": "101500", "name": "Trust Bank (IOLTA)",
             "account_type": "asset_cash"},
            {"id": ACCOUNT_IDS["income"], "code": "400000", "name": "Legal Fees", "account_type": "income"},
            {"id": ACCOUNT_IDS["trust"], "code": TRUST_ACCOUNT_CODE, "name": "Client Trust Account (IOLTA)",
             "account_type": "liability_current", "reconcile": True},
        ])
        for code, cid in CURRENCY_IDS.items():
            db.add_xmlid("base", code, "res.currency", cid)
        db.add_xmlid("base", "user_admin", "res.users", ADMIN_UID)
        db.add_xmlid("base", "main_company", "res.company", 1)

    # ------------------------------------------------------------------ clients

    def address(self, country: str) -> dict[str, Any]:
        rng = self.rng
        city, zip_code = rng.choice(ADDRESSES[country])
        street = rng.choice(STREETS[country])
        number = rng.randrange(1, 9999)
        text = f"{street}{number}号" if country == "CN" else (
            f"{street} {number}" if country in ("DE",) else f"{number} {street}")
        phone = {"US": f"+1 {rng.randrange(201, 989)}-555-{rng.randrange(10000):04d}",
                 "CA": f"+1 416-555-{rng.randrange(10000):04d}", "GB": f"+44 20 7946 {rng.randrange(10000):04d}",
                 "DE": f"+49 30 {rng.randrange(1000000, 9999999)}", "FR": f"+33 1 {rng.randrange(10, 99)} "
                       f"{rng.randrange(10, 99)} {rng.randrange(10, 99)} {rng.randrange(10, 99)}",
                 "CN": f"+86 10 {rng.randrange(10000000, 99999999)}"}[country]
        return {"street": text, "city": city, "zip": zip_code, "country_id": COUNTRY_IDS[country],
                "phone": phone if rng.random() < 0.8 else None}

    def client(self, index: int) -> Client:
        rng = self.rng
        chinese = rng.random() < 0.25
        is_company = rng.random() < 0.8
        if chinese:
            country = "CN" if rng.random() < 0.9 else "US"
        else:
            country = rng.choices(("US", "GB", "DE", "FR", "CA"), (70, 8, 8, 6, 8))[0]
        currency = {"DE": "EUR", "FR": "EUR", "CN": "CNY" if rng.random() < 0.6 else "USD"}.get(country, "USD")
        slug = f"client{index}"
        if chinese and is_company:
            name = self.unique(f"{rng.choice(ZH_CITY)}{rng.choice(ZH_BRAND)}{rng.choice(ZH_INDUSTRY)}"
                               f"{rng.choice(('有限公司', '股份有限公司'))}", f"分公司{index}")
            email = f"billing@company{index}.example"
        elif chinese:
            name = rng.choice(ZH_SURNAME) + rng.choice(ZH_GIVEN)
            email = f"{slug}@mail.example"
        elif is_company:
            if rng.random() < 0.6:
                base = f"{rng.choice(COMPANY_HEAD)} {rng.choice(COMPANY_BODY)}"
            else:
                base = f"{rng.choice(EN_LAST)} & {rng.choice(EN_LAST)}"
            name = self.unique(f"{base} {rng.choice(SUFFIXES[country])}", f"#{index}")
            slug = "".join(ch for ch in base.lower() if ch.isascii() and ch.isalnum())[:18] + str(index)
            email = f"billing@{slug}.example"
        else:
            first, last = rng.choice(EN_FIRST), rng.choice(EN_LAST)
            name = f"{first} {last}"
            email = f"{''.join(c for c in (first + '.' + last).lower() if c.isascii() and c not in ' ')}" \
                    f"{index}@mail.example"
        values: dict[str, Any] = {
            "name": name, "email": email, "lang": "zh_CN" if chinese else "en_US", "is_company": is_company,
            "customer_rank": rng.randrange(1, 20), "ref": f"C-{index:05d}",
            "vat": f"{country}{rng.randrange(10**8, 10**9)}" if is_company and rng.random() < 0.5 else None,
            "company_id": 1, **self.address(country),
            "write_date": self.clamp(office_time(self.today - timedelta(days=rng.randrange(30, 1500)),
                                            rng.randrange(36000))),
        }
        pid = self.partner(**values)
        client = Client(pid, name, values["lang"], country, currency, is_company,
                         weight=rng.lognormvariate(0, 0.9))
        if is_company and rng.random() < 0.10:
            first, last = rng.choice(EN_FIRST), rng.choice(EN_LAST)
            role = rng.choice(("Accounts Payable", "Finance", "Legal Ops Billing"))
            domain = email.split("@", 1)[1]
            client.billing_contact = self.partner(
                name=f"{first} {last} ({role})", parent_id=pid, commercial_partner_id=pid, type="invoice",
                email=f"{first.lower()}.{last.lower()}@{domain}".replace("'", ""), lang=values["lang"],
                company_id=1, write_date=values["write_date"])
        for _ in range(rng.choice((1, 1, 1, 2, 2, 3, 4, 6))):
            year = self.today.year - rng.choice((0, 0, 1, 1, 2, 3))
            ref = f"M-{year}-{self.seq(f'M-{year}'):04d}"
            client.matters.append((ref, rng.choice(ATTORNEYS)[0]))
        return client

    # ------------------------------------------------------------------ invoices

    def amount(self, currency: str) -> Decimal:
        rng = self.rng
        rate = rng.choice((250, 325, 400, 475, 550, 650, 750, 895))
        hours = Decimal(max(1, round(rng.lognormvariate(2.2, 0.9) * 10))) / 10
        disbursements = Decimal(rng.randrange(0, 50000)) / 100 if rng.random() < 0.4 else Decimal(0)
        total = (Decimal(rate) * hours + disbursements).quantize(CENT)
        return (total * 7).quantize(CENT) if currency == "CNY" else total

    def due_date(self) -> tuple[date, int]:
        """A due date in one of the aging buckets, and a payment term that keeps invoice_date <= today."""
        rng = self.rng
        term = rng.choice((30, 30, 30, 15, 45, 60, 0))
        bucket = rng.choices(("current", "1-30", "31-60", "61-90", "90+"), (20, 25, 18, 12, 25))[0]
        if bucket == "current":
            days = -rng.randint(0, term)
        else:
            low, high = {"1-30": (1, 30), "31-60": (31, 60), "61-90": (61, 90), "90+": (91, 900)}[bucket]
            days = rng.randint(low, high)
        return self.today - timedelta(days=days), term

    def invoice_spec(self, client: Client) -> dict[str, Any]:
        rng = self.rng
        due, term = self.due_date()
        invoice_date = due - timedelta(days=term)
        matter, attorney = rng.choice(client.matters)
        currency = client.currency if rng.random() < 0.95 else "USD"
        total = self.amount(currency)
        untaxed = total
        if client.country in ("DE", "FR") and rng.random() < 0.7:
            untaxed = (total / Decimal("1.19" if client.country == "DE" else "1.20")).quantize(CENT)
        partner = client.billing_contact if client.billing_contact and rng.random() < 0.9 else client.pid
        roll = rng.random()
        purchase_order = f"PO-{rng.randrange(10000, 99999)}"
        origin, ref = (matter, None) if roll < 0.85 else ((None, purchase_order) if roll < 0.95
                                                         else (matter, purchase_order))
        created = office_time(invoice_date, rng.randrange(36000))
        spec: dict[str, Any] = {
            "kind": "invoice", "date": invoice_date, "client": client, "move_type": "out_invoice",
            "partner_id": partner, "commercial_partner_id": client.pid, "invoice_user_id": attorney,
            "invoice_origin": origin, "ref": ref, "currency_id": CURRENCY_IDS[currency],
            "amount_total": total, "amount_untaxed": untaxed, "amount_tax": total - untaxed,
            "invoice_date": invoice_date, "invoice_date_due": due, "narration": rng.choice(self.narrations),
            "create_date": self.clamp(created),
            "write_date": self.clamp(created + timedelta(minutes=rng.randrange(5, 600))),
        }
        state_roll = rng.random()
        overdue_days = (self.today - due).days
        if state_roll < 0.02:
            spec.update(state="draft", payment_state="not_paid", amount_residual=total)
        elif state_roll < 0.04:
            spec.update(state="cancel", payment_state="not_paid", amount_residual=total)
        else:
            spec["state"] = "posted"
            paid_chance = 0.15 if overdue_days <= 0 else min(0.45, 0.25 + overdue_days / 2000)
            roll = rng.random()
            if roll < paid_chance:
                spec.update(payment_state="paid", amount_residual=Decimal("0.00"), pay=total)
            elif roll < paid_chance + 0.04:
                spec.update(payment_state="in_payment", amount_residual=Decimal("0.00"), pay=total)
            elif roll < paid_chance + 0.14:
                part = (total * Decimal(rng.randrange(20, 80)) / 100).quantize(CENT)
                spec.update(payment_state="partial", amount_residual=total - part, pay=part)
            else:
                spec.update(payment_state="not_paid", amount_residual=total)
        return spec

    def refund_spec(self, invoice: dict[str, Any], *, reverse: bool) -> dict[str, Any]:
        rng = self.rng
        when = min(self.today, invoice["date"] + timedelta(days=rng.randrange(1, 60)))
        total = invoice["amount_total"] if reverse else (invoice["amount_total"] * Decimal(rng.randrange(5, 30)) /
                                                         100).quantize(CENT)
        stamp = self.clamp(office_time(when, rng.randrange(36000)))
        return {
            "kind": "refund", "date": when, "client": invoice["client"], "move_type": "out_refund",
            "partner_id": invoice["partner_id"], "commercial_partner_id": invoice["commercial_partner_id"],
            "invoice_user_id": invoice["invoice_user_id"], "invoice_origin": invoice["invoice_origin"],
            "ref": "Reversal: billing error" if reverse else "Courtesy discount", "currency_id": invoice["currency_id"],
            "amount_total": total, "amount_untaxed": total, "amount_tax": Decimal("0.00"),
            "amount_residual": Decimal("0.00") if reverse else total, "state": "posted",
            "payment_state": "paid" if reverse else "not_paid", "invoice_date": when, "invoice_date_due": when,
            "narration": invoice["narration"], "reverses": invoice if reverse else None,
            "create_date": stamp, "write_date": stamp,
        }

    def vendor_bill_spec(self) -> dict[str, Any]:
        rng = self.rng
        due, term = self.due_date()
        when = due - timedelta(days=term)
        pid = rng.choice(VENDORS)[0]
        total = (Decimal(rng.randrange(5000, 500000)) / 100).quantize(CENT)
        stamp = self.clamp(office_time(when, rng.randrange(36000)))
        paid = rng.random() < 0.5
        return {
            "kind": "bill", "date": when, "move_type": "in_invoice", "partner_id": pid, "commercial_partner_id": pid,
            "ref": f"VB-{rng.randrange(100000, 999999)}", "currency_id": CURRENCY_IDS["USD"], "amount_total": total,
            "amount_untaxed": total, "amount_tax": Decimal("0.00"),
            "amount_residual": Decimal("0.00") if paid else total, "state": "posted",
            "payment_state": "paid" if paid else "not_paid", "invoice_date": when, "invoice_date_due": due,
            "create_date": stamp, "write_date": stamp,
        }

    def trust_spec(self, client: Client, *, deposit: bool, amount: Decimal, when: date,
                   state: str = "posted") -> dict[str, Any]:
        stamp = self.clamp(office_time(when, self.rng.randrange(36000)))
        return {
            "kind": "trust", "date": when, "move_type": "entry", "partner_id": client.pid,
            "commercial_partner_id": client.pid, "currency_id": CURRENCY_IDS["USD"], "amount_total": amount,
            "amount_untaxed": amount, "amount_tax": Decimal("0.00"), "amount_residual": Decimal("0.00"),
            "state": state, "payment_state": "not_paid",
            "ref": "Retainer deposit to trust" if deposit else "Disbursement from trust (filing fees)",
            "deposit": deposit, "create_date": stamp, "write_date": stamp,
        }

    # ------------------------------------------------------------------ materialise

    def materialise(self, specs: list[dict[str, Any]]) -> None:
        """Give moves ids and names in date order (as posting would), then payments and trust lines."""
        specs.sort(key=lambda s: s["date"])
        first = self.db.table("account.move").next_id
        for offset, spec in enumerate(specs):
            spec["id"] = first + offset
        pay_specs: list[tuple[date, dict[str, Any]]] = []
        rng = self.rng
        for spec in specs:
            kind = spec["kind"]
            year = spec["date"].year
            if spec.get("state") == "draft":
                name = "/"
            elif kind == "invoice":
                name = f"INV/{year}/{self.seq(f'INV/{year}'):05d}"
            elif kind == "refund":
                name = f"RINV/{year}/{self.seq(f'RINV/{year}'):05d}"
            elif kind == "bill":
                name = f"BILL/{year}/{spec['date'].month:02d}/{self.seq(f'BILL/{year}'):04d}"
            else:
                name = f"TRUST/{year}/{self.seq(f'TRUST/{year}'):05d}"
            spec["name"] = name
            reverses = spec.pop("reverses", None)
            if reverses is not None:
                spec["reversed_entry_id"] = reverses["id"]
            if spec.get("pay") is not None:
                when = min(self.today, spec["date"] + timedelta(days=rng.randrange(3, 90)))
                pay_specs.append((when, spec))
                paid_at = self.clamp(office_time(when, rng.randrange(36000)))
                spec["write_date"] = max(spec["write_date"], paid_at)
        batch = [s for s in specs if s["kind"] == "invoice" and s.get("state") == "posted"]
        for spec in rng.sample(batch, k=len(batch) * 3 // 100) if batch else []:
            spec["write_date"] = self.batch_write_date  # a cron recomputed them all in one second
        move_rows = []
        for spec in specs:
            row = {k: v for k, v in spec.items() if k not in ("kind", "client", "pay", "deposit")}
            row["company_id"] = 1
            move_rows.append(row)
            if spec["kind"] == "trust":
                self.trust_lines(spec)
        self.db.insert("account.move", move_rows)
        pay_specs.sort(key=lambda item: item[0])
        for when, spec in pay_specs:
            self.payment(spec, when)

    def payment(self, invoice: dict[str, Any], when: date, *, reconciled: bool = True) -> None:
        year = when.year
        stamp = self.clamp(office_time(when, self.rng.randrange(36000)))
        memo = invoice["name"] if reconciled else "Wire transfer - no remittance advice"
        self.payments.append({
            "name": f"PBNK1/{year}/{self.seq(f'PBNK1/{year}'):05d}", "partner_id": invoice["commercial_partner_id"],
            "amount": invoice["pay"], "currency_id": invoice["currency_id"], "date": when, "state": "posted",
            "payment_type": "inbound", "partner_type": "customer", "is_reconciled": reconciled,
            "is_matched": invoice.get("payment_state") != "in_payment",
            "reconciled_invoice_ids": [invoice["id"]] if reconciled else [],
            "ref": memo, "memo": memo, "create_date": stamp, "write_date": stamp,
        })

    def trust_lines(self, spec: dict[str, Any]) -> None:
        amount = spec["amount_total"]
        trust_side = (Decimal("0.00"), amount) if spec["deposit"] else (amount, Decimal("0.00"))
        bank_side = (trust_side[1], trust_side[0])
        for account, (debit, credit) in ((ACCOUNT_IDS["trust_bank"], bank_side), (ACCOUNT_IDS["trust"], trust_side)):
            self.lines.append({
                "id": self.next_line, "move_id": spec["id"], "name": spec["ref"], "account_id": account,
                "partner_id": spec["partner_id"], "debit": debit, "credit": credit, "balance": debit - credit,
                "currency_id": spec["currency_id"], "parent_state": spec["state"], "date": spec["date"],
                "create_date": spec["create_date"], "write_date": spec["write_date"],
            })
            self.next_line += 1
