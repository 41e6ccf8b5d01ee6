"""Sandbox fixtures: a shared read-only firm on one server, fresh small firms for tests that write."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time

import pytest
from sandbox_rpc import PROTOCOLS, RpcClient

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


@pytest.fixture(scope="session")
def shared_firm() -> Iterator[Firm]:
    """300 clients and 3,000 invoices; tests using it must not write."""
    firm = build_firm(300, 3000)
    yield firm
    firm.server.stop()


@pytest.fixture
def make_firm() -> Iterator[Callable[..., Firm]]:
    """A factory of fresh firms (own database, own server), stopped after the test."""
    made: list[Firm] = []

    def make(clients: int = 40, invoices: int = 300, *, seed: int = 7, version: str = "17.0") -> Firm:
        made.append(build_firm(clients, invoices, seed=seed, version=version))
        return made[-1]

    yield make
    for firm in made:
        firm.server.stop()


@pytest.fixture
def firm(make_firm: Callable[..., Firm]) -> Firm:
    return make_firm()


@pytest.fixture(params=PROTOCOLS)
def protocol(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def rpc(firm: Firm, protocol: str) -> Iterator[RpcClient]:
    client = RpcClient(firm.url, protocol)
    yield client
    client.close()


@pytest.fixture
def shared_rpc(shared_firm: Firm, protocol: str) -> Iterator[RpcClient]:
    client = RpcClient(shared_firm.url, protocol)
    yield client
    client.close()
