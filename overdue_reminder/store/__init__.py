"""The local ledger: SQLAlchemy 2 tables, migrations, and the queries services share."""

from overdue_reminder.store.db import Store, record_audit

__all__ = ["Store", "record_audit"]
