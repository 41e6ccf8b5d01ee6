"""The `common`, `db` and `object` services, dispatched as Odoo's `dispatch_rpc` does.

Order of checks follows Odoo: database, then credentials, then model, then method, then the ACL,
then the arguments. Results are returned in store terms; the server encodes them.
"""

from __future__ import annotations

from typing import Any

from .errors import (
    AccessDenied,
    AccessError,
    DatabaseMissing,
    OdooAttributeError,
    OdooKeyError,
    OdooNameError,
    OdooTypeError,
    UserError,
)
from .methods import Env, call, find_method
from .store import SandboxDB


def version_info(version: str) -> dict[str, Any]:
    """`common.version()` exactly as sample 01 shapes it."""
    major, minor = (int(p) for p in version.split(".")[:2])
    return {
        "server_version": version,
        "server_version_info": [major, minor, 0, "final", 0, ""],
        "server_serie": version,
        "protocol_version": 1,
    }


class Dispatcher:
    """Turns (service, method, params) into a result or an OdooError, against one database."""

    def __init__(self, db: SandboxDB) -> None:
        self.db = db

    def dispatch(self, service: str, method: str, params: list[Any]) -> Any:
        handlers = {"common": self._common, "db": self._db, "object": self._object}
        handler = handlers.get(service)
        if handler is None:
            raise OdooKeyError(repr(service))
        return handler(method, list(params))

    @staticmethod
    def describe(service: str, method: str, params: list[Any]) -> tuple[str, str, str]:
        """The (service, method, model) a call is counted and matched under."""
        if service == "object" and method in ("execute_kw", "execute") and len(params) >= 5:
            return service, str(params[4]), str(params[3])
        return service, method, ""

    # ------------------------------------------------------------------ common

    def _check_db(self, name: Any) -> None:
        if name != self.db.name:
            raise DatabaseMissing(str(name))

    def _common(self, method: str, params: list[Any]) -> Any:
        if method == "version":
            return version_info(self.db.version)
        if method == "about":
            return ["See http://openerp.com", self.db.version] if params and params[0] else "See http://openerp.com"
        if method in ("login", "authenticate"):
            if len(params) < 3:
                raise OdooTypeError(f"exp_{method}() missing required positional arguments")
            self._check_db(params[0])
            login, password = params[1], params[2]
            if not isinstance(login, str) or not isinstance(password, str):
                return False
            uid = self.db.authenticate(login, password)
            return uid if uid is not None else False
        raise OdooKeyError(repr(f"exp_{method}"))

    def _db(self, method: str, params: list[Any]) -> Any:
        if method == "list":
            return [self.db.name]
        if method == "server_version":
            return self.db.version
        if method == "db_exist":
            return bool(params) and params[0] == self.db.name
        raise OdooKeyError(repr(f"exp_{method}"))

    # ------------------------------------------------------------------ object

    def _object(self, method: str, params: list[Any]) -> Any:
        if method not in ("execute", "execute_kw"):
            raise OdooNameError(f"Method not available {method}")
        if len(params) < 5:
            raise OdooTypeError(f"{method}() missing required positional arguments")
        dbname, raw_uid, password, model, model_method = params[:5]
        self._check_db(dbname)
        try:
            uid = int(raw_uid)
        except (TypeError, ValueError):
            raise OdooTypeError(f"int() argument must be a string, a bytes-like object or a real number, "
                                f"not '{type(raw_uid).__name__}'") from None
        if not self.db.check_credentials(uid, password):
            raise AccessDenied()
        if method == "execute_kw":
            args = params[5] if len(params) > 5 else []
            kwargs = params[6] if len(params) > 6 else {}
            if len(params) > 7:
                raise OdooTypeError(f"execute_kw() takes from 5 to 7 positional arguments but {len(params)} "
                                    "were given")
            if kwargs in (None, False):
                kwargs = {}
            if not isinstance(args, list | tuple) or not isinstance(kwargs, dict):
                raise OdooTypeError("execute_kw() expects a list of args and a dict of kwargs")
        else:
            args, kwargs = params[5:], {}
        return self.execute(uid, str(model), str(model_method), list(args), dict(kwargs))

    def execute(self, uid: int, model: str, method: str, args: list[Any], kwargs: dict[str, Any]) -> Any:
        """An authenticated call on a model (also usable directly from Python tests)."""
        if model not in self.db.models:
            raise UserError(f"Object {model} doesn't exist")
        if method.startswith("_"):
            raise AccessError(f"Private methods (such as {model}.{method}) cannot be called remotely.")
        found = find_method(self.db, model, method)
        if found is None:
            raise OdooAttributeError(f"The method '{method}' does not exist on the model '{model}'")
        context = kwargs.pop("context", None)
        env = Env(self.db, uid, model, dict(context) if isinstance(context, dict) else {})
        return call(method, found, env, args, kwargs)
