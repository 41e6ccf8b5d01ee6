"""The real-Odoo suite: a real Odoo 17 that scripts/test-odoo started (../shared/odoo/odoo-up) and seeded.

Collected only when the ODOO_* variables odoo-up prints are set, so the sandbox suite runs without it.
The firm seeded before the run (ODOO_SEED_JSON, or seeded here when absent) is shared read-only:
a test that pays, cancels or writes back makes its own client and invoices first.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from overdue_reminder.sandbox.odoo_seed import OdooRpc, OdooSeeder, Seeded, client_from_env

ODOO = os.environ.get("ODOO_URL", "")
if not ODOO:
    collect_ignore_glob = ["test_*.py"]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.odoo_real)


@pytest.fixture(scope="session")
def admin() -> Iterator[OdooRpc]:
    client = client_from_env()
    client.authenticate()
    yield client
    client.close()


@pytest.fixture(scope="session")
def seeded(admin: OdooRpc, tmp_path_factory: pytest.TempPathFactory) -> Seeded:
    path = os.environ.get("ODOO_SEED_JSON", "")
    if path and Path(path).exists():
        return Seeded.from_json(Path(path).read_text(encoding="utf-8"))
    firm = OdooSeeder(admin).firm(clients=20)
    (tmp_path_factory.mktemp("seed") / "seed.json").write_text(firm.to_json(), encoding="utf-8")
    return firm


@pytest.fixture
def seeder(admin: OdooRpc) -> OdooSeeder:
    """For records of the test's own (a fresh seed per test: names and amounts differ between tests)."""
    return OdooSeeder(admin, seed=int.from_bytes(os.urandom(4), "big"))
