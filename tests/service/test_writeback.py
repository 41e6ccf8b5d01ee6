"""Odoo 16, 17 and 18 field names, and the chatter write-back, against the sandbox over real HTTP."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from actors import approve_drafts

from overdue_reminder import config
from overdue_reminder.cli.demo_cmd import write_demo_config
from overdue_reminder.run.pipeline import run_once
from overdue_reminder.run.wiring import make_source
from overdue_reminder.sandbox.harness import start_sandbox
from overdue_reminder.services import reminders as drafts
from overdue_reminder.store import Store

TODAY = date(2026, 11, 28)
NOON = datetime(2026, 11, 28, 17, 0, tzinfo=UTC)


@pytest.mark.parametrize("version", ["16.0", "17.0", "18.0"])
def test_nightly_pass_on_each_odoo_version_with_chatter_notes(tmp_path: Path, version: str) -> None:
    sb = start_sandbox(clients=40, invoices=200, today=TODAY, seed=9, version=version)
    try:
        s = sb.odoo_settings()
        cfg = write_demo_config(tmp_path, sb.server.port, s.database, s.login)
        text = cfg.read_text().replace("[odoo]\n", "[odoo]\nwrite_back = true\n")
        text = text.replace("[delivery]\n", "[delivery]\nwrite_back_notes = true\n")
        cfg.write_text(text)
        settings = config.load(str(cfg))
        store = Store(settings.store_url)
        store.upgrade()
        first = run_once(settings, store, lambda: make_source(settings), TODAY, now=lambda: NOON)
        assert first.steps["sync"]["new"] > 30
        unreconciled = sb.db.search("account.payment", [("partner_type", "=", "customer"),
                                                        ("is_reconciled", "=", False),
                                                        ("state", "not in", ["draft", "cancel", "canceled"])])
        assert first.steps["sync"]["payments"] == len(unreconciled)  # payment states differ by version
        waiting = drafts.list_reminders(store, statuses=(drafts.DRAFT,))
        approve_drafts(store, waiting, NOON, clerk="clerk@firm.example", partner_name="partner@firm.example",
                       settings=settings)
        second = run_once(settings, store, lambda: make_source(settings), TODAY, now=lambda: NOON)
        sent = second.steps["deliver"]["sent"]
        assert sent > 0
        reminded = [r for r in drafts.list_reminders(store, statuses=(drafts.SENT,), limit=1000)]
        assert len(reminded) == sent
        for r in reminded[:5]:
            for inv in r.invoice_ids:
                notes = sb.db.search("mail.message", [("model", "=", "account.move"), ("res_id", "=", inv)])
                bodies = [m["body"] for m in sb.db.read("mail.message", notes, ["body"])]
                assert any(r.tier in b and r.to_address in b for b in bodies), (version, inv, bodies)
        store.dispose()
    finally:
        sb.stop()
