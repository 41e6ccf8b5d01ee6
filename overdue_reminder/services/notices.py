"""Fee-arbitration notices: recorded when served (how and when), and the suit gate that reads them.

A refer-to-suit letter waits until the notice the jurisdiction requires was served and its waiting period
passed (docs/rules.md, "Fee arbitration before suit"); `core.rules.suit_gate` decides on the facts read here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, and_, insert, select

from overdue_reminder.config import SERVICE_METHODS, Settings
from overdue_reminder.core import rules
from overdue_reminder.core.rules import SuitFacts, SuitGate
from overdue_reminder.errors import UsageError
from overdue_reminder.model import Partner
from overdue_reminder.store import Store, record_audit
from overdue_reminder.store.ledger import lookup_client
from overdue_reminder.store.schema import holds, letters, notices

ARBITRATION = "arbitration_requested"  # the hold kind a client's request for fee arbitration places


@dataclass(frozen=True)
class Notice:
    id: int
    client_id: int
    kind: str
    served_on: date
    method: str
    recorded_by: str
    recorded_at: datetime
    letter_id: int | None = None


def _notice(r: Any) -> Notice:
    return Notice(r.id, r.client_id, r.kind, r.served_on, r.method, r.recorded_by, r.recorded_at, r.letter_id)


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


def check_service(settings: Settings, letter: Any, method: str | None) -> None:
    """A serving method given at release: a known one, and one the letter's jurisdiction accepts for its notice."""
    if not method:
        return
    if method not in SERVICE_METHODS:
        raise UsageError(f"unknown service method {method!r}; use one of: {', '.join(SERVICE_METHODS)}.")
    j = settings.letters.jurisdiction(letter.jurisdiction) if letter.jurisdiction else None
    if letter.notice_kind and j is not None and j.service_methods and method not in j.service_methods:
        raise UsageError(f"the {letter.jurisdiction} notice must be served by {' or '.join(j.service_methods)}, "
                         f"not {method} (rule: Fee arbitration before suit).")


def _letter_served(conn: Connection, settings: Settings, letter_id: int, client_id: int, kind: str,
                   served_on: date) -> None:
    """A notice recorded against a letter: that letter was released carrying it, and it was served after."""
    r = conn.execute(select(letters).where(letters.c.id == letter_id)).first()
    if r is None or r.client_id != client_id:
        raise UsageError(f"there is no letter {letter_id} for this client.")
    if r.status != "sent" or r.released_at is None:
        raise UsageError(f"letter {letter_id} is {r.status}, not released: an unreleased notice serves nobody.")
    if r.notice_kind != kind:
        raise UsageError(f"letter {letter_id} does not carry a {kind} notice ({r.notice_kind or 'none'}).")
    released = r.released_at.astimezone(ZoneInfo(settings.firm.timezone)).date()
    if served_on < released:
        raise UsageError(f"letter {letter_id} was released on {released}: it cannot have been served on "
                         f"{served_on} (a backdated notice does not count).")


def record_notice(store: Store, settings: Settings, client: str | int, kind: str, served_on: date, method: str,
                  by: str, *, today: date, now: datetime | None = None, dry_run: bool = False,
                  letter_id: int | None = None) -> Notice:
    """Record that a fee-arbitration notice was served (LAW.md #9): how, when and by whom. Only one recorded
    against the released letter that carried it (`letter_id`) counts for refer-to-suit."""
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
        if letter_id is not None:
            _letter_served(conn, settings, letter_id, partner.id, kind, served_on)
        values = {"client_id": partner.id, "kind": kind, "served_on": served_on, "method": method,
                  "recorded_by": by, "recorded_at": now, "letter_id": letter_id}
        if dry_run:
            return Notice(0, partner.id, kind, served_on, method, by, now, letter_id)
        nid = conn.execute(insert(notices).values(**values).returning(notices.c.id)).scalar_one()
        record_audit(conn, by, "notice.recorded", "client", partner.id,
                     {"notice_id": nid, "kind": kind, "served_on": served_on.isoformat(), "method": method,
                      "letter_id": letter_id}, at=now)
    return Notice(nid, partner.id, kind, served_on, method, by, now, letter_id)


def suit_facts(conn: Connection, settings: Settings, client_id: int, today: date, jurisdiction: str = "") -> SuitFacts:
    """The notices on file, each with the release date of the letter that carried it (None when no released
    letter did), and whether an arbitration request is on record (an active 'arbitration_requested' hold)."""
    tz = ZoneInfo(settings.firm.timezone)
    q = select(notices.c.kind, notices.c.served_on, notices.c.method, letters.c.status, letters.c.released_at) \
        .select_from(notices.outerjoin(letters, letters.c.id == notices.c.letter_id)) \
        .where(notices.c.client_id == client_id).order_by(notices.c.served_on, notices.c.id)
    on_file = tuple(rules.ServedNotice(r.kind, r.served_on, r.method,
                                       r.released_at.astimezone(tz).date()
                                       if r.status == "sent" and r.released_at is not None else None)
                    for r in conn.execute(q))
    asked = conn.execute(select(holds.c.id).where(and_(
        holds.c.client_id == client_id, holds.c.kind == ARBITRATION, holds.c.removed_at.is_(None)))).first()
    return SuitFacts(rules.suit_rule(settings, jurisdiction), on_file, asked is not None)


def arbitration_ever_requested(conn: Connection, client_id: int) -> bool:
    """Whether any request for arbitration is on record (pending or over): a letter may then not say none came."""
    return conn.execute(select(holds.c.id).where(and_(holds.c.client_id == client_id,
                                                      holds.c.kind == ARBITRATION))).first() is not None


def suit_gate(conn: Connection, settings: Settings, client_id: int, today: date, jurisdiction: str = "") -> SuitGate:
    """Refer-to-suit for a client today: the facts on file, judged by `core.rules.judge_suit` (LAW.md #9)."""
    return rules.judge_suit(suit_facts(conn, settings, client_id, today, jurisdiction), today)


def record_service(conn: Connection, letter_id: int, client_id: int, kind: str, served_on: date, method: str,
                   by: str, now: datetime) -> int:
    """At release: the notice a letter carries, served on `served_on` by `method` (checked by the caller)."""
    nid = conn.execute(insert(notices).values(client_id=client_id, kind=kind, served_on=served_on, method=method,
                                              recorded_by=by, recorded_at=now, letter_id=letter_id)
                       .returning(notices.c.id)).scalar_one()
    record_audit(conn, by, "notice.recorded", "client", client_id,
                 {"notice_id": nid, "kind": kind, "served_on": served_on.isoformat(), "method": method,
                  "letter_id": letter_id}, at=now)
    return int(nid)


# ---------------------------------------------------------------- creating letters


__all__ = ["ARBITRATION", "Notice", "arbitration_ever_requested", "check_service", "list_notices", "notice_kinds",
           "record_notice", "record_service", "resolve_client", "suit_facts", "suit_gate"]
