"""The nightly run: one pass as a function of (settings, source, store, today).

sync → settle promises and plans → plan → offers → drafts → letters → deliver → record.
Every step is idempotent for the day (keys derive from client, tier, date and invoices), so a
second run on the same day adds nothing and a run killed anywhere can simply run again.
`should_stop` is checked between steps: SIGTERM lets the current step finish, then stops.
Offers, drafts and letters isolate clients (run/isolation): one client's failure is listed in
`problems` and skipped, the later steps (delivery) still run, and the run ends "partial" (exit 1).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from overdue_reminder.config import Settings
from overdue_reminder.errors import DeliveryError, describe
from overdue_reminder.model import Action, InvoiceKind, Plan
from overdue_reminder.run import outcome
from overdue_reminder.run.isolation import Isolated, merge_counts, per_client
from overdue_reminder.run.wiring import make_source, writeback_of
from overdue_reminder.services import contacts, delivery, paylinks, planning, runs
from overdue_reminder.services import letters as letter_queue
from overdue_reminder.services import offers as offer_service
from overdue_reminder.services import reminders as drafts
from overdue_reminder.services.carried_offers import carried_offers, record_carried
from overdue_reminder.services.digest import send_digests
from overdue_reminder.services.sync import sync
from overdue_reminder.sources import Source, WriteBack
from overdue_reminder.store import Store
from overdue_reminder.store.locks import run_lock

log = logging.getLogger(__name__)
STEPS = ("sync", "promises", "plans", "plan", "paylinks", "drafts", "offers", "letters", "deliver")


class Stopped(Exception):
    """SIGTERM arrived: the run stopped cleanly between steps."""


@dataclass
class RunReport:
    run_date: date
    dry_run: bool
    steps: dict[str, dict[str, Any]] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    skipped_records: int = 0
    problems: list[dict[str, object]] = field(default_factory=list)  # clients a step skipped, with why
    status: str = "ok"
    error: str = ""
    undelivered: list[str] = field(default_factory=list)  # work not delivered (run/outcome.py)
    systemic: list[Exception] = field(default_factory=list)  # a step failed for every client

    def contained(self, result: Isolated[Any]) -> None:
        self.problems.extend(p.as_dict() for p in result.problems)
        if result.systemic is not None:
            self.systemic.append(result.systemic)

    def as_dict(self) -> dict[str, Any]:
        return {"run_date": self.run_date.isoformat(), "dry_run": self.dry_run, "status": self.status,
                "error": self.error, "skipped_records": self.skipped_records, "skipped_clients": self.problems,
                "problems": self.undelivered,
                "steps": self.steps,
                "seconds": {k: round(v, 3) for k, v in self.seconds.items()}}


def run_once(settings: Settings, store: Store, source_factory: Callable[[], Source], today: date, *,
             now: Callable[[], datetime] = lambda: datetime.now(UTC), dry_run: bool = False,
             should_stop: Callable[[], bool] = lambda: False, send: bool = True, actor: str = "nightly",
             lock: bool = True) -> RunReport:
    """One whole pass under the desk's run lock (a second concurrent run raises LockedError)."""
    if lock:
        with run_lock(store):
            return _run(settings, store, source_factory, today, now, dry_run, should_stop, send, actor)
    return _run(settings, store, source_factory, today, now, dry_run, should_stop, send, actor)


def _run(settings: Settings, store: Store, source_factory: Callable[[], Source], today: date,
         now: Callable[[], datetime], dry_run: bool, should_stop: Callable[[], bool], send: bool,
         actor: str) -> RunReport:
    report = RunReport(run_date=today, dry_run=dry_run)
    run_id = _start(store, today, now(), dry_run)
    writeback = settings.odoo.write_back and settings.source == "odoo" and not dry_run

    def step(name: str, fn: Callable[[], dict[str, Any]]) -> None:
        if should_stop():
            raise Stopped(f"stopped before {name}")
        t0 = time.perf_counter()
        report.steps[name] = fn()
        report.seconds[name] = time.perf_counter() - t0
        log.info("%s: %s", name, report.steps[name])

    try:
        def do_sync() -> dict[str, Any]:
            r = sync(store, source_factory(), now=now)
            report.skipped_records = len(r.skipped)
            out = r.as_dict()
            out["skipped"] = len(r.skipped)
            return out

        step("sync", do_sync)
        step("promises", lambda: {"checked": len(contacts.check_promises(
            store, settings, today, now=now(), by=actor, dry_run=dry_run))})
        def do_plans() -> dict[str, Any]:
            m = offer_service.match_payments(store, settings, today, now=now(), by=actor, dry_run=dry_run)
            return {"checked": m.checked, "installments_paid": len(m.installments_paid),
                    "breached": len(m.breached), "completed": len(m.completed)}

        step("plans", do_plans)
        plan = planning.plan_from_store(store, settings, today)
        report.steps["plan"] = {"actions": len(plan.actions), "skipped_clients": len(plan.skipped),
                                "letters": sum(1 for a in plan.actions if a.channel == "letter")}
        carried = carried_offers(store, settings, plan.actions, today)
        offers = {client: c.context for client, c in carried.items()}
        links = paylinks.NONE

        def do_paylinks() -> dict[str, Any]:
            nonlocal links
            links = _pay_links(settings, store, source_factory, plan, dry_run)
            return links.summary()

        if settings.payment.portal_links:
            step("paylinks", do_paylinks)

        def do_drafts() -> dict[str, Any]:
            done = per_client("drafts", plan.actions,
                              lambda acts: drafts.draft_plan(store, settings, _only(plan, acts), now(), offers=offers,
                                                             dry_run=dry_run, actor=actor,
                                                             pay_links=links.urls).summary())
            report.contained(done)
            return merge_counts(done.results)

        step("drafts", do_drafts)
        step("offers", lambda: {"dry_run": True} if dry_run else record_carried(
            store, settings, carried, plan.actions, today, now(), actor=actor).summary())

        def do_letters() -> dict[str, Any]:
            if dry_run:
                return {"letters": report.steps["plan"]["letters"], "dry_run": True}
            wb = _odoo(source_factory) if writeback else None
            made = per_client("letters", [a for a in plan.actions if a.channel == "letter"],
                              lambda acts: letter_queue.create_letters(store, settings, acts, today=today, actor=actor,
                                                                       offers=offers, writeback=wb, now=now(),
                                                                       pay_links=links.urls))
            report.contained(made)
            done = [d for part, _ in made.results for d in part]
            refused = [r for _, part in made.results for r in part]
            return {"queued": sum(1 for d in done if d.created), "refused": len(refused),
                    "refused_why": [why for _, why in refused][:20]}

        step("letters", do_letters)
        if send:
            def do_send() -> dict[str, Any]:
                odoo = _odoo(source_factory) if settings.source == "odoo" else None
                residuals: delivery.ResidualReader = odoo or delivery.StoreResiduals(store)
                transport = delivery.make_transport(settings, odoo=odoo) if settings.delivery.mode == "odoo" else None
                return delivery.send_approved(store, settings, now(), transport=transport, residuals=residuals,
                                              notes=odoo if writeback else None, dry_run=dry_run,
                                              actor=actor).summary()

            step("deliver", do_send)
        if report.systemic:  # the other steps are done; now say what could not be done for anyone
            raise report.systemic[0]
        report.undelivered = outcome.problems(report.steps)
        report.status = outcome.status(report.skipped_records + len(report.problems), report.undelivered)
    except Stopped as exc:
        report.status, report.error = "stopped", str(exc)
    except BaseException as exc:
        report.status, report.error = "failed", describe(exc)
        _finish(store, run_id, report, now())
        raise
    _finish(store, run_id, report, now())
    return report


def _only(plan: Plan, actions: Sequence[Action]) -> Plan:
    return plan if len(actions) == len(plan.actions) else Plan(plan.today, tuple(actions), plan.skipped)


def _pay_links(settings: Settings, store: Store, source_factory: Callable[[], Source], plan: Plan,
               dry_run: bool) -> paylinks.PayLinks:
    """Tonight's pay links: one session, Odoo's base URL once, missing tokens in one batch (none in a dry run)."""
    ids = [ln.invoice_id for a in plan.actions for ln in a.lines if ln.kind is not InvoiceKind.CREDIT_NOTE]
    if not ids:
        return paylinks.NONE
    source = source_factory() if settings.source == "odoo" else None
    portal = source if isinstance(source, paylinks.Portal) else None
    try:
        if source is not None:
            source.open()
        return paylinks.prepare(store, settings, ids, portal, create=not dry_run)
    finally:
        if source is not None:
            source.close()


def _odoo(source_factory: Callable[[], Source]) -> WriteBack:
    """A fresh session for write-backs and live residuals (the sync's session is closed)."""
    return writeback_of(source_factory())


def _start(store: Store, today: date, at: datetime, dry_run: bool) -> int:
    return runs.start_run(store, "nightly-dry-run" if dry_run else "nightly", today, at)


def _finish(store: Store, run_id: int, report: RunReport, at: datetime) -> None:
    ok = report.status in (outcome.OK, outcome.PARTIAL)
    runs.finish_run(store, run_id, "ok" if ok else report.status, _jsonable(report.as_dict()), report.error, at)


def nightly_pass(settings: Settings, store: Store, today: date, *, dry_run: bool = False, send: bool = True,
                 digest: bool = True, should_stop: Callable[[], bool] = lambda: False,
                 now: Callable[[], datetime] = lambda: datetime.now(UTC)) -> dict[str, Any]:
    """The pass `run`, `serve` and the demo share: the pipeline on the configured source, then the morning
    digest when the run went through. A digest that cannot go is one more problem (run/outcome.py)."""
    report = run_once(settings, store, lambda: make_source(settings), today, dry_run=dry_run, send=send,
                      should_stop=should_stop, now=now)
    out: dict[str, Any] = report.as_dict()
    if digest and report.status in outcome.COMPLETED:
        try:
            out["digest"] = send_digests(settings, store, today, report.steps, now(), dry_run=dry_run)
        except (DeliveryError, OSError) as exc:  # the night's work stands; the next pass sends the digest
            out["digest"] = {"sent": 0, "error": str(exc)}
            log.warning("morning digest not sent: %s", exc)
        out["problems"] = outcome.problems({**report.steps, "digest": out["digest"]})
        out["status"] = outcome.status(report.skipped_records + len(report.problems), out["problems"])
    return out


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)
