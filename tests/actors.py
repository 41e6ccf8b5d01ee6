"""Proven actors for tests: who decides, as the CLI and the web page would have proven them.

Services trust an `Actor` whose identity was proven at the edge (Odoo login, mapped OS user, web session);
these helpers build the actor those edges would build, looking attorneys up in the synced attorneys table
(their id is the Odoo user id that authority is keyed on).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select

from overdue_reminder.config import Settings
from overdue_reminder.core.clearance import Actor, Role
from overdue_reminder.services.identity import PROOF_OS, unproven
from overdue_reminder.store import Store
from overdue_reminder.store.schema import attorneys

PROOF = f"{PROOF_OS}:test"

__all__ = ["approve_drafts", "attorney", "partner", "responsible", "staff", "unproven"]


def attorney(store: Store, who: str) -> Actor:
    """The attorney whose Odoo login or email is `who`, proven, with their Odoo user id."""
    key = who.strip().lower()
    with store.begin() as conn:
        row = conn.execute(select(attorneys).where(or_(func.lower(attorneys.c.login) == key,
                                                       func.lower(attorneys.c.email) == key))
                           .order_by(attorneys.c.id).limit(1)).first()
    if row is None:
        raise LookupError(f"no attorney {who!r} in the attorneys table")
    return Actor(row.login or who, Role.ATTORNEY, PROOF, int(row.id))


def partner(name: str, uid: int | None = None) -> Actor:
    """The supervising partner, proven."""
    return Actor(name, Role.PARTNER, PROOF, uid)


def staff(name: str) -> Actor:
    """Billing staff, proven (may approve plain reminders and propose offers within staff authority)."""
    return Actor(name, Role.STAFF, PROOF)


def responsible(store: Store, attorney_uid: int | None, partner_name: str) -> Actor:
    """Who may decide an item: the attorney with this Odoo user id, proven; the supervising partner when the
    item has no attorney (or the attorney is not in the attorneys table)."""
    if attorney_uid is not None:
        with store.begin() as conn:
            row = conn.execute(select(attorneys).where(attorneys.c.id == attorney_uid)).first()
        if row is not None:
            return Actor(row.login or row.email, Role.ATTORNEY, PROOF, int(row.id))
    return partner(partner_name)


def approve_drafts(store: Store, waiting: Iterable[Any], now: datetime, *, clerk: str, partner_name: str,
                   settings: Settings) -> None:
    """The day's drafts approved by whoever may: billing staff for plain tiers, the responsible attorney for a
    tier that needs the attorney's review."""
    from overdue_reminder.services import reminders as drafts

    groups: dict[Actor, list[int]] = {}
    for r in waiting:
        who = responsible(store, r.attorney_id, partner_name) if r.attorney_review else staff(clerk)
        groups.setdefault(who, []).append(r.id)
    for who, ids in groups.items():
        drafts.approve(store, ids, who, now, settings=settings)
