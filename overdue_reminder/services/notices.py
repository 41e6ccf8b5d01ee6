"""Fee-arbitration notices: recorded when served (how and when), and the suit gate that reads them.

A refer-to-suit letter waits until the notice the jurisdiction requires was served and its waiting period
passed (docs/rules.md, "Fee arbitration before suit"); `core.rules.suit_gate` decides on the facts read here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Connection, insert, select

from overdue_reminder.config import SERVICE_METHODS, Settings
from overdue_reminder.core import rules
from overdue_reminder.core.rules import SuitGate
from overdue_reminder.errors import UsageError
from overdue_reminder.model import Partner
from overdue_reminder.store import Store, record_audit
from overdue_reminder.store.ledger import lookup_client
from overdue_reminder.store.schema import notices


@dataclass(frozen=True)
class Notice:
    id: int
    client_id: int
    kind: str
    served_on: date
    method: str
    recorded_by: str
    recorded_at: datetime


def _notice(r: Any) -> Notice:
    return Notice(r.id, r.client_id, r.kind, r.served_on, r.method, r.recorded_by, r.recorded_at)


def notice_kinds(settings: Settings) -> list[str]:
    kinds = {"fee_arbitration"}
    for code in {*settings.letters.jurisdictions, "NY", "CA", "NJ"}:
        j = settings.letters.jurisdiction(code)
        if j is not None:
            kinds.add(j.notice_kind)
    return sorted(kinds)


def list_notices(store: Store, client_id: int | None = None) -> list[Notice]:
    q = select(notices).order_by(notices.c.served_on, notices.c.id)
    if client_id is not None:
        q = q.where(notices.c.client_id == client_id)
    with store.begin() as conn:
        return [_notice(r) for r in conn.execute(q)]


def resolve_client(conn: Connection, client: str | int) -> Partner:
    return lookup_client(conn, client)


def record_notice(store: Store, settings: Settings, client: str | int, kind: str, served_on: date, method: str,
                  by: str, *, today: date, now: datetime | None = None, dry_run: bool = False) -> Notice:
    """Record that a fee-arbitration notice was served (LAW.md #9): how, when and by whom."""
    kinds = notice_kinds(settings)
    if kind not in kinds:
        raise UsageError(f"unknown notice kind {kind!r}; use one of: {', '.join(kinds)}.")
    if method not in SERVICE_METHODS:
        raise UsageError(f"unknown service method {method!r}; use one of: {', '.join(SERVICE_METHODS)}.")
    if served_on > today:
        raise UsageError(f"the notice cannot have been served on {served_on}, after today ({today}).")
    if not by.strip():
        raise UsageError("say who records the notice (--by).")
    now = now or datetime.now(UTC)
    with store.begin() as conn:
        partner = resolve_client(conn, client)
        values = {"client_id": partner.id, "kind": kind, "served_on": served_on, "method": method,
                  "recorded_by": by, "recorded_at": now}
        if dry_run:
            return Notice(0, partner.id, kind, served_on, method, by, now)
        nid = conn.execute(insert(notices).values(**values).returning(notices.c.id)).scalar_one()
        record_audit(conn, by, "notice.recorded", "client", partner.id,
                     {"notice_id": nid, "kind": kind, "served_on": served_on.isoformat(), "method": method}, at=now)
    return Notice(nid, partner.id, kind, served_on, method, by, now)


def suit_gate(conn: Connection, settings: Settings, client_id: int, today: date, jurisdiction: str = "") -> SuitGate:
    """Refer-to-suit for a client today: the notices on file, judged by `core.rules.suit_gate` (LAW.md #9)."""
    q = select(notices).where(notices.c.client_id == client_id).order_by(notices.c.served_on)
    on_file = [rules.ServedNotice(r.kind, r.served_on, r.method) for r in conn.execute(q)]
    return rules.suit_gate(settings, on_file, today, jurisdiction)


# ---------------------------------------------------------------- creating letters


__all__ = ["Notice", "list_notices", "notice_kinds", "record_notice", "resolve_client", "suit_gate"]
