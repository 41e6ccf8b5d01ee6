"""Odoo's customer portal as the sandbox serves it: access tokens (portal.mixin), `get_portal_url`, `load`
(by database id), `ir.config_parameter.get_param`, and the invoice page `/my/invoices/<id>?access_token=…`.

As in Odoo 17: `get_portal_url` takes one record and creates its token when missing (uuid4); the page opens
for the right token only (Odoo compares with `consteq`); reading `web.base.url` needs Settings rights.
A real Odoo answers a wrong or missing token with a redirect to /my (the login); the sandbox answers 403, and
404 for an invoice that does not exist: neither shows the invoice.
"""

from __future__ import annotations

import hmac
import html
import re
import uuid
from typing import Any
from urllib.parse import parse_qs, urlsplit

from .errors import MissingError, OdooValueError
from .store import SandboxDB

PAGE = re.compile(r"^/my/invoices/(\d+)$")
INVOICE_TYPES = frozenset({"out_invoice", "out_refund", "in_invoice", "in_refund", "out_receipt", "in_receipt"})


def ensure_token(db: SandboxDB, move_id: int) -> str:
    """portal.mixin._portal_ensure_token: the record's token, written (sudo) the first time."""
    row = db.row("account.move", move_id)
    if row is None:
        raise MissingError(f"Record does not exist or has been deleted.\n(Record: account.move({move_id},))")
    if not row.get("access_token"):
        db.write("account.move", [move_id], {"access_token": str(uuid.uuid4())})
    return str(db.row("account.move", move_id)["access_token"])  # type: ignore[index]


def m_get_portal_url(env: Any, ids: Any, suffix: Any = None, report_type: Any = None, download: Any = None,
                     query_string: Any = None, anchor: Any = None) -> str:
    id_list = [int(i) for i in (ids if isinstance(ids, list) else [ids])]
    if len(id_list) != 1:
        raise OdooValueError(f"Expected singleton: account.move{tuple(id_list)}")
    token = ensure_token(env.db, id_list[0])
    return (f"/my/invoices/{id_list[0]}{suffix or ''}?access_token={token}"
            f"{'&report_type=' + str(report_type) if report_type else ''}{'&download=true' if download else ''}"
            f"{query_string or ''}{'#' + str(anchor) if anchor else ''}")


def m_load(env: Any, fields: Any, data: Any) -> dict[str, Any]:
    """Model.load for updates by database id (`.id`): all rows or none, errors as Odoo's messages."""
    if not isinstance(fields, list) or ".id" not in fields:
        return {"ids": False, "messages": [{"type": "error", "message": "the sandbox loads rows by .id only"}]}
    at = fields.index(".id")
    known = set(env.db.model(env.model).fields)
    bad = [f for f in fields if f != ".id" and f not in known]
    if bad:
        return {"ids": False, "messages": [{"type": "error", "message": f"Unknown field {bad[0]!r}"}]}
    updates: list[tuple[int, dict[str, Any]]] = []
    for n, row in enumerate(data or []):
        try:
            rid = int(row[at])
        except (TypeError, ValueError, IndexError):
            return {"ids": False, "messages": [{"type": "error", "message": f"row {n}: invalid .id", "record": n}]}
        if env.db.row(env.model, rid) is None:
            return {"ids": False, "messages": [{"type": "error", "record": n,
                                                "message": f"No matching record found for database id '{rid}'"}]}
        updates.append((rid, {f: v for f, v in zip(fields, row, strict=False) if f != ".id"}))
    with env.db.lock:
        for rid, vals in updates:
            env.db.write(env.model, [rid], vals, uid=env.uid)
    return {"ids": [rid for rid, _ in updates], "messages": []}


def get_param(db: SandboxDB, key: str, default: Any = False) -> Any:
    for row in db.tables["ir.config_parameter"].rows.values():
        if row.get("key") == key:
            return row.get("value")
    return default


def m_get_param(env: Any, key: str, default: Any = False) -> Any:
    return get_param(env.db, key, default)


def set_param(db: SandboxDB, key: str, value: str) -> None:
    for row in db.tables["ir.config_parameter"].rows.values():
        if row.get("key") == key:
            db.write("ir.config_parameter", [int(row["id"])], {"value": value})
            return
    db.create("ir.config_parameter", {"key": key, "value": value})


def invoice_page(db: SandboxDB, path: str) -> tuple[int, str, bytes]:
    """GET /my/invoices/<id>?access_token=…: the invoice for its own token, 403 for any other, 404 if none."""
    parts = urlsplit(path)
    m = PAGE.match(parts.path.rstrip("/"))
    row = db.row("account.move", int(m.group(1))) if m else None
    if row is None or row.get("move_type") not in INVOICE_TYPES:
        return 404, "text/html; charset=utf-8", b"<!doctype html><title>404 Not Found</title><h1>Not Found</h1>"
    given = (parse_qs(parts.query).get("access_token") or [""])[0]
    token = str(row.get("access_token") or "")
    if not token or not given or not hmac.compare_digest(token.encode(), given.encode()):
        return 403, "text/html; charset=utf-8", b"<!doctype html><title>403 Forbidden</title><h1>Forbidden</h1>"
    name = html.escape(str(row.get("name") or ""))
    body = (f"<!doctype html><title>{name}</title><h1>Invoice {name}</h1>"
            f"<p data-invoice-id=\"{row['id']}\">Amount due: {row.get('amount_residual')}</p>")
    return 200, "text/html; charset=utf-8", body.encode()
