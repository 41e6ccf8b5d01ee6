"""`overdue-reminder serve`: the nightly run and delivery slots on the `schedule` library.

schedule does the timing (at the configured wall-clock time in the firm's timezone, through
pytz, which also settles daylight-saving gaps and repeats); this module adds what a desk needs
around it: every job guarded (an exception is logged and recorded, retried with backoff a
bounded number of times, and the daily job is rescheduled so it never fires in a tight loop),
a missed night caught up once on start, a heartbeat in the store, and a clean stop on SIGTERM.
A clock can be injected so tests drive schedule through days without waiting.
"""

from __future__ import annotations

import datetime as _dt
import logging
import signal
import threading
import types
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import schedule
from sqlalchemy import and_, select

from overdue_reminder.config import Settings
from overdue_reminder.errors import LockedError
from overdue_reminder.run.outcome import PROBLEMS
from overdue_reminder.store import Store
from overdue_reminder.store.ledger import upsert
from overdue_reminder.store.schema import heartbeat, service_runs

log = logging.getLogger(__name__)
Clock = Callable[[], _dt.datetime]  # an aware instant


def system_clock() -> _dt.datetime:
    return _dt.datetime.now(_dt.UTC)


@contextmanager
def schedule_clock(clock: Clock) -> Iterator[None]:
    """Make the schedule library read `clock` instead of the system time (tests, simulations)."""

    class _ClockedDateTime(_dt.datetime):
        @classmethod
        def now(cls, tz: Any = None) -> Any:
            t = clock()
            return t.astimezone().replace(tzinfo=None) if tz is None else t.astimezone(tz)

    original = schedule.datetime  # type: ignore[attr-defined]
    schedule.datetime = types.SimpleNamespace(datetime=_ClockedDateTime, timedelta=_dt.timedelta,  # type: ignore[attr-defined,assignment]
                                              time=_dt.time, date=_dt.date)
    try:
        yield
    finally:
        schedule.datetime = original  # type: ignore[attr-defined]


@dataclass
class JobOutcome:
    job: str
    at: _dt.datetime
    ok: bool
    attempt: int
    error: str = ""


@dataclass
class NightlyService:
    """The long-running service. `nightly(run_date)` and `deliver()` do the work; this schedules them."""

    settings: Settings
    store: Store
    nightly: Callable[[_dt.date], Any]
    deliver: Callable[[], Any] | None = None
    clock: Clock = system_clock
    stop_event: threading.Event = field(default_factory=threading.Event)
    history: list[JobOutcome] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.scheduler = schedule.Scheduler()
        self.tz = self.settings.calendar().tz

    # ------------------------------------------------------------ setup
    def setup(self) -> None:
        s = self.settings.schedule
        tzname = self.settings.firm.timezone
        self.scheduler.every().day.at(s.nightly_at, tzname).do(self._guarded, "nightly", 0).tag("nightly")
        if self.deliver is not None:
            for slot in s.delivery_slots:
                self.scheduler.every().day.at(slot, tzname).do(self._guarded, "delivery", 0).tag("delivery")
        self._correct_next_runs()

    def local_today(self) -> _dt.date:
        return self.clock().astimezone(self.tz).date()

    def last_due_date(self) -> _dt.date:
        """The firm-local date of the most recent nightly time at or before now."""
        now = self.clock().astimezone(self.tz)
        at = _dt.time.fromisoformat(self.settings.schedule.nightly_at)
        return now.date() if now.time() >= at else now.date() - _dt.timedelta(days=1)

    def catch_up(self) -> bool:
        """Run once now if the most recent nightly run did not complete (machine off, service stopped)."""
        if not self.settings.schedule.catch_up:
            return False
        due = self.last_due_date()
        with self.store.begin() as conn:
            done = conn.execute(select(service_runs.c.id).where(and_(
                service_runs.c.job == "nightly", service_runs.c.run_date >= due,
                service_runs.c.status.in_(("ok", PROBLEMS))))).first()
        if done is not None:
            return False
        log.info("catching up the nightly run due %s", due)
        self._guarded("nightly", 0, catch_up=True)
        return True

    # ------------------------------------------------------------ jobs
    def _guarded(self, job: str, attempt: int, catch_up: bool = False) -> Any:
        """Run one job; never raise into schedule (that would leave it due and fire it again at once)."""
        if self.stop_event.is_set():
            return None
        now = self.clock()
        try:
            if job == "nightly":
                self.nightly(self.local_today())
            elif self.deliver is not None:
                self.deliver()
            self.history.append(JobOutcome(job, now, True, attempt))
        except LockedError as exc:
            log.warning("%s skipped: %s", job, exc)
            self.history.append(JobOutcome(job, now, False, attempt, str(exc)))
        except Exception as exc:  # every other failure is logged, recorded and retried with backoff
            log.exception("%s failed (attempt %d)", job, attempt + 1)
            self.history.append(JobOutcome(job, now, False, attempt, f"{type(exc).__name__}: {exc}"))
            self._record_failure(job, exc)
            self._schedule_retry(job, attempt)
        return None

    def _schedule_retry(self, job: str, attempt: int) -> None:
        s = self.settings.schedule
        if attempt >= s.retries:
            log.error("%s: giving up after %d attempts; the next scheduled run will try again", job, attempt + 1)
            return
        minutes = s.retry_backoff_minutes * (2 ** attempt)

        def once() -> Any:
            self._guarded(job, attempt + 1)
            return schedule.CancelJob

        self.scheduler.every(minutes).minutes.do(once).tag("retry")
        log.info("%s: retry %d/%d in %d minutes", job, attempt + 1, s.retries, minutes)

    def _record_failure(self, job: str, exc: BaseException) -> None:
        """The pipeline records its own runs; this covers failures before it could (e.g. bad config)."""
        try:
            now = self.clock()
            with self.store.begin() as conn:
                conn.execute(service_runs.insert().values(
                    job=f"{job}-error", run_date=self.local_today(), started_at=now, finished_at=now,
                    status="failed", counts={}, error=f"{type(exc).__name__}: {exc}"[:2000]))
        except Exception:  # the store itself may be what failed
            log.exception("could not record the failure")

    # ------------------------------------------------------------ loop
    def next_run(self) -> _dt.datetime | None:
        """The next nightly run as an aware instant in the firm's timezone."""
        jobs = [j for j in self.scheduler.get_jobs("nightly") if j.next_run]
        if not jobs:
            return None
        naive_local = min(j.next_run for j in jobs if j.next_run is not None)
        return naive_local.astimezone(self.tz)

    def beat(self) -> None:
        nxt = self.next_run()
        with self.store.begin() as conn:
            upsert(conn, heartbeat, [{"name": "serve", "at": self.clock(),
                                      "detail": {"next_run": nxt.isoformat() if nxt else None,
                                                 "jobs": len(self.scheduler.get_jobs())}}], ["name"])

    def run_pending(self) -> None:
        self.scheduler.run_pending()
        self._correct_next_runs()

    def _correct_next_runs(self) -> None:
        """Recompute the daily jobs' next run with zoneinfo.

        schedule 1.2 misplaces the run after a spring-forward day by the DST offset (02:30 fires at
        01:30 and again at 02:30 the next day). The rule here: the configured wall-clock time on the
        next day it has not run yet; a time that does not exist that day moves forward with the clock
        (02:30 → 03:30); one that happens twice runs at its first occurrence.
        """
        now = self.clock().astimezone(self.tz)
        for job in self.scheduler.get_jobs():
            if job.at_time is None or job.unit != "days":
                continue
            last = job.last_run  # naive machine-local, set by schedule when the job ran
            last_local_date = last.astimezone().astimezone(self.tz).date() if last else None
            day = now.date()
            while True:
                wall = _dt.datetime.combine(day, job.at_time, tzinfo=self.tz)
                instant = wall.astimezone(_dt.UTC).astimezone(self.tz)  # normalises a gap forward
                if instant > now and day != last_local_date:
                    break
                day += _dt.timedelta(days=1)
            job.next_run = instant.astimezone().replace(tzinfo=None)

    def serve(self, wait: Callable[[float], bool] | None = None) -> None:
        """Run until SIGTERM/SIGINT (or stop_event): catch up once, then follow the schedule."""
        waiter = wait or self.stop_event.wait
        self.setup()
        self.catch_up()
        while not self.stop_event.is_set():
            self.run_pending()
            self.beat()
            idle = self.scheduler.idle_seconds
            pause = self.settings.schedule.heartbeat_seconds if idle is None else \
                max(1.0, min(idle, self.settings.schedule.heartbeat_seconds))
            if waiter(pause):
                break
        log.info("service stopped")


def install_signal_handlers(stop: threading.Event) -> None:
    """SIGTERM/SIGINT set the stop flag: the current step finishes, then the service exits."""

    def handler(signum: int, _frame: Any) -> None:
        log.info("signal %d received: finishing the current step, then stopping", signum)
        stop.set()

    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGINT, handler)
