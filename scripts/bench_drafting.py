"""Benchmark: drafting and storing reminders against a bare loop rendering the same templates, side by side.

At scale 1.0: a plan of 20,000 email actions (one per client; 1-4 invoices each, mostly USD with some
EUR, CNY and JPY; three in ten clients write Chinese; every shipped tier), on a SQLite store that
holds those clients, their billing contacts and the attorneys. Measured in one run:
  (a) the bare loop: the same compiled templates (subject, text, HTML) rendered with the same
      contexts, built beforehand and not timed;
  (b) drafting: drafts.draft_plan (keys, existing-key check, context with Babel formatting, render,
      insert of every reminder with its audit line) on an empty reminders table.
The two run in turn over slices of 5,000 clients, so that both see the same machine load; wall and
CPU time are both reported.
Target (issue 4): (b) <= 2 x (a). Also reported: reminders drafted and stored per second.
"""

from __future__ import annotations

import gc
import random
import tempfile
import time
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from overdue_reminder import config
from overdue_reminder.core.reminder_text import build_context, formatter, reference_for, shared_for, templates_for
from overdue_reminder.model import Action, ActionLine, Attorney, InvoiceKind, Partner, Plan
from overdue_reminder.services import reminders as drafts
from overdue_reminder.store import Store
from overdue_reminder.store.ledger import load_attorneys, load_partners, store_attorneys, store_partners

TODAY = date(2026, 3, 10)
NOW = datetime(2026, 3, 10, 23, 0, tzinfo=UTC)
SLICE = 5000  # clients per side-by-side slice: bare, then drafting, in turn
TIERS = [("courtesy", 0, -3), ("friendly", 1, 7), ("firm", 2, 30), ("final", 3, 60), ("escalation", 4, 90)]
CONFIG = """
source = "files"
[firm]
name = "Harper & Lowe LLP"
address = ["350 Fifth Avenue, Suite 4100", "New York, NY 10118"]
phone = "+1 212 555 0100"
email = "billing@harperlowe.example"
[store]
path = "bench.db"
[statements]
attach = false  # issue 4's figure is the email alone; scripts/bench_statements.py measures them attached
[payment]
[[payment.channels]]
label = "Bank transfer (USD)"
details = ["First Example Bank, New York", "ABA routing 021000021", "Account 1234567890"]
labels = { zh_CN = "银行转账（美元）" }
[[payment.channels]]
label = "Client portal"
url = "https://pay.harperlowe.example"
"""


def make_plan(n: int, seed: int = 4) -> tuple[Plan, list[Partner], list[Attorney]]:
    rnd = random.Random(seed)
    atts = [Attorney(900 + i, f"Attorney {i} Esq.", f"att{i}", f"att{i}@harperlowe.example") for i in range(40)]
    partners: list[Partner] = []
    actions: list[Action] = []
    inv_id = 1
    for c in range(1, n + 1):
        lang = "zh_CN" if rnd.random() < 0.3 else "en_US"
        name = f"客户{c}有限公司" if lang == "zh_CN" else f"Client {c} Holdings LLC"
        contact = 1_000_000 + c
        email = f"ap{c}@client{c}.example"
        partners += [Partner(c, name, c, email=email, lang=lang, is_company=True),
                     Partner(contact, f"Contact {c}", c, email=email, lang=lang)]
        tier, index, days = TIERS[rnd.randrange(len(TIERS))]
        lines = []
        totals: dict[str, Decimal] = {}
        for _ in range(rnd.choice((1, 1, 2, 2, 3, 4))):
            cur = rnd.choice(("USD",) * 7 + ("EUR", "CNY", "JPY"))
            total = Decimal(rnd.randrange(20_000, 2_000_000)) / (1 if cur == "JPY" else 100)
            paid = (total / 4).quantize(Decimal("1") if cur == "JPY" else Decimal("0.01")) if rnd.random() < 0.2 \
                else Decimal(0)
            age = days + rnd.randrange(0, 20)
            due = TODAY - timedelta(days=age)
            credit = rnd.random() < 0.05
            kind = InvoiceKind.CREDIT_NOTE if credit else InvoiceKind.INVOICE
            lines.append(ActionLine(inv_id, f"INV/2026/{inv_id:06d}", kind, f"2025-{c % 997:04d}", cur,
                                    due - timedelta(days=30), due, total, paid, total - paid, age))
            totals[cur] = totals.get(cur, Decimal(0)) + (-(total - paid) if credit else total - paid)
            inv_id += 1
        actions.append(Action(
            client_id=c, client_name=name, tier=tier, tier_index=index, channel="email", attorney_review=False,
            auto_send=tier == "courtesy", with_offer=False, matter_ref="", lines=tuple(lines), totals=totals,
            credits={}, unapplied_payments={}, max_days_past_due=max(ln.days_past_due for ln in lines),
            attorney_id=atts[c % len(atts)].id, contact_id=contact, to_email=email, language=lang, grade="B",
            reasons=(f"{tier} tier reached",)))
    return Plan(TODAY, tuple(actions), ()), partners, atts


def run(scale: float = 1.0) -> list[dict[str, Any]]:
    n = max(20, int(20_000 * scale))
    plan, partners, atts = make_plan(n)
    with tempfile.TemporaryDirectory() as tmp:
        cfg = Path(tmp) / "overdue-reminder.toml"
        cfg.write_text(CONFIG, encoding="utf-8")
        settings = config.load(str(cfg))
        store = Store(settings.store_url)
        store.upgrade()
        with store.begin() as conn:
            store_partners(conn, partners, NOW)
            store_attorneys(conn, atts)
        tpl = templates_for(settings)
        domain = drafts.message_domain(settings)

        # the same contexts draft_plan builds (same shared part, references, locales), built untimed
        with store.begin() as conn:
            shared = shared_for(settings, TODAY, partners=load_partners(conn), attorneys=load_attorneys(conn))
        jobs = []
        for a in plan.actions:
            key = drafts.idempotency_key(a.client_id, a.tier, TODAY, a.invoice_ids)
            tset = tpl.resolve(a.language, a.tier)
            fmt = formatter(tpl.locale(a.language, tset.language))
            jobs.append((tset, build_context(a, shared, reference=reference_for(key), language=tset.language,
                                             fmt=fmt)))
        assert domain

        def bare(part: list[Any]) -> int:
            size = 0
            for tset, ctx in part:
                size += len(tset.subject.render(ctx)) + len(tset.text.render(ctx)) + len(tset.html.render(ctx))
            return size

        bare(jobs)  # warm: every template compiled and every code path hot, for both sides
        drafts.draft_plan(store, settings, replace(plan, actions=plan.actions[:50], today=TODAY - timedelta(days=1)),
                          NOW)
        # Side by side in slices, bare then drafting, so both see the same machine load.
        t_bare = t_draft = c_bare = c_draft = 0.0
        size = created = 0
        for start in range(0, n, SLICE):
            part = replace(plan, actions=plan.actions[start:start + SLICE])
            gc.freeze()  # the prepared contexts are long-lived: spare the bare loop the GC walking them,
            t0, c0 = time.perf_counter(), time.process_time()  # as draft_plan spares itself the plan
            size += bare(jobs[start:start + SLICE])
            t1, c1 = time.perf_counter(), time.process_time()
            gc.unfreeze()
            created += len(drafts.draft_plan(store, settings, part, NOW).created)
            t_bare, c_bare = t_bare + t1 - t0, c_bare + c1 - c0
            t_draft, c_draft = t_draft + time.perf_counter() - t1, c_draft + time.process_time() - c1
        t0 = time.perf_counter()
        again = drafts.draft_plan(store, settings, plan, NOW)
        t_again = time.perf_counter() - t0
        store.dispose()
    assert created == n and again.created == [] and again.existing == n
    return [
        {"name": "drafting.bare_render", "value": round(t_bare, 3), "unit": "s",
         "note": f"{n} reminders x (subject, text, HTML) from prepared contexts ({size / n / 1024:.1f} KiB each)"},
        {"name": "drafting.draft_and_store", "value": round(t_draft, 3), "unit": "s",
         "note": f"{n} clients in slices of {SLICE}: keys, contexts, Babel, render, insert + audit (SQLite)"},
        {"name": "drafting.draft_vs_bare", "value": round(t_draft / t_bare, 3), "unit": "x",
         "note": f"wall time, target <= 2 (CPU time: {c_draft / c_bare:.2f} x)"},
        {"name": "drafting.reminders_per_second", "value": round(n / t_draft, 1), "unit": "/s",
         "note": "drafted and stored"},
        {"name": "drafting.rerun_same_day", "value": round(t_again, 3), "unit": "s",
         "note": f"the same plan again: {again.existing} already drafted, nothing added"},
    ]
