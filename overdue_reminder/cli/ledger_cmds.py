"""The ledger: sync from the source, aging of what is owed."""

from __future__ import annotations

import csv
import sys
from datetime import date

import click

from overdue_reminder.cli.aging_view import (
    attorney_labels,
    bucket_cells,
    per_currency,
    plural,
    section_total,
    with_ids,
)
from overdue_reminder.cli.common import App, parse_date, pass_app, today_for
from overdue_reminder.core.aging import BUCKETS, aging
from overdue_reminder.errors import EXIT_OK, EXIT_SKIPPED
from overdue_reminder.run.wiring import make_source
from overdue_reminder.services.sync import SyncReport, sync
from overdue_reminder.store import ledger


@click.command("sync")
@click.option("--full", is_flag=True, help="Re-read the whole open set (closes what left it), not only changes.")
@pass_app
def sync_cmd(app: App, full: bool) -> int:
    """Read open invoices, clients, attorneys and payments from the source into the local ledger.

    The first run reads everything; later runs read only what changed since the last watermark.
    Exit code 1 when records were skipped (listed), 3 when the source is unreachable or refuses.
    """
    source = make_source(app.settings)
    with app.progress("syncing invoices") as tick:
        report = sync(app.store, source, full=full, progress=tick)
    show_sync_report(app, report)
    return EXIT_SKIPPED if report.skipped else EXIT_OK


def show_sync_report(app: App, report: SyncReport) -> None:
    if app.as_json:
        app.emit_json(report.as_dict())
        return
    app.console.print(
        f"{report.kind} sync: {report.new} new, {report.changed} changed, {report.closed} closed invoices; "
        f"{report.clients} clients, {report.attorneys} attorneys, {report.payments} payments read; "
        f"{report.rpc_calls} RPC calls in {report.seconds:.1f}s")
    if report.skipped:
        app.table(f"{len(report.skipped)} skipped records (fix them in the source; the rest was synced)",
                  ["model", "id", "reason"], [(s.model, s.record_id, s.reason) for s in report.skipped],
                  right=["id"], prose=["reason"])


# On a narrow terminal the count goes first, then what is not yet due, then the youngest buckets: 90+ and the
# total always show.
DROP_FIRST = ["invoices", "current", "1-30", "31-60", "61-90"]


@click.command("aging")
@click.option("--by", "group_by", type=click.Choice(["client", "attorney", "total"]), default="client",
              show_default=True, help="Group the buckets by client, responsible attorney, or not at all.")
@click.option("--date", "as_of", metavar="YYYY-MM-DD",
              help="Age as of this day (default: today in the firm's timezone).")
@click.option("--csv", "as_csv", is_flag=True, help="Write CSV to stdout.")
@click.option("--limit", type=int, default=50, show_default=True,
              help="Rows per currency in the table (0 = all); the sums under each table cover every row.")
@pass_app
def aging_cmd(app: App, group_by: str, as_of: str | None, as_csv: bool, limit: int) -> None:
    """Open receivables in buckets current, 1-30, 31-60, 61-90, 90+ days past due: one table per currency,
    largest first (amounts in different currencies are never ranked against each other)."""
    today: date = parse_date(as_of) or today_for(app)
    with app.store.begin() as conn:
        invs = ledger.load_open_invoices(conn)
        if group_by == "client":
            labels = {p.id: p.name for p in ledger.load_partners(conn, {i.client_id for i in invs}).values()}
        elif group_by == "attorney":
            labels = attorney_labels(ledger.load_attorneys(conn).values())
        else:
            labels = {}
    rows = aging(invs, today, group_by, with_ids(labels) if app.ids else labels)
    sections = per_currency(rows)
    ordered = [r for _, group in sections for r in group]
    if app.as_json:
        app.emit_json({"as_of": today, "group_by": group_by, "rows": [
            {"key": r.key, "name": r.label, "currency": r.currency, "invoices": r.count, **r.buckets,
             "total": r.total} for r in ordered]})
        return
    if as_csv:
        w = csv.writer(sys.stdout)
        w.writerow([group_by, "currency", "invoices", *BUCKETS, "total"])
        for r in ordered:
            w.writerow([r.label, r.currency, r.count, *(r.buckets[b] for b in BUCKETS), r.total])
        return
    figures = ["invoices", *BUCKETS, "total"]
    if group_by == "total":
        app.table(f"Aging as of {today}, all clients, per currency", ["currency", *figures],
                  [(r.currency, *bucket_cells(r)) for r in ordered], right=figures, optional=DROP_FIRST)
        return
    if not sections:
        app.info(f"Aging as of {today}: nothing is owed.")
    for n, (currency, group) in enumerate(sections):
        shown = group if limit <= 0 else group[:limit]
        cut = "" if len(shown) == len(group) else f", the largest {len(shown)} shown"
        if n:
            app.console.out("")
        app.table(f"Aging as of {today} by {group_by}, {currency} ({plural(len(group), group_by)}{cut})",
                  [group_by, *figures], [(r.label, *bucket_cells(r)) for r in shown], right=figures,
                  optional=DROP_FIRST)
        app.paragraph(section_total(currency, group, group_by))


COMMANDS = [sync_cmd, aging_cmd]
