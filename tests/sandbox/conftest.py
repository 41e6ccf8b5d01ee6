"""Sandbox fixtures: a shared read-only firm on one server, fresh small firms for tests that write."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from sandbox_firm import Firm, build_firm
from sandbox_rpc import PROTOCOLS, RpcClient


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
