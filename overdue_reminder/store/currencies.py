"""The accounting system's currency precisions, cached with the ledger they describe.

Kept in sync_state (source "res.currency", one row per code, decimal places in `watermark`), read once
per sync; processes that do not sync (send, the review page) load the same figures from here, so every
amount is rounded the way the accounting system rounds it.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

from sqlalchemy import Connection, delete, insert, select

from overdue_reminder.store.schema import sync_state

SOURCE = "res.currency"


def save(conn: Connection, places: Mapping[str, int], at: datetime | None = None) -> None:
    """Replace the cached list (the accounting system may have added or archived currencies)."""
    conn.execute(delete(sync_state).where(sync_state.c.source == SOURCE))
    if places:
        stamp = at or datetime.now(UTC)
        conn.execute(insert(sync_state), [{"source": SOURCE, "model": code, "watermark": str(int(n)), "last_id": 0,
                                           "phase": "currency", "updated_at": stamp}
                                          for code, n in sorted(places.items())])


def load(conn: Connection) -> dict[str, int]:
    rows = conn.execute(select(sync_state.c.model, sync_state.c.watermark).where(sync_state.c.source == SOURCE))
    return {r.model: int(r.watermark) for r in rows if r.watermark.isdigit()}
