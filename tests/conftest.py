"""Shared fixtures: stores on SQLite and PostgreSQL, settings built from TOML text."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from overdue_reminder.sandbox.harness import RunningSandbox, start_sandbox
from overdue_reminder.store import Store

PG_URL = os.environ.get("OVERDUE_REMINDER_TEST_PG_URL", "")


def _pg_database(url: str) -> Iterator[str]:
    """A fresh database per test on the PostgreSQL that scripts/test started."""
    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))
    base = url.rsplit("/", 1)[0]
    try:
        yield f"{base}/{name}"
    finally:
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _require_pg() -> None:
    if not PG_URL:
        if os.environ.get("CI"):
            pytest.fail("OVERDUE_REMINDER_TEST_PG_URL is not set: run the tests through scripts/test")
        pytest.skip("PostgreSQL not started (run scripts/test)")


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A store URL on each backend; tests using it run twice."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.db'}"
    else:
        _require_pg()
        yield from _pg_database(PG_URL)


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    s = Store(store_url)
    s.upgrade()
    yield s
    s.dispose()


@pytest.fixture
def sqlite_store(tmp_path: Path) -> Iterator[Store]:
    s = Store(f"sqlite:///{tmp_path / 'store.db'}")
    s.upgrade()
    yield s
    s.dispose()


@pytest.fixture
def pg_url() -> Iterator[str]:
    _require_pg()
    yield from _pg_database(PG_URL)


# ---------------------------------------------------------------- the sandbox Odoo
TODAY = date(2026, 11, 28)


@pytest.fixture
def sandbox() -> Iterator[RunningSandbox]:
    """A sandbox Odoo on a free loopback port with a small generated firm (60 clients, 300 invoices)."""
    sb = start_sandbox(clients=60, invoices=300, today=TODAY)
    try:
        yield sb
    finally:
        sb.stop()
