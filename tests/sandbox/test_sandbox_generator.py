"""The generated firm: deterministic, realistic where collections go wrong, with every bad record it
promises; the simulation helpers; the odoo-sandbox script."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
from collections import Counter
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import httpx
import pytest
from sandbox_firm import TODAY, Firm, build_firm
from sandbox_rpc import RpcClient

from overdue_reminder.sandbox import (
    CURRENCY_IDS,
    SandboxDB,
    UserError,
    advance_clock,
    cancel_invoice,
    dispute,
    generate_firm,
    pay_invoice,
    post_invoice,
    reverse_invoice,
)

ROOT = Path(__file__).resolve().parents[2]


def snapshot(db: SandboxDB) -> dict[str, dict[int, dict[str, object]]]:
    return {name: {rid: dict(row) for rid, row in table.rows.items()} for name, table in db.tables.items()}


def test_same_seed_same_firm_other_seed_other_firm() -> None:
    first, second, other = SandboxDB(), SandboxDB(), SandboxDB()
    a = generate_firm(first, clients=80, invoices=800, seed=11, today=TODAY)
    b = generate_firm(second, clients=80, invoices=800, seed=11, today=TODAY)
    generate_firm(other, clients=80, invoices=800, seed=12, today=TODAY)
    assert a == b
    assert snapshot(first) == snapshot(second)
    assert snapshot(first)["account.move"] != snapshot(other)["account.move"]
    with pytest.raises(ValueError, match="empty"):
        generate_firm(first, clients=1, invoices=1, today=TODAY)


def test_every_bad_record_is_there(shared_firm: Firm) -> None:
    db, bad = shared_firm.db, shared_firm.summary.bad
    partner = lambda key: db.row("res.partner", bad[key])  # noqa: E731
    move = lambda key: db.row("account.move", bad[key])  # noqa: E731
    assert partner("client_no_email")["email"] is None  # type: ignore[index]
    assert "@" not in partner("client_invalid_email")["email"]  # type: ignore[index]
    employer = partner("client_employer_email")
    assert employer is not None and not employer["is_company"]
    keystone = db.row("res.partner", shared_firm.summary.examples["child_parent_client"])
    assert keystone is not None and employer["email"].split("@")[1] == keystone["email"].split("@")[1]
    assert partner("client_archived")["active"] is False  # type: ignore[index]
    names = "".join(partner(k)["name"] for k in bad if k.startswith("client_name_"))  # type: ignore[index]
    for needle in ("'", '"', "<b>", "{{", "{%", "\r\n", "🚀", "é", "ü", "ø"):
        assert needle in names
    zero = move("invoice_zero_residual_not_paid")
    assert zero is not None and (zero["state"], zero["payment_state"], zero["amount_residual"]) == (
        "posted", "not_paid", Decimal("0.00"))
    assert move("invoice_no_due_date")["invoice_date_due"] is None  # type: ignore[index]
    assert move("invoice_no_partner")["partner_id"] is None  # type: ignore[index]
    assert move("invoice_negative_residual")["amount_residual"] < 0  # type: ignore[index]
    xts = move("invoice_unknown_currency")["currency_id"]  # type: ignore[index]
    assert xts == CURRENCY_IDS["XTS"] and db.row("res.currency", xts)["active"] is False  # type: ignore[index]
    assert move("invoice_draft")["state"] == "draft" and move("invoice_cancelled")["state"] == "cancel"  # type: ignore[index]
    for key in ("invoice_no_email", "invoice_name_crlf", "invoice_archived"):
        assert move(key)["amount_residual"] > 0 and move(key)["invoice_date_due"] < TODAY  # type: ignore[index]


def test_odd_names_on_the_wire(shared_firm: Firm, protocol: str) -> None:
    rpc = RpcClient(shared_firm.url, protocol)
    bad = shared_firm.summary.bad
    keys = [k for k in bad if k.startswith("client_name_")]
    rows = {r["id"]: r["name"] for r in rpc.execute("res.partner", "read", [bad[k] for k in keys], fields=["name"])}
    for key in keys:
        stored = shared_firm.db.row("res.partner", bad[key])["name"]  # type: ignore[index]
        # XML parsers normalise CR LF to LF, so over XML-RPC (as from a real Odoo) the CR is lost.
        expected = stored.replace("\r\n", "\n") if protocol == "xmlrpc" else stored
        assert rows[bad[key]] == expected


def test_the_firm_looks_like_a_law_firm(shared_firm: Firm) -> None:
    db, summary = shared_firm.db, shared_firm.summary
    moves = list(db.table("account.move").rows.values())
    invoices = [m for m in moves if m["move_type"] == "out_invoice"]
    assert Counter(m["move_type"] for m in moves).keys() >= {"out_invoice", "out_refund", "in_invoice", "entry"}
    assert {m["state"] for m in invoices} == {"draft", "posted", "cancel"}
    assert {m["payment_state"] for m in invoices} >= {"not_paid", "partial", "in_payment", "paid", "reversed"}
    assert {m["currency_id"] for m in invoices} >= {CURRENCY_IDS[c] for c in ("USD", "EUR", "CNY")}
    buckets = Counter()
    for m in invoices:
        if m["state"] == "posted" and m["payment_state"] in ("not_paid", "partial") and m["invoice_date_due"]:
            days = (TODAY - m["invoice_date_due"]).days
            buckets["current" if days <= 0 else "1-30" if days <= 30 else "31-60" if days <= 60
                    else "61-90" if days <= 90 else "90+"] += 1
    assert set(buckets) == {"current", "1-30", "31-60", "61-90", "90+"} and min(buckets.values()) > 20
    partial = [m for m in invoices if m["payment_state"] == "partial"]
    assert all(0 < m["amount_residual"] < m["amount_total"] for m in partial)
    assert all("PRIVILEGED" in m["narration"] for m in invoices)
    assert all(re.fullmatch(r"INV/\d{4}/\d{5}", m["name"]) for m in invoices if m["state"] != "draft")
    origins = [m["invoice_origin"] for m in invoices if m["invoice_origin"]]
    assert origins and all(re.fullmatch(r"M-\d{4}-\d{4}", o) for o in origins)
    assert any(m["invoice_origin"] is None and m["ref"] for m in invoices)
    assert any(m["move_type"] == "out_refund" and m["amount_residual"] > 0 for m in moves)
    clients = [db.row("res.partner", pid) for pid in summary.client_ids]
    chinese = sum(1 for c in clients if c and c["lang"] == "zh_CN") / len(clients)
    assert 0.15 < chinese < 0.35
    companies = sum(1 for c in clients if c and c["is_company"])
    assert 0.04 < len(summary.contact_ids) / companies < 0.2
    assert all(db.row("res.partner", pid)["type"] == "invoice" for pid in summary.contact_ids)  # type: ignore[index]
    payments = list(db.table("account.payment").rows.values())
    assert any(not p["is_reconciled"] for p in payments) and any(p["reconciled_invoice_ids"] for p in payments)
    assert max(m["write_date"] for m in moves) <= db.now()


def test_pay_cancel_dispute_reverse_post(firm: Firm) -> None:
    db, ex = firm.db, firm.summary.examples
    inv = ex["eur_invoice"]
    total = db.row("account.move", inv)["amount_total"]  # type: ignore[index]
    start = db.now()
    advance_clock(db, days=1)
    pay = pay_invoice(db, inv, Decimal("100.00"))
    row = db.get("account.move", inv)
    assert row is not None and row["payment_state"] == "partial" and row["amount_residual"] == total - 100
    assert row["write_date"] == start + timedelta(days=1)
    payment = db.get("account.payment", pay)
    assert payment is not None and payment["reconciled_invoice_ids"] == [inv] and payment["amount"] == 100
    pay_invoice(db, inv, total)  # overpaying clears the residual, no lower
    assert db.row("account.move", inv)["payment_state"] == "paid"  # type: ignore[index]
    with pytest.raises(UserError):
        cancel_invoice(db, inv)
    cancel_invoice(db, ex["zh_cn_invoice"])
    assert db.row("account.move", ex["zh_cn_invoice"])["state"] == "cancel"  # type: ignore[index]
    advance_clock(db, hours=3)
    activity = dispute(db, ex["child_contact_invoice"], "Hours on 12 May are disputed")
    assert db.row("mail.activity", activity)["summary"].startswith("Dispute")  # type: ignore[index]
    assert db.row("account.move", ex["child_contact_invoice"])["write_date"] == db.now()  # type: ignore[index]
    assert db.search_count("mail.message", [("res_id", "=", ex["child_contact_invoice"]),
                                            ("body", "ilike", "disputed")]) == 1
    refund = reverse_invoice(db, firm.summary.bad["invoice_no_email"])
    assert db.row("account.move", refund)["reversed_entry_id"] == firm.summary.bad["invoice_no_email"]  # type: ignore[index]
    assert db.row("account.move", firm.summary.bad["invoice_no_email"])["payment_state"] == "reversed"  # type: ignore[index]
    last_name = max(m["name"] for m in db.table("account.move").rows.values() if m["name"].startswith("INV/2026/"))
    new = post_invoice(db, partner_id=ex["eur_client"], amount="1200.50", currency="EUR",
                       invoice_date=TODAY - timedelta(days=40), matter="M-2026-0999")
    row = db.get("account.move", new)
    assert row is not None and row["name"] > last_name and row["commercial_partner_id"] == ex["eur_client"]
    assert row["invoice_date_due"] == TODAY - timedelta(days=10) and row["amount_residual"] == Decimal("1200.50")


def test_incremental_sync_sees_what_changed(firm: Firm, protocol: str) -> None:
    rpc = RpcClient(firm.url, protocol)
    watermark = firm.db.now().strftime("%Y-%m-%d %H:%M:%S")
    advance_clock(firm.db, days=1)
    inv = firm.summary.examples["eur_invoice"]
    pay_invoice(firm.db, inv, "10")
    changed = rpc.execute("account.move", "search_read", [["write_date", ">", watermark]], fields=["payment_state"],
                          order="write_date asc, id asc")
    assert changed == [{"id": inv, "payment_state": "partial"}]


def test_generator_handles_tiny_firms() -> None:
    db = SandboxDB()
    summary = generate_firm(db, clients=0, invoices=0, today=date(2026, 1, 5))
    assert summary.invoices == 0 and summary.examples["child_contact_invoice"]
    firm = build_firm(1, 1)
    firm.server.stop()


def test_odoo_sandbox_script() -> None:
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "scripts" / "odoo-sandbox"), "--clients", "10", "--invoices", "50", "--port", "0",
         "--today", "2026-11-28", "--version", "18.0"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        assert proc.stdout is not None
        lines = []
        for line in proc.stdout:
            lines.append(line)
            if "Ctrl-C" in line:
                break
        url = re.search(r"http://127\.0\.0\.1:\d+", lines[0])
        assert url, lines
        assert any("admin-key" in line for line in lines) and any("lawfirm" in line for line in lines)
        reply = httpx.post(url.group(0) + "/jsonrpc", json={
            "jsonrpc": "2.0", "method": "call", "id": 1,
            "params": {"service": "common", "method": "version", "args": []}})
        assert reply.json()["result"]["server_version"] == "18.0"
        proc.send_signal(signal.SIGINT)
        out, _ = proc.communicate(timeout=10)
        assert proc.returncode == 0 and "stopped" in out
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
