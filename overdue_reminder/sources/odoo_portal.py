"""Odoo customer-portal pay links: the base URL and each invoice's access token (portal.mixin, Odoo 16-18).

The sync batch already reads `access_token` with every invoice, so an invoice Odoo has emailed or shared
carries its token at no extra call. For the rest, Odoo's own `get_portal_url` creates a token but takes one
record per call, and `_portal_ensure_token` is private (not callable over RPC). So the missing tokens are
created here as Odoo creates them (`str(uuid.uuid4())`) and written in ONE `load` call per batch of
invoices (`load` updates existing records by database id, many rows with their own values in one call).
The caller stores them in the ledger, so no invoice's token is ever created twice.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

from overdue_reminder.errors import SourceError
from overdue_reminder.sources.rpc import RpcClient

TOKEN = re.compile(r"^[A-Za-z0-9-]{16,64}$")


def clean_token(value: Any) -> str:
    """An access token as Odoo makes them (a uuid4), or "" for none or anything else (it goes into an email)."""
    return value if isinstance(value, str) and TOKEN.match(value) else ""


def clean_base_url(value: Any) -> str:
    """web.base.url as scheme://host[:port], or "" if it is not a plain http(s) address."""
    if not isinstance(value, str):
        return ""
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        return ""
    return f"{parts.scheme}://{parts.netloc}{parts.path.rstrip('/')}"


class OdooPortal:
    """Mixed into OdooSource: reads the portal's base URL and fills in missing invoice access tokens."""

    client: RpcClient
    batch_size: int = 1000

    def portal_base_url(self) -> str:
        """Odoo's `web.base.url` (ir.config_parameter; Odoo allows reading it to administrators only):
        "" when it is unset or this login may not read it, and the configured portal_url serves instead."""
        try:
            value = self.client.execute("ir.config_parameter", "get_param", "web.base.url")
        except SourceError:
            return ""
        return clean_base_url(value)

    def ensure_access_tokens(self, invoice_ids: Sequence[int]) -> dict[int, str]:
        """A new token for each of these invoices (the caller passes only those without one), written to
        Odoo in one `load` call per batch; id -> token for each invoice Odoo accepted."""
        out: dict[int, str] = {}
        ids = sorted(set(invoice_ids))
        size = max(1, getattr(getattr(self, "settings", None), "batch_size", self.batch_size))
        for i in range(0, len(ids), size):
            chunk = ids[i:i + size]
            tokens = {rid: str(uuid.uuid4()) for rid in chunk}
            result = self.client.execute("account.move", "load", [".id", "access_token"],
                                         [[str(rid), tok] for rid, tok in tokens.items()])
            messages = result.get("messages") if isinstance(result, dict) else None
            done = result.get("ids") if isinstance(result, dict) else None
            if messages or not isinstance(done, list):
                why = "; ".join(str(m.get("message", m)) if isinstance(m, dict) else str(m)
                                for m in (messages or [])[:3]) or repr(result)[:200]
                raise SourceError(f"Odoo refused to store the portal access tokens of {len(chunk)} invoices: {why}")
            out.update((rid, tokens[rid]) for rid in chunk if rid in set(done))
        return out
