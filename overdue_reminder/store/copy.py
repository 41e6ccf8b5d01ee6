"""Move a desk from one store to another (SQLite → PostgreSQL when several machines share it)."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Integer, func, insert, select, text

from overdue_reminder.errors import UsageError
from overdue_reminder.store.db import Store
from overdue_reminder.store.schema import metadata

BATCH = 5000


def copy_store(source: Store, target: Store, progress: Callable[[str, int], None] | None = None) -> dict[str, int]:
    """Copy every table, rows as they are (ids, money, audit), into an empty target at the same schema."""
    source.check_schema()
    target.upgrade()
    counts: dict[str, int] = {}
    with target.begin() as tconn:
        for table in metadata.sorted_tables:
            if tconn.execute(select(func.count()).select_from(table)).scalar():
                raise UsageError(f"the target store is not empty (table {table.name} has rows); "
                                 "copy only into a new database.")
    with source.engine.connect() as sconn, target.begin() as tconn:
        for table in metadata.sorted_tables:  # parents before children (foreign keys)
            n = 0
            result = sconn.execution_options(yield_per=BATCH).execute(select(table))
            for part in result.partitions(BATCH):
                tconn.execute(insert(table), [dict(r._mapping) for r in part])
                n += len(part)
                if progress:
                    progress(table.name, len(part))
            counts[table.name] = n
        if target.dialect == "postgresql":
            for table in metadata.sorted_tables:
                pk = list(table.primary_key.columns)
                if len(pk) == 1 and pk[0].autoincrement in (True, "auto") and isinstance(pk[0].type, Integer):
                    tconn.execute(text(
                        f"SELECT setval(pg_get_serial_sequence('{table.name}', '{pk[0].name}'), "
                        f"COALESCE((SELECT MAX({pk[0].name}) FROM {table.name}), 0) + 1, false)"))
    return counts
