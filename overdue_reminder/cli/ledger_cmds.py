"""The ledger: sync from the source, aging of what is owed."""

from __future__ import annotations

import csv
import sys
from datetime import date

import click

from overdue_reminder.cli.common import App, parse_date, pass_app
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
                  ["model", "id", "reason"], [(s.model, s.record_id, s.reason) for s in report.skipped])


@click.command("aging")
@click.option("--by", "group_by", type=click.Choice(["client", "attorney", "total"]), default="client",
              show_default=True, help="Group the buckets by client, responsible attorney, or not at all.")
@click.option("--date", "as_of", metavar="YYYY-MM-DD",
              help="Age as of this day (default: today in the firm's timezone).")
@click.option("--csv", "as_csv", is_flag=True, help="Write CSV to stdout.")
@click.option("--limit", type=int, default=50, show_default=True, help="Rows in the table (0 = all).")
@pass_app
def aging_cmd(app: App, group_by: str, as_of: str | None, as_csv: bool, limit: int) -> None:
    """Open receivables in buckets current, 1-30, 31-60, 61-90, 90+ days past due, per currency."""
    from datetime import UTC, datetime

    today: date = parse_date(as_of) or app.settings.calendar().local_today(datetime.now(UTC))
    with app.store.begin() as conn:
        invs = ledger.load_open_invoices(conn)
        if group_by == "client":
            labels = {p.id: p.name for p in ledger.load_partners(conn, {i.client_id for i in invs}).values()}
        elif group_by == "attorney":
            labels = {a.id: a.name for a in ledger.load_attorneys(conn).values()}
        else:
            labels = {}
    rows = aging(invs, today, group_by, labels)
    if app.as_json:
        app.emit_json({"as_of": today, "group_by": group_by, "rows": [
            {"key": r.key, "name": r.label, "currency": r.currency, "invoices": r.count, **r.buckets,
             "total": r.total} for r in rows]})
        return
    if as_csv:
        w = csv.writer(sys.stdout)
        w.writerow([group_by, "currency", "invoices", *BUCKETS, "total"])
        for r in rows:
            w.writerow([r.label, r.currency, r.count, *(r.buckets[b] for b in BUCKETS), r.total])
        return
    shown = rows if limit == 0 else rows[:limit]
    app.table(f"Aging as of {today} by {group_by} ({len(rows)} rows, largest first)",
              [group_by, "cur", "inv", *BUCKETS, "total"],
              [(r.label, r.currency, r.count, *(r.buckets[b] for b in BUCKETS), r.total) for r in shown],
              right=["inv", *BUCKETS, "total"])
    totals = aging(invs, today, "total")
    for t in totals:
        app.console.print(f"total {t.currency}: " + ", ".join(f"{b} {t.buckets[b]:,}" for b in BUCKETS)
                          + f"; all {t.total:,}")


COMMANDS = [sync_cmd, aging_cmd]
