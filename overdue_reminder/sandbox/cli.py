"""`odoo-sandbox`: serve a generated law firm over the Odoo protocols on loopback until Ctrl-C.

For the demo and for trying a client by hand; tests start `SandboxServer` themselves.
"""

from __future__ import annotations

import argparse
import signal
import sys
import time
from collections.abc import Sequence
from datetime import UTC, date, datetime
from types import FrameType

from .constants import CLERK_LOGIN, CLERK_PASSWORD, SANDBOX_DB, SANDBOX_LOGIN, SANDBOX_PASSWORD
from .generator import generate_firm
from .server import SandboxServer
from .store import Clock, SandboxDB


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="odoo-sandbox", description=__doc__)
    parser.add_argument("--clients", type=int, default=200, help="ordinary clients to generate (default 200)")
    parser.add_argument("--invoices", type=int, default=2000, help="customer invoices to generate (default 2000)")
    parser.add_argument("--port", type=int, default=8069, help="port on 127.0.0.1 (default 8069, 0 for any free)")
    parser.add_argument("--seed", type=int, default=7, help="random seed: same seed, same firm (default 7)")
    parser.add_argument("--version", default="17.0", choices=("16.0", "17.0", "18.0"),
                        help="Odoo version to impersonate (default 17.0)")
    parser.add_argument("--today", type=date.fromisoformat, default=None,
                        help="the generated firm's today, YYYY-MM-DD (default: today, UTC)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    today = args.today or datetime.now(UTC).date()
    db = SandboxDB(SANDBOX_DB, version=args.version, clock=Clock(frozen=False))
    started = time.perf_counter()
    summary = generate_firm(db, clients=args.clients, invoices=args.invoices, seed=args.seed, today=today)
    elapsed = time.perf_counter() - started
    server = SandboxServer(db, port=args.port)
    try:
        server.start()
    except OSError as exc:
        print(f"odoo-sandbox: cannot listen on 127.0.0.1:{args.port}: {exc.strerror or exc}", file=sys.stderr)
        return 2

    def _stop(signum: int, frame: FrameType | None) -> None:
        server.stop()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, signal.default_int_handler)  # even when started with SIGINT ignored
    print(f"Odoo {args.version} sandbox serving at {server.url}", flush=False)
    print(f"  database: {SANDBOX_DB}   login: {SANDBOX_LOGIN}   password / API key: {SANDBOX_PASSWORD}")
    print(f"  user without accounting rights: {CLERK_LOGIN} / {CLERK_PASSWORD}")
    print(f"  XML-RPC: {server.url}/xmlrpc/2/object   JSON-RPC: {server.url}/jsonrpc")
    print(f"  data: {len(summary.client_ids)} clients, {summary.invoices} invoices, {summary.moves} journal entries, "
          f"{summary.payments} payments (seed {args.seed}, today {today}; generated in {elapsed:.1f} s)")
    print("Press Ctrl-C to stop.", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    print("odoo-sandbox stopped.")
    return 0
