"""Sign-in with the attorney's own Odoo login, and the role each signed-in person has on the review page.

The password goes to Odoo's `common.authenticate` and nowhere else: no second password exists, and the
session keeps only who signed in (Odoo uid, login, email, name). The role is worked out again on every
request from the configuration and the `attorneys` table, so a change of roles takes effect on restart
without anyone's old cookie keeping old rights.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal, Protocol

from overdue_reminder.config import OdooSettings, Settings
from overdue_reminder.errors import SourceError
from overdue_reminder.sources.rpc import RpcClient
from overdue_reminder.store import Connection
from overdue_reminder.store.ledger import attorney_id_for

log = logging.getLogger(__name__)

Role = Literal["attorney", "partner", "billing"]
ROLE_LABELS: dict[str, str] = {"attorney": "Attorney", "partner": "Supervising partner", "billing": "Billing staff"}
LOGIN_TIMEOUT_SECONDS = 15.0


@dataclass(frozen=True, slots=True)
class OdooUser:
    """Who Odoo says signed in."""

    uid: int
    login: str
    email: str = ""
    name: str = ""


class Authenticator(Protocol):
    """Checks a login and password; raises AuthError when refused, SourceError when Odoo is unreachable."""

    def __call__(self, login: str, password: str) -> OdooUser: ...


class OdooAuthenticator:
    """`common.authenticate` on the configured Odoo database with the person's own login and password."""

    def __init__(self, odoo: OdooSettings) -> None:
        self.odoo = odoo

    def __call__(self, login: str, password: str) -> OdooUser:
        o = self.odoo
        client = RpcClient(o.protocol, o.host, o.port, o.database, login, password,
                           timeout=min(o.timeout_seconds, LOGIN_TIMEOUT_SECONDS), retries=0)
        try:
            uid = client.authenticate()
            email, name, real_login = "", "", login
            try:  # every Odoo user may read their own user record
                rows = client.execute("res.users", "read", [uid], fields=["login", "email", "name"])
                if rows:
                    row = rows[0]
                    real_login = str(row.get("login") or login)
                    email = str(row.get("email") or "")
                    name = str(row.get("name") or "")
            except SourceError as exc:
                log.info("signed in as uid %s but could not read the user record: %s", uid, exc)
            return OdooUser(uid, real_login, email, name)
        finally:
            client.close()


@dataclass(frozen=True, slots=True)
class Identity:
    """A signed-in person with a role on the page.

    `actor` is what services receive as `by` (and what the audit log records): the email when Odoo has one,
    because the letters' and offers' assignments and the supervising partner are configured by email.
    """

    uid: int
    login: str
    email: str
    name: str
    role: Role
    attorney_id: int | None = None

    @property
    def idents(self) -> frozenset[str]:
        return frozenset(x.strip().lower() for x in (self.login, self.email) if x.strip())

    @property
    def actor(self) -> str:
        return self.email or self.login

    @property
    def sees_all(self) -> bool:
        return self.role in ("partner", "billing")

    @property
    def may_decide(self) -> bool:
        """Billing staff decide nothing that needs an attorney; the services still check every decision."""
        return self.role in ("attorney", "partner")

    @property
    def role_label(self) -> str:
        return ROLE_LABELS[self.role]

    @property
    def display_name(self) -> str:
        return self.name or self.email or self.login


def _lowered(items: Iterable[str]) -> set[str]:
    return {x.strip().lower() for x in items if x and x.strip()}


def partner_logins(settings: Settings) -> set[str]:
    """[web] supervising_partners plus the supervising partner that [letters] and [offers] name."""
    return _lowered([*settings.web.supervising_partners, settings.letters.supervising_partner,
                     settings.offers.supervising_partner])


def attorney_for(conn: Connection, idents: Iterable[str]) -> int | None:
    """The attorneys-table id whose Odoo login or email is one of `idents` (lowest id if several)."""
    return attorney_id_for(conn, _lowered(idents))


def resolve_identity(settings: Settings, conn: Connection, user: OdooUser) -> Identity | None:
    """The role from configuration first (partner, then billing staff), else an attorney by the attorneys
    table; None when the person has no role on the page."""
    idents = _lowered([user.login, user.email])
    att = attorney_for(conn, idents)
    role: Role
    if idents & partner_logins(settings):
        role = "partner"
    elif idents & _lowered(settings.web.billing_staff):
        role = "billing"
    elif att is not None:
        role = "attorney"
    else:
        return None
    return Identity(user.uid, user.login, user.email, user.name, role, att)


__all__ = [
    "ROLE_LABELS",
    "Authenticator",
    "Identity",
    "OdooAuthenticator",
    "OdooUser",
    "Role",
    "attorney_for",
    "partner_logins",
    "resolve_identity",
]
