"""Fault injection as clients meet it: timeouts (the call still commits), garbage bodies, HTTP 503,
reset connections and a closed listening socket, each followed by a call that works again."""

from __future__ import annotations

import json
import time
import xmlrpc.client
from xml.parsers.expat import ExpatError

import httpx
import pytest
from sandbox_firm import Firm
from sandbox_rpc import RpcClient

TIMEOUT_ERRORS = {"xmlrpc": (TimeoutError,), "jsonrpc": (httpx.ReadTimeout,)}
GARBAGE_ERRORS = {"xmlrpc": (ExpatError, xmlrpc.client.ResponseError), "jsonrpc": (json.JSONDecodeError,)}
CONNECTION_ERRORS = (ConnectionError, httpx.TransportError)


def partner_count(firm: Firm, name: str) -> int:
    return firm.db.search_count("res.partner", [("name", "=", name)])


def test_delay_times_the_client_out_but_the_call_commits(firm: Firm, protocol: str) -> None:
    impatient = RpcClient(firm.url, protocol, timeout=0.3)
    firm.server.faults.delay(1.0, model="res.partner", method="create")
    with pytest.raises(TIMEOUT_ERRORS[protocol]):
        impatient.execute("res.partner", "create", {"name": "Slow Client"})
    assert firm.server.wait_idle(5)
    assert partner_count(firm, "Slow Client") == 1  # like Odoo: the server went on and committed
    assert impatient.execute("res.partner", "search_count", [["name", "=", "Slow Client"]]) == 1
    assert [e.kind for e in firm.server.faults.history] == ["delay"]


def test_delay_rules_filter_and_count(firm: Firm, protocol: str) -> None:
    rpc = RpcClient(firm.url, protocol)
    faults = firm.server.faults
    faults.delay(0.01, count=2, model="account.move", method="search_read")
    rpc.execute("res.partner", "search", [], limit=1)
    for _ in range(3):
        rpc.execute("account.move", "search_read", [], fields=["name"], limit=1)
    fired = [(e.kind, e.model, e.method) for e in faults.history]
    assert fired == [("delay", "account.move", "search_read")] * 2
    assert faults.armed == []


@pytest.mark.parametrize("kind", ["html", "truncated", "empty"])
def test_garbage_on_the_nth_object_call(firm: Firm, protocol: str, kind: str) -> None:
    rpc = RpcClient(firm.url, protocol)
    firm.server.faults.garbage(kind, nth=2)  # type: ignore[arg-type]
    assert rpc.execute("res.partner", "search_count", []) > 0
    with pytest.raises(GARBAGE_ERRORS[protocol]):
        rpc.execute("res.partner", "create", {"name": f"Garbled {kind}"})
    # A proxy's error page means the call never ran; a truncated answer means it ran.
    assert partner_count(firm, f"Garbled {kind}") == (1 if kind == "truncated" else 0)
    assert rpc.execute("res.partner", "search_count", []) > 0


def test_transient_503_then_retry_succeeds(firm: Firm, protocol: str) -> None:
    rpc = RpcClient(firm.url, protocol)
    firm.server.faults.http_error(503, count=2)
    attempts: list[str] = []
    for _ in range(3):
        try:
            result = rpc.execute("res.partner", "search_count", [])
            attempts.append("ok")
            break
        except (xmlrpc.client.ProtocolError, httpx.HTTPStatusError) as exc:
            status = exc.errcode if isinstance(exc, xmlrpc.client.ProtocolError) else exc.response.status_code
            attempts.append(str(status))
    assert attempts == ["503", "503", "ok"] and result > 0
    firm.server.faults.http_error(502)
    reply = httpx.post(firm.url + "/jsonrpc", json={"jsonrpc": "2.0", "method": "call", "id": 1,
                                                    "params": {"service": "common", "method": "version", "args": []}})
    assert reply.status_code == 502 and "Bad Gateway" in reply.text


def test_reset_connection(firm: Firm, protocol: str) -> None:
    rpc = RpcClient(firm.url, protocol)
    firm.server.faults.reset(count=1, service="object")
    if protocol == "xmlrpc":  # xmlrpc.client's Transport silently retries once after a reset
        assert rpc.execute("res.partner", "search_count", []) > 0
        assert [e.kind for e in firm.server.faults.history] == ["reset"]
        firm.server.faults.reset(count=2, service="object")
    with pytest.raises(CONNECTION_ERRORS):
        rpc.execute("res.partner", "search_count", [])
    fresh = RpcClient(firm.url, protocol)
    assert fresh.execute("res.partner", "search_count", []) > 0


def test_refuse_then_accept_on_the_same_port(firm: Firm, protocol: str) -> None:
    rpc = RpcClient(firm.url, protocol, timeout=2)
    assert rpc.call("common", "version")["server_version"] == "17.0"
    port = firm.server.port
    firm.server.faults.refuse()
    with pytest.raises(CONNECTION_ERRORS):
        RpcClient(firm.url, protocol, timeout=2).call("common", "version")
    with pytest.raises(CONNECTION_ERRORS):
        rpc.call("common", "version")  # its keep-alive connection died with the server
    firm.server.faults.accept()
    assert firm.server.port == port
    assert RpcClient(firm.url, protocol).call("common", "version")["server_version"] == "17.0"


def test_stop_does_not_wait_for_a_delayed_reply(firm: Firm) -> None:
    firm.server.faults.delay(30, count=None)
    rpc = RpcClient(firm.url, "jsonrpc", timeout=0.2)
    with pytest.raises(httpx.ReadTimeout):
        rpc.call("common", "version")
    started = time.monotonic()
    firm.server.stop()
    assert firm.server.wait_idle(5)
    assert time.monotonic() - started < 5
