"""Transport for odoo-client-lib with timeouts, keep-alive, retries and clear error classes.

odoo-client-lib has no timeouts (xmlrpc) or httpx's 5 s default on a fresh connection per call
(jsonrpc); its Connection accepts any connector, which is the seam used here. Faults are
classified once: refused login and missing rights stop at once (AuthError, exit 3); timeouts,
dropped connections, 5xx and unreadable replies are retried with backoff (TransientSourceError).
"""

from __future__ import annotations

import functools
import hashlib
import http.client
import json
import logging
import random
import socket
import ssl
import threading
import time
import xmlrpc.client
from collections import Counter, defaultdict
from collections.abc import Callable
from typing import Any
from xml.parsers.expat import ExpatError

import httpx
import odoolib

from overdue_reminder.errors import AuthError, SourceError, TransientSourceError

log = logging.getLogger(__name__)


class _TimeoutTransport(xmlrpc.client.Transport):
    def __init__(self, timeout: float) -> None:
        super().__init__()
        self._timeout = timeout

    def make_connection(self, host: Any) -> http.client.HTTPConnection:
        conn = super().make_connection(host)
        conn.timeout = self._timeout
        return conn


class _SafeTimeoutTransport(xmlrpc.client.SafeTransport):
    def __init__(self, timeout: float) -> None:
        super().__init__()
        self._timeout = timeout

    def make_connection(self, host: Any) -> http.client.HTTPSConnection:
        conn = super().make_connection(host)
        conn.timeout = self._timeout
        return conn


class XmlRpcConnector(odoolib.rpc.Connector):  # type: ignore[misc]
    """XML-RPC on Odoo's /xmlrpc/2 routes (integer fault codes), one kept-alive proxy per service."""

    def __init__(self, hostname: str, port: int, timeout: float, tls: bool = False) -> None:
        self.url = f"{'https' if tls else 'http'}://{hostname}:{port}/xmlrpc/2"
        self.timeout, self.tls = timeout, tls
        self._local = threading.local()

    def send(self, service_name: str, method: str, *args: Any) -> Any:
        proxies: dict[str, xmlrpc.client.ServerProxy] = self._local.__dict__.setdefault("proxies", {})
        proxy = proxies.get(service_name)
        if proxy is None:
            transport = _SafeTimeoutTransport(self.timeout) if self.tls else _TimeoutTransport(self.timeout)
            proxy = xmlrpc.client.ServerProxy(f"{self.url}/{service_name}", transport=transport, allow_none=False)
            proxies[service_name] = proxy
        try:
            return getattr(proxy, method)(*args)
        except (OSError, http.client.HTTPException, ExpatError, xmlrpc.client.ProtocolError):
            proxies.pop(service_name, None)  # a broken keep-alive connection is not reused
            raise


class JsonRpcError(Exception):
    def __init__(self, error: dict[str, Any]) -> None:
        super().__init__(error.get("message", "error"))
        self.error = error


@functools.cache
def _tls_context() -> ssl.SSLContext:
    """One verifying TLS context per process. httpx builds one for every client, even for plain http, and
    loading the CA bundle costs about 0.2 s: a sixth of the demo's 45 simulated nights before this."""
    return ssl.create_default_context()


class JsonRpcConnector(odoolib.rpc.Connector):  # type: ignore[misc]
    """JSON-RPC on /jsonrpc through one kept-alive httpx client with an explicit timeout."""

    def __init__(self, hostname: str, port: int, timeout: float, tls: bool = False) -> None:
        self.url = f"{'https' if tls else 'http'}://{hostname}:{port}/jsonrpc"
        self._client = httpx.Client(timeout=httpx.Timeout(timeout), headers={"Content-Type": "application/json"},
                                    verify=_tls_context())
        self._ids = random.Random()

    def send(self, service_name: str, method: str, *args: Any) -> Any:
        body = {"jsonrpc": "2.0", "method": "call", "id": self._ids.randint(0, 10**9),
                "params": {"service": service_name, "method": method, "args": list(args)}}
        resp = self._client.post(self.url, content=json.dumps(body, separators=(",", ":")))
        if resp.status_code >= 500:
            raise TransientSourceError(f"Odoo answered HTTP {resp.status_code}")
        if resp.status_code != 200:
            raise SourceError(f"Odoo answered HTTP {resp.status_code} at {self.url}; is this an Odoo server?")
        data = resp.json()
        if not isinstance(data, dict):
            raise ValueError("JSON-RPC reply is not an object")
        if data.get("error"):
            raise JsonRpcError(data["error"])
        return data.get("result", None)  # a method returning None sends no 'result' key

    def close(self) -> None:
        self._client.close()


def make_connector(protocol: str, host: str, port: int, timeout: float) -> Any:
    if protocol in ("jsonrpc", "jsonrpcs"):
        return JsonRpcConnector(host, port, timeout, tls=protocol.endswith("s"))
    if protocol in ("xmlrpc", "xmlrpcs"):
        return XmlRpcConnector(host, port, timeout, tls=protocol.endswith("s"))
    raise SourceError(f"unknown protocol {protocol!r}")


def _last_line(text: str) -> str:
    lines = [ln for ln in text.strip().splitlines() if ln.strip()]
    return lines[-1].strip() if lines else text


def classify(exc: BaseException, what: str, address: str = "") -> SourceError:
    """Map a transport or server failure to the tool's error classes with a readable message.

    `address` (host:port) goes into the "cannot connect" message: the usual fix is a wrong host or port."""
    if isinstance(exc, SourceError):
        return exc
    if isinstance(exc, (httpx.TimeoutException, socket.timeout, TimeoutError)):
        return TransientSourceError(f"Odoo did not answer {what} in time (timeout)")
    if isinstance(exc, (httpx.ConnectError, ConnectionRefusedError, ConnectionResetError)):
        at = f" at {address}" if address else ""
        return TransientSourceError(f"cannot connect to Odoo{at} for {what}: {exc}"
                                    + (" (check odoo.host and odoo.port, and that Odoo is running)" if at else ""))
    if isinstance(exc, xmlrpc.client.ProtocolError):
        if exc.errcode >= 500:
            return TransientSourceError(f"Odoo answered HTTP {exc.errcode} to {what}")
        return SourceError(f"Odoo answered HTTP {exc.errcode} to {what}; is this an Odoo server?")
    if isinstance(exc, (ExpatError, json.JSONDecodeError, ValueError, http.client.HTTPException,
                        httpx.TransportError, OSError)):
        return TransientSourceError(f"unreadable reply from Odoo to {what}: {type(exc).__name__}: {exc}")
    if isinstance(exc, xmlrpc.client.Fault):
        code, text = exc.faultCode, str(exc.faultString)
        return _fault(str(code), text or str(code), what)
    if isinstance(exc, JsonRpcError):
        data = exc.error.get("data") or {}
        return _fault(str(data.get("name", "")), str(data.get("message") or exc.error.get("message", "")), what)
    return SourceError(f"unexpected error during {what}: {type(exc).__name__}: {exc}")


def _fault(kind: str, text: str, what: str) -> SourceError:
    msg = _last_line(text) if "Traceback" in text else text.strip()
    if kind in ("3", "AccessDenied", "odoo.exceptions.AccessDenied") or msg == "Access Denied":
        return AuthError("Odoo refused the login (wrong login, password or API key).")
    if kind in ("4", "odoo.exceptions.AccessError") or "not allowed to access" in msg:
        first = text.strip().splitlines()[0]
        return AuthError(f"the Odoo user lacks an access right for {what}: {first} "
                         "Give the user the Invoicing/Billing group (read access is enough).")
    if "does not exist" in msg and "database" in msg.lower():
        return AuthError(f"{msg}. Check odoo.database in the configuration.")
    return SourceError(f"Odoo rejected {what}: {msg}")


# uid per (url, database, login, sha256 of the password) that this process already logged in. Odoo hashes
# the password on every `authenticate` (pbkdf2, ~0.5 s on a real server) but caches the (uid, password)
# check execute_kw makes, so a long-running desk logs in once. A wrong or changed password still fails:
# execute_kw checks it on every call.
_SESSIONS: dict[tuple[str, str, str, str], int] = {}
_SESSIONS_LOCK = threading.Lock()


def forget_sessions() -> None:
    """Drop the remembered logins (benchmarks measuring a cold start)."""
    with _SESSIONS_LOCK:
        _SESSIONS.clear()


class RpcClient:
    """execute_kw with retries and a call counter; one instance per sync run.

    `reuse_login`: take the uid a previous client in this process got for the same server, login and
    password instead of logging in again (never for sign-in, which must check the password itself).
    """

    def __init__(self, protocol: str, host: str, port: int, database: str, login: str, password: str,
                 timeout: float = 60.0, retries: int = 3, backoff: float = 1.0,
                 sleep: Callable[[float], None] = time.sleep, *, reuse_login: bool = False) -> None:
        self.reuse_login = reuse_login
        self.database, self.login = database, login
        self._password = password
        self.retries, self.backoff, self._sleep = retries, backoff, sleep
        self.connector = make_connector(protocol, host, port, timeout)
        self.url = self.connector.url
        self.address = f"{host}:{port}"
        self.connection = odoolib.Connection(self.connector, database, login, password)
        self.calls: Counter[str] = Counter()
        self._count_lock = threading.Lock()
        self.seconds: defaultdict[str, float] = defaultdict(float)  # time per call kind, for -v and the bench
        self.uid: int | None = None

    @property
    def total_calls(self) -> int:
        return sum(self.calls.values())

    def __repr__(self) -> str:  # never show the password
        return f"RpcClient({self.url}, db={self.database!r}, login={self.login!r})"

    def _with_retries(self, what: str, fn: Callable[[], Any], writes: bool = False) -> Any:
        """Retry transient failures; a write is retried only when it surely never reached Odoo."""
        attempt = 0
        while True:
            try:
                return fn()
            except Exception as exc:
                err = classify(exc, what, self.address)
                unsent = isinstance(exc, (httpx.ConnectError, ConnectionRefusedError))
                retry = isinstance(err, TransientSourceError) and (unsent or not writes)
                if not retry or attempt >= self.retries:
                    raise err from exc
                delay = self.backoff * (2 ** attempt) * (0.5 + random.random() / 2)
                attempt += 1
                log.warning("%s failed (%s); retry %d/%d in %.1fs", what, err, attempt, self.retries, delay)
                self._sleep(delay)

    def version(self) -> dict[str, Any]:
        self.calls["common.version"] += 1
        result = self._with_retries("version", lambda: self.connection.get_service("common").version())
        if not isinstance(result, dict):
            raise SourceError("the server's version reply is not Odoo's")
        return result

    def _session_key(self) -> tuple[str, str, str, str]:
        return (self.url, self.database, self.login, hashlib.sha256(self._password.encode("utf-8")).hexdigest())

    def authenticate(self) -> int:
        if self.reuse_login:
            with _SESSIONS_LOCK:
                known = _SESSIONS.get(self._session_key())
            if known is not None:
                self.uid = known
                self.connection.user_id = known
                return known
        self.calls["common.authenticate"] += 1
        uid = self._with_retries("login", lambda: self.connection.get_service("common").authenticate(
            self.database, self.login, self._password, {}))
        if not uid:
            raise AuthError(f"Odoo refused the login {self.login!r} on database {self.database!r} "
                            "(wrong login, password or API key).")
        self.uid = int(uid)
        self.connection.user_id = self.uid
        if self.reuse_login:
            with _SESSIONS_LOCK:
                _SESSIONS[self._session_key()] = self.uid
        return self.uid

    READ_METHODS = frozenset({"search", "search_read", "read", "search_count", "fields_get", "read_group"})

    def execute(self, model: str, method: str, *args: Any, **kwargs: Any) -> Any:
        """One server-side call through execute_kw (search_read is one round trip, not two)."""
        if self.uid is None:
            self.authenticate()
        try:
            return self._execute(model, method, args, kwargs)
        except AuthError:
            if not self.reuse_login or self.calls["common.authenticate"]:
                raise
            # the remembered uid no longer fits (user recreated, password changed): log in afresh once
            with _SESSIONS_LOCK:
                _SESSIONS.pop(self._session_key(), None)
            self.reuse_login = False
            self.authenticate()
            return self._execute(model, method, args, kwargs)

    def _execute(self, model: str, method: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        key = f"{model}.{method}"
        with self._count_lock:  # sync reads ahead from a second thread
            self.calls[key] += 1
        service = self.connection.get_service("object")
        t0 = time.perf_counter()
        try:
            return self._with_retries(key, lambda: service.execute_kw(
                self.database, self.uid, self._password, model, method, list(args), kwargs),
                writes=method not in self.READ_METHODS)
        finally:
            with self._count_lock:
                self.seconds[key] += time.perf_counter() - t0

    def close(self) -> None:
        close = getattr(self.connector, "close", None)
        if callable(close):
            close()
