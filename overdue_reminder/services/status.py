"""What waits for people: the sizes and contents of every queue (status, digest, web)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, select

from overdue_reminder.services import reminders as drafts
from overdue_reminder.services.letters import AWAITING
from overdue_reminder.store import Store
from overdue_reminder.store.schema import attorneys, clients, letters, offers, reminders


@dataclass
class Queues:
    drafts_to_approve: int = 0
    postal_items: int = 0
    invalid_addresses: int = 0
    approved_to_send: int = 0
    unconfirmed: int = 0
    letters_by_attorney: dict[str, int] = field(default_factory=dict)
    offers_awaiting_attorney: int = 0

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def queue_sizes(conn: Connection) -> Queues:
    by_status: dict[str, int] = dict(conn.execute(  # type: ignore[arg-type]
        select(reminders.c.status, func.count()).group_by(reminders.c.status)).all())
    q = Queues(drafts_to_approve=by_status.get(drafts.DRAFT, 0), postal_items=by_status.get(drafts.POSTAL, 0),
               invalid_addresses=by_status.get(drafts.INVALID_ADDRESS, 0),
               approved_to_send=by_status.get(drafts.APPROVED, 0),
               unconfirmed=by_status.get(drafts.UNCONFIRMED, 0) + by_status.get(drafts.SENDING, 0))
    rows = conn.execute(select(letters.c.attorney_email, func.count()).where(letters.c.status == AWAITING)
                        .group_by(letters.c.attorney_email)).all()
    q.letters_by_attorney = {(email or "(unassigned)"): n for email, n in rows}
    q.offers_awaiting_attorney = int(conn.execute(select(func.count()).select_from(offers)
                                                  .where(offers.c.status == "awaiting_attorney")).scalar() or 0)
    return q


@dataclass(frozen=True)
class AttorneyItem:
    kind: str  # letter | offer
    id: int
    client: str
    summary: str
    since: datetime | None = None  # when it started waiting


@dataclass(frozen=True)
class LettersWaiting:
    """Letters awaiting one attorney's review: how many and since when (the digest's "3 wait for ...")."""

    email: str
    name: str
    count: int
    oldest: datetime


def letters_waiting(conn: Connection) -> list[LettersWaiting]:
    """Per deciding attorney, most letters first; the name from the attorneys table, else the email."""
    rows = conn.execute(select(letters.c.attorney_email, func.count(), func.min(letters.c.created_at),
                               func.max(attorneys.c.name))
                        .join(attorneys, attorneys.c.id == letters.c.attorney_id, isouter=True)
                        .where(letters.c.status == AWAITING).group_by(letters.c.attorney_email)).all()
    out = [LettersWaiting(email or "", name or email or "(unassigned)", int(n), oldest)
           for email, n, oldest, name in rows]
    return sorted(out, key=lambda w: (-w.count, w.oldest, w.email))


def attorney_items(conn: Connection) -> dict[str, list[AttorneyItem]]:
    """Letters awaiting review and offers awaiting approval, by the deciding attorney's email."""
    out: dict[str, list[AttorneyItem]] = {}
    for r in conn.execute(select(letters.c.id, letters.c.attorney_email, letters.c.tier, clients.c.name,
                                 letters.c.created_at)
                          .join(clients, clients.c.id == letters.c.client_id, isouter=True)
                          .where(letters.c.status == AWAITING).order_by(letters.c.id)):
        out.setdefault(r.attorney_email or "", []).append(
            AttorneyItem("letter", r.id, r.name or "", f"{r.tier} letter awaiting your review", r.created_at))
    for o in conn.execute(select(offers.c.id, offers.c.kind, offers.c.balance, offers.c.currency, clients.c.name,
                                 attorneys.c.email, offers.c.created_at)
                          .join(clients, clients.c.id == offers.c.client_id, isouter=True)
                          .join(attorneys, attorneys.c.id == offers.c.attorney_id, isouter=True)
                          .where(offers.c.status == "awaiting_attorney").order_by(offers.c.id)):
        out.setdefault(o.email or "", []).append(
            AttorneyItem("offer", o.id, o.name or "", f"{o.kind} offer on {o.balance:,} {o.currency}", o.created_at))
    return out


@dataclass(frozen=True)
class Tally:
    """The desk at a glance (the demo's tour): reminders by status, sent reminders by tier, every letter."""

    reminders: Counter[str]
    sent_by_tier: Counter[str]
    letters: list[tuple[str, str]]  # (path, status), oldest first


def tally(store: Store) -> Tally:
    with store.begin() as conn:
        drafted = Counter(r.status for r in conn.execute(select(reminders.c.status)))
        tiers = Counter(r.tier for r in conn.execute(select(reminders.c.tier).where(reminders.c.status == "sent")))
        queued = [(r.path, r.status) for r in conn.execute(select(letters.c.path, letters.c.status)
                                                           .order_by(letters.c.id))]
    return Tally(drafted, tiers, queued)
