"""A timing sanity print at full size (20,000 clients, 100,000 invoices): generation and a keyset
sync of every journal entry over JSON-RPC and XML-RPC. Figures are printed, never asserted."""

from __future__ import annotations

import time
import xmlrpc.client
from datetime import datetime
from datetime import time as dtime

import httpx
import pytest
from sandbox_firm import TODAY

from overdue_reminder.sandbox import SANDBOX_DB, SANDBOX_PASSWORD, Clock, SandboxDB, SandboxServer, generate_firm

FIELDS = ["name", "partner_id", "commercial_partner_id", "invoice_user_id", "invoice_origin", "ref", "currency_id",
          "amount_total", "amount_residual", "payment_state", "invoice_date", "invoice_date_due", "write_date",
          "move_type", "state"]


def page_jsonrpc(url: str, limit: int = 1000) -> list[int]:
    seen: list[int] = []
    with httpx.Client(timeout=60) as client:
        while True:
            args = [SANDBOX_DB, 2, SANDBOX_PASSWORD, "account.move", "search_read",
                    [[["id", ">", seen[-1] if seen else 0]]], {"fields": FIELDS, "order": "id", "limit": limit}]
            body = {"jsonrpc": "2.0", "method": "call", "id": 1,
                    "params": {"service": "object", "method": "execute_kw", "args": args}}
            rows = client.post(url + "/jsonrpc", json=body).json()["result"]
            if not rows:
                return seen
            seen += [r["id"] for r in rows]


SWEEP_FIELDS = ["name", "write_date", "amount_residual"]


def page_xmlrpc(url: str, limit: int = 1000) -> list[int]:
    """XML-RPC parsing costs the client ~6x JSON's, so this sweep reads 3 fields, not 15."""
    proxy = xmlrpc.client.ServerProxy(url + "/xmlrpc/2/object")
    seen: list[int] = []
    while True:
        rows = proxy.execute_kw(SANDBOX_DB, 2, SANDBOX_PASSWORD, "account.move", "search_read",
                                [[["id", ">", seen[-1] if seen else 0]]], {"fields": SWEEP_FIELDS, "order": "id",
                                                                           "limit": limit})
        if not rows:
            return seen
        seen += [r["id"] for r in rows]


@pytest.mark.slow
def test_timing_sanity_100k(capsys: pytest.CaptureFixture[str]) -> None:
    started = time.perf_counter()
    db = SandboxDB(clock=Clock(datetime.combine(TODAY, dtime(9))))
    summary = generate_firm(db, clients=20_000, invoices=100_000, seed=7, today=TODAY)
    generated = time.perf_counter() - started
    expected = db.search("account.move", [], order="id")
    figures = [f"generate 20,000 clients + 100,000 invoices ({summary.moves} moves, {summary.payments} payments): "
               f"{generated:.1f} s"]
    with SandboxServer(db) as server:
        for name, pager, width in (("jsonrpc", page_jsonrpc, len(FIELDS)), ("xmlrpc", page_xmlrpc, len(SWEEP_FIELDS))):
            started = time.perf_counter()
            seen = pager(server.url)
            figures.append(f"keyset sync of {len(seen)} moves, {width} fields, pages of 1000, {name}: "
                           f"{time.perf_counter() - started:.1f} s")
            assert seen == expected
    with capsys.disabled():
        print("\n[sandbox timing] " + "\n[sandbox timing] ".join(figures))
