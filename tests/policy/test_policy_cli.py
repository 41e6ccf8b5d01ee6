"""`overdue-reminder plan` and `hold add|remove|list` through the real command line (SQLite store)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import func, insert, select

from overdue_reminder.cli import cli
from overdue_reminder.errors import UsageError
from overdue_reminder.model import Invoice, InvoiceKind, Partner
from overdue_reminder.store import Store, ledger
from overdue_reminder.store.schema import audit, holds, reminders

TODAY = date(2026, 11, 28)
NOW = datetime(2026, 11, 28, 12, tzinfo=UTC)


@pytest.fixture
def cfg(tmp_path: Path) -> Path:
    path = tmp_path / "overdue-reminder.toml"
    path.write_text('[store]\npath = "desk.db"\n[policy.minimum_amount]\nUSD = "10.00"\n', encoding="utf-8")
    store = Store(f"sqlite:///{tmp_path / 'desk.db'}")
    store.upgrade()
    with store.begin() as conn:
        ledger.store_partners(conn, [Partner(1, "Acme Corp", 1, "ap@acme.example", is_company=True),
                                     Partner(2, "Tiny Ltd", 2, "ap@tiny.example", is_company=True)], NOW)
        ledger.store_invoices(conn, [
            Invoice(10, "INV/2026/0010", InvoiceKind.INVOICE, 1, 1, None, "M-1", "USD", Decimal("1200.00"),
                    Decimal("1200.00"), None, TODAY - timedelta(days=40), "not_paid", True),
            Invoice(20, "INV/2026/0020", InvoiceKind.INVOICE, 2, 2, None, "M-9", "USD", Decimal("5.00"),
                    Decimal("5.00"), None, TODAY - timedelta(days=40), "not_paid", True),
        ], NOW)
    store.dispose()
    return path


def run(cfg: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--config", str(cfg), *args], catch_exceptions=True)


def test_plan_table_and_json(cfg: Path) -> None:
    r = run(cfg, "plan", "--date", "2026-11-28")
    assert r.exit_code == 0, r.output
    assert "Acme Corp" in r.output and "friendly" in r.output and "1,200.00 USD" in r.output
    assert "Tiny Ltd" in r.output and "below_minimum" in r.output
    assert "Nothing was changed" in r.output
    r = run(cfg, "plan", "--date", "2026-11-28", "--json")
    data = json.loads(r.output)
    assert [a["client_name"] for a in data["actions"]] == ["Acme Corp"]
    a = data["actions"][0]
    assert a["tier"] == "friendly" and a["totals"] == {"USD": "1200.00"} and a["invoice_ids"] == [10]
    assert a["why"].startswith("INV/2026/0010 is 40 days past due (due 2026-10-19)")
    assert data["skipped"][0]["kind"] == "below_minimum"
    r = run(cfg, "plan", "--date", "2026-11-28", "--client", "tiny", "--json")
    assert json.loads(r.output)["actions"] == []


def test_hold_add_list_remove_and_plan_honours_it(cfg: Path) -> None:
    r = run(cfg, "hold", "add", "--client", "Acme", "--kind", "dispute", "--reason", "contests fees",
            "--by", "alice", "--dry-run")
    assert r.exit_code == 0 and "would place" in r.output
    assert "Acme" not in run(cfg, "hold", "list").output.split("Holds")[1]
    r = run(cfg, "hold", "add", "--client", "Acme", "--kind", "dispute", "--reason", "contests fees",
            "--by", "alice", "--invoice", "INV/2026/0010")
    assert r.exit_code == 0, r.output
    listed = json.loads(run(cfg, "--json", "hold", "list").output)
    assert len(listed) == 1 and listed[0]["kind"] == "dispute" and listed[0]["invoice_id"] == 10
    hold_id = listed[0]["id"]
    r = run(cfg, "hold", "add", "--client", "Acme", "--kind", "dispute", "--reason", "again",
            "--by", "carol", "--invoice", "INV/2026/0010")  # identical and still active: refused, names the one
    assert isinstance(r.exception, UsageError) and f"hold #{hold_id} already stops contact" in str(r.exception)
    assert len(json.loads(run(cfg, "--json", "hold", "list").output)) == 1
    data = json.loads(run(cfg, "plan", "--date", "2026-11-28", "--json").output)
    assert data["actions"] == []
    assert any(s["client_name"] == "Acme Corp" and s["kind"] == "hold" for s in data["skipped"])
    r = run(cfg, "hold", "remove", str(hold_id), "--by", "bob", "--reason", "settled")
    assert r.exit_code == 0 and f"removed hold #{hold_id}" in r.output
    assert json.loads(run(cfg, "--json", "hold", "list").output) == []
    assert len(json.loads(run(cfg, "--json", "hold", "list", "--all").output)) == 1


def test_bad_input_is_a_usage_error(cfg: Path) -> None:
    r = run(cfg, "hold", "add", "--client", "Nobody", "--kind", "pause", "--reason", "x")
    assert isinstance(r.exception, UsageError) and "no client matches" in str(r.exception)
    r = run(cfg, "hold", "add", "--client", "Acme", "--kind", "pause", "--reason", "x", "--invoice", "INV/2026/0020")
    assert isinstance(r.exception, UsageError) and "no invoice" in str(r.exception)
    r = run(cfg, "hold", "add", "--client", "Acme", "--kind", "holiday", "--reason", "x")
    assert r.exit_code == 2 and "holiday" in r.output
    r = run(cfg, "plan", "--date", "28/11/2026")
    assert isinstance(r.exception, UsageError) and "YYYY-MM-DD" in str(r.exception)


def test_plan_all_explains_clients_on_schedule_and_writes_nothing(cfg: Path) -> None:
    store = Store(f"sqlite:///{cfg.parent / 'desk.db'}")
    with store.begin() as conn:
        conn.execute(insert(reminders).values(
            client_id=1, tier="firm", tier_index=2, matter_ref="", channel="email", run_date=TODAY,
            invoice_ids=[10], totals={}, status="sent", idempotency_key="k1", message_id="<m1@x>", created_at=NOW))
        before = {t.name: conn.execute(select(func.count()).select_from(t)).scalar() for t in (reminders, audit, holds)}
    data = json.loads(run(cfg, "plan", "--date", "2026-12-01", "--json").output)
    assert data["actions"] == [] and [s["kind"] for s in data["skipped"]] == ["below_minimum"]
    data = json.loads(run(cfg, "plan", "--date", "2026-12-01", "--all", "--json").output)
    kinds = {s["client_name"]: s["kind"] for s in data["skipped"]}
    assert kinds == {"Acme Corp": "waiting", "Tiny Ltd": "below_minimum"}
    assert "'firm' was sent 2026-11-28, 3 days ago; next tier 'final' starts at 60 days" in \
        next(s["reason"] for s in data["skipped"] if s["client_name"] == "Acme Corp")
    with store.begin() as conn:
        after = {t.name: conn.execute(select(func.count()).select_from(t)).scalar() for t in (reminders, audit, holds)}
    store.dispose()
    assert after == before
