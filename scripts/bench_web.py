"""Benchmark: the attorney review page's server-side time per page with 1,000 items in one attorney's queue.

At scale 1.0 one attorney has 1,000 items awaiting them (800 letters, 200 offers over staff's limits, each on
its own client with three invoices, a reminder history and a contact), and nine other attorneys have 1,000
more letters, so every query filters a table twice the size of the queue. SQLite store, Flask's test client,
signed in through the form. Each page is requested `k` times (random items, queue pages in turn) after one
warm-up; the time is the app's own Server-Timing header (request in, response body out: session, queries,
template), reported as median and p95 in milliseconds:

  queue            one page of the queue (web.page_size = 100 rows), totals over all 1,000 items
  queue.all        all 1,000 rows on one page (web.page_size = 1000)
  queue.partner    the supervising partner's queue: all 2,200 items, one page of 100 shown
  letter           a letter page: the .docx text (parsed once, then cached by sha256), invoices, history,
                   contact log, grade, audit trail
  letter.cold      the same with the letter's .docx parsed on every request (an unseen letter)
  offer            an offer page: terms, schedule, covered invoices, audit trail
  client           a client page: timeline of every contact, aging chart (inline SVG), invoices, grade
  aging            the aging overview of the attorney's 3,000 open invoices, grouped by client
"""

from __future__ import annotations

import dataclasses
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import insert, select  # noqa: E402

from overdue_reminder import config  # noqa: E402
from overdue_reminder.core.clearance import Actor, Role  # noqa: E402
from overdue_reminder.core.offers import installment_plan  # noqa: E402
from overdue_reminder.errors import AuthError  # noqa: E402
from overdue_reminder.model import Action, ActionLine, Attorney, Invoice, InvoiceKind, Partner  # noqa: E402
from overdue_reminder.services import offers as offer_service  # noqa: E402
from overdue_reminder.services.letter_enclosures import write_sample_forms  # noqa: E402
from overdue_reminder.services.letters import create_letter  # noqa: E402
from overdue_reminder.services.review import DocCache  # noqa: E402
from overdue_reminder.store import Store  # noqa: E402
from overdue_reminder.store.ledger import store_attorneys, store_invoices, store_partners  # noqa: E402
from overdue_reminder.store.schema import contacts, holds, letters, reminders  # noqa: E402
from overdue_reminder.web import create_app  # noqa: E402
from overdue_reminder.web.auth import OdooUser  # noqa: E402

TODAY = date(2026, 3, 2)
NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
PASSWORD = "bench-password"
PARTNER = "partner@harperlowe.example"
ATTORNEYS = [Attorney(7 + i, f"Attorney {i}", f"att{i}", f"att{i}@harperlowe.example") for i in range(10)]
ME = ATTORNEYS[0]
CONFIG = f"""
source = "odoo"
[firm]
name = "Harper & Lowe LLP"
timezone = "America/New_York"
holiday_country = "US"
jurisdiction = "NY"
[odoo]
database = "firm"
[store]
path = "bench.db"
[letters]
dir = "letters"
supervising_partner = "{PARTNER}"
pdf = "never"
[offers]
supervising_partner = "{PARTNER}"
[letters.jurisdictions.NY.form_files]
"UCS 137-1" = "forms/SAMPLE-UCS-137-1.txt"
"UCS 137-2" = "forms/SAMPLE-UCS-137-2.txt"
"""


class _Auth:
    def __call__(self, login: str, password: str) -> OdooUser:
        if password != PASSWORD:
            raise AuthError("refused")
        att = next((a for a in ATTORNEYS if a.login == login), None)
        if att is not None:
            return OdooUser(att.id, att.login, att.email, att.name)
        return OdooUser(99, login, login, "Partner")


def _action(client: Partner, invs: list[Invoice], attorney: Attorney) -> Action:
    lines = tuple(ActionLine(i.id, i.name, i.kind, i.matter_ref, i.currency, i.invoice_date, i.due_date,
                             i.amount_total, Decimal(0), i.amount_residual, (TODAY - i.due_date).days) for i in invs)
    totals: dict[str, Decimal] = {}
    for ln in lines:
        totals[ln.currency] = totals.get(ln.currency, Decimal(0)) + ln.amount_residual
    return Action(client_id=client.id, client_name=client.name, tier="escalation", tier_index=4, channel="letter",
                  attorney_review=True, auto_send=False, with_offer=False, matter_ref="", lines=lines, totals=totals,
                  credits={}, unapplied_payments={}, max_days_past_due=max(ln.days_past_due for ln in lines),
                  attorney_id=attorney.id, contact_id=client.id, to_email=client.email, language="en_US",
                  grade="C", reasons=("bench",))


def build_firm(store: Store, settings: Any, n: int, seed: int = 5) -> dict[str, list[int]]:
    """n items for ME (4/5 letters, 1/5 offers) and n letters for the nine others; returns the ids."""
    rnd = random.Random(seed)
    n_offers = n // 5
    clients: list[Partner] = []
    invs: list[Invoice] = []
    owner: dict[int, Attorney] = {}
    for i in range(2 * n):
        cid = 100_000 + i
        att = ME if i < n else ATTORNEYS[1 + i % 9]
        clients.append(Partner(cid, f"Client {i:05d} Holdings LLC", cid, email=f"ap{i}@client.example",
                               lang="en_US", is_company=True))
        owner[cid] = att
        cur = "USD" if i < n_offers or rnd.random() < 0.7 else "EUR"
        for j in range(3):
            due = TODAY - timedelta(days=rnd.randint(5, 400))
            total = Decimal(rnd.randint(50_000, 900_000)) / 100
            invs.append(Invoice(cid * 10 + j, f"INV/2025/{cid * 10 + j}", InvoiceKind.INVOICE, cid, cid, att.id,
                                f"M-{cid}-{j % 2}", cur, total, total, due - timedelta(days=30), due, "not_paid", True))
    with store.begin() as conn:
        store_partners(conn, clients, NOW)
        store_attorneys(conn, ATTORNEYS)
        store_invoices(conn, invs, NOW)
    by_client: dict[int, list[Invoice]] = {}
    for inv in invs:
        by_client.setdefault(inv.client_id, []).append(inv)
    # One real letter (a real .docx); the other rows are that letter's row for other clients and invoices.
    real = clients[n_offers]
    first = create_letter(store, settings, _action(real, by_client[real.id], ME), today=TODAY,
                          now=NOW - timedelta(days=30)).letter
    with store.begin() as conn:
        template = dict(conn.execute(select(letters).where(letters.c.id == first.id)).one()._mapping)
    rows = []
    letter_clients = [c for i, c in enumerate(clients) if i > n_offers]
    for k, c in enumerate(letter_clients):
        mine = by_client[c.id]
        totals: dict[str, str] = {}
        for inv in mine:
            totals[inv.currency] = str(Decimal(totals.get(inv.currency, "0")) + inv.amount_residual)
        att = owner[c.id]
        rows.append({**{key: v for key, v in template.items() if key != "id"}, "client_id": c.id,
                     "invoice_ids": [i.id for i in mine], "totals": totals, "attorney_id": att.id,
                     "attorney_email": att.email, "idempotency_key": f"bench:{c.id}",
                     "created_at": NOW - timedelta(days=30, minutes=-k)})
    reminder_rows, contact_rows, hold_rows = [], [], []
    for i, c in enumerate(clients):
        for t, tier in enumerate(("friendly", "firm", "final")):
            day = TODAY - timedelta(days=90 - 30 * t)
            reminder_rows.append({
                "client_id": c.id, "tier": tier, "tier_index": t + 1, "channel": "email", "run_date": day,
                "invoice_ids": [inv.id for inv in by_client[c.id]], "totals": {"USD": "100.00"}, "status": "sent",
                "idempotency_key": f"bench:{c.id}:{tier}", "message_id": f"<{c.id}.{tier}@bench>",
                "created_at": datetime.combine(day, datetime.min.time(), tzinfo=UTC),
                "sent_at": datetime.combine(day, datetime.min.time(), tzinfo=UTC) + timedelta(hours=14),
                "to_address": c.email})
        contact_rows.append({"client_id": c.id, "at": NOW - timedelta(days=10), "by": "clerk@harperlowe.example",
                             "reason": "financial_hardship", "note": "Asked for more time"})
        if i % 10 == 0:
            hold_rows.append({"client_id": c.id, "kind": "pause", "reason": "Partner is calling",
                              "created_by": "clerk@harperlowe.example", "created_at": NOW - timedelta(days=5),
                              "until": TODAY + timedelta(days=3)})
    with store.begin() as conn:
        conn.execute(insert(letters), rows)
        conn.execute(insert(reminders), reminder_rows)
        conn.execute(insert(contacts), contact_rows)
        conn.execute(insert(holds), hold_rows)
    cal = settings.calendar()
    offer_ids = []
    # the offers are staff's proposals, made by a clerk who proved who they are (as the CLI would have them)
    CLERK = Actor("clerk@harperlowe.example", Role.STAFF, "os-user:bench")
    for k, c in enumerate(clients[:n_offers]):
        balance = sum((i.amount_residual for i in by_client[c.id]), Decimal(0))
        plan = installment_plan(balance, "USD", 8, "monthly", (balance / 10).quantize(Decimal("0.01")),
                                TODAY + timedelta(days=7), cal, offered_on=TODAY)
        rec = offer_service.propose(store, settings, client_id=c.id, offer=plan, by=CLERK,
                                    now=NOW - timedelta(hours=5, seconds=-k), reason_code="financial_hardship")
        offer_ids.append(rec.id)
    with store.begin() as conn:
        my_letters = [r.id for r in conn.execute(select(letters.c.id).where(letters.c.attorney_id == ME.id))]
    return {"letters": my_letters, "offers": offer_ids, "clients": [c.id for c in clients[:n]]}


def _signed_in(app: Any, login: str) -> Any:
    import re

    client = app.test_client()
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token is not None
    resp = client.post("/login", data={"login": login, "password": PASSWORD, "csrf_token": token.group(1)})
    assert resp.status_code == 303, resp.text
    return client


def _time(client: Any, urls: list[str], before: Any = None) -> list[float]:
    client.get(urls[0])  # warm-up: templates compiled, statements cached
    out = []
    for url in urls:
        if before is not None:
            before()
        resp = client.get(url)
        assert resp.status_code == 200, (url, resp.status_code)
        out.append(float(resp.headers["Server-Timing"].split("dur=")[1]))
    return out


def _p95(values: list[float]) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, round(0.95 * (len(s) - 1)))]


def run(scale: float) -> list[dict[str, Any]]:
    n = max(20, int(1000 * scale))
    k = max(20, int(200 * scale))
    rnd = random.Random(11)
    with tempfile.TemporaryDirectory() as tmp:
        cfg = Path(tmp) / "overdue-reminder.toml"
        write_sample_forms(Path(tmp) / "forms")  # the NY notice encloses them
        cfg.write_text(CONFIG, encoding="utf-8")
        settings = config.parse(CONFIG, str(cfg))
        store = Store(settings.store_url)
        store.upgrade()
        t0 = time.perf_counter()
        ids = build_firm(store, settings, n)
        t_build = time.perf_counter() - t0
        app = create_app(settings, store, auth=_Auth(), secret_key="b" * 40, clock=lambda: NOW)
        client = _signed_in(app, ME.login)
        pages = -(-n // settings.web.page_size)
        ctx = app.extensions["overdue_reminder"]

        def cold() -> None:
            ctx.docs = DocCache()

        timings: dict[str, list[float]] = {
            "queue": _time(client, [f"/queue?page={1 + i % pages}" for i in range(k)]),
            "letter": _time(client, [f"/letters/{rnd.choice(ids['letters'])}" for _ in range(k)]),
            "letter.cold": _time(client, [f"/letters/{rnd.choice(ids['letters'])}" for _ in range(k)], cold),
            "offer": _time(client, [f"/offers/{rnd.choice(ids['offers'])}" for _ in range(k)]),
            "client": _time(client, [f"/clients/{rnd.choice(ids['clients'])}" for _ in range(k)]),
            "aging": _time(client, ["/aging?by=client"] * k),
        }
        wide = dataclasses.replace(settings, web=dataclasses.replace(settings.web, page_size=1000))
        app_all = create_app(wide, store, auth=_Auth(), secret_key="b" * 40, clock=lambda: NOW)
        timings["queue.all"] = _time(_signed_in(app_all, ME.login), ["/queue"] * max(10, k // 4))
        timings["queue.partner"] = _time(_signed_in(app, PARTNER), ["/queue"] * max(10, k // 4))
        store.dispose()
    items = f"{n} items in the queue ({len(ids['letters'])} letters, {len(ids['offers'])} offers)"
    out: list[dict[str, Any]] = []
    for page, values in timings.items():
        out.append({"name": f"web.{page} median", "value": round(statistics.median(values), 2), "unit": "ms",
                    "note": f"{items}; {len(values)} requests, server-side (Server-Timing)"})
        out.append({"name": f"web.{page} p95", "value": round(_p95(values), 2), "unit": "ms",
                    "note": f"max {max(values):.2f} ms"})
    out.append({"name": "web.setup", "value": round(t_build, 1), "unit": "s",
                "note": f"building the firm: {2 * n} clients, {6 * n} invoices, {2 * n} letters, {n // 5} offers"})
    return out
