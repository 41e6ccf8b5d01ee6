"""Signed-out review-page sessions, kept in the store so a cookie stays dead after a restart of the page.

A session cookie is signed, not stored: signing out cannot unsign it, so the session's random id goes on a
list that every request checks. The list lives in the store (table `revoked_sessions`, the id's sha256 only)
because a list in memory forgets on restart and a copied cookie would work again. A row is needed only until
the cookie would have expired on its own; each sign-out deletes the rows past that point.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import delete, insert, select
from sqlalchemy.exc import IntegrityError

from overdue_reminder.store import Store
from overdue_reminder.store.schema import revoked_sessions


def _digest(sid: str) -> str:
    return hashlib.sha256(sid.encode("utf-8")).hexdigest()


class RevokedSessions:
    """Session ids signed out before their cookie expired, refused until it would have expired anyway."""

    def __init__(self, store: Store, clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.store = store
        self.clock = clock

    def revoke(self, sid: str, expires_at: datetime) -> None:
        """Refuse `sid` from now until `expires_at`; forget every entry already past its own expiry."""
        now = self.clock()
        digest = _digest(sid)
        try:
            with self.store.begin() as conn:
                conn.execute(delete(revoked_sessions).where(revoked_sessions.c.expires_at <= now))
                if expires_at > now and conn.execute(select(revoked_sessions.c.sid_sha256).where(
                        revoked_sessions.c.sid_sha256 == digest)).first() is None:
                    conn.execute(insert(revoked_sessions).values(sid_sha256=digest, expires_at=expires_at))
        except IntegrityError:  # signed out twice at once: the other sign-out wrote the same row
            pass

    def __contains__(self, sid: object) -> bool:
        if not isinstance(sid, str):
            return False
        with self.store.begin() as conn:
            row = conn.execute(select(revoked_sessions.c.expires_at).where(
                revoked_sessions.c.sid_sha256 == _digest(sid))).first()
        return row is not None and row.expires_at > self.clock()


__all__ = ["RevokedSessions"]
