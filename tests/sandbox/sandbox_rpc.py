"""Test-side clients for the sandbox: one call shape over XML-RPC and JSON-RPC, raw posts, shape checks.

The clients are deliberately plain (stdlib ServerProxy, httpx) so that the tests see exactly what
a real Odoo client sees on the wire.
"""

from __future__ import annotations

import http.client
import json
import xmlrpc.client
from dataclasses import dataclass
from typing import Any

import httpx

from overdue_reminder.sandbox import ADMIN_UID, SANDBOX_DB, SANDBOX_PASSWORD

PROTOCOLS = ("xmlrpc", "jsonrpc")


@dataclass
class RpcFault(Exception):
    """A server-side error, the same whatever the protocol (code: XML-RPC faultCode or JSON data.name)."""

    protocol: str
    code: Any
    message: str
    last_line: str
    raw: Any = None

    def __str__(self) -> str:
        return f"{self.protocol} fault {self.code!r}: {self.last_line}"


class TimeoutTransport(xmlrpc.client.Transport):
    """ServerProxy has no timeout of its own; tests need one to see a delayed reply fail."""

    def __init__(self, timeout: float) -> None:
        super().__init__()
        self.timeout = timeout

    def make_connection(self, host: Any) -> http.client.HTTPConnection:
        conn = super().make_connection(host)
        conn.timeout = self.timeout
        return conn


def last_line(text: str) -> str:
    lines = [line for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else ""


class RpcClient:
    """`execute(model, method, *args, **kwargs)` over one protocol, faults raised as RpcFault."""

    def __init__(self, url: str, protocol: str, *, db: str = SANDBOX_DB, uid: int = ADMIN_UID,
                 password: str = SANDBOX_PASSWORD, timeout: float = 10.0, legacy: bool = False) -> None:
        self.url, self.protocol, self.db, self.uid, self.password = url, protocol, db, uid, password
        self.timeout = timeout
        self.legacy = legacy
        self._proxies: dict[str, xmlrpc.client.ServerProxy] = {}
        self._http = httpx.Client(timeout=timeout)

    def close(self) -> None:
        self._http.close()
        for proxy in self._proxies.values():
            proxy("close")()

    def call(self, service: str, method: str, *args: Any) -> Any:
        if self.protocol == "xmlrpc":
            proxy = self._proxies.get(service)
            if proxy is None:
                path = f"/xmlrpc/{service}" if self.legacy else f"/xmlrpc/2/{service}"
                proxy = xmlrpc.client.ServerProxy(self.url + path, transport=TimeoutTransport(self.timeout))
                self._proxies[service] = proxy
            try:
                return getattr(proxy, method)(*args)
            except xmlrpc.client.Fault as fault:
                code = fault.faultCode
                text = fault.faultString if fault.faultString else str(code)
                message = last_line(text).split(": ", 1)[-1] if code == 1 else text
                raise RpcFault("xmlrpc", code, message, last_line(text), fault) from None
        body = {"jsonrpc": "2.0", "method": "call", "params": {"service": service, "method": method,
                                                                "args": list(args)}, "id": 1}
        reply = self._http.post(self.url + "/jsonrpc", json=body)
        reply.raise_for_status()
        data = reply.json()
        if "error" in data:
            err = data["error"]["data"]
            raise RpcFault("jsonrpc", err["name"], err["message"], last_line(err["debug"]), data["error"])
        return data.get("result")

    def execute(self, model: str, method: str, *args: Any, **kwargs: Any) -> Any:
        return self.call("object", "execute_kw", self.db, self.uid, self.password, model, method, list(args), kwargs)


def post(url: str, body: bytes, content_type: str, timeout: float = 10.0) -> httpx.Response:
    return httpx.post(url, content=body, headers={"Content-Type": content_type}, timeout=timeout)


def xml_request(method: str, params: list[Any]) -> bytes:
    return xmlrpc.client.dumps(tuple(params), method, allow_none=False).encode("utf-8")


def json_request(body: dict[str, Any]) -> bytes:
    return json.dumps(body).encode("utf-8")


def assert_same_shape(sample: Any, ours: Any, path: str = "$") -> None:
    """Same keys and value types as a real server's answer; values may differ.

    `False` (Odoo's empty) is compatible with any type, since an empty field in one database is
    filled in another; bool, int, float, str, list and dict must otherwise match exactly.
    """
    if sample is False or ours is False:
        return
    if isinstance(sample, dict):
        assert isinstance(ours, dict), f"{path}: expected an object, got {ours!r}"
        assert set(ours) == set(sample), f"{path}: keys {sorted(ours)} != {sorted(sample)}"
        for key, value in sample.items():
            assert_same_shape(value, ours[key], f"{path}.{key}")
    elif isinstance(sample, list):
        assert isinstance(ours, list), f"{path}: expected a list, got {ours!r}"
        if sample and ours:
            for i, item in enumerate(ours):
                assert_same_shape(sample[min(i, len(sample) - 1)], item, f"{path}[{i}]")
    else:
        assert type(ours) is type(sample), f"{path}: {type(ours).__name__} {ours!r} != {type(sample).__name__}"
