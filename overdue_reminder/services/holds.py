"""Holds: stops on contact with who, when, why and an optional end, kept in the store and audited.

Holds are read generically: other services insert rows of their own kinds ('payment_plan' from an
accepted offer, 'promise_to_pay' from a contact) with a `source_ref` such as 'offer:12'; the policy
treats every active row alike. A hold is active while it is not removed and `until` (inclusive)
has not passed.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Connection, and_, or_, select, update

from overdue_reminder.core.policy import CLIENT_WIDE_KINDS, HOLD_KINDS, Hold
from overdue_reminder.errors import UsageError
from overdue_reminder.store import Store, record_audit
from overdue_reminder.store.schema import clients, holds, invoices


def hold_from_row(r: Any) -> Hold:
    return Hold(id=r.id, client_id=r.client_id, kind=r.kind, reason=r.reason or "", created_by=r.created_by,
                created_at=r.created_at, until=r.until, invoice_id=r.invoice_id, source_ref=r.source_ref,
                removed_by=r.removed_by, removed_at=r.removed_at)


def _active(today: date) -> Any:
    return and_(holds.c.removed_at.is_(None), or_(holds.c.until.is_(None), holds.c.until >= today))


def active_holds(conn: Connection, today: date, client_ids: Iterable[int] | None = None) -> list[Hold]:
    """Holds in force on `today` (not removed, `until` not passed), oldest first."""
    q = select(holds).where(_active(today)).order_by(holds.c.id)
    if client_ids is not None:
        q = q.where(holds.c.client_id.in_(list(client_ids)))
    return [hold_from_row(r) for r in conn.execute(q)]


def list_holds(store: Store, today: date, client_id: int | None = None, include_inactive: bool = False) -> list[Hold]:
    q = select(holds).order_by(holds.c.id)
    if client_id is not None:
        q = q.where(holds.c.client_id == client_id)
    if not include_inactive:
        q = q.where(_active(today))
    with store.begin() as conn:
        return [hold_from_row(r) for r in conn.execute(q)]


def add_hold(store: Store, *, client_id: int, kind: str, reason: str, by: str, until: date | None = None,
             invoice_id: int | None = None, source_ref: str | None = None, now: datetime | None = None,
             dry_run: bool = False) -> Hold:
    """Record a hold (audited). With `dry_run` everything is checked and nothing is written."""
    now = now or datetime.now(UTC)
    if kind not in HOLD_KINDS:
        raise UsageError(f"unknown hold kind {kind!r}; use one of: {', '.join(HOLD_KINDS)}.")
    if not reason.strip():
        raise UsageError("a hold needs a reason (--reason): say why contact stops, for the next person.")
    if not by.strip():
        raise UsageError("a hold needs the name of who placed it (--by).")
    if until is not None and until < now.date():
        raise UsageError(f"--until {until.isoformat()} is in the past; a hold ends at the end of that day.")
    if invoice_id is not None and kind in CLIENT_WIDE_KINDS:
        raise UsageError(f"a {kind!r} hold stops all contact with the client; leave out --invoice.")
    with store.begin() as conn:
        row = conn.execute(select(clients.c.id, clients.c.commercial_id).where(clients.c.id == client_id)).first()
        if row is None or row.commercial_id != client_id:
            raise UsageError(f"no client with id {client_id} in the store; run a sync or check the id.")
        if invoice_id is not None:
            inv = conn.execute(select(invoices.c.client_id, invoices.c.name)
                               .where(invoices.c.id == invoice_id)).first()
            if inv is None or inv.client_id != client_id:
                raise UsageError(f"invoice {invoice_id} does not belong to client {client_id}.")
        values = {"client_id": client_id, "invoice_id": invoice_id, "kind": kind, "reason": reason.strip(),
                  "created_by": by, "created_at": now, "until": until, "source_ref": source_ref}
        if dry_run:
            return hold_from_row(_Row(id=0, removed_by=None, removed_at=None, **values))
        hold_id = conn.execute(holds.insert().values(**values).returning(holds.c.id)).scalar_one()
        detail = {k: (v.isoformat() if isinstance(v, (date, datetime)) else v) for k, v in values.items()}
        record_audit(conn, by, "hold.add", "hold", hold_id, detail, at=now)
        r = conn.execute(select(holds).where(holds.c.id == hold_id)).one()
        return hold_from_row(r)


def remove_hold(store: Store, hold_id: int, *, by: str, reason: str = "", now: datetime | None = None,
                dry_run: bool = False) -> Hold:
    """End a hold now (audited); the row stays for the record."""
    now = now or datetime.now(UTC)
    if not by.strip():
        raise UsageError("say who removes the hold (--by).")
    with store.begin() as conn:
        r = conn.execute(select(holds).where(holds.c.id == hold_id)).first()
        if r is None:
            raise UsageError(f"no hold #{hold_id}; 'overdue-reminder hold list' shows them.")
        if r.removed_at is not None:
            raise UsageError(f"hold #{hold_id} was already removed by {r.removed_by} on {r.removed_at:%Y-%m-%d}.")
        if dry_run:
            return hold_from_row(_Row(**{**r._asdict(), "removed_by": by, "removed_at": now}))
        conn.execute(update(holds).where(holds.c.id == hold_id).values(removed_by=by, removed_at=now))
        record_audit(conn, by, "hold.remove", "hold", hold_id,
                     {"client_id": r.client_id, "kind": r.kind, "reason": reason}, at=now)
        return hold_from_row(conn.execute(select(holds).where(holds.c.id == hold_id)).one())


class _Row:
    """Attribute access over a dict, so a dry run builds its Hold like a stored one."""

    def __init__(self, **values: Any) -> None:
        self.__dict__.update(values)

def labels(store: Store, items: Iterable[Hold]) -> tuple[dict[int, str], dict[int, str]]:
    """Client names and invoice numbers for showing holds: (client id -> name, invoice id -> number)."""
    items = list(items)
    cids = {h.client_id for h in items}
    iids = {h.invoice_id for h in items if h.invoice_id}
    with store.begin() as conn:
        names = {r.id: r.name for r in conn.execute(select(clients.c.id, clients.c.name)
                                                    .where(clients.c.id.in_(cids)))} if cids else {}
        inv = {r.id: r.name for r in conn.execute(select(invoices.c.id, invoices.c.name)
                                                  .where(invoices.c.id.in_(iids)))} if iids else {}
    return names, inv


def invoice_id(store: Store, client_id: int, value: str) -> int:
    """The client's invoice named by its number (e.g. INV/2026/0042) or its Odoo id."""
    with store.begin() as conn:
        q = select(invoices.c.id).where(invoices.c.client_id == client_id)
        q = q.where(invoices.c.id == int(value)) if value.isdigit() else q.where(invoices.c.name == value)
        found = [int(r.id) for r in conn.execute(q)]
    if len(found) != 1:
        raise UsageError(f"no invoice {value!r} for that client; give its number (e.g. INV/2026/0042) or Odoo id.")
    return found[0]
