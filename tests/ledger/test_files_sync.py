"""Sync from CSV exports into the ledger, on SQLite and PostgreSQL: upserts, closes, skips."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select

from overdue_reminder.core.aging import aging
from overdue_reminder.services.sync import sync
from overdue_reminder.sources.files import FileSource
from overdue_reminder.store import Store, ledger
from overdue_reminder.store.schema import skipped_records, sync_runs

CLIENTS = """id,name,parent_id,email,lang,phone,is_company,street,street2,city,zip,state,country
1,Acme Holdings,,ap@acme.example,en_US,,true,1 Main St,,Springfield,12345,NY,United States
2,Susan Moore (AP),1,susan@acme.example,en_US,,false,,,,,,
3,王伟,,wangwei@mail.example,zh_CN,,false,,,Shanghai,,,China
"""
INVOICES = """id,number,type,client_id,contact_id,attorney_id,attorney_name,attorney_email,matter_ref,currency,amount_total,amount_residual,invoice_date,due_date,status
10,INV/2026/0010,invoice,1,2,7,Ann Lee,ann@firm.example,M-1,USD,1500.00,1500.00,2026-09-01,2026-10-01,open
11,INV/2026/0011,invoice,1,2,7,Ann Lee,ann@firm.example,M-1,EUR,800.50,300.25,2026-09-15,2026-10-15,open
12,RINV/2026/0001,credit_note,1,,7,Ann Lee,ann@firm.example,M-1,USD,200.00,200.00,2026-10-01,2026-10-01,open
13,INV/2026/0013,invoice,3,,8,Bo Chen,bo@firm.example,M-2,CNY,9999.99,9999.99,2026-11-01,2026-12-01,open
14,INV/2026/0014,invoice,3,,8,Bo Chen,bo@firm.example,M-2,XTS,10.00,10.00,2026-11-01,2026-12-01,open
15,INV/2026/0015,invoice,3,,8,Bo Chen,bo@firm.example,M-2,USD,10.00,10.00,2026-11-01,,open
16,INV/2026/0016,invoice,3,,8,Bo Chen,bo@firm.example,M-2,USD,10.00,-5.00,2026-11-01,2026-12-01,open
"""


def _write(tmp: Path, invoices: str = INVOICES) -> FileSource:
    (tmp / "clients.csv").write_text(CLIENTS, encoding="utf-8")
    (tmp / "invoices.csv").write_text(invoices, encoding="utf-8")
    return FileSource(tmp / "invoices.csv", tmp / "clients.csv")


def test_sync_from_files_stores_exact_money_and_lists_bad_rows(store: Store, tmp_path: Path) -> None:
    report = sync(store, _write(tmp_path))
    assert (report.new, report.closed) == (4, 0)
    reasons = sorted(s.reason for s in report.skipped)
    assert len(reasons) == 3
    assert any("unknown currency 'XTS'" in r for r in reasons)
    assert any("no valid due_date" in r for r in reasons)
    assert any("negative amount" in r for r in reasons)
    with store.begin() as conn:
        invs = {i.id: i for i in ledger.load_open_invoices(conn)}
        partners = ledger.load_partners(conn)
        run = conn.execute(select(sync_runs)).one()
        listed = conn.execute(select(skipped_records)).all()
    assert invs[11].amount_residual == Decimal("300.25") and isinstance(invs[11].amount_residual, Decimal)
    assert invs[13].amount_total == Decimal("9999.99")
    assert invs[10].contact_id == 2 and invs[10].client_id == 1
    assert partners[3].name == "王伟" and partners[3].lang == "zh_CN"
    assert partners[2].commercial_id == 1
    assert run.status == "partial" and len(listed) == 3
    rows = {(r.label, r.currency): r for r in aging(invs.values(), date(2026, 11, 28), "client",
                                                   {1: "Acme Holdings", 3: "王伟"})}
    acme_usd = rows[("Acme Holdings", "USD")]
    assert acme_usd.buckets["31-60"] == Decimal("1500.00")
    assert acme_usd.buckets["current"] == Decimal("-200.00")  # the credit note reduces, never mixes currency
    assert rows[("Acme Holdings", "EUR")].buckets["31-60"] == Decimal("300.25")


def test_second_snapshot_closes_paid_invoices_and_is_idempotent(store: Store, tmp_path: Path) -> None:
    sync(store, _write(tmp_path))
    again = sync(store, _write(tmp_path))
    assert (again.new, again.closed) == (0, 0)
    paid = INVOICES.replace("800.50,300.25,2026-09-15,2026-10-15,open", "800.50,0,2026-09-15,2026-10-15,paid")
    paid = "\n".join(ln for ln in paid.splitlines() if not ln.startswith("13,"))
    report = sync(store, _write(tmp_path, paid + "\n"))
    assert report.closed == 2
    with store.begin() as conn:
        open_ids = sorted(i.id for i in ledger.load_open_invoices(conn))
    assert open_ids == [10, 12]
