"""`overdue-reminder jurisdiction`: which jurisdiction each matter is in, and setting it on the desk."""

from __future__ import annotations

import click

from overdue_reminder.cli.common import App, default_actor, pass_app, utc_now
from overdue_reminder.services.jurisdiction import matter_jurisdictions, set_matter_jurisdiction
from overdue_reminder.services.notices import resolve_client
from overdue_reminder.store.ledger import client_matters


@click.group("jurisdiction")
def jurisdiction_group() -> None:
    """Each matter's jurisdiction (desk, Odoo field, mapping or firm default): its notice and limitation period."""


@jurisdiction_group.command("set")
@click.option("--client", required=True, metavar="NAME|ID", help="Odoo id, exact name or a unique part.")
@click.option("--matter", "reference", required=True, metavar="REF", help="The matter reference, as on invoices.")
@click.option("--code", required=True, metavar="CODE", help="NY, CA, NJ, CN or a configured code; \"\" to clear.")
@click.option("--engagement", type=click.Choice(["written", "oral"]),
              help="Whether the engagement is in writing (the limitation period depends on it).")
@click.option("--by", default=default_actor, show_default="$USER", help="Who sets it (audit).")
@click.option("--dry-run", is_flag=True, help="Check; write nothing.")
@pass_app
def jurisdiction_set(app: App, client: str, reference: str, code: str, engagement: str | None, by: str,
                     dry_run: bool) -> None:
    """Set a matter's jurisdiction on the desk (wins over Odoo, the mapping and the firm default)."""
    m = set_matter_jurisdiction(app.store, app.settings, client, reference, code, by, engagement=engagement,
                                now=utc_now(), dry_run=dry_run)
    if app.as_json:
        app.emit_json({"client_id": m.client_id, "matter": m.reference, "jurisdiction": m.code, "source": m.source,
                       "engagement": m.engagement, "dry_run": dry_run})
        return
    verb = "would be" if dry_run else "is"
    app.info(f"matter {m.reference} {verb} in {m.code or '(no jurisdiction)'} ({m.source or 'none'}), "
             f"{m.engagement} engagement")


@jurisdiction_group.command("show")
@click.option("--client", required=True, metavar="NAME|ID", help="Odoo id, exact name or a unique part.")
@pass_app
def jurisdiction_show(app: App, client: str) -> None:
    """Each of the client's matters with its jurisdiction and where that came from."""
    with app.store.begin() as conn:
        partner = resolve_client(conn, client)
        found = matter_jurisdictions(conn, app.settings, partner.id, client_matters(conn, partner.id))
    if app.as_json:
        app.emit_json([{"matter": ref, "jurisdiction": r.code, "source": r.source} for ref, r in found.items()])
        return
    app.table(f"Jurisdictions of {partner.name}", ["Matter", "Jurisdiction", "From"],
              [(ref or "(no matter)", r.code or "-", r.source or "-") for ref, r in found.items()])


COMMANDS = [jurisdiction_group]
