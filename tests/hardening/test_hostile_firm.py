"""A hostile-data firm through whole nightly passes: the run completes, every clean client is reminded and
delivered to, every unusable record is listed with its reason, and the exit code says "done with skipped"."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from email import policy
from email.parser import BytesParser
from pathlib import Path

import pytest
from actors import approve_drafts
from sqlalchemy import select

from overdue_reminder import config
from overdue_reminder.cli.demo_cmd import write_demo_config
from overdue_reminder.run.pipeline import run_once
from overdue_reminder.run.wiring import make_source
from overdue_reminder.sandbox.harness import RunningSandbox, start_sandbox
from overdue_reminder.sandbox.hostile import LONG_NAME, HostileFirm, add_hostile_firm
from overdue_reminder.services import reminders
from overdue_reminder.store import Store
from overdue_reminder.store.schema import attorneys, clients, invoices, letters, skipped_records

TODAY = date(2026, 11, 28)


@pytest.fixture
def hostile() -> Iterator[tuple[RunningSandbox, HostileFirm]]:
    sb = start_sandbox(clients=8, invoices=30, today=TODAY)
    try:
        yield sb, add_hostile_firm(sb.db)
    finally:
        sb.stop()


def desk(tmp_path: Path, sb: RunningSandbox, store_url: str) -> config.Settings:
    s = sb.odoo_settings()
    cfg = write_demo_config(tmp_path, sb.server.port, s.database, s.login)
    text = cfg.read_text().replace('[store]\npath = "overdue-reminder.db"', f'[store]\nurl = "{store_url}"')
    # the attorney whose email Odoo garbled has none on file: the supervising partner takes those letters
    text = text.replace('[letters]\ndir = "letters"', '[letters]\ndir = "letters"\nsupervising_partner = "partner@harperlowe.example"')
    cfg.write_text(text)
    return config.load(str(cfg))


def night(settings: config.Settings, day: date) -> tuple[int, dict[str, object], str]:
    r = subprocess.run([sys.executable, "-m", "overdue_reminder", "--config", settings.config_path, "--json", "run",
                        "--date", day.isoformat()], capture_output=True, text=True, timeout=300,
                       env={**os.environ, "COLUMNS": "200"})
    return r.returncode, json.loads(r.stdout) if r.stdout.strip() else {}, r.stderr


def evening(day: date) -> Callable[[], datetime]:
    return lambda: datetime.combine(day, time(17), tzinfo=UTC)


def approve_all(store: Store, day: date, settings: config.Settings) -> None:
    drafts = reminders.list_reminders(store, statuses=[reminders.DRAFT], limit=10_000)
    approve_drafts(store, drafts, datetime.combine(day, time(18), tzinfo=UTC), clerk="clerk@harperlowe.example",
                   partner_name="partner@harperlowe.example", settings=settings)


def test_hostile_firm_nightly_passes_complete_deliver_and_list(tmp_path: Path,
                                                                hostile: tuple[RunningSandbox, HostileFirm]) -> None:
    """SQLite only (a minute of nights); NUL and control characters on PostgreSQL: tests/hardening/test_csv_rows."""
    sb, firm = hostile
    settings = desk(tmp_path, sb, f"sqlite:///{tmp_path / 'desk.db'}")
    store = Store(settings.store_url)
    store.ensure_ready()
    day = TODAY
    reports = []
    for _ in range(3):  # friendly, firm, final
        rep = run_once(settings, store, lambda: make_source(settings), day,
                       now=lambda d=day: datetime.combine(d, time(17), tzinfo=UTC))  # type: ignore[misc]
        assert rep.status == "partial" and rep.skipped_records and not rep.problems, rep.as_dict()
        reports.append(rep.as_dict())
        approve_all(store, day, settings)
        day += timedelta(days=16)
    # the fourth night brings the escalation letters (120 days overdue). First the whole letters folder
    # cannot be written: every letter fails, delivery still runs, then the run says what failed (exit 5).
    folder = settings.resolve(settings.letters.dir)
    folder.parent.mkdir(parents=True, exist_ok=True)
    folder.write_text("not a folder")
    waiting = len(reminders.list_reminders(store, statuses=[reminders.APPROVED], limit=10_000))
    code, out, err = night(settings, day)
    assert code == 5, err
    assert err.strip().splitlines()[-1].startswith("error: unexpected:") and str(folder) in err
    assert "Traceback" not in err
    assert not reminders.list_reminders(store, statuses=[reminders.APPROVED], limit=10_000) and waiting
    with store.begin() as conn:
        assert not conn.execute(select(letters)).all()
    # Then only one client's folder is unusable: that client is listed and skipped, the others are done.
    folder.unlink()
    folder.mkdir()
    (folder / str(firm.clients["criminal"])).write_text("not a folder")
    rep = run_once(settings, store, lambda: make_source(settings), day,
                   now=evening(day))
    assert rep.status == "partial", rep.undelivered
    assert [(p["step"], p["client_id"]) for p in rep.problems] == [("letters", firm.clients["criminal"])]
    assert str(folder / str(firm.clients["criminal"])) in str(rep.problems[0]["error"])
    assert rep.steps["letters"]["queued"] >= 1
    reports.append(rep.as_dict())
    approve_all(store, day, settings)
    (folder / str(firm.clients["criminal"])).unlink()
    day += timedelta(days=16)
    code, out, err = night(settings, day)  # the CLI delivers what the clerk approved, the skipped letter is made
    assert code == 1, (err, out.get("problems"))  # done with skipped records: the 1e30 invoice, CR/LF emails …
    assert out["status"] == "partial" and not out["problems"] and out["skipped_records"], out
    assert "Traceback" not in err
    with store.begin() as conn:
        listed = {(r.model, r.record_id): r.reason for r in conn.execute(select(skipped_records))}
        rows = {r.id: r for r in conn.execute(select(clients).where(clients.c.id.in_(list(firm.clients.values()))))}
        stored = {r.id: r for r in conn.execute(select(invoices).where(invoices.c.id.in_(list(firm.invoices.values()))))}
        mallory = conn.execute(select(attorneys).where(attorneys.c.id == firm.attorney_uid)).one()
        queued = {r.client_id: r for r in conn.execute(select(letters))}
    # every unusable record is listed with its reason, the raw value escaped
    for key, (model, rid) in firm.listed.items():
        assert (model, str(rid)) in listed, key
    assert "outside the allowed range" in listed[("account.move", str(firm.invoices["huge_amount"]))]
    assert "\\r\\n" in listed[("res.partner", str(firm.clients["crlf_email"]))]
    assert "\\r\\n" in listed[("res.users", str(firm.attorney_uid))]
    # nothing unsafe reached the store
    for r in rows.values():
        assert r.name.isprintable() and len(r.name) <= 256 and "\u202e" not in r.name
        assert "\r" not in (r.email or "") and "\n" not in (r.email or "")
    assert rows[firm.clients["vertical_tab"]].name == "Acme Holdings LLC"
    assert rows[firm.clients["long_name"]].name.startswith(LONG_NAME[:200])
    assert rows[firm.clients["crlf_email"]].email == "" and mallory.email == ""
    assert "\x00" not in stored[firm.invoices["vertical_tab"]].name
    # Odoo's precisions, not CLDR's; XOF and XCD are money
    assert stored[firm.invoices["huf"]].amount_residual == Decimal("12345.67")
    assert stored[firm.invoices["kwd"]].amount_residual == Decimal("1234.567")
    assert stored[firm.invoices["jpy"]].amount_residual == Decimal("150000")
    assert stored[firm.invoices["xof"]].currency == "XOF" and stored[firm.invoices["xcd"]].is_open
    assert firm.invoices["huge_amount"] not in stored
    # every clean client got its emails: each tier approved was delivered, none cancelled as stale
    sent = reminders.list_reminders(store, statuses=[reminders.SENT], limit=10_000)
    by_client: dict[int, list[str]] = {}
    for rem in sent:
        by_client.setdefault(rem.client_id, []).append(rem.tier)
    for key, pid in firm.clean.items():
        if key in ("vertical_tab", "criminal", "crlf_attorney"):
            assert by_client.get(pid), key  # their earlier tiers went out before the letter
        else:
            assert {"firm", "final"} <= set(by_client.get(pid, [])), (key, by_client.get(pid))
    stale = [r for r in reminders.list_reminders(store, statuses=[reminders.CANCELLED], limit=10_000)
             if r.client_id == firm.clients["huf"] and "now shows" in (r.note or "")]
    assert not stale  # 12,345.67 HUF is not "now 12,346 HUF"
    outbox = list(settings.resolve("outbox").rglob("*.eml"))
    recipients = set()
    for path in outbox:
        msg = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
        assert "evil.example" not in str(msg["To"]) + str(msg.get("Bcc", ""))
        recipients.add(str(msg["To"]))
    assert any("szamla@iroda.example" in t for t in recipients)
    # the escalation letters of the hostile names were built; the one whose attorney has no usable email went
    # to the supervising partner instead of carrying the garbled address
    assert firm.clients["vertical_tab"] in queued and firm.clients["criminal"] in queued
    assert queued[firm.clients["crlf_attorney"]].attorney_email == "partner@harperlowe.example"
