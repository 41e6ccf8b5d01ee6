"""The nightly service: run (one pass), serve (the scheduler), status (what happened, what waits)."""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime

import click

from overdue_reminder.cli.common import App, pass_app, today_for
from overdue_reminder.cli.names import client_names
from overdue_reminder.core.aging import BUCKETS, aging
from overdue_reminder.run import outcome
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
@click.option("--dry-run", is_flag=True,
              help="Sync the ledger from the source as `sync` does (the store's copy of Odoo is updated), then plan, "
                   "draft and deliver without storing, sending or writing back anything.")
@click.option("--no-send", is_flag=True, help="Sync, plan, draft and queue, but leave delivery to `send`.")
@click.option("--no-digest", is_flag=True, help="Do not send the morning digest.")
@pass_app
def run_cmd(app: App, as_of: str | None, dry_run: bool, no_send: bool, no_digest: bool) -> int:
    """One nightly pass: sync, plan, draft, suggest offers, queue letters, deliver, record.

    Safe to re-run: a second run on the same day adds nothing. Exit 1 when records were
    skipped, 3 when the source is unreachable, 4 when another run holds the lock, 6 when the run
    finished but work was not delivered (delivery stopped, reminders failed or unconfirmed, letters
    refused or blocked, the digest not sent): the summary lists each problem.
    """
    out = nightly_pass(app, as_of=as_of, dry_run=dry_run, send=not no_send, digest=not no_digest)
    if app.as_json:
        app.emit_json(out)
    else:
        steps = out["steps"]
        assert isinstance(steps, dict)
        app.table(f"run {out['run_date']}{' (dry run)' if dry_run else ''}: {out['status']}", ["step", "result"],
                  [(k, ", ".join(f"{a}={b}" for a, b in v.items() if not isinstance(b, (list, dict))))
                   for k, v in steps.items()], prose=["result"])
        if dry_run:
            app.paragraph("dry run: the ledger was synced from the source (the store's copy of invoices, clients and "
                          "payments is updated, as `sync` does); nothing was drafted, sent, recorded for clients "
                          "or written back to Odoo.")
        if "digest" in out:
            app.console.print(f"digest: {out['digest']}")
        for line in out.get("problems") or []:  # type: ignore[attr-defined]
            app.console.print(f"[red]not delivered[/red] {line}")
        skipped_clients = out.get("skipped_clients") or []
        assert isinstance(skipped_clients, list)
        if skipped_clients:
            names = client_names(app, [p["client_id"] for p in skipped_clients])
            app.table("clients skipped tonight", ["step", "client", "error"],
                      [(p["step"], names.get(p["client_id"], p["client_id"]), p["error"]) for p in skipped_clients],
                      prose=["error"])
    skipped = out.get("skipped_records")
    n_clients = len(out.get("skipped_clients") or [])  # type: ignore[arg-type]
    return outcome.exit_code(str(out["status"]), (skipped if isinstance(skipped, int) else 0) + n_clients)


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
    """Last runs, the next scheduled run, queue sizes, approved letters not yet released, letters about
    to go stale, items blocked in the last 24 hours, and aging totals."""
    from overdue_reminder.services.attention import attention
    from overdue_reminder.services.status import queue_sizes

    s = app.settings
    now = datetime.now(UTC)
    today = s.calendar().local_today(now)
    last = run_records.recent_runs(app.store, runs)
    beat = run_records.last_beat(app.store)
    with app.store.begin() as conn:
        queues = queue_sizes(conn)
        stuck = attention(conn, today, now, s.letters)
        invs = ledger.load_open_invoices(conn)
    totals = aging(invs, today, "total")
    next_run = beat.detail.get("next_run") if beat else None
    data = {
        "runs": [{"id": r.id, "job": r.job, "run_date": r.run_date, "status": r.status, "started_at": r.started_at,
                  "finished_at": r.finished_at, "error": r.error} for r in last],
        "service": {"heartbeat": beat.at if beat else None, "next_run": next_run,
                    "alive": bool(beat and (now - beat.at).total_seconds() < 3 * s.schedule.heartbeat_seconds)},
        "queues": queues.as_dict(),
        **stuck.as_dict(),
        "aging": [{"currency": t.currency, **t.buckets, "total": t.total} for t in totals],
    }
    if app.as_json:
        app.emit_json(data)
        return
    app.table("recent runs", ["id", "job", "date", "status", "started", "error"],
              [(r.id, r.job, r.run_date, r.status, r.started_at, (r.error or "")[:160]) for r in last],
              right=["id"], prose=["error"], optional=["started", "job"])
    svc = data["service"]
    assert isinstance(svc, dict)
    nightly = f"{s.schedule.nightly_at} {s.firm.timezone} (when serve runs)"
    app.paragraph(f"service: {'alive' if svc['alive'] else 'not running'}; "
                  f"heartbeat {app.when(beat.at) if beat else '-'}; next run {_next_run(app, next_run) or nightly}")
    q = queues
    app.table("waiting for people", ["queue", "items"], [
        ("reminders to approve", q.drafts_to_approve), ("approved, to send", q.approved_to_send),
        ("unconfirmed deliveries", q.unconfirmed), ("postal items", q.postal_items),
        ("invalid addresses", q.invalid_addresses), ("offers awaiting an attorney", q.offers_awaiting_attorney),
        *[(f"letters for {a}", n) for a, n in sorted(q.letters_by_attorney.items())]], right=["items"])
    app.table("approved letters not yet released", ["letter", "client", "kind", "approved by", "approved at"],
              [(w.id, w.client, w.kind, w.approved_by, w.approved_at) for w in stuck.approved_unreleased],
              right=["letter"], optional=["kind", "approved at"])
    app.table(f"letters about to go stale (letters.max_age_days = {s.letters.max_age_days})",
              ["letter", "client", "status", "dated", "stale on", "days left"],
              [(w.id, w.client, w.status, w.run_date, w.expires_on, w.days_left) for w in stuck.expiring],
              right=["letter", "days left"], optional=["dated", "status"])
    app.table("blocked or refused in the last 24 hours", ["when", "item", "what", "by", "reason"],
              [(b.at, b.what, b.action, b.actor, b.reason) for b in stuck.blocked], prose=["reason"],
              optional=["by", "when"])
    app.table("aging totals, per currency", ["currency", *BUCKETS, "total"],
              [(t.currency, *(t.buckets[b] for b in BUCKETS), t.total)
               for t in sorted(totals, key=lambda t: t.currency)],
              right=[*BUCKETS, "total"], optional=["current"])


def _next_run(app: App, value: object) -> str:
    """The scheduler's next run as the firm reads it (the heartbeat stores it as ISO 8601)."""
    if isinstance(value, datetime):
        return app.when(value)
    if isinstance(value, str) and value:
        try:
            return app.when(datetime.fromisoformat(value))
        except ValueError:
            return value
    return ""


COMMANDS = [run_cmd, serve_cmd, status_cmd]
