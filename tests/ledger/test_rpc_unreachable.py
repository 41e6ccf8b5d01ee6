"""An unreachable Odoo is named by host and port: the fix is nearly always a wrong host, port or a stopped server."""

from __future__ import annotations

import socket

import pytest

from overdue_reminder.errors import TransientSourceError
from overdue_reminder.sources.rpc import RpcClient


def _closed_loopback_port() -> int:
    """A loopback port nothing listens on (bound to learn a free number, then closed)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port


@pytest.mark.parametrize("protocol", ["jsonrpc", "xmlrpc"])
def test_connection_refused_names_host_and_port(protocol: str) -> None:
    port = _closed_loopback_port()
    client = RpcClient(protocol, "127.0.0.1", port, "db", "admin", "secret", timeout=5, retries=0)
    try:
        with pytest.raises(TransientSourceError) as caught:
            client.authenticate()
    finally:
        client.close()
    message = str(caught.value)
    assert f"cannot connect to Odoo at 127.0.0.1:{port} for login" in message
    assert "odoo.host and odoo.port" in message and "secret" not in message
