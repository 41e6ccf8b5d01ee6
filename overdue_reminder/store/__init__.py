"""The local ledger: SQLAlchemy 2 tables, migrations, and the queries services share."""

from sqlalchemy import Connection

from overdue_reminder.store.db import AuditEntry, Store, read_audit, record_audit

__all__ = ["AuditEntry", "Connection", "Store", "read_audit", "record_audit"]
