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
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any, TypeVar

import click
from rich.cells import cell_len
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from overdue_reminder import config
from overdue_reminder.config import Settings
from overdue_reminder.errors import UsageError
from overdue_reminder.store import Store

F = TypeVar("F", bound=Callable[..., Any])


@dataclass
class App:
    config_path: str | None = None
    as_json: bool = False
    verbose: int = 0
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
            self._store = s
        return self._store

    def close(self) -> None:
        if self._store is not None:
            self._store.dispose()

    # ---------------------------------------------------------------- output
    def emit_json(self, data: Any) -> None:
        click.echo(json.dumps(data, default=json_default, indent=2, ensure_ascii=False))

    def table(self, title: str, columns: Sequence[str], rows: Sequence[Sequence[Any]],
              right: Sequence[str] = ()) -> None:
        t = Table(title=title, show_lines=False)
        cells = [[fmt_cell(v) for v in r] for r in rows]
        need = 1
        for i, c in enumerate(columns):  # figures are never cut or wrapped mid-number; text folds instead
            if c in right:
                width = max([len(c), *(cell_len(r[i]) for r in cells)])
                t.add_column(c, justify="right", no_wrap=True, min_width=width)
            else:
                width = min(max(len(c), 6), 12)
                t.add_column(c, justify="left", overflow="fold", min_width=width)
            need += width + 3
        for r in cells:
            t.add_row(*r)
        if need > self.console.width:  # a narrow terminal: let the lines run long rather than cut a figure
            Console(file=self.console.file, width=need, highlight=False).print(t)
        else:
            self.console.print(t)

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
    if isinstance(value, (date, datetime)):
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
