"""The store itself: migrations match the tables, the audit log is append-only, money stays exact,
and a desk moves from SQLite to PostgreSQL without losing a row."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from overdue_reminder.errors import UsageError
from overdue_reminder.sandbox.generator import SANDBOX_PASSWORD
from overdue_reminder.sandbox.harness import RunningSandbox
from overdue_reminder.services.sync import sync
from overdue_reminder.sources.odoo import OdooSource
from overdue_reminder.store import Store, ledger, record_audit
from overdue_reminder.store.copy import copy_store
from overdue_reminder.store.schema import audit, invoices, metadata


def test_migrations_create_exactly_the_declared_schema(store: Store) -> None:
    with store.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    assert diff == []


def test_audit_log_is_append_only(store: Store) -> None:
    with store.begin() as conn:
        record_audit(conn, "clerk", "hold.added", "client", 7, {"why": "dispute"})
    with pytest.raises(DBAPIError, match="append-only"), store.begin() as conn:
        conn.execute(audit.update().values(actor="someone else"))
    with pytest.raises(DBAPIError, match="append-only"), store.begin() as conn:
        conn.execute(audit.delete())
    with store.begin() as conn:
        assert conn.execute(select(audit.c.actor)).scalar() == "clerk"


def test_money_round_trips_exactly(store: Store) -> None:
    big = Decimal("123456789012.345678")
    with store.begin() as conn:
        ledger.upsert(conn, invoices, [{
            "id": 1, "name": "INV/1", "kind": "invoice", "client_id": 1, "contact_id": 1, "attorney_id": None,
            "matter_ref": "", "currency": "USD", "amount_total": big, "amount_residual": Decimal("0.10"),
            "invoice_date": None, "due_date": datetime(2026, 1, 1).date(), "payment_state": "not_paid",
            "is_open": True, "write_date": None, "first_seen": datetime.now(UTC), "closed_at": None}], ["id"])
    with store.begin() as conn:
        (inv,) = ledger.load_invoices(conn, [1])
    assert inv.amount_total == big and inv.amount_residual == Decimal("0.10")
    with pytest.raises(TypeError, match="Decimal"), store.begin() as conn:
        ledger.upsert(conn, invoices, [{"id": 2, "name": "x", "kind": "invoice", "client_id": 1, "contact_id": 1,
                                        "currency": "USD", "amount_total": 0.1, "amount_residual": Decimal(0),
                                        "due_date": datetime(2026, 1, 1).date(), "payment_state": "not_paid",
                                        "is_open": True, "first_seen": datetime.now(UTC)}], ["id"])


def test_sqlite_store_file_is_owner_only(tmp_path: Path) -> None:
    s = Store(f"sqlite:///{tmp_path / 'desk' / 'store.db'}")
    s.upgrade()
    assert (tmp_path / "desk" / "store.db").stat().st_mode & 0o077 == 0
    with s.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
    s.dispose()


@pytest.mark.postgres
def test_copy_sqlite_desk_to_postgresql(sqlite_store: Store, pg_url: str, sandbox: RunningSandbox) -> None:
    sync(sqlite_store, OdooSource(sandbox.odoo_settings(), SANDBOX_PASSWORD, trust_account_code="2150"))
    with sqlite_store.begin() as conn:
        record_audit(conn, "clerk", "note", "client", 1)
        before = {t.name: conn.execute(select(func.count()).select_from(t)).scalar() for t in metadata.sorted_tables}
        money = sorted((i.id, i.amount_residual) for i in ledger.load_open_invoices(conn))
    target = Store(pg_url)
    counts = copy_store(sqlite_store, target)
    assert counts == before and counts["invoices"] > 100
    with target.begin() as conn:
        assert sorted((i.id, i.amount_residual) for i in ledger.load_open_invoices(conn)) == money
        record_audit(conn, "clerk", "after the move", "client", 1)  # sequences continue after the copied ids
    with pytest.raises(UsageError, match="not empty"):
        copy_store(sqlite_store, target)
    target.dispose()
