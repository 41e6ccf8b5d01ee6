"""The nightly service: run (one pass), serve (the scheduler), status (what happened, what waits)."""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime

import click

from overdue_reminder.cli.common import App, pass_app, today_for
from overdue_reminder.core.aging import BUCKETS, aging
from overdue_reminder.errors import EXIT_OK, EXIT_SKIPPED
from overdue_reminder.services import runs as run_records
from overdue_reminder.store import ledger

log = logging.getLogger(__name__)


def nightly_pass(app: App, *, as_of: str | None = None, dry_run: bool = False,
                 send: bool = True, digest: bool = True, stop: threading.Event | None = None) -> dict[str, object]:
    """The shared nightly pass (run/pipeline.nightly_pass) as of `as_of` or the firm's today."""
    from overdue_reminder.run.pipeline import nightly_pass as run_nightly

    return run_nightly(app.settings, app.store, today_for(app, as_of), dry_run=dry_run, send=send, digest=digest,
                       should_stop=(stop.is_set if stop else lambda: False))


@click.command("run")
@click.option("--date", "as_of", metavar="YYYY-MM-DD", help="Run as of another day (tests, catch-up).")
@click.option("--dry-run", is_flag=True, help="Do everything but send and write back to Odoo.")
@click.option("--no-send", is_flag=True, help="Sync, plan, draft and queue, but leave delivery to `send`.")
@click.option("--no-digest", is_flag=True, help="Do not send the morning digest.")
@pass_app
def run_cmd(app: App, as_of: str | None, dry_run: bool, no_send: bool, no_digest: bool) -> int:
    """One nightly pass: sync, plan, draft, suggest offers, queue letters, deliver, record.

    Safe to re-run: a second run on the same day adds nothing. Exit 1 when records were
    skipped, 3 when the source is unreachable, 4 when another run holds the lock.
    """
    out = nightly_pass(app, as_of=as_of, dry_run=dry_run, send=not no_send, digest=not no_digest)
    if app.as_json:
        app.emit_json(out)
    else:
        steps = out["steps"]
        assert isinstance(steps, dict)
        app.table(f"run {out['run_date']}{' (dry run)' if dry_run else ''}: {out['status']}", ["step", "result"],
                  [(k, ", ".join(f"{a}={b}" for a, b in v.items() if not isinstance(b, (list, dict))))
                   for k, v in steps.items()])
        if "digest" in out:
            app.console.print(f"digest: {out['digest']}")
    if out["status"] == "stopped":
        return EXIT_OK
    return EXIT_SKIPPED if out.get("skipped_records") else EXIT_OK


@click.command("serve")
@pass_app
def serve_cmd(app: App) -> None:
    """Run as a service: the nightly run at schedule.nightly_at in the firm's timezone, delivery slots,
    catch-up of a missed night on start, retries with backoff. SIGTERM finishes the current step."""
    from overdue_reminder.run.scheduler import NightlyService, install_signal_handlers

    s = app.settings
    stop = threading.Event()
    install_signal_handlers(stop)

    def nightly(run_date: object) -> None:
        out = nightly_pass(app, as_of=str(run_date), stop=stop)
        log.info("nightly run %s: %s", run_date, out["status"])

    def deliver() -> None:
        from overdue_reminder.services import delivery
        from overdue_reminder.store.locks import run_lock

        with run_lock(app.store):
            result = delivery.send_approved(app.store, s, datetime.now(UTC))
        log.info("delivery slot: %s", result.summary())

    svc = NightlyService(s, app.store, nightly=nightly, deliver=deliver if s.schedule.delivery_slots else None,
                         stop_event=stop)
    app.err.print(f"overdue-reminder serve: nightly at {s.schedule.nightly_at} {s.firm.timezone}; "
                  "SIGTERM or Ctrl-C to stop")
    svc.serve()


@click.command("status")
@click.option("--runs", default=5, show_default=True, help="How many recent runs to show.")
@pass_app
def status_cmd(app: App, runs: int) -> None:
    """Last runs, the next scheduled run, queue sizes, and aging totals."""
    from overdue_reminder.services.status import queue_sizes

    s = app.settings
    now = datetime.now(UTC)
    last = run_records.recent_runs(app.store, runs)
    beat = run_records.last_beat(app.store)
    with app.store.begin() as conn:
        queues = queue_sizes(conn)
        invs = ledger.load_open_invoices(conn)
    totals = aging(invs, s.calendar().local_today(now), "total")
    next_run = beat.detail.get("next_run") if beat else None
    data = {
        "runs": [{"id": r.id, "job": r.job, "run_date": r.run_date, "status": r.status, "started_at": r.started_at,
                  "finished_at": r.finished_at, "error": r.error} for r in last],
        "service": {"heartbeat": beat.at if beat else None, "next_run": next_run,
                    "alive": bool(beat and (now - beat.at).total_seconds() < 3 * s.schedule.heartbeat_seconds)},
        "queues": queues.as_dict(),
        "aging": [{"currency": t.currency, **t.buckets, "total": t.total} for t in totals],
    }
    if app.as_json:
        app.emit_json(data)
        return
    app.table("recent runs", ["id", "job", "date", "status", "started", "error"],
              [(r.id, r.job, r.run_date, r.status, r.started_at, (r.error or "")[:80]) for r in last])
    svc = data["service"]
    assert isinstance(svc, dict)
    app.console.print(f"service: {'alive' if svc['alive'] else 'not running'}; heartbeat {svc['heartbeat'] or '-'}; "
                      f"next run {next_run or f'{s.schedule.nightly_at} {s.firm.timezone} (when serve runs)'}")
    q = queues
    app.table("waiting for people", ["queue", "items"], [
        ("reminders to approve", q.drafts_to_approve), ("approved, to send", q.approved_to_send),
        ("unconfirmed deliveries", q.unconfirmed), ("postal items", q.postal_items),
        ("invalid addresses", q.invalid_addresses), ("offers awaiting an attorney", q.offers_awaiting_attorney),
        *[(f"letters for {a}", n) for a, n in sorted(q.letters_by_attorney.items())]], right=["items"])
    app.table("aging totals", ["currency", *BUCKETS, "total"],
              [(t.currency, *(t.buckets[b] for b in BUCKETS), t.total) for t in totals],
              right=[*BUCKETS, "total"])


COMMANDS = [run_cmd, serve_cmd, status_cmd]
