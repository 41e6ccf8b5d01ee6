"""The demo's last act: the review page and the sandbox Odoo stay up, with a short guide, until Ctrl-C or SIGTERM.

The review page runs in the demo's own process (waitress, as `overdue-reminder web` serves it), on a socket
bound before the configuration is written, so the [web] port in that file is the one actually serving.
"""

from __future__ import annotations

import errno
import signal
import socket
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from types import FrameType
from typing import Any

from overdue_reminder.cli.common import App
from overdue_reminder.run.demo_guide import SignIn, Suggestion

WEB_HOST = "127.0.0.1"


def bind_web_socket(preferred: int) -> socket.socket:
    """A listening socket on loopback: the preferred port, or any free one when it is taken (or 0)."""
    for port in ([preferred, 0] if preferred else [0]):
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((WEB_HOST, port))
        except OSError as exc:
            sock.close()
            if exc.errno != errno.EADDRINUSE or port == 0:
                raise
            continue
        sock.listen(64)
        return sock
    raise AssertionError("unreachable: port 0 always binds")


@contextmanager
def review_page(app: App, sock: socket.socket) -> Iterator[str]:
    """Serve the review page on `sock` in background threads while the block runs; yields its URL."""
    from waitress import create_server

    from overdue_reminder.web import create_app

    wsgi = create_app(app.settings, app.store)
    server: Any = create_server(wsgi, sockets=[sock], threads=app.settings.web.threads, ident="overdue-reminder",
                                clear_untrusted_proxy_headers=True)
    thread = threading.Thread(target=server.run, name="demo-review-page", daemon=True)
    thread.start()
    try:
        yield f"http://{WEB_HOST}:{sock.getsockname()[1]}/"
    finally:
        server.task_dispatcher.shutdown(timeout=5)
        server.close()


def wait_for_stop() -> str:
    """Block until Ctrl-C or SIGTERM; returns which. Off the main thread (a test's runner) only Ctrl-C stops it."""
    stop = threading.Event()
    why = ["Ctrl-C"]

    def handler(signum: int, frame: FrameType | None) -> None:
        why[0] = signal.Signals(signum).name
        stop.set()

    if threading.current_thread() is not threading.main_thread():
        try:
            while not stop.wait(0.5):
                pass
        except KeyboardInterrupt:
            pass
        return why[0]
    old = {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        while not stop.wait(0.5):
            pass
    finally:
        for sig, previous in old.items():
            signal.signal(sig, previous)
    return why[0]


def print_guide(app: App, *, web_url: str | None, odoo_url: str, database: str, people: Sequence[SignIn],
                export: str, commands: Sequence[Suggestion]) -> None:
    """The block a newcomer reads last: what to open, how to sign in, what to type, how to stop."""
    def say(text: str = "") -> None:
        app.console.print(text, markup=False, highlight=False, soft_wrap=True)

    if web_url:
        say("\nThe demo stays up until Ctrl-C (or SIGTERM); `demo --no-serve` exits instead.")
        say(f"  review page   {web_url}  (already running)")
        for p in people:
            say(f"  {p.role:<13} {p.name}")
            say(f"  {'':<13} login {p.login}  password {p.password}")
            say(f"  {'':<13} sees {p.sees}")
        say(f"  sandbox Odoo  {odoo_url}  database {database}")
    else:
        say("\nThe sandbox Odoo stopped (--no-serve); these work on the demo's store:")
    say("\nNext, in another terminal:")
    say(f"  {export}")
    width = max(len(c.command) for c in commands)
    for c in commands:
        say(f"  {c.command:<{width}}  # {c.why}")
    if web_url:
        say("\nCtrl-C here stops the demo (review page and sandbox Odoo); demo-work stays.")
