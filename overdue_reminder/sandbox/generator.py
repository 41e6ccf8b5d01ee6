"""A seeded, realistic law firm in a SandboxDB: attorneys, clients, matters, invoices, payments, trust.

Deterministic for a given (seed, today, sizes): one `random.Random(seed)` drives everything and
all timestamps derive from `today`, never from the wall clock. Realistic on purpose where a
collections tool goes wrong: child billing contacts, three currencies, Chinese clients, every
aging bucket, partial and in-payment states, credit notes, unreconciled payments, vendor bills
and trust entries mixed into account.move, a cron that rewrote thousands of invoices in one second,
a privileged `narration` on every invoice, and a set of deliberately broken records (`bad`).
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from .models import GROUP_ACCOUNT_MANAGER, GROUP_INVOICE, GROUP_READONLY, GROUP_SYSTEM, GROUP_USER
from .store import CENT, SandboxDB

SANDBOX_DB = "lawfirm"
SANDBOX_LOGIN = "admin"
SANDBOX_PASSWORD = "admin-key"
CLERK_LOGIN = "clerk-noacct"
CLERK_PASSWORD = "clerk-key"
ATTORNEY_PASSWORD = "attorney-key"

ADMIN_UID = 2
CLERK_UID = 17
COMPANY_PARTNER_ID = 1
# Ids as a real Odoo 17 database has them (USD 1 and EUR 125 are from the samples).
CURRENCY_IDS: Mapping[str, int] = {"USD": 1, "EUR": 125, "CNY": 9, "XTS": 170}
COUNTRY_IDS: Mapping[str, int] = {"US": 233, "DE": 57, "CN": 48, "FR": 75, "GB": 231, "CA": 38}
ACCOUNT_IDS: Mapping[str, int] = {"receivable": 6, "bank": 31, "trust_bank": 32, "income": 45, "trust": 58}
TRUST_ACCOUNT_CODE = "2150"
FIRST_CLIENT_PARTNER_ID = 101

ATTORNEYS = (  # (uid, partner id, name, login)
    (6, 7, "Eleanor Harbor", "eleanor.harbor@harborreed.example"),
    (7, 8, "James Reed", "james.reed@harborreed.example"),
    (8, 9, "Samuel Whitfield", "samuel.whitfield@harborreed.example"),
    (9, 10, "Claire Dubois", "claire.dubois@harborreed.example"),
    (10, 11, "Priya Raman", "priya.raman@harborreed.example"),
    (11, 12, "Marcus Oyelaran", "marcus.oyelaran@harborreed.example"),
    (12, 13, "Wei Zhang", "wei.zhang@harborreed.example"),
    (13, 14, "Elena Petrova", "elena.petrova@harborreed.example"),
)
VENDORS = ((31, "Westlaw Research Services"), (32, "Metro Court Reporters LLC"), (33, "Iron Mountain Records"),
           (34, "Lexington Expert Witness Group"), (35, "City Courier & Process Servers"))

EN_FIRST = ("James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda", "David", "Elizabeth",
            "William", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah", "Charles", "Karen",
            "Daniel", "Nancy", "Matthew", "Lisa", "Anthony", "Betty", "Mark", "Margaret", "Steven", "Sandra",
            "Paul", "Ashley", "Andrew", "Kimberly", "Joshua", "Emily", "Kevin", "Michelle", "Brian", "Carol",
            "George", "Amanda", "Ingrid", "Olga", "Hans", "Pierre", "Sophie", "Lukas", "Amélie", "Chloé")
EN_LAST = ("Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez",
           "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore", "Jackson", "Martin",
           "Lee", "Perez", "Thompson", "White", "Harris", "Sanchez", "Clark", "Ramirez", "Lewis", "Robinson",
           "Walker", "Young", "Allen", "King", "Wright", "Scott", "Torres", "Nguyen", "Hill", "Flores", "Green",
           "Adams", "Nelson", "Baker", "Hall", "Rivera", "Campbell", "Mitchell", "Carter", "Roberts", "Schmidt",
           "Müller", "Lefèvre", "Fischer", "Weber", "O'Connor")
COMPANY_HEAD = ("Keystone", "Brightwater", "Northwind", "Silverline", "Redwood", "Summit", "Harborview", "Ironbridge",
                "Bluepeak", "Crescent", "Evergreen", "Granite", "Lakeshore", "Meridian", "Oakridge", "Pinnacle",
                "Riverside", "Stonegate", "Tidewater", "Westbrook", "Aurora", "Beacon", "Cascade", "Driftwood",
                "Falcon", "Highland", "Juniper", "Kingsley", "Lighthouse", "Maple", "Nova", "Orion", "Pacific",
                "Quarry", "Sterling", "Trident", "Vanguard", "Willow", "Zenith", "Copperfield")
COMPANY_BODY = ("Capital Partners", "Logistics", "Biotech", "Properties", "Manufacturing", "Software", "Foods",
                "Energy", "Media", "Health Systems", "Construction", "Retail Group", "Holdings", "Ventures",
                "Analytics", "Shipping", "Textiles", "Robotics", "Pharmaceuticals", "Consulting", "Aerospace",
                "Hospitality", "Insurance Brokers", "Semiconductors", "Realty Trust")
SUFFIXES = {"US": ("LLC", "Inc.", "LP", "Corp.", "Co."), "GB": ("Ltd", "PLC", "LLP"), "DE": ("GmbH", "AG"),
            "FR": ("SAS", "SA", "SARL"), "CA": ("Inc.", "Ltd."), "CN": ("Ltd.",)}


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


ZH_CITY = _words("杭州 北京 上海 深圳 广州 成都 南京 苏州 武汉 西安 天津 重庆")
ZH_BRAND = _words("云帆 华信 天成 瑞丰 金桥 远航 博达 恒通 鼎盛 新元 宏图 中科 嘉禾 东方 盛世 锦程 汇丰源 长青")
ZH_INDUSTRY = _words("网络科技 贸易 医药 投资管理 建设工程 物流 文化传媒 电子 新能源 食品 生物技术 咨询")
ZH_SURNAME = _words("王 李 张 刘 陈 杨 黄 赵 吴 周 徐 孙 马 朱 胡 郭 何 高 林 罗")
ZH_GIVEN = _words("伟 芳 娜 秀英 敏 静 丽 强 磊 军 洋 勇 艳 杰 娟 涛 明 超 秀兰 霞 "
                  "平 刚 桂英 建华 晓东 海燕 志强 文博 思远 雨桐")
ADDRESSES = {
    "US": (("Boston", "02135"), ("New York", "10017"), ("Chicago", "60601"), ("San Francisco", "94105"),
           ("Austin", "78701"), ("Seattle", "98101"), ("Denver", "80202"), ("Miami", "33131")),
    "GB": (("London", "EC2A 4NE"), ("Manchester", "M1 1AE"), ("Edinburgh", "EH1 1YZ")),
    "DE": (("Berlin", "10115"), ("München", "80331"), ("Hamburg", "20095"), ("Frankfurt am Main", "60311")),
    "FR": (("Paris", "75008"), ("Lyon", "69002"), ("Marseille", "13001")),
    "CA": (("Toronto", "M5H 2N2"), ("Vancouver", "V6C 1T2"), ("Montréal", "H3B 4W8")),
    "CN": (("Beijing", "100000"), ("Shanghai", "200000"), ("Hangzhou", "310000"), ("Shenzhen", "518000")),
}
STREETS = {"US": ("Hill St", "Main St", "Oak Ave", "Market St", "Elm St", "Congress Ave", "Lake Shore Dr"),
           "GB": ("Old Broad Street", "King's Road", "Princes Street"),
           "DE": ("Friedrichstraße", "Maximilianstraße", "Jungfernstieg", "Zeil"),
           "FR": ("rue de Rivoli", "avenue des Champs-Élysées", "rue de la République"),
           "CA": ("Bay Street", "Granville Street", "Rue Sainte-Catherine"),
           "CN": ("北京市朝阳区建国路", "上海市浦东新区世纪大道", "杭州市西湖区文三路", "深圳市南山区科技园路")}
TASKS = ("Drafted and revised motion to compel discovery", "Conference with client regarding settlement strategy",
         "Legal research on statute of limitations defenses", "Prepared outline for deposition of the CFO",
         "Reviewed internal emails concerning alleged misconduct", "Analysed exposure under indemnification clause",
         "Drafted privileged memorandum on litigation risk", "Negotiated terms of severance agreement",
         "Prepared response to regulator's document request", "Reviewed board minutes for disclosure issues",
         "Strategy session on criminal referral risk", "Drafted witness statement of former employee")
TOPICS = ("the pending arbitration against the former distributor", "the SEC inquiry into revenue recognition",
          "the wrongful termination claim brought by a former manager", "the patent infringement suit",
          "merger due diligence findings", "the internal embezzlement investigation",
          "the custody dispute and related asset tracing", "the environmental contamination claim",
          "the trade secret misappropriation matter", "the tax audit and voluntary disclosure")


@dataclass(frozen=True)
class FirmSummary:
    """What was generated, with the ids tests need (examples, deliberately bad records)."""

    seed: int
    today: date
    db_name: str
    admin_uid: int
    clerk_uid: int
    attorney_uids: tuple[int, ...]
    company_partner_id: int
    client_ids: tuple[int, ...]
    contact_ids: tuple[int, ...]
    invoices: int
    credit_notes: int
    vendor_bills: int
    trust_entries: int
    moves: int
    payments: int
    trust_account_id: int
    batch_write_date: datetime
    currency_ids: Mapping[str, int] = field(default_factory=lambda: dict(CURRENCY_IDS))
    bad: Mapping[str, int] = field(default_factory=dict)
    examples: Mapping[str, int] = field(default_factory=dict)


@dataclass
class _Client:
    pid: int
    name: str
    lang: str
    country: str
    currency: str
    is_company: bool
    billing_contact: int | None = None
    matters: list[tuple[str, int]] = field(default_factory=list)  # (reference, attorney uid)
    weight: float = 1.0


def _stamp(day: date, seconds: int) -> datetime:
    return datetime.combine(day, time(8)) + timedelta(seconds=seconds)


class _Builder:
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

    def client(self, index: int) -> _Client:
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
            "write_date": self.clamp(_stamp(self.today - timedelta(days=rng.randrange(30, 1500)),
                                            rng.randrange(36000))),
        }
        pid = self.partner(**values)
        client = _Client(pid, name, values["lang"], country, currency, is_company,
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

    def invoice_spec(self, client: _Client) -> dict[str, Any]:
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
        created = _stamp(invoice_date, rng.randrange(36000))
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
        stamp = self.clamp(_stamp(when, rng.randrange(36000)))
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
        stamp = self.clamp(_stamp(when, rng.randrange(36000)))
        paid = rng.random() < 0.5
        return {
            "kind": "bill", "date": when, "move_type": "in_invoice", "partner_id": pid, "commercial_partner_id": pid,
            "ref": f"VB-{rng.randrange(100000, 999999)}", "currency_id": CURRENCY_IDS["USD"], "amount_total": total,
            "amount_untaxed": total, "amount_tax": Decimal("0.00"),
            "amount_residual": Decimal("0.00") if paid else total, "state": "posted",
            "payment_state": "paid" if paid else "not_paid", "invoice_date": when, "invoice_date_due": due,
            "create_date": stamp, "write_date": stamp,
        }

    def trust_spec(self, client: _Client, *, deposit: bool, amount: Decimal, when: date,
                   state: str = "posted") -> dict[str, Any]:
        stamp = self.clamp(_stamp(when, self.rng.randrange(36000)))
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
                paid_at = self.clamp(_stamp(when, rng.randrange(36000)))
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
        stamp = self.clamp(_stamp(when, self.rng.randrange(36000)))
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


def generate_firm(db: SandboxDB, *, clients: int, invoices: int, seed: int = 7, today: date) -> FirmSummary:
    """Fill an empty SandboxDB with a law firm; same arguments, same data (ids, names, amounts, dates)."""
    with db.lock:
        if db.table("res.partner").rows:
            raise ValueError("generate_firm needs an empty SandboxDB")
        db.clock.set(datetime.combine(today, time(9)))
        b = _Builder(db, seed, today)
        b.base()
        rng = b.rng
        roster = [b.client(i + 1) for i in range(clients)]
        specs: list[dict[str, Any]] = []
        if roster:
            weights = [c.weight for c in roster]
            for client in rng.choices(roster, weights=weights, k=invoices):
                specs.append(b.invoice_spec(client))
            open_posted = [s for s in specs if s.get("payment_state") == "not_paid" and s["state"] == "posted"]
            paid = [s for s in specs if s.get("payment_state") == "paid"]
            for inv in rng.sample(open_posted, k=min(len(open_posted), invoices * 15 // 1000)):
                inv.update(payment_state="reversed", amount_residual=Decimal("0.00"))
                specs.append(b.refund_spec(inv, reverse=True))
            for inv in rng.sample(paid, k=min(len(paid), invoices // 100)):
                specs.append(b.refund_spec(inv, reverse=False))
            for _ in range(max(1, invoices // 200)):
                specs.append(b.vendor_bill_spec())
            for client in rng.sample(roster, k=max(1, len(roster) * 8 // 100)):
                when = today - timedelta(days=rng.randrange(10, 700))
                deposit = Decimal(rng.randrange(20, 500)) * 100
                specs.append(b.trust_spec(client, deposit=True, amount=deposit, when=when))
                if rng.random() < 0.4:
                    drawn = (deposit * Decimal(rng.randrange(10, 90)) / 100).quantize(CENT)
                    specs.append(b.trust_spec(client, deposit=False, amount=drawn,
                                              when=min(today, when + timedelta(days=rng.randrange(1, 200)))))
        b.materialise(specs)
        bad, examples = _special_records(b)
        db.insert("res.partner", b.partners)
        b.payments.extend(_unreconciled_payments(b, roster))
        stale = "ref" if db.major >= 18 else "memo"  # account.payment.ref became memo in Odoo 18
        for payment in b.payments:
            del payment[stale]
        db.insert("account.payment", b.payments)
        db.insert("account.move.line", b.lines)
        db.sequences.update(b.sequences)
        db.meta["narrations"] = b.narrations
        client_ids = tuple(c.pid for c in roster) + tuple(v for k, v in bad.items() if k.startswith("client_"))
        summary = FirmSummary(
            seed=seed, today=today, db_name=db.name, admin_uid=ADMIN_UID, clerk_uid=CLERK_UID,
            attorney_uids=tuple(a[0] for a in ATTORNEYS), company_partner_id=COMPANY_PARTNER_ID,
            client_ids=client_ids + tuple(v for k, v in examples.items() if k.endswith("_client")),
            contact_ids=tuple(c.billing_contact for c in roster if c.billing_contact)
            + ((examples["child_contact"],) if "child_contact" in examples else ()),
            invoices=sum(1 for s in specs if s["kind"] == "invoice"),
            credit_notes=sum(1 for s in specs if s["kind"] == "refund"),
            vendor_bills=sum(1 for s in specs if s["kind"] == "bill"),
            trust_entries=sum(1 for s in specs if s["kind"] == "trust"),
            moves=len(db.table("account.move").rows), payments=len(db.table("account.payment").rows),
            trust_account_id=ACCOUNT_IDS["trust"], batch_write_date=b.batch_write_date,
            bad=bad, examples=examples,
        )
        return summary


def _unreconciled_payments(b: _Builder, roster: list[_Client]) -> list[dict[str, Any]]:
    rng = b.rng
    out = []
    for client in rng.sample(roster, k=len(roster) * 3 // 100) if roster else []:
        when = b.today - timedelta(days=rng.randrange(1, 120))
        currency = CURRENCY_IDS[client.currency]
        amount = (Decimal(rng.randrange(50000, 2000000)) / 100).quantize(CENT)
        stamp = b.clamp(_stamp(when, rng.randrange(36000)))
        memo = "Wire transfer - no remittance advice"
        out.append({
            "name": f"PBNK1/{when.year}/{b.seq(f'PBNK1/{when.year}'):05d}", "partner_id": client.pid, "amount": amount,
            "currency_id": currency, "date": when, "state": "posted", "payment_type": "inbound",
            "partner_type": "customer", "is_reconciled": False, "is_matched": True, "reconciled_invoice_ids": [],
            "ref": memo, "memo": memo, "create_date": stamp, "write_date": stamp,
        })
    return out


def _special_records(b: _Builder) -> tuple[dict[str, int], dict[str, int]]:
    """Fixed clients and invoices every firm has, whatever its size: sample-like examples and bad data."""
    today = b.today
    bad: dict[str, int] = {}
    examples: dict[str, int] = {}
    clients: dict[str, _Client] = {}

    def client(key: str, name: str, *, email: str | None, lang: str = "en_US", country: str = "US",
               currency: str = "USD", is_company: bool = True, **extra: Any) -> _Client:
        values: dict[str, Any] = {"name": name, "email": email, "lang": lang, "is_company": is_company,
                                  "customer_rank": 1, "company_id": 1, **b.address(country), **extra}
        values["write_date"] = datetime.combine(today - timedelta(days=90), time(10))
        pid = b.partner(**values)
        c = _Client(pid, name, lang, country, currency, is_company, matters=[(f"M-{today.year}-9{len(clients):03d}",
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

    def invoice(c: _Client, key: str | None = None, *, partner: int | None = None, **changes: Any) -> dict[str, Any]:
        spec = b.invoice_spec(c)
        amount = spec["amount_total"]
        spec.update(state="posted", payment_state="not_paid", amount_residual=amount, amount_untaxed=amount,
                    amount_tax=Decimal("0.00"), invoice_date=overdue - timedelta(days=30), invoice_date_due=overdue,
                    date=overdue - timedelta(days=30), invoice_origin=c.matters[0][0], ref=None,
                    partner_id=partner or c.billing_contact or c.pid, commercial_partner_id=c.pid,
                    invoice_user_id=c.matters[0][1], currency_id=CURRENCY_IDS[c.currency])
        spec.pop("pay", None)
        stamp = _stamp(overdue - timedelta(days=30), b.rng.randrange(36000))
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
