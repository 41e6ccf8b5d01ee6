"""Seed a real Odoo 17 (../shared/odoo/odoo-up) with a realistic law firm, through RPC only.

What it writes is also returned as ground truth (`Seeded`), so tests and benchmarks can compare a sync
field by field with what went in. Everything goes through the public RPC API a firm's Odoo exposes:
users, partners, invoices (created and posted in batches), credit notes, payments through
`account.payment.register` (full payments of many invoices in one wizard), a trust liability account
with deposits. Amounts carry no taxes (`tax_ids` empty), so an invoice's total is what the seeder priced.

    python -m overdue_reminder.sandbox.odoo_seed --clients 40 --out seed.json   # reads ODOO_* variables
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import xmlrpc.client
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import odoolib

# Amounts go to Odoo as doubles: XML-RPC cannot carry Decimal and Odoo's float fields round them to the
# currency; every amount seeded here is a whole number of cents, so float() is exact at this wire edge only.
TRUST_ACCOUNT_CODE = "2150"
TRUST_ACCOUNT_NAME = "Client trust funds (IOLTA)"
ATTORNEY_PASSWORD = "attorney-pass-17"
NO_RIGHTS_LOGIN, NO_RIGHTS_PASSWORD = "receptionist@firm.test", "reception-pass-17"
CURRENCIES = ("USD", "EUR", "CNY")
RATES = {"EUR": "0.92", "CNY": "7.10"}  # per USD, the company currency
# (days past due, share of invoices): every aging bucket, not yet due included
BUCKETS = ((-20, 0.10), (10, 0.20), (45, 0.20), (75, 0.15), (120, 0.15), (200, 0.10), (400, 0.10))
EN_COMPANIES = ("Harbor", "Summit", "Granite", "Juniper", "Bluewater", "Redwood", "Keystone", "Lakeside",
                "Northgate", "Silverline", "Ironbridge", "Maple")
EN_SUFFIX = ("Holdings LLC", "Logistics Inc.", "Capital Partners", "Foods Co.", "Realty Trust", "Labs Inc.")
EN_PEOPLE = ("Alice Moreno", "Brian Okafor", "Carla Jensen", "David Whitfield", "Elena Petrova", "Frank Liu",
             "Grace O'Neil", "Hector Ramos", "Ingrid Sato", "James Carter")
ZH_COMPANIES = ("上海华通贸易有限公司", "北京远景科技有限公司", "深圳海鸿电子有限公司", "广州天和物流有限公司",
                "杭州云帆网络有限公司", "成都锦程实业有限公司")
ZH_PEOPLE = ("王伟", "李娜", "张敏", "刘洋", "陈静", "杨磊", "赵丽", "黄强")
# Odoo logs a "document created" chatter message per move (and notifies its followers): a tenth of a
# move's cost, and a firm's old invoices' creation notices are long gone. Followers stay as Odoo makes them.
QUIET_CREATE = {"mail_create_nolog": True}
ATTORNEYS = (("Margaret Chen", "mchen"), ("Robert Hale", "rhale"), ("Sofia Alvarez", "salvarez"),
             ("Daniel Park", "dpark"))


@dataclass
class SeededInvoice:
    """One customer document as the seeder wrote it, with what Odoo must now show for it."""

    id: int
    name: str
    move_type: str
    client_id: int  # the commercial partner
    contact_id: int  # partner_id: the billing contact (or the client itself)
    attorney_id: int
    matter_ref: str
    currency: str
    amount_total: str
    amount_residual: str
    invoice_date: str
    due_date: str
    payment_state: str
    state: str = "posted"

    @property
    def is_open(self) -> bool:
        return self.state == "posted" and self.payment_state in ("not_paid", "partial") \
            and Decimal(self.amount_residual) > 0


@dataclass
class SeededClient:
    id: int
    name: str
    is_company: bool
    lang: str
    email: str
    billing_contact_id: int  # the child contact invoices go to (== id for individuals without one)


@dataclass
class Seeded:
    """Ground truth of one seeding run."""

    today: str
    company_currency: str
    attorneys: dict[int, str] = field(default_factory=dict)  # uid -> login
    attorney_password: str = ATTORNEY_PASSWORD
    no_rights_login: str = NO_RIGHTS_LOGIN
    no_rights_password: str = NO_RIGHTS_PASSWORD
    no_rights_uid: int = 0
    clients: dict[int, SeededClient] = field(default_factory=dict)
    invoices: dict[int, SeededInvoice] = field(default_factory=dict)
    trust_account_code: str = TRUST_ACCOUNT_CODE
    trust: dict[int, str] = field(default_factory=dict)  # client id -> USD held
    payments: int = 0

    def to_json(self) -> str:
        doc = asdict(self)
        return json.dumps(doc, ensure_ascii=False, indent=1, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> Seeded:
        doc = json.loads(text)
        s = cls(today=doc["today"], company_currency=doc["company_currency"])
        s.attorneys = {int(k): v for k, v in doc["attorneys"].items()}
        s.attorney_password = doc["attorney_password"]
        s.no_rights_login, s.no_rights_password = doc["no_rights_login"], doc["no_rights_password"]
        s.no_rights_uid = doc["no_rights_uid"]
        s.clients = {int(k): SeededClient(**v) for k, v in doc["clients"].items()}
        s.invoices = {int(k): SeededInvoice(**v) for k, v in doc["invoices"].items()}
        s.trust_account_code = doc["trust_account_code"]
        s.trust = {int(k): v for k, v in doc["trust"].items()}
        s.payments = doc["payments"]
        return s

    def open_invoices(self) -> list[SeededInvoice]:
        return [i for i in self.invoices.values() if i.is_open]


class OdooRpc:
    """execute_kw on a real Odoo through odoo-client-lib over XML-RPC (no client-side timeout: creating
    a few hundred invoices in one call takes a while). The sandbox package stands apart from sources/."""

    def __init__(self, host: str, port: int, database: str, login: str, password: str) -> None:
        self.database, self._password = database, password
        self.connection = odoolib.get_connection(hostname=host, protocol="xmlrpc", port=port, database=database,
                                                 login=login, password=password)
        self.uid: int | None = None

    def authenticate(self) -> int:
        self.connection.check_login()
        self.uid = int(self.connection.user_id)
        return self.uid

    def execute(self, model: str, method: str, *args: Any, **kwargs: Any) -> Any:
        if self.uid is None:
            self.authenticate()
        try:
            return self.connection.get_service("object").execute_kw(self.database, self.uid, self._password, model,
                                                                      method, list(args), kwargs)
        except xmlrpc.client.Fault as exc:
            if "cannot marshal None" in str(exc.faultString):  # the method ran; XML-RPC cannot say None
                return None
            raise

    def close(self) -> None:
        return None


def _id(result: Any) -> int:
    return int(result[0] if isinstance(result, list) else result)


def _chunks(items: Sequence[Any], size: int) -> Iterable[Sequence[Any]]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


class OdooSeeder:
    """Writes the firm through one RpcClient (admin); each step is a handful of batched calls."""

    def __init__(self, client: OdooRpc, *, today: date | None = None, seed: int = 17, batch: int = 200) -> None:
        self.rpc = client
        self.today = today or date.today()
        self.rand = random.Random(seed)
        self.batch = batch
        self._currency_ids: dict[str, int] = {}
        self._refs: dict[str, int] = {}

    # ------------------------------------------------------------ reference data
    def ref(self, xmlid: str) -> int:
        if xmlid not in self._refs:
            module, name = xmlid.split(".", 1)
            rows = self.rpc.execute("ir.model.data", "search_read", [("module", "=", module), ("name", "=", name)],
                                    fields=["res_id"], limit=1)
            if not rows:
                raise LookupError(f"no record {xmlid} in this Odoo")
            self._refs[xmlid] = int(rows[0]["res_id"])
        return self._refs[xmlid]

    def currencies(self) -> dict[str, int]:
        """Activate EUR and CNY (inactive in a fresh database) and give them a rate against USD."""
        if self._currency_ids:
            return self._currency_ids
        rows = self.rpc.execute("res.currency", "search_read", [("name", "in", list(CURRENCIES))],
                                fields=["name", "active"], context={"active_test": False})
        ids = {r["name"]: int(r["id"]) for r in rows}
        inactive = [int(r["id"]) for r in rows if not r["active"]]
        if inactive:
            self.rpc.execute("res.currency", "write", inactive, {"active": True})
        for code, rate in RATES.items():
            have = self.rpc.execute("res.currency.rate", "search_count", [("currency_id", "=", ids[code])])
            if not have:
                self.rpc.execute("res.currency.rate", "create", {
                    "currency_id": ids[code], "rate": float(rate),
                    "name": (self.today - timedelta(days=800)).isoformat()})
        self._currency_ids = ids
        return ids

    def trust_account(self) -> int:
        """The trust liability account the configuration names (Odoo's generic chart has none)."""
        rows = self.rpc.execute("account.account", "search_read", [("code", "=", TRUST_ACCOUNT_CODE)],
                                fields=["id"], limit=1)
        if rows:
            return int(rows[0]["id"])
        return _id(self.rpc.execute("account.account", "create", {
            "code": TRUST_ACCOUNT_CODE, "name": TRUST_ACCOUNT_NAME, "account_type": "liability_current",
            "reconcile": False}))

    def journal(self, kind: str) -> dict[str, Any]:
        rows = self.rpc.execute("account.journal", "search_read", [("type", "=", kind)],
                                fields=["id", "default_account_id"], order="id", limit=1)
        if not rows:
            raise LookupError(f"no {kind} journal in this Odoo")
        return dict(rows[0])

    # ------------------------------------------------------------ people
    def attorneys(self, seeded: Seeded) -> list[int]:
        """The firm's attorneys as internal users with the Billing group (they read invoices, sign in)."""
        billing = self.ref("account.group_account_invoice")
        wanted = [(name, f"{login}@firm.test") for name, login in ATTORNEYS]
        have = {r["login"]: int(r["id"]) for r in self.rpc.execute(
            "res.users", "search_read", [("login", "in", [w[1] for w in wanted])], fields=["login"])}
        new = [{"name": n, "login": lg, "email": lg, "password": ATTORNEY_PASSWORD, "notification_type": "email",
                "groups_id": [(6, 0, [self.ref("base.group_user"), billing])]}
               for n, lg in wanted if lg not in have]
        if new:
            created = self.rpc.execute("res.users", "create", new)
            for vals, uid in zip(new, created if isinstance(created, list) else [created], strict=True):
                have[vals["login"]] = int(uid)
        for _n, lg in wanted:
            seeded.attorneys[have[lg]] = lg
        rows = self.rpc.execute("res.users", "search_read", [("login", "=", NO_RIGHTS_LOGIN)], fields=["id"])
        if rows:
            seeded.no_rights_uid = int(rows[0]["id"])
        else:  # an internal user without any accounting group: may sign in, may not read invoices
            seeded.no_rights_uid = _id(self.rpc.execute("res.users", "create", {
                "name": "Front Desk", "login": NO_RIGHTS_LOGIN, "email": NO_RIGHTS_LOGIN,
                "password": NO_RIGHTS_PASSWORD, "groups_id": [(6, 0, [self.ref("base.group_user")])]}))
        return list(seeded.attorneys)

    def clients(self, seeded: Seeded, count: int, *, start: int = 0) -> list[SeededClient]:
        """Companies with a billing contact, and individuals; about a quarter Chinese (zh_CN)."""
        rand = self.rand
        tops: list[dict[str, Any]] = []
        for n in range(start, start + count):
            chinese = rand.random() < 0.25
            company = rand.random() < 0.6
            if company:
                base = rand.choice(ZH_COMPANIES) if chinese else \
                    f"{rand.choice(EN_COMPANIES)} {rand.choice(EN_SUFFIX)}"
                name = f"{base} {n + 1:04d}"
            else:
                name = f"{rand.choice(ZH_PEOPLE) if chinese else rand.choice(EN_PEOPLE)} {n + 1:04d}"
            tops.append({"name": name, "is_company": company, "lang": "zh_CN" if chinese else "en_US",
                         "email": f"client{n + 1:04d}@clients.test", "phone": f"+1 555 {n:04d}",
                         "street": f"{n + 1} Main Street", "city": "上海" if chinese else "Springfield",
                         "zip": f"{10000 + n}", "customer_rank": 1})
        out: list[SeededClient] = []
        for chunk in _chunks(tops, self.batch):
            ids = self.rpc.execute("res.partner", "create", list(chunk))
            contacts = [{"parent_id": pid, "type": "invoice", "name": f"Accounts payable {vals['name']}",
                         "email": f"ap.{vals['email']}", "lang": vals["lang"]}
                        for pid, vals in zip(ids, chunk, strict=True) if vals["is_company"]]
            contact_ids = iter(self.rpc.execute("res.partner", "create", contacts) if contacts else [])
            for pid, vals in zip(ids, chunk, strict=True):
                c = SeededClient(id=int(pid), name=vals["name"], is_company=vals["is_company"], lang=vals["lang"],
                                 email=vals["email"],
                                 billing_contact_id=int(next(contact_ids)) if vals["is_company"] else int(pid))
                seeded.clients[c.id] = c
                out.append(c)
        return out

    def company(self, seeded: Seeded, *, chinese: bool = False) -> SeededClient:
        """One company client with a billing contact (tests make their own, never touching the firm's)."""
        n = self.rand.randrange(100_000, 999_999)
        name = f"{self.rand.choice(ZH_COMPANIES)} T{n}" if chinese else f"Test Client {n} LLC"
        lang = "zh_CN" if chinese else "en_US"
        pid = _id(self.rpc.execute("res.partner", "create", {
            "name": name, "is_company": True, "lang": lang, "email": f"t{n}@clients.test", "customer_rank": 1,
            "street": f"{n} Test Road", "city": "Springfield", "zip": "12345"}))
        contact = _id(self.rpc.execute("res.partner", "create", {
            "parent_id": pid, "type": "invoice", "name": f"Accounts payable T{n}", "email": f"ap.t{n}@clients.test",
            "lang": lang}))
        client = SeededClient(pid, name, True, lang, f"t{n}@clients.test", contact)
        seeded.clients[pid] = client
        return client

    # ------------------------------------------------------------ documents
    def invoices(self, seeded: Seeded, clients: Sequence[SeededClient], per_client: float,
                 *, move_type: str = "out_invoice",
                 buckets: Sequence[tuple[int, float]] = BUCKETS) -> list[SeededInvoice]:
        """Invoices spread over the aging buckets, created and posted in batches."""
        rand = self.rand
        cur = self.currencies()
        attorneys = list(seeded.attorneys)
        vals_list: list[dict[str, Any]] = []
        meta: list[tuple[SeededClient, str, Decimal, date, date, int]] = []
        total_docs = max(1, round(per_client * len(clients)))
        for k in range(total_docs):
            client = clients[k % len(clients)]
            days_late = self._bucket(buckets)
            due = self.today - timedelta(days=days_late)
            inv_date = due - timedelta(days=30)
            code = "CNY" if client.lang == "zh_CN" and rand.random() < 0.7 else rand.choice(("USD", "USD", "EUR"))
            amount = Decimal(rand.randrange(25_000, 2_500_000)) / 100
            attorney = attorneys[k % len(attorneys)]
            matter = f"M-{client.id:05d}-{k % 3 + 1:02d}"
            vals_list.append({
                "move_type": move_type, "partner_id": client.billing_contact_id, "invoice_date": inv_date.isoformat(),
                "invoice_date_due": due.isoformat(), "currency_id": cur[code], "invoice_user_id": attorney,
                "ref": matter, "invoice_line_ids": [(0, 0, {
                    "name": "Professional services" if move_type == "out_invoice" else "Fee adjustment",
                    "quantity": 1, "price_unit": float(amount), "tax_ids": [(6, 0, [])]})]})
            meta.append((client, code, amount, inv_date, due, attorney))
        out: list[SeededInvoice] = []
        for chunk_vals, chunk_meta in zip(_chunks(vals_list, self.batch), _chunks(meta, self.batch), strict=True):
            ids = [int(i) for i in self.rpc.execute("account.move", "create", list(chunk_vals), context=QUIET_CREATE)]
            self.rpc.execute("account.move", "action_post", ids)
            names = {int(r["id"]): r["name"] for r in self.rpc.execute("account.move", "read", ids, fields=["name"])}
            for mid, (client, code, amount, inv_date, due, attorney), vals in zip(ids, chunk_meta, chunk_vals,
                                                                                  strict=True):
                inv = SeededInvoice(id=mid, name=names[mid], move_type=move_type, client_id=client.id,
                                    contact_id=client.billing_contact_id, attorney_id=attorney,
                                    matter_ref=vals["ref"], currency=code, amount_total=str(amount),
                                    amount_residual=str(amount), invoice_date=inv_date.isoformat(),
                                    due_date=due.isoformat(), payment_state="not_paid")
                seeded.invoices[mid] = inv
                out.append(inv)
        return out

    def _bucket(self, buckets: Sequence[tuple[int, float]]) -> int:
        r, acc = self.rand.random(), 0.0
        for days, share in buckets:
            acc += share
            if r < acc:
                return days + self.rand.randrange(0, 15)
        return buckets[-1][0]

    def pay_full(self, seeded: Seeded, invoices: Sequence[SeededInvoice]) -> None:
        """Full payments, many invoices per `account.payment.register` wizard (one payment each)."""
        for chunk in _chunks(list(invoices), self.batch):
            ids = [i.id for i in chunk]
            ctx = {"active_model": "account.move", "active_ids": ids}
            wiz = self.rpc.execute("account.payment.register", "create",
                                   {"payment_date": self.today.isoformat(), "group_payment": False}, context=ctx)
            self.rpc.execute("account.payment.register", "action_create_payments", [_id(wiz)], context=ctx)
            for inv in chunk:
                inv.amount_residual = "0.00"
                inv.payment_state = "paid"
                seeded.payments += 1
        self._expect_payment_state(invoices)

    def pay_partial(self, seeded: Seeded, inv: SeededInvoice, amount: Decimal) -> None:
        """A partial payment of one invoice: its own wizard with the amount."""
        ctx = {"active_model": "account.move", "active_ids": [inv.id]}
        wiz = self.rpc.execute("account.payment.register", "create",
                               {"payment_date": self.today.isoformat(), "amount": float(amount)}, context=ctx)
        self.rpc.execute("account.payment.register", "action_create_payments", [_id(wiz)], context=ctx)
        inv.amount_residual = str(Decimal(inv.amount_residual) - amount)
        inv.payment_state = "partial"
        seeded.payments += 1

    def _expect_payment_state(self, invoices: Sequence[SeededInvoice]) -> None:
        """Odoo 17 without a bank statement marks a paid invoice 'in_payment' or 'paid' (outstanding
        account setting): take what Odoo says, it is closed either way."""
        if not invoices:
            return
        rows = self.rpc.execute("account.move", "read", [i.id for i in invoices], fields=["payment_state"])
        states = {int(r["id"]): r["payment_state"] for r in rows}
        for inv in invoices:
            inv.payment_state = states[inv.id]

    def apply_credit_note(self, seeded: Seeded, inv: SeededInvoice, amount: Decimal) -> SeededInvoice:
        """A credit note for part of an invoice, posted and reconciled against it."""
        client = seeded.clients[inv.client_id]
        refund = self._document(seeded, client, "out_refund", inv.currency, amount, inv.attorney_id,
                                inv.matter_ref, self.today - timedelta(days=5), self.today)
        lines = self.rpc.execute("account.move.line", "search_read",
                                 [("move_id", "=", refund.id), ("account_type", "=", "asset_receivable")],
                                 fields=["id"], limit=1)
        self.rpc.execute("account.move", "js_assign_outstanding_line", [inv.id], int(lines[0]["id"]))
        inv.amount_residual = str(Decimal(inv.amount_residual) - amount)
        inv.payment_state = "partial"
        refund.amount_residual, refund.payment_state = "0.00", "paid"
        self._expect_payment_state([refund])
        return refund

    def cancel(self, inv: SeededInvoice) -> None:
        """Reset to draft, then cancel: the invoice leaves the open set."""
        self.rpc.execute("account.move", "button_draft", [inv.id])
        self.rpc.execute("account.move", "button_cancel", [inv.id])
        inv.state = "cancel"

    def _document(self, seeded: Seeded, client: SeededClient, move_type: str, currency: str, amount: Decimal,
                  attorney: int, matter: str, inv_date: date, due: date) -> SeededInvoice:
        mid = _id(self.rpc.execute("account.move", "create", {
            "move_type": move_type, "partner_id": client.billing_contact_id, "invoice_date": inv_date.isoformat(),
            "invoice_date_due": due.isoformat(), "currency_id": self.currencies()[currency],
            "invoice_user_id": attorney, "ref": matter, "invoice_line_ids": [(0, 0, {
                "name": "Professional services", "quantity": 1, "price_unit": float(amount),
                "tax_ids": [(6, 0, [])]})]}))
        self.rpc.execute("account.move", "action_post", [mid])
        name = self.rpc.execute("account.move", "read", [mid], fields=["name"])[0]["name"]
        inv = SeededInvoice(id=mid, name=name, move_type=move_type, client_id=client.id,
                            contact_id=client.billing_contact_id, attorney_id=attorney, matter_ref=matter,
                            currency=currency, amount_total=str(amount), amount_residual=str(amount),
                            invoice_date=inv_date.isoformat(), due_date=due.isoformat(), payment_state="not_paid")
        seeded.invoices[mid] = inv
        return inv

    def invoice(self, seeded: Seeded, client: SeededClient, amount: Decimal, *, days_late: int = 45,
                currency: str = "USD", attorney: int | None = None) -> SeededInvoice:
        """One posted invoice (tests make their own, so they never disturb the shared firm)."""
        due = self.today - timedelta(days=days_late)
        return self._document(seeded, client, "out_invoice", currency, amount,
                              attorney or next(iter(seeded.attorneys)), f"M-{client.id:05d}-T", due - timedelta(30),
                              due)

    def trust_deposits(self, seeded: Seeded, clients: Sequence[SeededClient]) -> None:
        """Retainers into trust: debit the bank, credit the trust liability, one posted entry each batch."""
        trust = self.trust_account()
        bank = self.journal("bank")["default_account_id"][0]
        misc = self.journal("general")["id"]
        moves = []
        for c in clients:
            amount = Decimal(self.rand.randrange(1_000, 20_000))
            seeded.trust[c.id] = str(Decimal(seeded.trust.get(c.id, "0")) + amount)
            moves.append({"move_type": "entry", "journal_id": misc, "date": (self.today - timedelta(30)).isoformat(),
                          "ref": f"Retainer {c.name}", "line_ids": [
                              (0, 0, {"account_id": bank, "debit": float(amount), "partner_id": c.id,
                                      "name": "Retainer deposit"}),
                              (0, 0, {"account_id": trust, "credit": float(amount), "partner_id": c.id,
                                      "name": "Held in trust"})]})
        for chunk in _chunks(moves, self.batch):
            ids = self.rpc.execute("account.move", "create", list(chunk), context=QUIET_CREATE)
            self.rpc.execute("account.move", "action_post", [int(i) for i in ids])

    # ------------------------------------------------------------ the whole firm
    def firm(self, clients: int = 40, invoices_per_client: float = 3.0) -> Seeded:
        """A realistic firm: every aging bucket, three currencies, partial and full payments,
        credit notes (open and applied), one cancelled invoice, trust deposits."""
        seeded = Seeded(today=self.today.isoformat(), company_currency="USD")
        self.currencies()
        self.attorneys(seeded)
        people = self.clients(seeded, clients)
        docs = self.invoices(seeded, people, invoices_per_client)
        self.invoices(seeded, people[: max(1, clients // 10)], 1.0, move_type="out_refund")  # open credit notes
        rand = self.rand
        plain = [d for d in docs if d.move_type == "out_invoice"]
        rand.shuffle(plain)
        n = len(plain)
        full, partial, credit, cancelled = plain[: n // 10], plain[n // 10: n // 10 + n // 20], \
            plain[n // 10 + n // 20: n // 10 + n // 20 + max(1, n // 40)], plain[-1]
        self.pay_full(seeded, full)
        for inv in partial:
            self.pay_partial(seeded, inv, (Decimal(inv.amount_total) * Decimal("0.4")).quantize(Decimal("0.01")))
        for inv in credit:
            self.apply_credit_note(seeded, inv, (Decimal(inv.amount_total) / 4).quantize(Decimal("0.01")))
        self.cancel(cancelled)
        self.trust_deposits(seeded, people[::3])
        return seeded


def client_from_env(env: dict[str, str] | None = None, *, login: str = "", password: str = "") -> OdooRpc:
    """An RPC client for the server odoo-up started (its ODOO_* lines in the environment)."""
    e = env if env is not None else dict(os.environ)
    return OdooRpc(e["ODOO_HOST"], int(e["ODOO_PORT"]), e["ODOO_DB"], login or e["ODOO_LOGIN"],
                   password or e["ODOO_PASSWORD"])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--clients", type=int, default=40)
    ap.add_argument("--per-client", type=float, default=3.0)
    ap.add_argument("--out", required=True, help="write the ground truth (JSON) here")
    args = ap.parse_args(argv)
    if "ODOO_URL" not in os.environ:
        print("odoo_seed: set the ODOO_* variables odoo-up prints", file=sys.stderr)
        return 2
    client = client_from_env()
    try:
        seeded = OdooSeeder(client).firm(args.clients, args.per_client)
    finally:
        client.close()
    with open(args.out, "w", encoding="utf-8") as fh:
        fh.write(seeded.to_json())
    print(f"odoo_seed: {len(seeded.clients)} clients, {len(seeded.invoices)} documents "
          f"({len(seeded.open_invoices())} open), {seeded.payments} payments, {len(seeded.trust)} trust deposits",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
