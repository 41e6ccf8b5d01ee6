"""The ledger half of the store: upserts from a source batch, watermarks, and reads as model records.

Writes are batched (one executemany per table per batch) and idempotent (upsert on the Odoo id),
so a batch re-read after a crash changes nothing twice.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from functools import lru_cache
from operator import itemgetter
from typing import Any

from sqlalchemy import (
    Boolean,
    Connection,
    Date,
    Dialect,
    Integer,
    String,
    Table,
    Text,
    and_,
    bindparam,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite

from overdue_reminder.errors import UsageError
from overdue_reminder.model import (
    Address,
    Attorney,
    Invoice,
    InvoiceKind,
    Partner,
    Payment,
    Skipped,
    TrustBalance,
    Watermark,
)
from overdue_reminder.store.schema import (
    attorneys,
    clients,
    invoices,
    matters,
    payments,
    skipped_records,
    sync_state,
    trust_balances,
)
from overdue_reminder.store.types import Money, UTCDateTime


def _insert(conn: Connection, table: Any) -> Any:
    return (postgresql.insert(table) if conn.dialect.name == "postgresql" else sqlite.insert(table))


@lru_cache(maxsize=256)
def _compiled_upsert(dialect: Dialect, table: Table, cols: tuple[str, ...], keys: tuple[str, ...],
                     update_cols: tuple[str, ...]) -> tuple[str, tuple[str, ...], tuple[Any, ...], tuple[Any, ...]]:
    """SQL text, parameter names, their bind processors and column defaults, compiled once per shape.

    No `keys`: a plain INSERT (the unique constraints are the guard)."""
    ins = postgresql.insert(table) if dialect.name == "postgresql" else sqlite.insert(table)
    stmt = ins.values({c: bindparam(c) for c in cols})
    if keys and update_cols:
        stmt = stmt.on_conflict_do_update(index_elements=list(keys), set_={c: stmt.excluded[c] for c in update_cols})
    elif keys:
        stmt = stmt.on_conflict_do_nothing(index_elements=list(keys))
    compiled = stmt.compile(dialect=dialect)
    names = tuple(compiled.positiontup) if compiled.positiontup else tuple(compiled.binds)
    procs = tuple(_fast_processor(table.c[n].type, dialect) for n in names)
    defaults = []
    for n in names:  # columns the rows leave out get their Column(default=…), as SQLAlchemy would
        arg = getattr(table.c[n].default, "arg", None)
        defaults.append(arg(None) if callable(arg) else arg)
    return str(compiled), names, procs, tuple(defaults)


def _money_text(v: Any) -> Any:
    if v is None:
        return None
    if v.__class__ is not Decimal:
        raise TypeError(f"money must be Decimal, got {type(v).__name__}")
    return str(v)


_last_utc: list[Any] = [None, None]  # (datetime, text): a batch repeats the same `now` a thousand times


def _utc_text(v: Any) -> Any:
    if v is None:
        return None
    if v is _last_utc[0]:
        return _last_utc[1]
    if v.tzinfo is None:
        raise ValueError("naive datetime given to the store; pass an aware instant")
    # SQLAlchemy's SQLite DATETIME format ('YYYY-MM-DD HH:MM:SS.ffffff'), without strftime's cost
    out = (v if v.tzinfo is UTC else v.astimezone(UTC)).replace(tzinfo=None).isoformat(" ", "microseconds")
    _last_utc[0], _last_utc[1] = v, out
    return out


def _date_text(v: Any) -> Any:
    return None if v is None else v.isoformat()  # SQLAlchemy's SQLite DATE format, without strftime


_PASS_THROUGH = (String, Integer, Boolean, Text)


def _fast_processor(type_: Any, dialect: Dialect) -> Any:
    """The bind processor for bulk writes; None where the driver takes the Python value as it is."""
    if dialect.name == "sqlite":
        if isinstance(type_, Money):
            return _money_text
        if isinstance(type_, UTCDateTime):
            return _utc_text
        if type(type_) is Date:
            return _date_text
        if isinstance(type_, _PASS_THROUGH):
            return None
    return type_._cached_bind_processor(dialect)


def upsert(conn: Connection, table: Any, rows: Sequence[dict[str, Any]], keys: Sequence[str],
           update_cols: Sequence[str] | None = None) -> None:
    """INSERT … ON CONFLICT DO UPDATE for a whole batch in one DBAPI executemany.

    The statement is compiled once per shape and the rows go to the driver as plain tuples:
    SQLAlchemy's per-row parameter handling cost more than the database itself on 1000-row
    batches. Column types' bind processors (Money, UTCDateTime, JSON) still apply.
    """
    if not rows:
        return
    cols = tuple(rows[0])
    upd = tuple(update_cols if update_cols is not None else [c for c in cols if c not in keys])
    _write_many(conn, table, rows, cols, tuple(keys), upd)


def insert_many(conn: Connection, table: Any, rows: Sequence[Mapping[str, Any]]) -> None:
    """A plain batch INSERT through the same fast path as upsert (one executemany, no RETURNING)."""
    if rows:
        _write_many(conn, table, rows, tuple(rows[0]), (), ())


def _write_many(conn: Connection, table: Any, rows: Sequence[Mapping[str, Any]], cols: tuple[str, ...],
                keys: tuple[str, ...], upd: tuple[str, ...]) -> None:
    sql, names, procs, defaults = _compiled_upsert(conn.dialect, table, cols, keys, upd)
    if set(names) <= set(cols):  # every row carries every column: C-speed extraction
        get = itemgetter(*names)
        values: list[tuple[Any, ...]] = [get(r) for r in rows] if len(names) > 1 else [(get(r),) for r in rows]
    else:
        values = [tuple(r.get(n, d) for n, d in zip(names, defaults, strict=True)) for r in rows]
    active = [(i, p) for i, p in enumerate(procs) if p is not None]
    if active:
        converted = []
        for v in values:
            out = list(v)
            for i, p in active:
                out[i] = p(out[i])
            converted.append(out)
        values = [tuple(v) for v in converted]
    if conn.dialect.paramstyle in ("qmark", "numeric", "format"):
        conn.exec_driver_sql(sql, values)
    else:  # named paramstyles (psycopg's pyformat)
        conn.exec_driver_sql(sql, [dict(zip(names, v, strict=True)) for v in values])


# ------------------------------------------------------------------ writes
def partner_row(p: Partner, now: datetime | None) -> dict[str, Any]:
    a = p.address
    return {"id": p.id, "commercial_id": p.commercial_id, "name": p.name, "email": p.email,
            "lang": p.lang, "phone": p.phone, "is_company": p.is_company, "contact_type": p.contact_type,
            "street": a.street, "street2": a.street2, "city": a.city, "zip": a.zip, "state": a.state,
            "country": a.country, "stub": False, "write_date": p.write_date, "synced_at": now}


def store_partners(conn: Connection, partners: Iterable[Partner], now: datetime) -> int:
    rows = [partner_row(p, now) for p in partners]
    upsert(conn, clients, rows, ["id"])
    return len(rows)


def store_partner_stubs(conn: Connection, ids: Iterable[tuple[int, int, str]]) -> None:
    """Placeholders for partners an invoice names before their details are read (id, commercial, name)."""
    rows = []
    for i, c, n in ids:
        row = partner_row(Partner(i, n, c), None)
        row["stub"] = True
        rows.append(row)
    upsert(conn, clients, rows, ["id"], update_cols=[])


def store_attorneys(conn: Connection, items: Iterable[Attorney]) -> int:
    rows = [{"id": a.id, "name": a.name, "login": a.login, "email": a.email, "stub": False,
             "write_date": a.write_date} for a in items]
    upsert(conn, attorneys, rows, ["id"])
    return len(rows)


def store_attorney_stubs(conn: Connection, ids: Iterable[tuple[int, str]]) -> None:
    rows = [{"id": i, "name": n, "stub": True} for i, n in ids]
    upsert(conn, attorneys, rows, ["id"], update_cols=[])


def invoice_row(inv: Invoice, now: datetime) -> dict[str, Any]:
    return {"id": inv.id, "name": inv.name, "kind": inv.kind.value, "client_id": inv.client_id,
            "contact_id": inv.contact_id, "attorney_id": inv.attorney_id, "matter_ref": inv.matter_ref,
            "currency": inv.currency, "amount_total": inv.amount_total,
            "amount_residual": inv.amount_residual, "invoice_date": inv.invoice_date,
            "due_date": inv.due_date, "payment_state": inv.payment_state, "is_open": inv.is_open,
            "write_date": inv.write_date, "first_seen": now, "closed_at": None if inv.is_open else now,
            "access_token": inv.access_token, "jurisdiction": inv.jurisdiction}


# What makes an invoice "changed" for the sync summary: not write_date, which Odoo also moves for chatter
# activity (a mail sent through Odoo, someone's note), so the desk's own write-backs never count as changes.
BUSINESS_FIELDS = ("name", "kind", "client_id", "contact_id", "attorney_id", "matter_ref", "currency",
                   "amount_total", "amount_residual", "invoice_date", "due_date", "payment_state")


def _business_changed(prev: Any, row: dict[str, Any]) -> bool:
    return any(getattr(prev, k) != row[k] for k in BUSINESS_FIELDS)


def stored_write_dates(conn: Connection, ids: Sequence[int], table: Table = invoices) -> dict[int, datetime | None]:
    """id -> stored write_date (UTC) for the records (invoices, or clients) the ledger holds among `ids`."""
    out: dict[int, datetime | None] = {}
    for i in range(0, len(ids), 1000):
        q = select(table.c.id, table.c.write_date).where(table.c.id.in_(list(ids[i:i + 1000])))
        for r in conn.execute(q):
            wd = r.write_date
            out[int(r.id)] = wd.replace(tzinfo=UTC) if wd is not None and wd.tzinfo is None else wd
    return out


@dataclass
class InvoiceCounts:
    new: int = 0
    changed: int = 0
    closed: int = 0


def store_invoices(conn: Connection, items: Sequence[Invoice], now: datetime) -> InvoiceCounts:
    """Upsert invoices; counts what is new, changed and newly closed (for the sync summary).

    first_seen keeps its first value and closed_at is set once, when an invoice leaves the open
    set: both are worked out here from the stored row, so the batch is one statement.
    """
    counts = InvoiceCounts()
    if not items:
        return counts
    before = {r.id: r for r in conn.execute(
        select(invoices.c.id, invoices.c.is_open, invoices.c.write_date, invoices.c.first_seen,
               invoices.c.closed_at, *[invoices.c[k] for k in BUSINESS_FIELDS])
        .where(invoices.c.id.in_([i.id for i in items])))}
    rows = []
    for inv in items:
        prev = before.get(inv.id)
        if prev is None and not inv.is_open:
            continue  # closed before we ever saw it open: not ours to track
        row = invoice_row(inv, now)
        if prev is None:
            counts.new += 1
        else:
            row["first_seen"] = prev.first_seen
            if not inv.is_open:
                row["closed_at"] = prev.closed_at or now
            if prev.is_open and not inv.is_open:
                counts.closed += 1
            elif inv.is_open and (not prev.is_open or _business_changed(prev, row)):
                counts.changed += 1
        rows.append(row)
    if not rows:
        return counts
    upsert(conn, invoices, rows, ["id"])
    refs = {(i.client_id, i.matter_ref): i.attorney_id for i in items if i.matter_ref and i.is_open}
    upsert(conn, matters, [{"client_id": c, "reference": r, "attorney_id": a} for (c, r), a in refs.items()],
           ["client_id", "reference"], update_cols=["attorney_id"])
    return counts


def close_invoices(conn: Connection, ids: Sequence[int], now: datetime) -> int:
    if not ids:
        return 0
    res = conn.execute(update(invoices).where(and_(invoices.c.id.in_(list(ids)), invoices.c.is_open.is_(True)))
                       .values(is_open=False, closed_at=now))
    return int(res.rowcount or 0)


def store_payments(conn: Connection, items: Sequence[Payment]) -> int:
    rows = [{"id": p.id, "client_id": p.client_id, "amount": p.amount, "currency": p.currency,
             "date": p.date, "state": p.state, "reconciled": p.reconciled,
             "invoice_ids": list(p.invoice_ids), "write_date": p.write_date} for p in items]
    upsert(conn, payments, rows, ["id"])
    return len(rows)


def replace_trust_balances(conn: Connection, items: Sequence[TrustBalance], now: datetime) -> None:
    """Trust balances are a snapshot: the newest read replaces the previous one whole."""
    conn.execute(trust_balances.delete())
    rows = [{"client_id": t.client_id, "currency": t.currency, "amount": t.amount, "as_of": now}
            for t in items]
    if rows:
        conn.execute(trust_balances.insert(), rows)


def store_skipped(conn: Connection, run_id: int, items: Sequence[Skipped]) -> None:
    if items:
        conn.execute(skipped_records.insert(), [
            {"run_id": run_id, "model": s.model, "record_id": str(s.record_id), "reason": s.reason}
            for s in items])


# ------------------------------------------------------------------ watermarks
def get_watermark(conn: Connection, source: str, model: str) -> Watermark:
    row = conn.execute(select(sync_state).where(
        and_(sync_state.c.source == source, sync_state.c.model == model))).first()
    if row is None:
        return Watermark()
    return Watermark(row.watermark, row.last_id, row.phase)


def set_watermark(conn: Connection, source: str, model: str, wm: Watermark) -> None:
    upsert(conn, sync_state, [{"source": source, "model": model, "watermark": wm.watermark,
                               "last_id": wm.last_id, "phase": wm.phase,
                               "updated_at": datetime.now(UTC)}], ["source", "model"])


# ------------------------------------------------------------------ reads
def _partner(r: Any) -> Partner:
    return Partner(id=r.id, name=r.name, commercial_id=r.commercial_id, email=r.email, lang=r.lang,
                   phone=r.phone, is_company=r.is_company, contact_type=r.contact_type,
                   address=Address(r.street, r.street2, r.city, r.zip, r.state, r.country),
                   write_date=r.write_date)


def load_partners(conn: Connection, ids: Iterable[int] | None = None) -> dict[int, Partner]:
    q = select(clients)
    if ids is not None:
        q = q.where(clients.c.id.in_(list(ids)))
    return {r.id: _partner(r) for r in conn.execute(q)}


def load_attorneys(conn: Connection) -> dict[int, Attorney]:
    return {r.id: Attorney(r.id, r.name, r.login, r.email, r.write_date)
            for r in conn.execute(select(attorneys))}


def _invoice(r: Any) -> Invoice:
    return Invoice(id=r.id, name=r.name, kind=InvoiceKind(r.kind), client_id=r.client_id,
                   contact_id=r.contact_id, attorney_id=r.attorney_id, matter_ref=r.matter_ref,
                   currency=r.currency, amount_total=r.amount_total, amount_residual=r.amount_residual,
                   invoice_date=r.invoice_date, due_date=r.due_date, payment_state=r.payment_state,
                   is_open=r.is_open, write_date=r.write_date)


def load_open_invoices(conn: Connection, client_ids: Iterable[int] | None = None) -> list[Invoice]:
    q = select(invoices).where(invoices.c.is_open.is_(True)).order_by(invoices.c.client_id, invoices.c.id)
    if client_ids is not None:
        q = q.where(invoices.c.client_id.in_(list(client_ids)))
    return [_invoice(r) for r in conn.execute(q)]


def load_invoices(conn: Connection, ids: Iterable[int]) -> list[Invoice]:
    return [_invoice(r) for r in conn.execute(select(invoices).where(invoices.c.id.in_(list(ids))))]


def load_client_invoices(conn: Connection, client_id: int) -> list[Invoice]:
    """Open and closed: payment history for the client profile."""
    q = select(invoices).where(invoices.c.client_id == client_id).order_by(invoices.c.id)
    return [_invoice(r) for r in conn.execute(q)]


def load_unreconciled_payments(conn: Connection) -> list[Payment]:
    q = select(payments).where(and_(payments.c.reconciled.is_(False), payments.c.state == "posted"))
    return [Payment(id=r.id, client_id=r.client_id, amount=r.amount, currency=r.currency, date=r.date,
                    reconciled=r.reconciled, invoice_ids=tuple(r.invoice_ids), state=r.state,
                    write_date=r.write_date) for r in conn.execute(q)]


def load_trust_balances(conn: Connection) -> list[TrustBalance]:
    return [TrustBalance(r.client_id, r.currency, r.amount) for r in conn.execute(select(trust_balances))]


def find_clients(conn: Connection, name_or_id: str) -> list[Partner]:
    """Clients (commercial partners) matching an id or a case-insensitive name fragment."""
    q = select(clients).where(clients.c.id == clients.c.commercial_id)
    if name_or_id.isdigit():
        q = q.where(clients.c.id == int(name_or_id))
    else:
        q = q.where(clients.c.name.ilike(f"%{name_or_id}%"))
    return [_partner(r) for r in conn.execute(q.order_by(clients.c.name).limit(50))]


def lookup_client(conn: Connection, name_or_id: str | int) -> Partner:
    """One client by Odoo id, exact name, or a name fragment that matches only one client (the CLI's --client
    and the letter commands' client argument)."""
    query = str(name_or_id).strip()
    found = find_clients(conn, query)
    exact = [p for p in found if p.name.casefold() == query.casefold()]
    if len(exact) == 1:
        found = exact
    if not found:
        raise UsageError(f"no client matches {query!r}; try part of the name or the Odoo id.")
    if len(found) > 1:
        names = "; ".join(f"{p.name} (id {p.id})" for p in found[:10])
        raise UsageError(f"{len(found)} clients match {query!r}: {names}. Use the id or the exact name.")
    return found[0]


def is_attorney(conn: Connection, uid: int) -> bool:
    """Whether this Odoo user id is a responsible attorney the sync stored (the id Odoo authenticated)."""
    row = conn.execute(select(attorneys.c.id).where(and_(attorneys.c.id == uid, attorneys.c.stub.is_(False)))).first()
    return row is not None


def attorney_id_for(conn: Connection, idents: Iterable[str]) -> int | None:
    """The attorneys-table id whose Odoo login or email is one of `idents` (lowercase; lowest id if several)."""
    wanted = sorted(idents)
    if not wanted:
        return None
    row = conn.execute(select(attorneys.c.id).where(or_(func.lower(attorneys.c.login).in_(wanted),
                                                        func.lower(attorneys.c.email).in_(wanted)))
                       .order_by(attorneys.c.id).limit(1)).first()
    return int(row.id) if row is not None else None


def client_matters(conn: Connection, client_id: int) -> list[str]:
    """A client's matter references: those on file and those its open invoices name ("" for none)."""
    refs = {r for (r,) in conn.execute(select(matters.c.reference).where(matters.c.client_id == client_id))}
    refs |= {r or "" for (r,) in conn.execute(select(invoices.c.matter_ref).where(and_(
        invoices.c.client_id == client_id, invoices.c.is_open.is_(True))).distinct())}
    return sorted(refs)


def access_tokens(conn: Connection, ids: Sequence[int]) -> dict[int, str]:
    """invoice id -> its stored Odoo portal access token ("" when it has none yet)."""
    out: dict[int, str] = {}
    wanted = sorted(set(ids))
    for i in range(0, len(wanted), 2000):
        out.update((r.id, r.access_token or "") for r in conn.execute(
            select(invoices.c.id, invoices.c.access_token).where(invoices.c.id.in_(wanted[i:i + 2000]))))
    return out


def save_access_tokens(conn: Connection, tokens: Mapping[int, str]) -> None:
    """Record tokens just created in Odoo, so that none is created twice (only where none is stored)."""
    for inv_id, token in tokens.items():
        conn.execute(update(invoices).where(and_(invoices.c.id == inv_id, invoices.c.access_token == ""))
                     .values(access_token=token))


def open_currencies(conn: Connection) -> set[str]:
    """The currencies of the open invoices the ledger holds."""
    return {c for (c,) in conn.execute(select(invoices.c.currency).where(invoices.c.is_open.is_(True)).distinct())}
