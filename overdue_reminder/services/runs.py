"""The service's own records: one row per run (`service_runs`) and the serve loop's heartbeat.

The pipeline, the scheduler and `status` read and write these through here, so the run layer and
the CLI never touch the tables.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, insert, select, update

from overdue_reminder.store import Store
from overdue_reminder.store.ledger import upsert
from overdue_reminder.store.schema import heartbeat, service_runs

SERVE = "serve"


@dataclass(frozen=True)
class RunRow:
    id: int
    job: str
    run_date: date
    status: str
    started_at: datetime
    finished_at: datetime | None
    error: str


@dataclass(frozen=True)
class Beat:
    at: datetime
    detail: dict[str, Any]


def start_run(store: Store, job: str, run_date: date, at: datetime) -> int:
    """A 'running' row; `finish_run` closes it."""
    with store.begin() as conn:
        res = conn.execute(insert(service_runs).values(job=job, run_date=run_date, started_at=at, status="running",
                                                       counts={}, error=""))
        key = res.inserted_primary_key
        assert key is not None
        return int(key[0])


def finish_run(store: Store, run_id: int, status: str, counts: dict[str, Any], error: str, at: datetime) -> None:
    with store.begin() as conn:
        conn.execute(update(service_runs).where(service_runs.c.id == run_id).values(
            finished_at=at, status=status, counts=counts, error=error[:4000]))


def record_failure(store: Store, job: str, run_date: date, at: datetime, error: str) -> None:
    """A failed run recorded whole (the pipeline never got to record its own)."""
    with store.begin() as conn:
        conn.execute(insert(service_runs).values(job=job, run_date=run_date, started_at=at, finished_at=at,
                                                 status="failed", counts={}, error=error[:2000]))


def completed_since(store: Store, job: str, since: date) -> bool:
    """Whether `job` finished ok for a run date on or after `since`."""
    with store.begin() as conn:
        return conn.execute(select(service_runs.c.id).where(and_(
            service_runs.c.job == job, service_runs.c.run_date >= since,
            service_runs.c.status == "ok"))).first() is not None


def recent_runs(store: Store, limit: int) -> list[RunRow]:
    with store.begin() as conn:
        rows = conn.execute(select(service_runs).order_by(service_runs.c.id.desc()).limit(limit)).all()
    return [RunRow(r.id, r.job, r.run_date, r.status, r.started_at, r.finished_at, r.error or "") for r in rows]


def beat(store: Store, at: datetime, detail: dict[str, Any], name: str = SERVE) -> None:
    with store.begin() as conn:
        upsert(conn, heartbeat, [{"name": name, "at": at, "detail": detail}], ["name"])


def last_beat(store: Store, name: str = SERVE) -> Beat | None:
    with store.begin() as conn:
        row = conn.execute(select(heartbeat).where(heartbeat.c.name == name)).first()
    return Beat(row.at, dict(row.detail or {})) if row is not None else None


__all__ = ["Beat", "RunRow", "beat", "completed_since", "finish_run", "last_beat", "recent_runs", "record_failure",
           "start_run"]
