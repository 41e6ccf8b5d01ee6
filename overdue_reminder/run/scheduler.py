"""`overdue-reminder serve`: the nightly run and delivery slots on the `schedule` library.

schedule does the timing (at the configured wall-clock time in the firm's timezone, through
pytz, which also settles daylight-saving gaps and repeats); this module adds what a desk needs
around it: every job guarded (an exception is logged and recorded, retried with backoff a
bounded number of times, and the daily job is rescheduled so it never fires in a tight loop),
a missed night caught up once on start, a heartbeat in the store, and a clean stop on SIGTERM.
A clock can be injected (ClockedScheduler, on schedule's own Scheduler/Job classes) so tests drive
the schedule through days without waiting.
"""

from __future__ import annotations

import datetime as _dt
import logging
import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import schedule

from overdue_reminder.config import Settings
from overdue_reminder.errors import LockedError
from overdue_reminder.services import runs
from overdue_reminder.store import Store

log = logging.getLogger(__name__)
Clock = Callable[[], _dt.datetime]  # an aware instant


def system_clock() -> _dt.datetime:
    return _dt.datetime.now(_dt.UTC)


class ClockedJob(schedule.Job):
    """A schedule job that reads its scheduler's clock and places daily runs by the firm's wall clock.

    `next_run` and `last_run` stay what schedule documents them to be: naive machine-local times.
    A daily job runs at the configured wall-clock time on the next day it has not run yet: a time that
    does not exist that day (spring forward) moves forward with the clock (02:30 -> 03:30); one that
    happens twice (fall back) runs at its first occurrence. (schedule 1.2 itself misplaces the run after
    a spring-forward day by the DST offset.)
    """

    def __init__(self, interval: int, scheduler: ClockedScheduler) -> None:
        super().__init__(interval, scheduler)
        self.clocked = scheduler

    @property
    def should_run(self) -> bool:
        return self.next_run is not None and self.clocked.machine_now() >= self.next_run

    def run(self) -> Any:
        assert self.job_func is not None
        ret = self.job_func()
        self.last_run = self.clocked.machine_now()
        self._schedule_next_run()
        return ret

    def _schedule_next_run(self) -> None:
        if self.at_time is not None and self.unit == "days":
            self.next_run = self.clocked.next_daily(self.at_time, self.last_run)
        else:
            assert self.unit is not None
            self.next_run = self.clocked.machine_now() + _dt.timedelta(**{self.unit: self.interval})


class ClockedScheduler(schedule.Scheduler):
    """schedule's Scheduler on an injected clock (tests drive it through days) and the firm's timezone."""

    def __init__(self, clock: Clock, tz: _dt.tzinfo) -> None:
        super().__init__()
        self.clock, self.tz = clock, tz

    def machine_now(self) -> _dt.datetime:
        return self.clock().astimezone().replace(tzinfo=None)

    def every(self, interval: int = 1) -> ClockedJob:
        return ClockedJob(interval, self)

    @property
    def idle_seconds(self) -> float | None:
        nxt = self.get_next_run()
        return None if nxt is None else (nxt - self.machine_now()).total_seconds()

    def next_daily(self, at: _dt.time, last_run: _dt.datetime | None) -> _dt.datetime:
        now = self.clock().astimezone(self.tz)
        last_local_date = last_run.astimezone().astimezone(self.tz).date() if last_run else None
        day = now.date()
        while True:
            wall = _dt.datetime.combine(day, at, tzinfo=self.tz)
            instant = wall.astimezone(_dt.UTC).astimezone(self.tz)  # normalises a gap forward
            if instant > now and day != last_local_date:
                return instant.astimezone().replace(tzinfo=None)
            day += _dt.timedelta(days=1)


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
        self.tz = self.settings.calendar().tz
        self.scheduler = ClockedScheduler(self.clock, self.tz)

    # ------------------------------------------------------------ setup
    def setup(self) -> None:
        s = self.settings.schedule
        tzname = self.settings.firm.timezone
        self.scheduler.every().day.at(s.nightly_at, tzname).do(self._guarded, "nightly", 0).tag("nightly")
        if self.deliver is not None:
            for slot in s.delivery_slots:
                self.scheduler.every().day.at(slot, tzname).do(self._guarded, "delivery", 0).tag("delivery")

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
        if runs.completed_since(self.store, "nightly", due):
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
            runs.record_failure(self.store, f"{job}-error", self.local_today(), self.clock(),
                                f"{type(exc).__name__}: {exc}")
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
        runs.beat(self.store, self.clock(), {"next_run": nxt.isoformat() if nxt else None,
                                             "jobs": len(self.scheduler.get_jobs())})

    def run_pending(self) -> None:
        self.scheduler.run_pending()

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
