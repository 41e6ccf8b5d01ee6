"""Build the configured source, and the one way to reach its write-back side.

Every face (the nightly pipeline, the web review, the letter and offer commands) asks here for the
accounting system's write-back session; none of them names a concrete connector.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from overdue_reminder.config import Settings
from overdue_reminder.errors import ConfigError, SourceError
from overdue_reminder.sources import Source, WriteBack

if TYPE_CHECKING:
    from overdue_reminder.sources.odoo import OdooSource


def make_source(settings: Settings) -> Source:
    if settings.source == "files":
        from overdue_reminder.sources.files import FileSource

        f = settings.files
        if not f.invoices_csv or not f.clients_csv:
            raise ConfigError("source = \"files\" needs the two exports.", path=settings.config_path,
                              key="files.invoices_csv", fix="set files.invoices_csv and files.clients_csv.")
        return FileSource(settings.resolve(f.invoices_csv), settings.resolve(f.clients_csv),
                          settings.resolve(f.payments_csv) if f.payments_csv else None)
    return odoo_source(settings)


def odoo_source(settings: Settings) -> OdooSource:
    """The Odoo connector itself (`config check` asks it for the server version and access rights)."""
    from overdue_reminder.sources.odoo import OdooSource

    return OdooSource(settings.odoo, settings.odoo_password(), trust_account_code=settings.odoo.trust_account_code)


def writeback_of(source: Source) -> WriteBack:
    """The source's write-back side; a source that takes no writes is a wiring mistake."""
    wb = source.writeback()
    if wb is None:
        raise TypeError(f"write-back and live residuals need the Odoo source, not {source.name!r}")
    return wb


def note_sink(settings: Settings) -> WriteBack | None:
    """Odoo's chatter for offer notes, when the firm writes back to Odoo (odoo.write_back)."""
    if settings.source != "odoo" or not settings.odoo.write_back:
        return None
    return make_source(settings).writeback()


@contextmanager
def open_writeback(settings: Settings, enabled: bool, warn: Callable[[str], None]) -> Iterator[WriteBack | None]:
    """An open write-back session for letter decisions when `enabled` and the source is Odoo, else None.

    A decision never waits on Odoo being reachable: a failed login is reported through `warn` and the
    decision goes ahead without write-back (the letter service retries it later)."""
    if not enabled or settings.source != "odoo":
        yield None
        return
    try:
        wb = writeback_of(make_source(settings))
        wb.open()
    except SourceError as exc:
        warn(f"Odoo write-back skipped: {exc}")
        yield None
        return
    try:
        yield wb
    finally:
        wb.close()


__all__ = ["make_source", "note_sink", "odoo_source", "open_writeback", "writeback_of"]
