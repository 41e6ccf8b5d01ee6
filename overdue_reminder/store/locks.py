"""Only one run at a time, across processes and machines.

SQLite: an exclusive flock on a lock file beside the database (one machine owns a SQLite file).
PostgreSQL: a session-level advisory lock, so staff machines sharing one desk exclude each other.
A second run fails at once with LockedError (exit code 4); it never waits.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url

from overdue_reminder.errors import LockedError
from overdue_reminder.store import Store

ADVISORY_KEY = 0x0D0E_2EED  # "overdue": one fixed key per desk database


@contextmanager
def run_lock(store: Store, name: str = "run", busy: str = "") -> Iterator[None]:
    """Hold the desk's lock called `name` ("run": the nightly pass; "send": the sender). `busy` is the
    message a second holder gets (a default names the lock file or the PostgreSQL lock)."""
    if store.dialect == "postgresql":
        with _pg_lock(store, name, busy):
            yield
    elif _in_memory(store):  # one process owns an in-memory database: nothing to exclude
        yield
    else:
        with _file_lock(store, name, busy):
            yield


def _in_memory(store: Store) -> bool:
    return make_url(store.url).database in ("", ":memory:")


def lock_path(store: Store, name: str) -> Path:
    db = make_url(store.url).database or "overdue-reminder.db"
    return Path(f"{db}.{name}.lock")


@contextmanager
def _file_lock(store: Store, name: str, busy: str) -> Iterator[None]:
    path = lock_path(store, name)
    fd = os.open(path, os.O_CREAT | os.O_RDWR, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            holder = os.pread(fd, 64, 0).decode(errors="replace").strip()
            raise LockedError(busy or f"another run holds the lock {path} (pid {holder or '?'}); "
                                      "wait for it to finish") from exc
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        yield
    finally:
        os.close(fd)  # closing releases the flock, also when the process dies


@contextmanager
def _pg_lock(store: Store, name: str, busy: str) -> Iterator[None]:
    key2 = sum(name.encode()) & 0x7FFFFFFF
    conn = store.engine.connect()
    try:
        got = conn.execute(text("SELECT pg_try_advisory_lock(:a, :b)"), {"a": ADVISORY_KEY, "b": key2}).scalar()
        conn.commit()
        if not got:
            raise LockedError(busy or "another run holds the desk's lock on the PostgreSQL store; "
                                      "wait for it to finish")
        try:
            yield
        finally:
            conn.execute(text("SELECT pg_advisory_unlock(:a, :b)"), {"a": ADVISORY_KEY, "b": key2})
            conn.commit()
    finally:
        conn.close()
