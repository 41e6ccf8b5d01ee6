"""The morning digest: staff get the night and the queues with an aging chart; attorneys their own items."""

from __future__ import annotations

import email
import email.policy
from datetime import UTC, date, datetime
from pathlib import Path

from overdue_reminder import config
from overdue_reminder.cli.demo_cmd import write_demo_config
from overdue_reminder.run.pipeline import run_once
from overdue_reminder.run.wiring import make_source
from overdue_reminder.sandbox.harness import start_sandbox
from overdue_reminder.services import letters as letter_queue
from overdue_reminder.services.digest import send_digests
from overdue_reminder.store import Store

TODAY = date(2026, 11, 28)


def test_digest_to_staff_and_each_attorney_once_a_day(tmp_path: Path) -> None:
    sb = start_sandbox(clients=30, invoices=160, today=TODAY, seed=5)
    try:
        s = sb.odoo_settings()
        cfg = write_demo_config(tmp_path, sb.server.port, s.database, s.login)
        # every overdue client straight to the escalation letter, so attorneys have a queue
        cfg.write_text(cfg.read_text() + '\n[policy]\nskip_tiers = true\n')  # the demo config has pdf = "never"
        settings = config.load(str(cfg))
        store = Store(settings.store_url)
        store.upgrade()
        now = datetime(2026, 11, 28, 13, 0, tzinfo=UTC)
        report = run_once(settings, store, lambda: make_source(settings), TODAY, now=lambda: now)
        waiting = letter_queue.list_letters(store, status=letter_queue.AWAITING)
        assert waiting, "the night should queue escalation letters"
        result = send_digests(settings, store, TODAY, report.steps, now)
        assert send_digests(settings, store, TODAY, report.steps, now) == {"sent": 0, "note": "already sent today"}
        files = sorted((tmp_path / "outbox" / "digests").glob("*.eml"))
        assert len(files) == result["sent"] == 1 + len({w.attorney_email for w in waiting})
        assert all(f.stat().st_mode & 0o077 == 0 for f in files)
        msgs = [email.message_from_bytes(f.read_bytes(), policy=email.policy.default) for f in files]
        staff = next(m for m in msgs if m["To"] == "billing@harperlowe.example")
        text = staff.get_body(("plain",)).get_content()
        assert text.startswith("Tonight: ") and "Open receivables" in text and "USD" in text
        for w in {w.attorney_email for w in waiting}:
            n = sum(1 for x in waiting if x.attorney_email == w)
            assert (f"{n} letter waits for " if n == 1 else f"{n} letters wait for ") in text
        assert "run_id" not in text.split("\n-- \n")[0]  # technical figures only in the footer
        charts = [p for p in staff.walk() if p.get_content_type() == "image/png"]
        assert charts and all(c.get_payload(decode=True)[:8] == b"\x89PNG\r\n\x1a\n" for c in charts)
        page = staff.get_body(("html",)).get_content()
        assert all(f"cid:{c['Content-ID'].strip('<>')}" in page for c in charts)
        for w in {w.attorney_email for w in waiting}:
            mine = next(m for m in msgs if m["To"] == w)
            body = mine.get_body(("plain",)).get_content()
            assert body.count("letter #") == sum(1 for x in waiting if x.attorney_email == w)
            others = [x for x in waiting if x.attorney_email != w]
            assert all(f"letter #{x.id} " not in body for x in others)  # only their own items
    finally:
        sb.stop()
