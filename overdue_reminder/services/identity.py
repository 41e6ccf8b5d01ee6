"""Who is acting, proven: an Odoo login checked against Odoo, or an operating-system user the firm mapped.

A name typed on a command line (`--by`) or a field the person can edit in Odoo (their email) proves nothing.
Identity comes from Odoo's `common.authenticate` (the uid it returns, and the login of that uid) or from the
account the operating system says runs the command, mapped to an Odoo login in the firm's configuration.
Roles come from configuration keyed on logins or uids (`uid:7`) and from the attorneys table (Odoo user ids),
never from an email address.
"""

from __future__ import annotations

import getpass
import os
import stat
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from sqlalchemy import func, select

from overdue_reminder.config import OdooSettings, Settings
from overdue_reminder.core.clearance import Actor, Role
from overdue_reminder.errors import AuthError, ConfigError, SourceError
from overdue_reminder.sources.rpc import RpcClient
from overdue_reminder.store import Store
from overdue_reminder.store.schema import attorneys

PROOF_ODOO = "odoo-login"  # password or API key checked by Odoo just now
PROOF_OS = "os-user"  # the operating system's account, mapped in [identity] os_users
PROOF_WEB = "web-session"  # signed in on the review page with the Odoo login
LOGIN_TIMEOUT_SECONDS = 15.0


@dataclass(frozen=True)
class Roles:
    """Who holds which role, by Odoo login (casefolded) or `uid:N`; attorneys by their Odoo user id."""

    partners: frozenset[str]
    staff: frozenset[str]
    attorney_uids: frozenset[int]

    def role_of(self, login: str, uid: int | None) -> Role | None:
        keys = {login.strip().casefold()} | ({f"uid:{uid}"} if uid is not None else set())
        if keys & self.partners:
            return Role.PARTNER
        if uid is not None and uid in self.attorney_uids:
            return Role.ATTORNEY
        if keys & self.staff:
            return Role.STAFF
        return None


def _keys(items: Iterable[str]) -> frozenset[str]:
    return frozenset(x.strip().casefold() for x in items if x and x.strip())


def roles(settings: Settings, store: Store) -> Roles:
    """Partners from [web] supervising_partners and the [letters]/[offers] supervising partner; staff from
    [web] billing_staff; attorneys are the Odoo users the sync stored as responsible attorneys."""
    with store.begin() as conn:
        uids = frozenset(int(r.id) for r in conn.execute(select(attorneys.c.id).where(attorneys.c.stub.is_(False))))
    return Roles(_keys([*settings.web.supervising_partners, settings.letters.supervising_partner,
                        settings.offers.supervising_partner]),
                 _keys(settings.web.billing_staff), uids)


def uid_for_login(store: Store, login: str) -> int | None:
    """The Odoo user id the sync stored for this login (attorneys only; others have none locally)."""
    with store.begin() as conn:
        row = conn.execute(select(attorneys.c.id).where(func.lower(attorneys.c.login) == login.strip().lower())
                           .order_by(attorneys.c.id).limit(1)).first()
    return int(row.id) if row is not None else None


class Authenticate(Protocol):
    """Checks a login and secret with Odoo; returns (uid, the login Odoo has for that uid)."""

    def __call__(self, login: str, secret: str) -> tuple[int, str]: ...


class OdooLogin:
    """`common.authenticate` with the person's own login and password or API key, then their own login back."""

    def __init__(self, odoo: OdooSettings) -> None:
        self.odoo = odoo

    def __call__(self, login: str, secret: str) -> tuple[int, str]:
        o = self.odoo
        client = RpcClient(o.protocol, o.host, o.port, o.database, login, secret,
                           timeout=min(o.timeout_seconds, LOGIN_TIMEOUT_SECONDS), retries=0)
        try:
            uid = client.authenticate()
            try:  # every Odoo user may read their own record; the login is not theirs to edit
                rows = client.execute("res.users", "read", [uid], fields=["login"])
                real = str(rows[0].get("login") or login) if rows else login
            except SourceError:
                real = login
            return uid, real
        finally:
            client.close()


def prove_with_odoo(rules: Roles, auth: Authenticate, login: str, secret: str, *, default: Role = Role.STAFF) -> Actor:
    """The person Odoo accepts for this login and secret, in the role configuration gives them."""
    if not login.strip() or not secret:
        raise AuthError("give your Odoo login and your password or API key to prove who you are.")
    uid, real = auth(login.strip(), secret)
    role = rules.role_of(real, uid) or default
    return Actor(real, role, PROOF_ODOO, uid)


def prove_os_user(settings: Settings, store: Store, rules: Roles, os_user: str | None = None) -> Actor | None:
    """The Odoo login the firm mapped to the operating-system account running this command, if any."""
    user = os_user or current_os_user()
    login = settings.identity.os_users.get(user, "")
    if not login:
        return None
    uid = uid_for_login(store, login)
    return Actor(login, rules.role_of(login, uid) or Role.STAFF, f"{PROOF_OS}:{user}", uid)


def current_os_user() -> str:
    """The account the kernel says runs us (not $USER, which anyone may set)."""
    try:
        import pwd

        return pwd.getpwuid(os.geteuid()).pw_name
    except (ImportError, KeyError):
        return getpass.getuser()


def own_secret(settings: Settings) -> str:
    """The person's own Odoo password or API key from their environment variable or owner-only file; ""
    when neither is set (the command then prompts, or refuses without a terminal)."""
    ident = settings.identity
    value = os.environ.get(ident.secret_env, "")
    if value:
        return value
    path = Path(os.path.expanduser(ident.secret_file)) if ident.secret_file else None
    if path is None or not path.exists():
        return ""
    mode = path.stat().st_mode
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise ConfigError(f"{path}: your Odoo secret must be readable by you only; run: chmod 600 {path}")
    return path.read_text(encoding="utf-8").strip()


def as_actor(by: Actor | str) -> Actor:
    """Services take a proven Actor; a bare name (old callers, scripts) is recorded as claimed, not proven."""
    return by if isinstance(by, Actor) else unproven(by)


def unproven(name: str) -> Actor:
    """A name given but not proven: recorded as claimed, and refused wherever authority is needed."""
    return Actor(name.strip() or current_os_user(), Role.STAFF, "")


__all__ = [
    "PROOF_ODOO",
    "PROOF_OS",
    "PROOF_WEB",
    "Authenticate",
    "OdooLogin",
    "Roles",
    "as_actor",
    "current_os_user",
    "own_secret",
    "prove_os_user",
    "prove_with_odoo",
    "roles",
    "uid_for_login",
    "unproven",
]
