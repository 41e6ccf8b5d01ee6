"""What every command shares: the loaded settings and store, and output as tables or JSON."""

from __future__ import annotations

import getpass
import json
import logging
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, tzinfo
from decimal import Decimal
from enum import Enum
from typing import Any, TypeVar

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from overdue_reminder import config
from overdue_reminder.cli import tables
from overdue_reminder.cli.times import firm_time, iso_with_offset
from overdue_reminder.config import Settings
from overdue_reminder.core.clearance import Actor
from overdue_reminder.errors import UsageError
from overdue_reminder.services import identity
from overdue_reminder.store import Store

F = TypeVar("F", bound=Callable[..., Any])


@dataclass
class App:
    config_path: str | None = None
    as_json: bool = False
    verbose: int = 0
    wide: bool = False
    ids: bool = False
    login: str | None = None
    _actor: Actor | None = None
    _settings: Settings | None = None
    _store: Store | None = None
    console: Console = field(default_factory=lambda: Console(highlight=False))
    err: Console = field(default_factory=lambda: Console(stderr=True, highlight=False))

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = config.load(self.config_path)
        return self._settings

    @property
    def store(self) -> Store:
        """The store, migrated to the latest schema on first use (a new desk just works)."""
        if self._store is None:
            s = Store(self.settings.store_url)
            s.ensure_ready()
            from overdue_reminder.services.sync import load_currencies

            load_currencies(s)  # round as the accounting system does, in commands that do not sync
            self._store = s
        return self._store

    @property
    def opened_store(self) -> Store | None:
        return self._store

    def actor(self, by: str | None = None) -> Actor:
        """Who acts, proven once per command: `--as LOGIN` checked by Odoo, else the operating-system account
        the firm mapped in [identity] os_users; else `--by` (or $USER) recorded as an unproven claim, which
        every decision and exit refuses."""
        if self._actor is None:
            rules = identity.roles(self.settings, self.store)
            if self.login:
                secret = identity.own_secret(self.settings)
                if not secret:
                    if not sys.stdin.isatty():
                        raise UsageError(f"--as {self.login}: no secret given. Put your Odoo password or API key "
                                         f"in ${self.settings.identity.secret_env} or in "
                                         f"{self.settings.identity.secret_file} (chmod 600), or run on a terminal.")
                    secret = click.prompt(f"Odoo password or API key for {self.login}", hide_input=True,
                                          err=True)
                self._actor = identity.prove_with_odoo(rules, identity.OdooLogin(self.settings.odoo), self.login,
                                                       secret)
            else:
                self._actor = identity.prove_os_user(self.settings, self.store, rules) or identity.unproven(
                    by or default_actor())
        return self._actor

    def close(self) -> None:
        if self._store is not None:
            self._store.dispose()

    # ---------------------------------------------------------------- output
    def emit_json(self, data: Any) -> None:
        click.echo(json.dumps(data, default=json_default, indent=2, ensure_ascii=False))

    @property
    def zone(self) -> tzinfo:
        """The firm's timezone: every time a person reads is on the firm's clock (cli/times.py)."""
        return self.settings.calendar().tz

    def when(self, at: datetime | None) -> str:
        """An instant as people read it: the firm's wall clock, labelled with its zone."""
        return firm_time(at, self.zone) if at is not None else ""

    def named(self, name: str, odoo_id: int | None) -> str:
        """A client or invoice as people know it; its Odoo id only with --ids."""
        return f"{name} (#{odoo_id})" if self.ids and odoo_id is not None else name

    def cell(self, v: Any) -> str:
        if isinstance(v, datetime):
            return self.when(v)
        return fmt_cell(v)

    def table(self, title: str, columns: Sequence[str], rows: Sequence[Sequence[Any]],
              right: Sequence[str] = (), prose: Sequence[str] = (), optional: Sequence[str] = ()) -> None:
        """A table laid out for the terminal's width (cli/tables.py): `right` holds figures, `prose` columns wrap
        freely, `optional` columns are hidden, first ones first, when the terminal is too narrow (--wide shows
        every column at full width)."""
        cols = [tables.Col(c, right=c in right, prose=c in prose,
                           drop=list(optional).index(c) + 1 if c in optional else 0) for c in columns]
        cells = [[self.cell(v) for v in r] for r in rows]
        width = None if self.wide else tables.terminal_width()
        for line in tables.render(title, cols, cells, width):
            self.console.out(line, highlight=False)

    def paragraph(self, text: str, indent: int = 0) -> None:
        """Plain text wrapped at words to the terminal's width, figures and dates kept whole (no markup)."""
        if not self.as_json:
            width = None if self.wide else max(20, tables.terminal_width() - indent)
            for line in tables.wrap(text, width, prose=True):
                self.console.out(" " * indent + line, highlight=False)

    def text_block(self, text: str) -> None:
        """A letter or email body for reading: each line wrapped to the terminal, its indent kept
        (`--part text` prints it raw)."""
        for line in text.splitlines():
            body = line.lstrip(" ")
            if body:
                self.paragraph(body, indent=len(line) - len(body))
            elif not self.as_json:
                self.console.out("")

    def info(self, message: str) -> None:
        if not self.as_json:
            self.console.print(message)

    @contextmanager
    def progress(self, label: str, total: int | None = None) -> Iterator[Callable[[int], None]]:
        """A progress bar on a terminal; silent under --json or when output is not a terminal."""
        if self.as_json or not sys.stderr.isatty():
            yield lambda n: None
            return
        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                      TimeElapsedColumn(), console=self.err, transient=True) as p:
            task = p.add_task(label, total=total)
            yield lambda n: p.update(task, advance=n)


def json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return iso_with_offset(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def fmt_cell(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, Decimal):
        return f"{v:,}"
    if isinstance(v, datetime):
        return v.strftime("%Y-%m-%d %H:%M")
    if isinstance(v, bool):
        return "yes" if v else "no"
    return str(v)


pass_app = click.make_pass_decorator(App)


def parse_date(value: str | None, what: str = "--date") -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise UsageError(f"{what} must be YYYY-MM-DD, got {value!r}.") from exc


def default_actor() -> str:
    """Who is acting, for the audit trail: $USER, else the login name."""
    try:
        return os.environ.get("USER") or getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def utc_now() -> datetime:
    return datetime.now(UTC)


def today_for(app: App, value: str | None = None) -> date:
    """The --date given, else today in the firm's timezone."""
    return parse_date(value) or app.settings.calendar().local_today(utc_now())


def setup_logging(verbose: int) -> None:
    """One line per event on stderr, suited to journald (which adds its own timestamps)."""
    level = logging.WARNING if verbose == 0 else logging.INFO if verbose == 1 else logging.DEBUG
    fmt = "%(levelname)s %(name)s: %(message)s"
    logging.basicConfig(level=level, format=fmt, stream=sys.stderr, force=True)
    for noisy in ("httpx", "httpcore", "odoolib"):
        logging.getLogger(noisy).setLevel(max(level, logging.WARNING))
