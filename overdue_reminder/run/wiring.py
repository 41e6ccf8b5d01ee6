"""Build the configured source from settings."""

from __future__ import annotations

from overdue_reminder.config import Settings
from overdue_reminder.errors import ConfigError
from overdue_reminder.sources import Source


def make_source(settings: Settings) -> Source:
    if settings.source == "files":
        from overdue_reminder.sources.files import FileSource

        f = settings.files
        if not f.invoices_csv or not f.clients_csv:
            raise ConfigError("source = \"files\" needs the two exports.", path=settings.config_path,
                              key="files.invoices_csv", fix="set files.invoices_csv and files.clients_csv.")
        return FileSource(settings.resolve(f.invoices_csv), settings.resolve(f.clients_csv),
                          settings.resolve(f.payments_csv) if f.payments_csv else None,
                          max_amount=settings.sync.max_amount)
    from overdue_reminder.sources.odoo import OdooSource

    return OdooSource(settings.odoo, settings.odoo_password(), trust_account_code=settings.odoo.trust_account_code,
                      max_amount=settings.sync.max_amount)
