"""The wire boundary: store values to what Odoo sends, and the XML-RPC / JSON-RPC bodies.

Odoo never sends null for a field: empty char/date/many2one are `false`, numbers are 0,
many2one is `[id, display_name]`, dates are "YYYY-MM-DD", datetimes "YYYY-MM-DD HH:MM:SS" (UTC),
money a double. Decimal stays Decimal everywhere else and becomes a float only here.
"""

from __future__ import annotations

import json
import xmlrpc.client
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from .errors import MarshalError, OdooError, traceback_text
from .models import FieldDef

if TYPE_CHECKING:
    from .store import SandboxDB

DATETIME_FORMAT = "%Y-%m-%d %H:%M:%S"


class WireList(list[Any]):
    """A result already in wire terms (what `read` builds), so encoding skips another pass."""

    __slots__ = ()


def to_wire(value: Any) -> Any:
    """A method's result made marshallable (None is kept: the protocols treat it differently)."""
    if type(value) is WireList:
        return value
    if isinstance(value, bool | int | float | str) or value is None:
        return value
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime):
        return value.strftime(DATETIME_FORMAT)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): to_wire(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [to_wire(v) for v in value]
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value


def field_converter(db: SandboxDB, fdef: FieldDef, *, names: bool = True,
                    memo: dict[tuple[str, int], str] | None = None) -> Callable[[Any], Any]:
    """How one field's store value is read over RPC (`names=False` is read's load=None)."""
    kind = fdef.type
    if kind == "many2one":
        relation = fdef.relation or ""
        if not names:
            return lambda v: False if v is None else v
        cache = memo if memo is not None else {}

        def many2one(v: Any) -> Any:
            if v is None:
                return False
            key = (relation, v)
            name = cache.get(key)
            if name is None:
                name = cache[key] = db.display_name(relation, v)
            return [v, name]

        return many2one
    if kind in ("many2many", "one2many"):
        return lambda v: list(v or ())
    if kind == "date":
        return lambda v: False if v is None else v.isoformat()
    if kind == "datetime":
        return lambda v: False if v is None else v.strftime(DATETIME_FORMAT)
    if kind in ("monetary", "float"):
        return lambda v: 0.0 if v is None else float(v)
    if kind in ("integer", "many2one_reference"):
        return lambda v: 0 if v is None else int(v)
    if kind == "boolean":
        return bool
    return lambda v: False if v is None else v


# --------------------------------------------------------------------------- XML-RPC

_MAXINT = 2**31 - 1
_MININT = -(2**31)


def _escape(text: str) -> str:
    if "&" in text or "<" in text or ">" in text:
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text


def _marshal(value: Any, out: list[str]) -> None:
    """xmlrpc.client's Marshaller, byte for byte, without its per-value method dispatch."""
    kind = type(value)
    if kind is str:
        out.append(f"<value><string>{_escape(value)}</string></value>\n")
    elif kind is int:
        if value > _MAXINT or value < _MININT:
            raise OverflowError("int exceeds XML-RPC limits")
        out.append(f"<value><int>{value}</int></value>\n")
    elif kind is bool:
        out.append(f"<value><boolean>{int(value)}</boolean></value>\n")
    elif kind is float:
        out.append(f"<value><double>{value!r}</double></value>\n")
    elif kind is dict:
        out.append("<value><struct>\n")
        for key, item in value.items():
            if type(key) is not str:
                raise TypeError("dictionary key must be string")
            out.append(f"<member>\n<name>{_escape(key)}</name>\n")
            _marshal(item, out)
            out.append("</member>\n")
        out.append("</struct></value>\n")
    elif kind is list or kind is tuple or kind is WireList:
        out.append("<value><array><data>\n")
        for item in value:
            _marshal(item, out)
        out.append("</data></array></value>\n")
    elif value is None:
        raise MarshalError()
    else:
        converted = to_wire(value)
        if converted is value:
            raise TypeError(f"cannot marshal {type(value)} objects")
        _marshal(converted, out)


def xmlrpc_result(result: Any) -> bytes:
    """Odoo's `dumps((result,), methodresponse=1, allow_none=False)`; None raises MarshalError."""
    out = ["<?xml version='1.0'?>\n<methodResponse>\n<params>\n<param>\n"]
    _marshal(result, out)
    out.append("</param>\n</params>\n</methodResponse>\n")
    return "".join(out).encode("utf-8")


def xmlrpc_fault(exc: OdooError, *, legacy: bool) -> bytes:
    """`/xmlrpc/2` faults carry int codes; the legacy routes carry string codes (sample 19)."""
    if not legacy:
        text = traceback_text(exc, "xmlrpc2") if exc.fault_code == 1 else exc.message
        fault = xmlrpc.client.Fault(exc.fault_code, text)
    elif exc.qualname == "odoo.exceptions.AccessDenied":
        fault = xmlrpc.client.Fault(_str_code("AccessDenied"), exc.message)
    elif exc.legacy_warning is not None:
        fault = xmlrpc.client.Fault(_str_code(f"warning -- {exc.legacy_warning}\n\n{exc.message}"), "")
    else:
        fault = xmlrpc.client.Fault(_str_code(exc.message), traceback_text(exc, "xmlrpc1"))
    return xmlrpc.client.dumps(fault, methodresponse=True, allow_none=False).encode("utf-8")


def _str_code(code: str) -> Any:
    """The legacy routes put a string where the stubs (and /xmlrpc/2) expect an int."""
    return code


# --------------------------------------------------------------------------- JSON-RPC

def _json_default(value: Any) -> Any:
    converted = to_wire(value)
    if converted is value:
        raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")
    return converted


def json_result(request_id: Any, result: Any) -> bytes:
    """A reply with no `result` key at all when the method returned None (sample 18)."""
    body: dict[str, Any] = {"jsonrpc": "2.0", "id": request_id}
    if result is not None:
        body["result"] = to_wire(result)
    return json.dumps(body, default=_json_default).encode("utf-8")


def json_error(request_id: Any, exc: OdooError) -> bytes:
    body = {
        "jsonrpc": "2.0",
        "id": request_id,
        "error": {
            "code": 200,
            "message": "Odoo Server Error",
            "data": {
                "name": exc.qualname,
                "debug": traceback_text(exc, "jsonrpc"),
                "message": exc.message,
                "arguments": [exc.message],
                "context": {},
            },
        },
    }
    return json.dumps(body).encode("utf-8")
