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

from overdue_reminder.core.clearance import ATTORNEY_ONLY_HOLDS, ATTORNEY_ROLES, Actor
from overdue_reminder.core.policy import CLIENT_WIDE_KINDS, HOLD_KINDS, Hold
from overdue_reminder.errors import PolicyError, UsageError
from overdue_reminder.services.identity import as_actor
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


def _attorney_only(kind: str, actor: Actor, what: str) -> None:
    """Bankruptcy and other-counsel holds end by a court or a lawyer, not by a clerk or a date."""
    if kind in ATTORNEY_ONLY_HOLDS and not (actor.proven and actor.role in ATTORNEY_ROLES):
        raise PolicyError(f"only an attorney or the supervising partner, signed in with --as (or a mapped "
                          f"operating-system account), may {what} a {kind} hold (rule: Holds stop contact); "
                          f"{actor.name} is {actor.role.value}{'' if actor.proven else ', not proven'}.")


def _refuse_duplicate(conn: Connection, client_id: int, kind: str, invoice_id: int | None, source_ref: str | None,
                      today: date) -> None:
    """A second identical active hold adds nothing but a second row to remove later: say which one stands."""
    same = [holds.c.client_id == client_id, holds.c.kind == kind,
            holds.c.invoice_id.is_(None) if invoice_id is None else holds.c.invoice_id == invoice_id,
            holds.c.source_ref.is_(None) if source_ref is None else holds.c.source_ref == source_ref]
    r = conn.execute(select(holds).where(_active(today), *same).order_by(holds.c.id)).first()
    if r is not None:
        number = None if invoice_id is None else conn.execute(
            select(invoices.c.name).where(invoices.c.id == invoice_id)).scalar()
        scope = "the whole client" if invoice_id is None else f"invoice {number or invoice_id}"
        raise UsageError(f"hold #{r.id} already stops contact ({kind}, {scope}), placed by {r.created_by} on "
                         f"{r.created_at:%Y-%m-%d}; nothing added. To change it, remove it first "
                         f"('overdue-reminder hold remove {r.id}').")


def add_hold(store: Store, *, client_id: int, kind: str, reason: str, by: Actor | str, until: date | None = None,
             invoice_id: int | None = None, source_ref: str | None = None, now: datetime | None = None,
             dry_run: bool = False) -> Hold:
    """Record a hold (audited). With `dry_run` everything is checked and nothing is written."""
    now = now or datetime.now(UTC)
    if kind not in HOLD_KINDS:
        raise UsageError(f"unknown hold kind {kind!r}; use one of: {', '.join(HOLD_KINDS)}.")
    if not reason.strip():
        raise UsageError("a hold needs a reason (--reason): say why contact stops, for the next person.")
    actor = as_actor(by)
    by = actor.name
    if not by.strip():
        raise UsageError("a hold needs the name of who placed it (--by).")
    if until is not None:
        _attorney_only(kind, actor, "give an end to")
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
        _refuse_duplicate(conn, client_id, kind, invoice_id, source_ref, now.date())
        values = {"client_id": client_id, "invoice_id": invoice_id, "kind": kind, "reason": reason.strip(),
                  "created_by": by, "created_at": now, "until": until, "source_ref": source_ref}
        if dry_run:
            return hold_from_row(_Row(id=0, removed_by=None, removed_at=None, **values))
        hold_id = conn.execute(holds.insert().values(**values).returning(holds.c.id)).scalar_one()
        detail = {k: (v.isoformat() if isinstance(v, (date, datetime)) else v) for k, v in values.items()}
        record_audit(conn, by, "hold.add", "hold", hold_id, detail, at=now)
        r = conn.execute(select(holds).where(holds.c.id == hold_id)).one()
        return hold_from_row(r)


def remove_hold(store: Store, hold_id: int, *, by: Actor | str, reason: str = "", now: datetime | None = None,
                dry_run: bool = False) -> Hold:
    """End a hold now (audited); the row stays for the record."""
    now = now or datetime.now(UTC)
    actor = as_actor(by)
    by = actor.name
    if not by.strip():
        raise UsageError("say who removes the hold (--by).")
    with store.begin() as conn:
        r = conn.execute(select(holds).where(holds.c.id == hold_id)).first()
        if r is None:
            raise UsageError(f"no hold #{hold_id}; 'overdue-reminder hold list' shows them.")
        _attorney_only(r.kind, actor, "remove")
        if r.removed_at is not None:
            raise UsageError(f"hold #{hold_id} was already removed by {r.removed_by} on {r.removed_at:%Y-%m-%d}.")
        if dry_run:
            return hold_from_row(_Row(**{**r._asdict(), "removed_by": by, "removed_at": now}))
        conn.execute(update(holds).where(holds.c.id == hold_id).values(removed_by=by, removed_at=now))
        record_audit(conn, by, "hold.remove", "hold", hold_id,
                     {"client_id": r.client_id, "kind": r.kind, "reason": reason, "actor": actor.audit()}, at=now)
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
