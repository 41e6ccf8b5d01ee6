"""Sync benchmark: full sync vs a bare odoo-client-lib paging loop, incremental sync, RPC calls, memory.

Issue 2's targets at scale 1.0 (100,000 open invoices, 20,000 clients in the sandbox):
full sync <= ceil(inv/1000) + ceil(clients/1000) + 10 RPC calls; wall time <= 1.3x the bare
loop; incremental after 1% changed <= 5% of the full sync; peak memory < 400 MB. The sandbox
runs in its own process (like a real Odoo) and every measured run in a fresh process, so
the memory figure is that run's own peak.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PROTOCOL = os.environ.get("BENCH_PROTOCOL", "jsonrpc")


def _serve(invoices: int, clients: int) -> None:
    from overdue_reminder.sandbox.generator import generate_firm
    from overdue_reminder.sandbox.server import SandboxServer
    from overdue_reminder.sandbox.store import SandboxDB

    db = SandboxDB()
    summary = generate_firm(db, clients=clients, invoices=invoices, seed=11, today=date(2026, 11, 28))
    server = SandboxServer(db).start()
    print(json.dumps({"port": server.port, "clients": len(summary.client_ids) + len(summary.contact_ids)}),
          flush=True)
    sys.stdin.read()  # serve until the parent closes our stdin
    server.stop()


def _open_domain() -> list[Any]:
    return [("move_type", "in", ["out_invoice", "out_refund"]), ("state", "=", "posted"),
            ("payment_state", "in", ["not_paid", "partial"])]


def _bare(port: int) -> dict[str, Any]:
    """What a developer would write by hand with odoo-client-lib: page the same rows, same fields."""
    import odoolib

    from overdue_reminder.sandbox.generator import SANDBOX_DB, SANDBOX_LOGIN, SANDBOX_PASSWORD
    from overdue_reminder.sources.odoo import INVOICE_FIELDS

    conn = odoolib.get_connection(hostname="127.0.0.1", protocol=PROTOCOL, port=port, database=SANDBOX_DB,
                                  login=SANDBOX_LOGIN, password=SANDBOX_PASSWORD)
    t0 = time.perf_counter()
    conn.check_login()
    obj = conn.get_service("object")
    last, rows, calls = 0, 0, 0
    while True:
        page = obj.execute_kw(SANDBOX_DB, conn.user_id, SANDBOX_PASSWORD, "account.move", "search_read",
                              [[*_open_domain(), ("id", ">", last)]],
                              {"fields": INVOICE_FIELDS, "order": "id", "limit": 1000})
        calls += 1
        rows += len(page)
        if page:
            last = page[-1]["id"]
        if len(page) < 1000:
            break
    return {"seconds": time.perf_counter() - t0, "rows": rows, "calls": calls}


def _sync(port: int, store_path: str) -> dict[str, Any]:
    from overdue_reminder.config import OdooSettings
    from overdue_reminder.sandbox.generator import SANDBOX_DB, SANDBOX_LOGIN, SANDBOX_PASSWORD
    from overdue_reminder.services.sync import sync
    from overdue_reminder.sources.odoo import OdooSource
    from overdue_reminder.store import Store

    store = Store(f"sqlite:///{store_path}")
    store.ensure_ready()
    settings = OdooSettings(port=port, protocol=PROTOCOL, database=SANDBOX_DB, login=SANDBOX_LOGIN)  # type: ignore[arg-type]
    t0 = time.perf_counter()
    report = sync(store, OdooSource(settings, SANDBOX_PASSWORD, trust_account_code="2150"))
    seconds = time.perf_counter() - t0
    return {"seconds": seconds, "phases": report.phases, "calls": report.rpc_calls, "new": report.new,
            "closed": report.closed, "changed": report.changed, "clients": report.clients, "kind": report.kind}


def _touch(port: int, fraction: float) -> dict[str, Any]:
    """Change a fraction of the open invoices in the sandbox over RPC: half paid, half re-referenced."""
    import odoolib

    from overdue_reminder.sandbox.generator import SANDBOX_DB, SANDBOX_LOGIN, SANDBOX_PASSWORD

    conn = odoolib.get_connection(hostname="127.0.0.1", protocol=PROTOCOL, port=port, database=SANDBOX_DB,
                                  login=SANDBOX_LOGIN, password=SANDBOX_PASSWORD)
    conn.check_login()
    obj = conn.get_service("object")
    ids = obj.execute_kw(SANDBOX_DB, conn.user_id, SANDBOX_PASSWORD, "account.move", "search",
                         [_open_domain()], {"order": "id"})
    step = max(1, round(1 / fraction))
    chosen = ids[::step]
    paid, renamed = chosen[::2], chosen[1::2]
    for i in range(0, len(paid), 500):
        obj.execute_kw(SANDBOX_DB, conn.user_id, SANDBOX_PASSWORD, "account.move", "write",
                       [paid[i:i + 500], {"amount_residual": 0.0, "payment_state": "paid"}], {})
    for i in range(0, len(renamed), 500):
        obj.execute_kw(SANDBOX_DB, conn.user_id, SANDBOX_PASSWORD, "account.move", "write",
                       [renamed[i:i + 500], {"ref": "changed by bench"}], {})
    return {"changed": len(chosen), "open": len(ids)}


def _run_gc() -> contextlib.AbstractContextManager[None]:
    """The collector switch a CLI run sets (scripts/bench --gc run, the default), or CPython's own (--gc default)."""
    from overdue_reminder.run.gcpolicy import gc_tuned

    return contextlib.nullcontext() if os.environ.get("OVERDUE_REMINDER_BENCH_GC") == "default" else gc_tuned()


def _worker(kind: str, *args: str) -> None:
    fn = {"bare": _bare, "sync": _sync, "touch": _touch}[kind]
    conv: list[Any] = [int(args[0]), *[float(a) if kind == "touch" else a for a in args[1:]]]
    with _run_gc():
        out = fn(*conv)
    out["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(out), flush=True)


def _run_worker(*args: str) -> dict[str, Any]:
    res = subprocess.run([sys.executable, __file__, "--worker", *args], capture_output=True, text=True, check=True,
                         cwd=ROOT)
    return dict(json.loads(res.stdout.strip().splitlines()[-1]))


def run(scale: float) -> list[dict[str, Any]]:
    # The generator leaves about 65% of its invoices open (the rest paid, cancelled, credit notes);
    # the figure is 100,000 OPEN invoices, so it generates about 155,000.
    invoices = max(1000, int(100_000 * scale / 0.6466))
    clients = max(200, int(20_000 * scale))
    srv = subprocess.Popen([sys.executable, __file__, "--serve", str(invoices), str(clients)], stdin=subprocess.PIPE,
                           stdout=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        assert srv.stdout is not None
        info = json.loads(srv.stdout.readline())
        port = str(info["port"])
        tmp = tempfile.mkdtemp(prefix="bench-sync-")
        bare, fulls = [], []
        for i in range(2):  # alternated, so both see the same machine
            bare.append(_run_worker("bare", port))
            fulls.append(_run_worker("sync", port, f"{tmp}/full{i}.db"))
        bare_s = min(b["seconds"] for b in bare)
        best = min(fulls, key=lambda r: r["seconds"])
        touched = _run_worker("touch", port, "0.01")
        inc = _run_worker("sync", port, f"{tmp}/full{fulls.index(best)}.db")
        rows = bare[0]["rows"]
        peaks = ", ".join(f"{f['peak_mb']:.0f}" for f in fulls)
        budget = math.ceil(rows / 1000) + math.ceil(clients / 1000) + 10
        return [
            {"name": "open invoices in sandbox", "value": rows, "unit": "rows",
             "note": f"{clients} clients, {info['clients']} partners, protocol {PROTOCOL}"},
            {"name": "bare odoolib paging loop", "value": bare_s, "unit": "s", "note": f"{bare[0]['calls']} calls"},
            {"name": "full sync", "value": best["seconds"], "unit": "s",
             "note": f"{best['new']} invoices, {best['clients']} partners stored; phases {best['phases']}"},
            {"name": "full sync / bare loop", "value": best["seconds"] / bare_s, "unit": "ratio",
             "note": "target <= 1.3"},
            {"name": "full sync RPC calls", "value": best["calls"], "unit": "calls", "note": f"budget {budget}"},
            {"name": "full sync peak memory", "value": max(f["peak_mb"] for f in fulls), "unit": "MB",
             "note": f"the larger of the full runs ({peaks} MB); target < 400 in every run"},
            {"name": "incremental sync after 1% changed", "value": inc["seconds"], "unit": "s",
             "note": f"{touched['changed']} changed: {inc['closed']} closed, {inc['changed']} updated, "
                     f"{inc['calls']} calls; phases {inc['phases']}"},
            {"name": "incremental / full", "value": inc["seconds"] / best["seconds"], "unit": "ratio",
             "note": "target <= 0.05"},
        ]
    finally:
        if srv.stdin:
            srv.stdin.close()
        srv.wait(timeout=30)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--serve":
        _serve(int(sys.argv[2]), int(sys.argv[3]))
    elif len(sys.argv) > 1 and sys.argv[1] == "--worker":
        _worker(*sys.argv[2:])
    else:
        for r in run(float(sys.argv[1]) if len(sys.argv) > 1 else 0.1):
            print(r)
