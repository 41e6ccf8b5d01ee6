"""Odoo's exception kinds, so that the sandbox fails the way a real server fails on the wire.

Each kind knows its qualified name (JSON-RPC `data.name`), its XML-RPC fault code on `/xmlrpc/2`
and how the legacy `/xmlrpc/<service>` routes spell it as a *string* fault code. They also derive
from the matching builtin (ValueError, TypeError...) so Python callers of the store can catch them
naturally.
"""

from __future__ import annotations

from typing import ClassVar

FAULT_APPLICATION = 1
FAULT_WARNING = 2
FAULT_ACCESS_DENIED = 3
FAULT_ACCESS_ERROR = 4


class OdooError(Exception):
    """Base of every error the sandbox reports to a client."""

    qualname: str = "builtins.Exception"
    fault_code: ClassVar[int] = FAULT_APPLICATION
    # For the legacy routes: "warning -- <Kind>" codes carry the message and an empty faultString.
    legacy_warning: ClassVar[str | None] = None

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message

    @property
    def short_name(self) -> str:
        """The name Python prints on a traceback's last line (builtins without their module)."""
        return self.qualname.removeprefix("builtins.")


class OdooValueError(OdooError, ValueError):
    qualname = "builtins.ValueError"


class OdooTypeError(OdooError, TypeError):
    qualname = "builtins.TypeError"


class OdooKeyError(OdooError, KeyError):
    qualname = "builtins.KeyError"


class OdooNameError(OdooError, NameError):
    qualname = "builtins.NameError"


class OdooAttributeError(OdooError, AttributeError):
    qualname = "builtins.AttributeError"


class UserError(OdooError):
    qualname = "odoo.exceptions.UserError"
    fault_code = FAULT_WARNING
    legacy_warning = "UserError"


class ValidationError(UserError):
    qualname = "odoo.exceptions.ValidationError"


class MissingError(UserError):
    qualname = "odoo.exceptions.MissingError"
    legacy_warning = "MissingError"


class AccessDenied(OdooError):
    """Wrong credentials on an authenticated call (not on login, which answers False)."""

    qualname = "odoo.exceptions.AccessDenied"
    fault_code = FAULT_ACCESS_DENIED

    def __init__(self, message: str = "Access Denied") -> None:
        super().__init__(message)


class AccessError(OdooError):
    """The user lacks the group an ACL asks for."""

    qualname = "odoo.exceptions.AccessError"
    fault_code = FAULT_ACCESS_ERROR
    legacy_warning = "AccessError"


class DatabaseMissing(OdooError):
    """What psycopg2 raises when the client names a database that does not exist."""

    qualname = "psycopg2.OperationalError"

    def __init__(self, dbname: str) -> None:
        super().__init__(
            'connection to server on socket "/var/run/postgresql/.s.PGSQL.5432" failed: '
            f'FATAL:  database "{dbname}" does not exist'
        )


class MarshalError(OdooError, TypeError):
    """XML-RPC cannot carry None: Odoo answers fault 1 although the method ran."""

    qualname = "builtins.TypeError"

    def __init__(self) -> None:
        super().__init__("cannot marshal None unless allow_none is enabled")


def wrap_unexpected(exc: BaseException) -> OdooError:
    """Report a sandbox bug or a stdlib error the way Odoo reports any other exception."""
    if isinstance(exc, OdooError):
        return exc
    wrapped = OdooError(str(exc))
    module = type(exc).__module__
    name = type(exc).__qualname__
    wrapped.qualname = f"{module}.{name}"
    return wrapped


_ROUTE_FRAMES = {
    "xmlrpc2": [
        ("/opt/odoo/odoo/addons/base/controllers/rpc.py", 150, "xmlrpc_2", "response = self._xmlrpc(service)"),
        ("/opt/odoo/odoo/addons/base/controllers/rpc.py", 130, "_xmlrpc",
         "result = dispatch_rpc(service, method, params)"),
    ],
    "xmlrpc1": [
        ("/opt/odoo/odoo/addons/base/controllers/rpc.py", 141, "xmlrpc_1", "response = self._xmlrpc(service)"),
        ("/opt/odoo/odoo/addons/base/controllers/rpc.py", 130, "_xmlrpc",
         "result = dispatch_rpc(service, method, params)"),
    ],
    "jsonrpc": [
        ("/opt/odoo/odoo/http.py", 1722, "_serve_db", "return service_model.retrying(self._serve_ir_http, self.env)"),
        ("/opt/odoo/odoo/addons/base/controllers/rpc.py", 158, "jsonrpc",
         "return dispatch_rpc(service, method, args)"),
    ],
}
_COMMON_FRAMES = [
    ("/opt/odoo/odoo/http.py", 388, "dispatch_rpc", "return dispatch(method, params)"),
    ("/opt/odoo/odoo/service/model.py", 37, "dispatch", "res = execute_kw(db, uid, *params[3:])"),
    ("/opt/odoo/odoo/service/model.py", 59, "execute_kw", "return execute(db, uid, obj, method, *args, **kw or {})"),
]


def traceback_text(exc: OdooError, route: str) -> str:
    """A plausible Odoo server traceback whose last line is `<Name>: <message>` as in the samples."""
    lines = ["Traceback (most recent call last):"]
    for path, lineno, func, code in _ROUTE_FRAMES.get(route, _ROUTE_FRAMES["xmlrpc2"]) + _COMMON_FRAMES:
        lines.append(f'  File "{path}", line {lineno}, in {func}')
        lines.append(f"    {code}")
    lines.append('  File "/opt/odoo/overdue_reminder/sandbox/rpc.py", line 1, in <sandbox>')
    lines.append("    raise")
    lines.append(f"{exc.short_name}: {exc.message}")
    return "\n".join(lines) + "\n"
