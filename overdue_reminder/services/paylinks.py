"""Pay links for tonight's reminders and letters: each invoice's Odoo customer-portal URL with its token.

Once per run: Odoo's `web.base.url` (or `[payment] portal_url` when Odoo does not let this login read it);
the tokens the sync stored; and, for invoices still without one, ONE batched call that creates them
(sources/odoo_portal.py), recorded in the ledger at once so that no invoice's token is created twice.
The link's host is not trusted here: the clearance at every exit compares it with `portal_url`
(docs/rules.md, "Pay links to the firm's own portal").
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable
from urllib.parse import urlsplit

from overdue_reminder.config import Settings
from overdue_reminder.errors import AuthError, SourceError, TransientSourceError
from overdue_reminder.store import Store
from overdue_reminder.store.ledger import access_tokens, save_access_tokens

log = logging.getLogger(__name__)


@runtime_checkable
class Portal(Protocol):
    """What the accounting system offers for pay links (OdooSource does)."""

    def portal_base_url(self) -> str: ...

    def ensure_access_tokens(self, invoice_ids: Sequence[int]) -> dict[int, str]: ...


@dataclass(frozen=True)
class PayLinks:
    """invoice id -> its portal URL, for the drafts of one run."""

    base_url: str = ""
    urls: Mapping[int, str] = field(default_factory=dict)
    created: int = 0  # tokens created in Odoo this run
    missing: tuple[int, ...] = ()  # invoices left without a link (dry run, or Odoo refused)
    error: str = ""  # why Odoo did not create the missing tokens: those reminders go without a pay link

    @property
    def host(self) -> str:
        return (urlsplit(self.base_url).hostname or "").lower()

    def summary(self) -> dict[str, object]:
        out: dict[str, object] = {"links": len(self.urls), "tokens_created": self.created,
                                  "without_link": len(self.missing), "host": self.host}
        if self.error:
            out["error"] = self.error
        return out


NONE = PayLinks()


def portal_url(base_url: str, invoice_id: int, token: str) -> str:
    return f"{base_url.rstrip('/')}/my/invoices/{invoice_id}?access_token={token}"


def prepare(store: Store, settings: Settings, invoice_ids: Iterable[int], portal: Portal | None, *,
            create: bool = True) -> PayLinks:
    """The pay links of these invoices; with `create`, tokens missing from the ledger are made in Odoo first."""
    if not settings.payment.portal_links:
        return NONE
    ids = sorted(set(invoice_ids))
    base = (portal.portal_base_url() if portal is not None else "") or settings.payment.portal_url
    with store.begin() as conn:
        tokens = {i: t for i, t in access_tokens(conn, ids).items() if t}
    missing = [i for i in ids if i not in tokens]
    created: dict[int, str] = {}
    error = ""
    if missing and create and portal is not None:
        try:
            created = portal.ensure_access_tokens(missing)
        except (AuthError, TransientSourceError):
            raise  # Odoo unreachable or refusing the login: the run stops and retries, as the sync does
        except SourceError as exc:  # e.g. no write access to invoices: reminders still go, without a pay link
            error = str(exc)
            log.warning("pay links: %s", exc)
        with store.begin() as conn:
            save_access_tokens(conn, created)
            tokens.update(access_tokens(conn, list(created)))  # what the ledger holds now
        log.info("pay links: %d access tokens created in Odoo in one batch", len(created))
    urls = {i: portal_url(base, i, tokens[i]) for i in ids if tokens.get(i)}
    return PayLinks(base, urls, len(created), tuple(i for i in ids if i not in urls), error)
