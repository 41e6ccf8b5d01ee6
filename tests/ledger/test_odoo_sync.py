"""Sync from the sandbox Odoo over real HTTP through odoo-client-lib: XML-RPC and JSON-RPC,
SQLite and PostgreSQL; incremental runs, closures, resumption, and the clear failures."""

from __future__ import annotations

import math
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select

from overdue_reminder.errors import AuthError, SourceError, TransientSourceError
from overdue_reminder.sandbox.generator import SANDBOX_PASSWORD
from overdue_reminder.sandbox.harness import RunningSandbox as Sandbox
from overdue_reminder.sandbox.simulate import advance_clock, cancel_invoice, pay_invoice, post_invoice
from overdue_reminder.services.sync import sync
from overdue_reminder.sources.odoo import OdooSource
from overdue_reminder.sources.odoo_writeback import OdooActivity
from overdue_reminder.store import Store, ledger
from overdue_reminder.store.schema import clients, invoices, sync_runs, trust_balances


def _source(sb: Sandbox, protocol: str = "jsonrpc", password: str = SANDBOX_PASSWORD, **changes: Any) -> OdooSource:
    return OdooSource(sb.odoo_settings(protocol, **changes), password, trust_account_code="2150")


def _open_in_sandbox(sb: Sandbox) -> dict[int, dict[str, Any]]:
    ids = sb.db.search("account.move", [("move_type", "in", ["out_invoice", "out_refund"]), ("state", "=", "posted"),
                                        ("payment_state", "in", ["not_paid", "partial"])])
    return {r["id"]: r for r in sb.db.read("account.move", ids, ["amount_residual", "partner_id"])}


def _local_open(store: Store) -> dict[int, Any]:
    with store.begin() as conn:
        return {i.id: i for i in ledger.load_open_invoices(conn)}


@pytest.mark.parametrize("protocol", ["jsonrpc", "xmlrpc"])
def test_full_sync_matches_the_sandbox_ledger(store: Store, sandbox: Sandbox, protocol: str) -> None:
    report = sync(store, _source(sandbox, protocol))
    remote = _open_in_sandbox(sandbox)
    local = _local_open(store)
    bad = sandbox.summary.bad
    skipped_ids = {s.record_id for s in report.skipped}
    assert {bad["invoice_no_due_date"], bad["invoice_no_partner"], bad["invoice_negative_residual"],
            bad["invoice_unknown_currency"]} <= skipped_ids
    expected = {i for i, r in remote.items() if i not in skipped_ids and r["amount_residual"] > 0}
    assert set(local) == expected
    for i in list(expected)[:50]:
        assert local[i].amount_residual == remote[i]["amount_residual"]
        assert isinstance(local[i].amount_residual, Decimal)
    # batched: the RPC budget of the issue, at this size too
    partners = len({r["partner_id"] for r in remote.values() if r["partner_id"]})
    assert report.rpc_calls <= math.ceil(len(remote) / 1000) + math.ceil(partners / 1000) + 10
    with store.begin() as conn:
        assert conn.execute(select(func.count()).select_from(clients).where(clients.c.stub.is_(True))).scalar() == 0
        zh = conn.execute(select(clients.c.lang).where(clients.c.id == sandbox.summary.examples["zh_cn_client"])
                          ).scalar()
        held = conn.execute(select(func.count()).select_from(trust_balances)).scalar()
        run = conn.execute(select(sync_runs)).one()
    assert zh == "zh_CN"
    assert held and held > 0
    assert run.status == "partial" and run.counts["skipped"] == len(report.skipped)


def test_incremental_sync_reads_changes_and_closes_what_left(store: Store, sandbox: Sandbox) -> None:
    sync(store, _source(sandbox))
    local = _local_open(store)
    fresh = sorted(i for i in local if local[i].amount_paid == 0 and local[i].kind.value == "invoice")
    paid, cancelled, partial = fresh[:3]
    advance_clock(sandbox.db, 1)
    pay_invoice(sandbox.db, paid, local[paid].amount_residual)
    cancel_invoice(sandbox.db, cancelled)
    pay_invoice(sandbox.db, partial, Decimal("10.00"))
    client = local[paid].client_id
    new_id = post_invoice(sandbox.db, partner_id=client, amount=Decimal("1234.56"), currency="EUR")
    report = sync(store, _source(sandbox))
    assert report.kind == "incremental"
    assert (report.closed, report.new, report.changed) == (2, 1, 1)
    assert report.rpc_calls <= 10
    after = _local_open(store)
    assert paid not in after and cancelled not in after
    assert after[partial].amount_residual == local[partial].amount_residual - Decimal("10.00")
    assert after[new_id].amount_total == Decimal("1234.56") and after[new_id].currency == "EUR"
    again = sync(store, _source(sandbox))
    assert (again.new, again.changed, again.closed) == (0, 0, 0)


def test_sync_cut_off_mid_way_resumes_without_loss_or_double_counting(store: Store, sandbox: Sandbox) -> None:
    reference = _open_in_sandbox(sandbox)
    sandbox.server.faults.garbage("html", nth=2, count=None, model="account.move")
    with pytest.raises(TransientSourceError):
        sync(store, _source(sandbox, batch_size=50, retries=1))
    with store.begin() as conn:
        partial = conn.execute(select(func.count()).select_from(invoices)).scalar()
        failed = conn.execute(select(sync_runs.c.status, sync_runs.c.error)).one()
    assert failed.status == "failed" and "unreadable reply" in failed.error
    assert partial == 50  # the first batch was committed with its watermark
    sandbox.server.faults.clear()
    report = sync(store, _source(sandbox, batch_size=50))
    assert report.kind == "full"  # the cut-off full pass goes on where it stopped
    local = _local_open(store)
    skipped = {s.record_id for s in report.skipped}
    assert set(local) == {i for i, r in reference.items() if i not in skipped and r["amount_residual"] > 0}
    assert report.new + 50 == len(local)  # nothing counted twice, nothing lost


def test_refused_login_missing_right_and_unreachable_are_clear(store: Store, sandbox: Sandbox) -> None:
    with pytest.raises(AuthError, match="refused the login"):
        sync(store, _source(sandbox, password="wrong"))
    from overdue_reminder.sandbox.generator import CLERK_LOGIN, CLERK_PASSWORD

    with pytest.raises(AuthError, match=r"access right.*account\.move"):
        sync(store, _source(sandbox, "xmlrpc", password=CLERK_PASSWORD, login=CLERK_LOGIN))
    with pytest.raises(AuthError, match="database"):
        sync(store, _source(sandbox, database="nosuchdb"))
    sandbox.server.faults.refuse()
    with pytest.raises(TransientSourceError, match="cannot connect"):
        sync(store, _source(sandbox, retries=1))
    sandbox.server.faults.accept()
    with store.begin() as conn:
        assert conn.execute(select(func.count()).select_from(invoices)).scalar() == 0
        statuses = [r.status for r in conn.execute(select(sync_runs.c.status))]
    assert statuses == ["failed"] * 4


def test_timeouts_are_retried_then_fail_cleanly(store: Store, sandbox: Sandbox) -> None:
    sandbox.server.faults.delay(1.5, count=1, model="account.move")
    report = sync(store, _source(sandbox, timeout_seconds=0.5))  # one timeout, then the retry succeeds
    assert report.new > 0
    sandbox.server.faults.delay(1.5, count=None, model="res.partner")
    with pytest.raises(SourceError, match="timeout"):
        sync(store, _source(sandbox, timeout_seconds=0.3, retries=1))


def test_trust_balances_reread_only_when_the_trust_account_moved(store: Store, sandbox: Sandbox) -> None:
    sync(store, _source(sandbox))
    with store.begin() as conn:
        before = {(t.client_id, t.currency): t.amount for t in ledger.load_trust_balances(conn)}
    assert before
    quiet = sync(store, _source(sandbox))
    assert quiet.trust_balances == 0  # unchanged: not re-read, the stored snapshot stands
    with store.begin() as conn:
        assert {(t.client_id, t.currency): t.amount for t in ledger.load_trust_balances(conn)} == before
    client, currency = next(iter(before))
    trust = sandbox.db.search("account.account", [("code", "=", "2150")])[0]
    usd = sandbox.db.search("res.currency", [("name", "=", currency)])[0]
    advance_clock(sandbox.db, 1)
    sandbox.db.create("account.move.line", {
        "name": "Retainer top-up", "account_id": trust, "partner_id": client, "debit": Decimal("0.00"),
        "credit": Decimal("500.00"), "balance": Decimal("-500.00"), "currency_id": usd, "parent_state": "posted",
        "date": sandbox.db.today()})
    moved = sync(store, _source(sandbox))
    assert moved.trust_balances == len(before)
    with store.begin() as conn:
        after = {(t.client_id, t.currency): t.amount for t in ledger.load_trust_balances(conn)}
    assert after[(client, currency)] == before[(client, currency)] + Decimal("500.00")


def test_a_record_committed_late_with_an_older_write_date_is_not_missed(store: Store, sandbox: Sandbox) -> None:
    sync(store, _source(sandbox))
    advance_clock(sandbox.db, 0, minutes=30)
    client = sandbox.summary.client_ids[0]
    # a long transaction started five minutes ago commits now: its records carry the older stamp
    late_stamp = sandbox.db.now() - timedelta(minutes=5)
    fresh = post_invoice(sandbox.db, partner_id=client, amount=Decimal("321.00"))
    other = post_invoice(sandbox.db, partner_id=client, amount=Decimal("10.00"))
    sync(store, _source(sandbox))  # the watermark moves past both
    sandbox.db.write("account.move", [fresh], {"amount_residual": Decimal("21.00"), "payment_state": "partial",
                                               "write_date": late_stamp}, touch=False)  # as the late commit stamps it
    sync(store, _source(sandbox, lookback_seconds=0))  # a strict watermark never sees it
    with store.begin() as conn:
        (missed,) = ledger.load_invoices(conn, [fresh])
    assert missed.amount_residual == Decimal("321.00")
    report = sync(store, _source(sandbox))  # the lookback window does
    with store.begin() as conn:
        (inv,) = ledger.load_invoices(conn, [fresh])
    assert inv.amount_residual == Decimal("21.00") and report.changed == 1
    assert other  # untouched since: re-read by the window, not counted as changed


def test_incremental_reads_whole_only_what_changed_and_ignores_the_desks_write_backs(store: Store,
                                                                                      sandbox: Sandbox) -> None:
    sync(store, _source(sandbox))
    local = _local_open(store)
    some = sorted(local)[:6]
    advance_clock(sandbox.db, 0, minutes=1)
    src = _source(sandbox)
    src.open()
    try:  # the desk's write-backs on six invoices: notes, a to-do each, one file
        src.post_note(some, "<p>Payment reminder emailed.</p>")
        user = sandbox.summary.attorney_uids[0]
        src.create_activities([OdooActivity("account.move", i, user, "Review", "<p>x</p>", date(2026, 12, 1)) for i in some])
        src.attach_file("account.move", some[0], "letter.docx", b"PK", "application/octet-stream")
    finally:
        src.close()
    followers = {(f["res_id"], f["partner_id"]) for f in sandbox.db.table("mail.followers").rows.values()}
    assert not followers  # the assignee Odoo subscribed was unsubscribed again
    pay_invoice(sandbox.db, some[-1], Decimal("1.00"))
    before = sandbox.server.calls["object", "read", "account.move"]
    report = sync(store, _source(sandbox))
    assert (report.new, report.changed, report.closed) == (0, 1, 0)  # the payment; not the write-backs
    assert sandbox.server.calls["object", "read", "account.move"] - before == 1  # one full read, of one id
    partner_reads = sandbox.server.calls["object", "read", "res.partner"]
    quiet = sync(store, _source(sandbox))
    assert (quiet.new, quiet.changed, quiet.closed) == (0, 0, 0)
    assert sandbox.server.calls["object", "read", "account.move"] - before == 1  # nothing more read whole
    assert sandbox.server.calls["object", "read", "res.partner"] == partner_reads  # nor partners
