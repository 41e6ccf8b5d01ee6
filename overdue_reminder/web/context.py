"""What the views share, one per application: settings, store, sign-in, clock, write-back and caches.

Its own module so the views and the application factory both import it and not each other.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Protocol

from flask import Flask

from overdue_reminder.calendar import FirmCalendar
from overdue_reminder.config import Settings
from overdue_reminder.services.review import DocCache, LetterTotals
from overdue_reminder.sources import WriteBack
from overdue_reminder.store import Store
from overdue_reminder.web.auth import Authenticator
from overdue_reminder.web.throttle import DeviceCookies, LoginGuard

EXTENSION = "overdue_reminder"
WriteBackFactory = Callable[[], AbstractContextManager[WriteBack | None]]


class SessionRevocations(Protocol):
    """Session ids signed out before their cookie expired (store.sessions.RevokedSessions is one)."""

    def revoke(self, sid: str, expires_at: datetime) -> None: ...

    def __contains__(self, sid: object) -> bool: ...


@dataclass
class WebContext:
    """What the views share; one per application."""

    settings: Settings
    store: Store
    auth: Authenticator
    guard: LoginGuard
    clock: Callable[[], datetime]
    writeback: WriteBackFactory
    calendar: FirmCalendar
    revoked: SessionRevocations
    devices: DeviceCookies
    secret_key: bytes = field(repr=False, default=b"")
    device_cookie: str = "overdue-reminder-device"
    docs: DocCache = field(default_factory=DocCache)
    letter_totals: LetterTotals = field(default_factory=LetterTotals)
    ephemeral_key: bool = False

    def now(self) -> datetime:
        return self.clock()

    def today(self) -> date:
        return self.calendar.local_today(self.clock())

    @property
    def upload_limit(self) -> int:
        return self.settings.letters.max_edited_mb * 1_048_576


def context(app: Flask) -> WebContext:
    ctx = app.extensions[EXTENSION]
    assert isinstance(ctx, WebContext)
    return ctx


__all__ = ["EXTENSION", "SessionRevocations", "WebContext", "WriteBackFactory", "context"]
