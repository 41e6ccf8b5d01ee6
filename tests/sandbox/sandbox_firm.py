"""A generated firm served on a free loopback port, as the sandbox tests build it.

A module of its own (not conftest) so test modules can import it whatever other conftest.py
files the run has loaded.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from overdue_reminder.sandbox import SANDBOX_DB, Clock, FirmSummary, SandboxDB, SandboxServer, generate_firm

TODAY = date(2026, 11, 28)


@dataclass
class Firm:
    db: SandboxDB
    summary: FirmSummary
    server: SandboxServer

    @property
    def url(self) -> str:
        return self.server.url


def build_firm(clients: int = 40, invoices: int = 300, *, seed: int = 7, version: str = "17.0") -> Firm:
    db = SandboxDB(SANDBOX_DB, version=version, clock=Clock(datetime.combine(TODAY, time(9)), frozen=True))
    summary = generate_firm(db, clients=clients, invoices=invoices, seed=seed, today=TODAY)
    return Firm(db, summary, SandboxServer(db).start())
