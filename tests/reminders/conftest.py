"""Fixtures for the reminder area: settings from a real TOML file, and a real SMTP server on loopback."""

from __future__ import annotations

import shutil
import ssl
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from reminder_factory import make_settings
from smtp_inbox import Inbox, SmtpServer, _start

from overdue_reminder.config import Settings


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path)


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    inbox = Inbox()
    ctrl, port = _start(inbox)
    try:
        yield SmtpServer("127.0.0.1", port, inbox)
    finally:
        ctrl.stop()


@pytest.fixture(scope="session")
def tls_files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1, made with the openssl command."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed")
    d = tmp_path_factory.mktemp("tls")
    cert, key = d / "cert.pem", d / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj",
                    "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key),
                    "-out", str(cert)], check=True, capture_output=True)
    return cert, key


@pytest.fixture
def starttls_server(tls_files: tuple[Path, Path]) -> Iterator[SmtpServer]:
    cert, key = tls_files
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(str(cert), str(key))
    inbox = Inbox()
    ctrl, port = _start(inbox, tls_context=ctx, require_starttls=True)
    try:
        yield SmtpServer("127.0.0.1", port, inbox)
    finally:
        ctrl.stop()


@pytest.fixture
def ssl_server(tls_files: tuple[Path, Path]) -> Iterator[SmtpServer]:
    """Implicit TLS (port 465 style)."""
    cert, key = tls_files
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(str(cert), str(key))
    inbox = Inbox()
    ctrl, port = _start(inbox, ssl_context=ctx)
    try:
        yield SmtpServer("127.0.0.1", port, inbox)
    finally:
        ctrl.stop()


@pytest.fixture
def client_tls(tls_files: tuple[Path, Path]) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=str(tls_files[0]))
