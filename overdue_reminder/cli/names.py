"""Names where people read: clients by name and invoices by number, with Odoo ids only under `--ids`
(and always in `--json`)."""

from __future__ import annotations

from collections.abc import Iterable

from overdue_reminder.cli.common import App
from overdue_reminder.store import ledger


def client_names(app: App, ids: Iterable[int | None]) -> dict[int, str]:
    """Each client's name as the ledger knows it (its id when the ledger does not)."""
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    with app.store.begin() as conn:
        found = {p.id: p.name for p in ledger.load_partners(conn, wanted).values()}
    return {i: app.named(found[i], i) if i in found else f"#{i}" for i in wanted}


def client_name(app: App, client_id: int) -> str:
    return client_names(app, [client_id])[client_id]


def invoice_numbers(app: App, ids: Iterable[int]) -> list[str]:
    """The invoices' numbers (INV/2026/00042), in the order given; an id the ledger lost stays an id."""
    wanted = list(ids)
    if not wanted:
        return []
    with app.store.begin() as conn:
        found = {i.id: i.name for i in ledger.load_invoices(conn, wanted)}
    return [app.named(found[i], i) if i in found else f"#{i}" for i in wanted]
