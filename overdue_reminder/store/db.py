"""Opening the store: SQLite (WAL, foreign keys, busy timeout) or PostgreSQL by URL, and migrations."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, and_, create_engine, event, insert, inspect, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from overdue_reminder.errors import StoreError
from overdue_reminder.store.schema import audit

MIGRATIONS = Path(__file__).parent / "migrations"


def make_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            path = Path(parsed.database)
            path.parent.mkdir(parents=True, exist_ok=True)
            if not path.exists():
                # The ledger holds client data: owner-only from the first byte.
                fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
                os.close(fd)
        engine = create_engine(url, connect_args={"timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            # A nightly plan reads the whole open ledger several times; SQLite's default 2 MB page cache
            # sends every pass back to the OS at 100,000 invoices (a 30 MB file), which made planning
            # grow faster than the ledger. Memory-mapped reads and a 64 MB cache keep it linear.
            cur.execute("PRAGMA cache_size=-65536")
            cur.execute("PRAGMA mmap_size=268435456")
            cur.close()

        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return create_engine(url, pool_pre_ping=True)


def alembic_config(engine: Engine) -> Any:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = engine
    return cfg


def upgrade(engine: Engine, revision: str = "head") -> None:
    from alembic import command

    command.upgrade(alembic_config(engine), revision)


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision(engine: Engine) -> str | None:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config(engine)).get_current_head()


class Store:
    """The engine plus the few helpers every service needs (transactions, audit)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def upgrade(self) -> None:
        upgrade(self.engine)

    def check_schema(self) -> None:
        """Refuse to work on a store that is not at the latest migration."""
        cur, head = current_revision(self.engine), head_revision(self.engine)
        if cur != head:
            state = "empty" if cur is None else f"at revision {cur}"
            raise StoreError(f"the store {self.describe()} is {state}, the code needs {head}.")

    def ensure_ready(self) -> None:
        """Create or upgrade the schema; used by commands that may run first on a new store.

        A store that cannot be opened (corrupt, unreadable, read-only while it needs upgrading, no space)
        is named in one line; nothing in it is touched.
        """
        try:
            if current_revision(self.engine) != head_revision(self.engine):
                self.upgrade()
        except SQLAlchemyError as exc:
            orig = getattr(exc, "orig", None) or exc
            why = " ".join(str(orig).split())[:300]
            raise StoreError(f"the store {self.describe()} cannot be opened: {why}{self._folder_note()}.") from exc

    def _folder_note(self) -> str:
        """SQLite writes beside its file (WAL, journal): a read-only folder is the usual cause; say so."""
        database = make_url(self.url).database
        if not self.url.startswith("sqlite") or not database or database == ":memory:":
            return ""
        folder = os.path.dirname(os.path.abspath(database))
        if not os.access(folder, os.W_OK):
            return f"; its folder {folder} cannot be written (read-only)"
        if os.path.exists(database) and not os.access(database, os.W_OK):
            return "; the file is read-only"
        return ""

    def describe(self) -> str:
        return make_url(self.url).render_as_string(hide_password=True)

    @contextmanager
    def begin(self) -> Iterator[Connection]:
        with self.engine.begin() as conn:
            yield conn

    def table_names(self) -> list[str]:
        return inspect(self.engine).get_table_names()

    def dispose(self) -> None:
        self.engine.dispose()


def record_audit(conn: Connection, actor: str, action: str, object_type: str, object_id: str | int,
                 detail: dict[str, Any] | None = None, at: datetime | None = None) -> None:
    """Append one line to the audit log inside the caller's transaction."""
    conn.execute(insert(audit).values(
        at=at or datetime.now(UTC), actor=actor, action=action, object_type=object_type,
        object_id=str(object_id), detail=detail or {},
    ))


@dataclass(frozen=True, slots=True)
class AuditEntry:
    at: datetime
    actor: str
    action: str
    detail: dict[str, Any]


def read_audit(conn: Connection, object_type: str, object_id: str | int) -> list[AuditEntry]:
    """One object's audit log, oldest first."""
    q = (select(audit.c.at, audit.c.actor, audit.c.action, audit.c.detail)
         .where(and_(audit.c.object_type == object_type, audit.c.object_id == str(object_id))).order_by(audit.c.id))
    return [AuditEntry(r.at, r.actor, r.action, dict(r.detail or {})) for r in conn.execute(q)]
