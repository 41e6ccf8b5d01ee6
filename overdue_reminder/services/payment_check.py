"""`config check`: every currency the ledger holds open invoices in has one of the firm's payment channels.

A reminder in a currency no channel takes could not say how to pay (core.reminder_text refuses to draft it),
so the check names the currency, the key and the fix before a night's run finds out.
"""

from __future__ import annotations

from overdue_reminder.config import Settings
from overdue_reminder.errors import ConfigError
from overdue_reminder.store import Store
from overdue_reminder.store.db import current_revision
from overdue_reminder.store.ledger import open_currencies


def check_channels(settings: Settings, store: Store) -> list[str]:
    """The ledger's open currencies (none when the store is not created yet); ConfigError when one has no
    channel."""
    if current_revision(store.engine) is None:
        return []
    with store.begin() as conn:
        found = sorted(open_currencies(conn))
    missing = settings.payment.uncovered(found)
    if missing:
        raise ConfigError(f"the ledger holds open invoices in {', '.join(missing)}, and no payment channel takes "
                          f"{'it' if len(missing) == 1 else 'them'}: those reminders could not say how to pay.",
                          path=settings.config_path, key="payment.channels",
                          fix=f"add {', '.join(missing)} to the currencies of a [[payment.channels]] entry "
                              "(or add a channel for it, with its SWIFT/BIC and IBAN).")
    return found
