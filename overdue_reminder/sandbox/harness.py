"""A running sandbox with a generated firm, and settings that point the tool at it.

Shared by the demo, the tests and the benchmarks so they all start the sandbox one way.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Any, Literal

from overdue_reminder.config import OdooSettings
from overdue_reminder.sandbox.generator import SANDBOX_DB, SANDBOX_LOGIN, FirmSummary, generate_firm
from overdue_reminder.sandbox.server import SandboxServer
from overdue_reminder.sandbox.store import SandboxDB


@dataclass
class RunningSandbox:
    db: SandboxDB
    server: SandboxServer
    summary: FirmSummary

    def odoo_settings(self, protocol: Literal["jsonrpc", "jsonrpcs", "xmlrpc", "xmlrpcs"] = "jsonrpc",
                      **changes: Any) -> OdooSettings:
        base = OdooSettings(host="127.0.0.1", port=self.server.port, protocol="jsonrpc", database=SANDBOX_DB,
                            login=SANDBOX_LOGIN, timeout_seconds=5.0, retries=2, backoff_seconds=0.01,
                            trust_account_code="2150")
        return replace(base, protocol=protocol, **changes)

    def stop(self) -> None:
        self.server.stop()


def start_sandbox(*, clients: int, invoices: int, today: date, seed: int = 7, version: str = "17.0",
                  port: int = 0) -> RunningSandbox:
    db = SandboxDB(version=version)
    summary = generate_firm(db, clients=clients, invoices=invoices, seed=seed, today=today)
    server = SandboxServer(db, port=port).start()
    return RunningSandbox(db, server, summary)
