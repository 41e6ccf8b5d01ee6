"""Offers that go out inside reminders and letters, recorded as offers (issue 12).

A final-tier reminder carries an installment offer. The client who accepts it must have something to
accept, payments must be matched to it, and a later letter must repeat it, so the offer the reminder
carries is stored as an offer (proposed, staff authority, `origin` = "reminder:<id>") as soon as the
reminder exists. The unique origin makes it once per reminder: re-running a night adds nothing, and a
pass killed between the draft and the offer records it next time. A reminder rejected or cancelled before
it left takes its offer with it (services/reminders.py); one superseded by a newer reminder leaves it
standing, and the newer one repeats it. A letter shows the client's current proposed or accepted offer.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, select
from sqlalchemy.exc import IntegrityError

from overdue_reminder.config import Settings
from overdue_reminder.core.clearance import SYSTEM, Actor, Role
from overdue_reminder.core.offers import Offer, Suggestion, offer_context, suggest
from overdue_reminder.errors import PolicyError, UsageError
from overdue_reminder.model import Action
from overdue_reminder.services import offers as offer_service
from overdue_reminder.services.contacts import latest_reason
from overdue_reminder.services.holds import active_holds
from overdue_reminder.services.reminders import CANCELLED, INVALID_ADDRESS, REJECTED, idempotency_key, offer_origin
from overdue_reminder.store import Store
from overdue_reminder.store.schema import offers, reminders

SHOWN_IN_LETTERS = ("proposed", "accepted", "good_standing")
NEVER_LEAVES = (INVALID_ADDRESS, REJECTED, CANCELLED)


@dataclass(frozen=True)
class Carried:
    """The offer an action carries: a stored one repeated (`offer_id`), or a new suggestion (None)."""

    client_id: int
    offer: Offer
    offer_id: int | None
    context: dict[str, Any]


@dataclass
class Recorded:
    proposed: list[tuple[int, int]] = field(default_factory=list)  # (reminder id, offer id)
    existing: int = 0
    not_recorded: list[tuple[int, str]] = field(default_factory=list)  # (reminder id, why)

    def summary(self) -> dict[str, Any]:
        return {"offers_recorded": len(self.proposed), "already_recorded": self.existing,
                "not_recorded": len(self.not_recorded), "not_recorded_why": [w for _, w in self.not_recorded][:20]}


def _disputes(conn: Connection, client_id: int, today: date) -> bool:
    return any(h.kind == "dispute" for h in active_holds(conn, today, [client_id]))


def _stored(conn: Connection, client_id: int, statuses: Iterable[str], currency: str | None = None) -> Any:
    q = select(offers).where(offers.c.client_id == client_id, offers.c.status.in_(list(statuses)))
    if currency is not None:
        q = q.where(offers.c.currency == currency)
    return conn.execute(q.order_by(offers.c.id.desc())).first()


def _for_email(conn: Connection, settings: Settings, a: Action, today: date) -> Carried | None:
    """A tier that carries an offer repeats the client's proposed one, else suggests one staff may grant."""
    ((currency, owed),) = a.totals.items()
    if owed <= 0 or _disputes(conn, a.client_id, today):
        return None
    row = _stored(conn, a.client_id, (*offer_service.PENDING, *offer_service.ACTIVE), currency)
    if row is not None:
        if row.status != "proposed" or row.offered_on > today:
            return None
        rec = offer_service.load_offer(conn, row.id)
        if rec.offer.schedule[0].due < today:
            return None
        return Carried(a.client_id, rec.offer, rec.id, offer_context(rec.offer, a.language))
    last = latest_reason(conn, a.client_id)
    reason = last.reason if last is not None else settings.offers.reminder_reason
    res = suggest(reason, owed, currency, a.grade or "B", settings.offers, today, settings.calendar())
    if isinstance(res, Suggestion) and res.decision.within_staff_authority:
        return Carried(a.client_id, res.offer, None, offer_context(res.offer, a.language))
    return None


def _for_letter(conn: Connection, settings: Settings, a: Action, today: date) -> Carried | None:
    """A letter repeats the offer the client has before them (proposed) or is keeping to (accepted); a
    letter tier configured with `offer` and no such offer suggests one, as an email tier does."""
    if _disputes(conn, a.client_id, today):
        return None
    row = _stored(conn, a.client_id, SHOWN_IN_LETTERS)
    if row is None:
        return _for_email(conn, settings, a, today) if a.with_offer and len(a.totals) == 1 else None
    rec = offer_service.load_offer(conn, row.id)
    return Carried(a.client_id, rec.offer, rec.id, offer_context(rec.offer, a.language))


def carried_offers(store: Store, settings: Settings, actions: Iterable[Action], today: date) -> dict[int, Carried]:
    """The offer each action carries, by client id. Email tiers with `offer`: only for a client who owes in
    one currency, does not dispute the bill, and holds no other offer (a proposed one is repeated); letters:
    the client's current proposed or accepted offer."""
    out: dict[int, Carried] = {}
    with store.begin() as conn:
        for a in actions:
            if a.client_id in out:
                continue
            if a.channel == "letter":
                found = _for_letter(conn, settings, a, today)
            elif a.with_offer and len(a.totals) == 1:
                found = _for_email(conn, settings, a, today)
            else:
                found = None
            if found is not None:
                out[a.client_id] = found
    return out


def reminder_offers(store: Store, settings: Settings, actions: Iterable[Action],
                    today: date) -> dict[int, dict[str, Any]]:
    """The offer block (`offer_context`, in the action's language) for each action that carries one."""
    return {c: x.context for c, x in carried_offers(store, settings, actions, today).items()}


def record_carried(store: Store, settings: Settings, carried: Mapping[int, Carried], actions: Iterable[Action],
                   run_date: date, now: datetime, *, actor: str) -> Recorded:
    """Store each new offer a drafted reminder carries as proposed, with the reminder as its origin."""
    done = Recorded()
    for a in actions:
        c = carried.get(a.client_id)
        if c is None or c.offer_id is not None or a.channel == "letter" or not a.with_offer:
            continue
        key = idempotency_key(a.client_id, a.tier, run_date, a.invoice_ids)
        with store.begin() as conn:
            row = conn.execute(select(reminders.c.id, reminders.c.status)
                               .where(reminders.c.idempotency_key == key)).first()
            if row is None or row.status in NEVER_LEAVES:
                continue  # not drafted (a dry run), or it will never reach the client
            rid = int(row.id)
            taken = conn.execute(select(offers.c.id).where(offers.c.origin == offer_origin(rid))).first()
        if taken is not None:
            done.existing += 1
            continue
        try:
            # the nightly run records what its policy put in a reminder: the system's proposal, not a claimed name
            rec = offer_service.propose(store, settings, client_id=a.client_id, offer=c.offer,
                                        by=Actor(actor, Role.SYSTEM, SYSTEM.proof), now=now,
                                        contact_id=a.contact_id, origin=offer_origin(rid))
        except (PolicyError, UsageError) as exc:
            done.not_recorded.append((rid, str(exc)))
        except IntegrityError:  # another pass recorded it a moment ago
            done.existing += 1
        else:
            done.proposed.append((rid, rec.id))
    return done


__all__ = ["SHOWN_IN_LETTERS", "Carried", "Recorded", "carried_offers", "record_carried", "reminder_offers"]
