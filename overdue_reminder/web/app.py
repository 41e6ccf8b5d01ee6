"""The Flask application factory for the attorney review page.

`create_app(settings, store)` wires the pieces: session cookies signed with the configured key (Secure,
HttpOnly, SameSite), the templates under templates/web (autoescaped, whatever their file name), the login
guard, the letter text cache and the views. Everything a test needs to replace comes in as a keyword:
`auth` (the Odoo sign-in), `clock`, `secret_key`, `guard` and `writeback`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from flask import Flask

from overdue_reminder.config import Settings
from overdue_reminder.resources import templates_root
from overdue_reminder.run.wiring import open_writeback
from overdue_reminder.sources import WriteBack
from overdue_reminder.store import Store
from overdue_reminder.store.sessions import RevokedSessions
from overdue_reminder.web.auth import Authenticator, OdooAuthenticator
from overdue_reminder.web.charts import money
from overdue_reminder.web.context import EXTENSION, WebContext, WriteBackFactory, context
from overdue_reminder.web.security import StoreId, load_secret_key
from overdue_reminder.web.throttle import DeviceCookies, LoginGuard
from overdue_reminder.web.views import register

log = logging.getLogger(__name__)


class _ReviewFlask(Flask):
    """Autoescape every template (ours are named *.html, but a firm's override might not be)."""

    def select_jinja_autoescape(self, filename: str | None) -> bool:
        return True


def odoo_writeback(settings: Settings) -> WriteBackFactory:
    """The Odoo connector for letter write-back when letters.write_back is on; a decision never waits on Odoo."""

    def factory() -> AbstractContextManager[WriteBack | None]:
        return open_writeback(settings, settings.letters.write_back, log.warning)

    return factory


def _no_writeback() -> AbstractContextManager[WriteBack | None]:
    return nullcontext(None)


def create_app(settings: Settings, store: Store, *, auth: Authenticator | None = None,
               secret_key: bytes | str | None = None, clock: Callable[[], datetime] | None = None,
               guard: LoginGuard | None = None, writeback: WriteBackFactory | None = None) -> Flask:
    """The review page for `settings` and `store`; sign-in goes to Odoo unless `auth` is given."""
    web = settings.web
    root = templates_root() / "web"
    app = _ReviewFlask(__name__, template_folder=str(root), static_folder=str(root / "static"),
                       static_url_path="/static")
    if secret_key is not None:
        key, ephemeral = (secret_key.encode() if isinstance(secret_key, str) else secret_key), False
    else:
        key, ephemeral = load_secret_key(settings)
    lifetime = timedelta(minutes=web.session_minutes)
    app.config.update(
        SECRET_KEY=key,
        SESSION_COOKIE_NAME="__Host-overdue-reminder" if web.secure_cookies else "overdue-reminder",
        SESSION_COOKIE_SECURE=web.secure_cookies,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE=web.same_site,
        SESSION_COOKIE_PATH="/",
        SESSION_REFRESH_EACH_REQUEST=False,
        PERMANENT_SESSION_LIFETIME=lifetime,
        MAX_CONTENT_LENGTH=settings.letters.max_edited_mb * 1_048_576 + 65_536,  # the upload plus form fields
        # Werkzeug also caps its multipart buffer with this, which takes 64 KB reads: at 64 KB any upload over
        # about 64 KB answered 413. Its own default; the text fields are checked for length where they are read.
        MAX_FORM_MEMORY_SIZE=500_000,
        SEND_FILE_MAX_AGE_DEFAULT=3600,
        TEMPLATES_AUTO_RELOAD=False,
    )
    cal = settings.calendar()
    ctx = WebContext(
        settings=settings, store=store, auth=auth or OdooAuthenticator(settings.odoo),
        guard=guard or LoginGuard.from_settings(settings), clock=clock or (lambda: datetime.now(UTC)),
        writeback=writeback or (odoo_writeback(settings) if settings.letters.write_back else _no_writeback),
        calendar=cal, revoked=RevokedSessions(store), devices=DeviceCookies(key), secret_key=key,
        device_cookie=f"{app.config['SESSION_COOKIE_NAME']}-device", ephemeral_key=ephemeral)
    app.extensions[EXTENSION] = ctx
    tz = cal.tz

    def fmt_money(amount: Any, currency: str) -> str:
        return money(Decimal(amount), currency)

    def fmt_when(value: datetime | date | None) -> str:
        if value is None:
            return ""
        if isinstance(value, datetime):
            return value.astimezone(tz).strftime("%Y-%m-%d %H:%M")
        return value.isoformat()

    app.jinja_env.filters["money"] = fmt_money
    app.jinja_env.filters["when"] = fmt_when
    app.jinja_env.globals["firm_name"] = settings.firm.name
    app.url_map.converters["id"] = StoreId  # an id out of the store's range is a 404, not a database error
    register(app)
    return app


__all__ = ["RevokedSessions", "WebContext", "WriteBackFactory", "context", "create_app", "odoo_writeback"]
