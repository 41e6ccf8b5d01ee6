"""Benchmark: drafting reminders with their statements of account attached, against the bare render of the emails.

At scale 1.0: the drafting benchmark's plan (20,000 email actions, one per client, 1-4 invoices each in USD, EUR,
CNY or JPY; three in ten clients write Chinese), with those invoices stored in the ledger so that every statement
lists real open items. Measured in one run, side by side in slices of 1,000 clients:
  (a) the bare loop: subject, text and HTML rendered from prepared contexts (as scripts/bench_drafting.py);
  (b) drafting with statements: drafts.draft_plan with [statements] attach = true (ledger rows read per batch,
      statement built and rendered to PDF, sha256 in the audit line, reminders stored);
  (c) the statements alone: services.statements rendering the same clients' PDFs (statements per second).
Target (issue 17): (b) <= 3 x (a).
"""

from __future__ import annotations

import gc
import importlib.util
import sys
import tempfile
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from overdue_reminder import config
from overdue_reminder.core.reminder_text import build_context, formatter, reference_for, shared_for, templates_for
from overdue_reminder.model import Invoice, Plan
from overdue_reminder.services import reminders as drafts
from overdue_reminder.services.statements import Statements
from overdue_reminder.store import Store
from overdue_reminder.store.ledger import load_attorneys, load_partners, store_attorneys, store_invoices, store_partners

HERE = Path(__file__).resolve().parent
SLICE = 1000


def _drafting() -> Any:
    """scripts/bench_drafting.py: its plan and configuration, so the two figures describe the same reminders."""
    name = "bench_drafting"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, HERE / "bench_drafting.py")
        assert spec and spec.loader
        mod = importlib.util.module_from_spec(spec)
        sys.modules[name] = mod
        spec.loader.exec_module(mod)
    return sys.modules[name]


def _invoices(plan: Plan) -> list[Invoice]:
    return [Invoice(ln.invoice_id, ln.name, ln.kind, a.client_id, a.contact_id or a.client_id, a.attorney_id,
                    ln.matter_ref, ln.currency, ln.amount_total, ln.amount_residual, ln.invoice_date, ln.due_date,
                    "partial" if ln.amount_paid else "not_paid", True) for a in plan.actions for ln in a.lines]


def run(scale: float = 1.0) -> list[dict[str, Any]]:
    bd = _drafting()
    n = max(20, int(20_000 * scale))
    plan, partners, atts = bd.make_plan(n)
    today, now = bd.TODAY, datetime(2026, 3, 10, 23, 0, tzinfo=UTC)
    with tempfile.TemporaryDirectory() as tmp:
        cfg = Path(tmp) / "overdue-reminder.toml"
        cfg.write_text(bd.CONFIG.replace("attach = false", "attach = true"), encoding="utf-8")
        settings = config.load(str(cfg))
        store = Store(settings.store_url)
        store.upgrade()
        with store.begin() as conn:
            store_partners(conn, partners, now)
            store_attorneys(conn, atts)
            store_invoices(conn, _invoices(plan), now)
        tpl = templates_for(settings)
        with store.begin() as conn:
            shared = shared_for(settings, today, partners=load_partners(conn), attorneys=load_attorneys(conn))
        jobs = []
        for a in plan.actions:
            key = drafts.idempotency_key(a.client_id, a.tier, today, a.invoice_ids)
            tset = tpl.resolve(a.language, a.tier)
            fmt = formatter(tpl.locale(a.language, tset.language))
            jobs.append((tset, build_context(a, shared, reference=reference_for(key), language=tset.language,
                                             fmt=fmt)))

        def bare(part: list[Any]) -> int:
            return sum(len(t.subject.render(c)) + len(t.text.render(c)) + len(t.html.render(c)) for t, c in part)

        bare(jobs[:200])  # warm: templates compiled, fonts registered and their first subsets made
        drafts.draft_plan(store, settings, replace(plan, actions=plan.actions[:20], today=today.replace(day=9)), now)
        sheets = Statements(settings)
        t_bare = t_draft = t_sheets = 0.0
        size = created = pdf_bytes = 0
        for start in range(0, n, SLICE):
            part = plan.actions[start:start + SLICE]
            gc.freeze()
            t0 = time.perf_counter()
            size += bare(jobs[start:start + SLICE])
            t1 = time.perf_counter()
            gc.unfreeze()
            created += len(drafts.draft_plan(store, settings, replace(plan, actions=part), now).created)
            t2 = time.perf_counter()
            with store.begin() as conn:
                files = Statements(settings).preload(conn, [a.client_id for a in part], today,
                                                     {a.client_id: a.language for a in part})
            t3 = time.perf_counter()
            pdf_bytes += sum(len(f.data) for f in files.values())
            t_bare, t_draft, t_sheets = t_bare + t1 - t0, t_draft + t2 - t1, t_sheets + t3 - t2
        del sheets
        store.dispose()
    assert created == n
    return [
        {"name": "statements.bare_render", "value": round(t_bare, 3), "unit": "s",
         "note": f"{n} reminders x (subject, text, HTML) from prepared contexts ({size / n / 1024:.1f} KiB each)"},
        {"name": "statements.draft_with_statements", "value": round(t_draft, 3), "unit": "s",
         "note": f"{n} reminders drafted and stored, each with its statement PDF built, hashed and audited"},
        {"name": "statements.draft_vs_bare", "value": round(t_draft / t_bare, 3), "unit": "x",
         "note": "wall time, target <= 3"},
        {"name": "statements.statements_per_second", "value": round(n / t_sheets, 1), "unit": "/s",
         "note": f"ledger rows read and PDF rendered alone ({pdf_bytes / n / 1024:.1f} KiB each, 30% in Chinese)"},
    ]
