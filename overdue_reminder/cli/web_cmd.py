"""`overdue-reminder web`: the attorney review page, served by waitress (a production WSGI server)."""

from __future__ import annotations

import ipaddress
import logging

import click

from overdue_reminder.cli.common import App, pass_app
from overdue_reminder.errors import EXIT_OK, UsageError

log = logging.getLogger(__name__)


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@click.command("web")
@click.option("--host", metavar="ADDRESS", help="Address to listen on (default: web.host, 127.0.0.1: this computer "
                                                 "only). Anything else belongs behind an HTTPS reverse proxy.")
@click.option("--port", type=click.IntRange(1, 65535), metavar="PORT", help="Port (default: web.port, 8470).")
@pass_app
def web(app: App, host: str | None, port: int | None) -> int:
    """Serve the attorney review page: sign in with your Odoo login, then approve or reject letters and offers."""
    try:
        from waitress import serve

        from overdue_reminder.web import create_app
    except ModuleNotFoundError as exc:
        raise UsageError(f"the review page needs Flask and waitress, which install with overdue-reminder, but "
                         f"{exc.name} is missing: reinstall with `pip install .` from the checkout.") from exc
    settings = app.settings
    host = host or settings.web.host
    port = port or settings.web.port
    if not settings.odoo.database:
        raise UsageError("sign-in checks logins against Odoo, but odoo.database is not set in the configuration.")
    wsgi = create_app(settings, app.store)
    if not is_loopback(host):
        app.err.print(f"[yellow]warning[/yellow]: listening on {host}, not loopback: put the page behind an HTTPS "
                      "reverse proxy (session cookies are Secure and browsers send them only over HTTPS).")
    app.info(f"review page on http://{host}:{port}/ (Ctrl-C to stop); sign-in against Odoo "
             f"{settings.odoo.host}:{settings.odoo.port}, database {settings.odoo.database}")
    serve(wsgi, host=host, port=port, threads=settings.web.threads, ident="overdue-reminder",
          clear_untrusted_proxy_headers=True)
    return EXIT_OK


COMMANDS = [web]
