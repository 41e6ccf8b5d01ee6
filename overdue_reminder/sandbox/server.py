"""An Odoo-protocol HTTP server on loopback, with failures that tests can switch on at run time.

Routes as Odoo 17 serves them: POST /xmlrpc/2/{common,object,db} (int fault codes),
/xmlrpc/{common,object,db} (the legacy routes odoo-client-lib's `xmlrpc` protocol uses; string
fault codes) and /jsonrpc. Every answer is HTTP 200, faults included, unless a fault rule says
otherwise. `server.calls` counts requests per (service, method, model); `server.faults` injects
delays, HTTP errors, garbage bodies, connection resets and a closed listening socket.
"""

from __future__ import annotations

import contextlib
import json
import logging
import socket
import struct
import threading
import xmlrpc.client
from collections import Counter
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Literal

from . import portal
from .errors import OdooError, OdooTypeError, wrap_unexpected
from .rpc import Dispatcher
from .store import SandboxDB
from .wire import json_error, json_result, xmlrpc_fault, xmlrpc_result

_log = logging.getLogger(__name__)
CallKey = tuple[str, str, str]
GarbageKind = Literal["html", "truncated", "empty"]
_GARBAGE_HTML = (b"<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1>"
                 b"</center><hr><center>nginx</center></body></html>\n")


@dataclass
class FaultRule:
    """One armed failure: it lets `skip` matching requests pass, then fires on `remaining` of them."""

    kind: str
    service: str | None = None
    model: str | None = None
    method: str | None = None
    skip: int = 0
    remaining: int | None = 1  # None: until cleared
    seconds: float = 0.0
    before: bool = False
    status: int = 503
    garbage: GarbageKind = "html"

    def matches(self, key: CallKey) -> bool:
        service, method, model = key
        return ((self.service is None or self.service == service)
                and (self.method is None or self.method == method)
                and (self.model is None or self.model == model))


@dataclass(frozen=True)
class FaultEvent:
    kind: str
    service: str
    method: str
    model: str


class Faults:
    """Failure injection, settable from the test thread while the server runs.

    - `delay(seconds, ...)`: hold the reply (after the call ran and "committed", like a slow Odoo;
      `before=True` holds it before running) so that client timeouts fire.
    - `http_error(503, count=n)`: the next n requests get that status and an HTML body, not run.
    - `garbage("html" | "truncated" | "empty", nth=k)`: the k-th object call from now gets a body no
      parser accepts ("truncated" runs the call and sends half of its answer).
    - `reset(count=n)`: the next n requests get a TCP reset instead of an answer.
    - `refuse()` / `accept()`: close the listening socket (connections are refused), reopen it on
      the same port.
    Rules filter on service, model and method; `history` lists what fired.
    """

    def __init__(self, server: SandboxServer) -> None:
        self._server = server
        self._lock = threading.Lock()
        self._rules: list[FaultRule] = []
        self.history: list[FaultEvent] = []

    def _arm(self, rule: FaultRule) -> FaultRule:
        with self._lock:
            self._rules.append(rule)
        return rule

    def delay(self, seconds: float, *, count: int | None = 1, skip: int = 0, service: str | None = None,
              model: str | None = None, method: str | None = None, before: bool = False) -> FaultRule:
        return self._arm(FaultRule("delay", service, model, method, skip, count, seconds=seconds, before=before))

    def http_error(self, status: int = 503, *, count: int | None = 1, skip: int = 0, service: str | None = None,
                   model: str | None = None, method: str | None = None) -> FaultRule:
        return self._arm(FaultRule("http_error", service, model, method, skip, count, status=status))

    def garbage(self, kind: GarbageKind = "html", *, nth: int = 1, count: int | None = 1,
                service: str | None = "object", model: str | None = None, method: str | None = None) -> FaultRule:
        return self._arm(FaultRule("garbage", service, model, method, nth - 1, count, garbage=kind))

    def reset(self, *, count: int | None = 1, skip: int = 0, service: str | None = None, model: str | None = None,
              method: str | None = None) -> FaultRule:
        return self._arm(FaultRule("reset", service, model, method, skip, count))

    def refuse(self) -> None:
        self._server._close_listener()
        with self._lock:
            self.history.append(FaultEvent("refuse", "", "", ""))

    def accept(self) -> None:
        self._server._open_listener()

    def clear(self) -> None:
        """Disarm every rule (the listening socket is left as it is)."""
        with self._lock:
            self._rules.clear()

    @property
    def armed(self) -> list[FaultRule]:
        with self._lock:
            return list(self._rules)

    def take(self, kind: str, key: CallKey) -> FaultRule | None:
        """The rule of this kind that fires on this request, if any (consumes skip/count)."""
        with self._lock:
            for rule in self._rules:
                if rule.kind != kind or not rule.matches(key):
                    continue
                if rule.skip > 0:
                    rule.skip -= 1
                    continue
                if rule.remaining is not None:
                    rule.remaining -= 1
                    if rule.remaining <= 0:
                        self._rules.remove(rule)
                self.history.append(FaultEvent(kind, *key))
                return rule
            return None


class CallCounter:
    """Requests per (service, method, model): `calls["object", "search_read", "account.move"]`."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: Counter[CallKey] = Counter()

    def record(self, key: CallKey) -> None:
        with self._lock:
            self._counts[key] += 1

    def __getitem__(self, key: CallKey) -> int:
        with self._lock:
            return self._counts[key]

    def count(self, service: str | None = None, method: str | None = None, model: str | None = None) -> int:
        """Sum over the keys that match (None matches anything)."""
        with self._lock:
            return sum(n for (s, m, mo), n in self._counts.items()
                       if (service is None or s == service) and (method is None or m == method)
                       and (model is None or mo == model))

    def total(self) -> int:
        return self.count()

    def snapshot(self) -> dict[CallKey, int]:
        with self._lock:
            return dict(self._counts)

    def reset(self) -> None:
        with self._lock:
            self._counts.clear()


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    block_on_close = False

    def __init__(self, address: tuple[str, int], sandbox: SandboxServer) -> None:
        self.sandbox = sandbox
        super().__init__(address, _Handler)


class SandboxServer:
    """Serves one SandboxDB over HTTP on a (free, by default) loopback port, in daemon threads."""

    def __init__(self, db: SandboxDB, host: str = "127.0.0.1", port: int = 0) -> None:
        self.db = db
        self.host = host
        self._port = port
        self.dispatcher = Dispatcher(db)
        self.faults = Faults(self)
        self.calls = CallCounter()
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._listener_lock = threading.Lock()
        self._stopping = threading.Event()
        self._idle = threading.Condition()
        self._inflight = 0
        self._connections: set[socket.socket] = set()
        self._conn_lock = threading.Lock()

    @property
    def port(self) -> int:
        return self._port

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self._port}"

    def start(self) -> SandboxServer:
        self._stopping.clear()
        self._open_listener()
        if not portal.get_param(self.db, "web.base.url"):
            portal.set_param(self.db, "web.base.url", self.url)  # what Odoo records from its first admin login
        return self

    def stop(self) -> None:
        self._stopping.set()
        self._close_listener()

    def __enter__(self) -> SandboxServer:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    def serve_forever(self) -> None:
        """Block until `stop()` (or Ctrl-C in the caller); for the CLI."""
        if self._httpd is None:
            self.start()
        while not self._stopping.wait(0.5):
            pass

    def wait_idle(self, timeout: float = 5.0) -> bool:
        """Wait until no request is being handled (e.g. a delayed one has finished committing)."""
        with self._idle:
            return self._idle.wait_for(lambda: self._inflight == 0, timeout)

    # ------------------------------------------------------------------ listener and connections

    def _open_listener(self) -> None:
        with self._listener_lock:
            if self._httpd is not None:
                return
            httpd = _HTTPServer((self.host, self._port), self)
            self._port = httpd.server_address[1]
            thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                      name=f"odoo-sandbox:{self._port}", daemon=True)
            thread.start()
            self._httpd, self._thread = httpd, thread

    def _close_listener(self) -> None:
        with self._listener_lock:
            httpd, thread = self._httpd, self._thread
            self._httpd = self._thread = None
            if httpd is not None:
                httpd.shutdown()
                httpd.server_close()
            if thread is not None:
                thread.join(timeout=5)
        with self._conn_lock:
            connections = list(self._connections)
        for conn in connections:  # keep-alive connections die with the server, as they would
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)

    def _track(self, conn: socket.socket, add: bool) -> None:
        with self._conn_lock:
            if add:
                self._connections.add(conn)
            else:
                self._connections.discard(conn)

    def _enter(self) -> None:
        with self._idle:
            self._inflight += 1

    def _leave(self) -> None:
        with self._idle:
            self._inflight -= 1
            self._idle.notify_all()

    # ------------------------------------------------------------------ one request

    def handle(self, path: str, body: bytes) -> tuple[int, str, bytes] | None:
        """(status, content type, body) for a POST, or None to reset the connection."""
        route = path.split("?", 1)[0].rstrip("/")
        if route == "/jsonrpc":
            protocol = "json"
        elif route.startswith("/xmlrpc/2/"):
            protocol = "xml2"
        elif route.startswith("/xmlrpc/"):
            protocol = "xml1"
        else:
            return 404, "text/html; charset=utf-8", b"<!doctype html><title>404 Not Found</title><h1>Not Found</h1>"
        request_id: Any = None
        parse_error: OdooError | None = None
        service, method, params = "?", "?", []
        try:
            if protocol == "json":
                payload = json.loads(body)
                request_id = payload.get("id")
                call = payload.get("params") or {}
                service, method = str(call.get("service")), str(call.get("method"))
                params = list(call.get("args") or [])
            else:
                service = route.rsplit("/", 1)[1]
                loaded, name = xmlrpc.client.loads(body, use_datetime=True)
                method, params = str(name), list(loaded)
        except Exception as exc:
            parse_error = wrap_unexpected(exc) if not isinstance(exc, AttributeError) else OdooTypeError(str(exc))
        key = Dispatcher.describe(service, method, params)
        self.calls.record(key)
        _log.debug("%s %s.%s %s", protocol, service, method, key[2])

        if (rule := self.faults.take("http_error", key)) is not None:
            phrase = HTTPStatus(rule.status).phrase if rule.status in HTTPStatus._value2member_map_ else "Error"
            text = f"<html><body><h1>{rule.status} {phrase}</h1></body></html>\n"
            return rule.status, "text/html; charset=utf-8", text.encode()
        if self.faults.take("reset", key) is not None:
            return None
        garbage = self.faults.take("garbage", key)
        if garbage is not None and garbage.garbage != "truncated":
            return 200, "text/html; charset=utf-8", b"" if garbage.garbage == "empty" else _GARBAGE_HTML
        delay = self.faults.take("delay", key)
        if delay is not None and delay.before:
            self._stopping.wait(delay.seconds)

        payload_out = self._run(protocol, service, method, params, request_id, parse_error)

        if delay is not None and not delay.before:
            self._stopping.wait(delay.seconds)
        if garbage is not None:
            payload_out = payload_out[: max(1, len(payload_out) // 2)]
        content_type = "application/json; charset=utf-8" if protocol == "json" else "text/xml; charset=utf-8"
        return 200, content_type, payload_out

    def _run(self, protocol: str, service: str, method: str, params: list[Any], request_id: Any,
             parse_error: OdooError | None) -> bytes:
        legacy = protocol == "xml1"
        try:
            if parse_error is not None:
                raise parse_error
            result = self.dispatcher.dispatch(service, method, params)
            if protocol == "json":
                return json_result(request_id, result)
            return xmlrpc_result(result)
        except Exception as exc:
            error = wrap_unexpected(exc)
            if not isinstance(exc, OdooError):
                _log.exception("sandbox error in %s.%s", service, method)
            if protocol == "json":
                return json_error(request_id, error)
            return xmlrpc_fault(error, legacy=legacy)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "Werkzeug/3.0.1"
    sys_version = "Python/3.11"
    timeout = 120
    # Headers and body go out as separate writes; with Nagle on, the body waits for the client's
    # delayed ACK (~40 ms a call). Real Odoo behind werkzeug does not pay that, nor should we.
    disable_nagle_algorithm = True
    server: _HTTPServer

    def setup(self) -> None:
        super().setup()
        self.server.sandbox._track(self.connection, True)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.sandbox._track(self.connection, False)

    def log_message(self, format: str, *args: Any) -> None:
        _log.debug("%s - %s", self.address_string(), format % args)

    def do_GET(self) -> None:
        if self.path.startswith("/my/invoices/"):  # the customer portal's invoice page (sandbox/portal.py)
            self._send(*portal.invoice_page(self.server.sandbox.db, self.path))
            return
        self._send(405, "text/html; charset=utf-8", b"<!doctype html><title>405 Method Not Allowed</title>")

    def do_POST(self) -> None:
        sandbox = self.server.sandbox
        sandbox._enter()
        try:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length > 0 else b""
            answer = sandbox.handle(self.path, body)
            if answer is None:
                self._reset()
                return
            self._send(*answer)
        except (BrokenPipeError, ConnectionResetError, TimeoutError):
            self.close_connection = True  # the client gave up (a timeout test); nothing to tell it
        finally:
            sandbox._leave()

    def _send(self, status: int, content_type: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _reset(self) -> None:
        """Abort the TCP connection (RST), as a crashed proxy or server would."""
        self.close_connection = True
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
        except OSError:
            pass
