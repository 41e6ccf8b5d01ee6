"""The scheduler driven through days by a controlled clock: no real waiting."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from overdue_reminder import config
from overdue_reminder.run.scheduler import NightlyService
from overdue_reminder.store import Store
from overdue_reminder.store.schema import heartbeat, service_runs

NY = ZoneInfo("America/New_York")


class FakeClock:
    def __init__(self, start: datetime) -> None:
        self.t = start

    def __call__(self) -> datetime:
        return self.t


def settings(nightly_at: str = "02:00", **schedule: object) -> config.Settings:
    s = config.parse('[firm]\ntimezone = "America/New_York"\n')
    return dataclasses.replace(s, schedule=dataclasses.replace(s.schedule, nightly_at=nightly_at, **schedule))


def record_ok(store: Store, run_date: date, at: datetime) -> None:
    with store.begin() as conn:
        conn.execute(service_runs.insert().values(job="nightly", run_date=run_date, started_at=at, finished_at=at,
                                                  status="ok", counts={}, error=""))


@pytest.fixture
def clock() -> Iterator[FakeClock]:
    yield FakeClock(datetime(2026, 11, 28, 12, 0, tzinfo=NY).astimezone(UTC))


def drive(svc: NightlyService, clock: FakeClock, until: datetime, step: timedelta = timedelta(minutes=5)) -> None:
    while clock.t < until:
        clock.t += step
        svc.run_pending()


def test_nightly_fires_at_the_configured_local_time(sqlite_store: Store, clock: FakeClock) -> None:
    fired: list[datetime] = []
    svc = NightlyService(settings("02:00"), sqlite_store, nightly=lambda d: fired.append(clock().astimezone(NY)),
                         clock=clock)
    svc.setup()
    assert svc.next_run() == datetime(2026, 11, 29, 2, 0, tzinfo=NY)
    drive(svc, clock, datetime(2026, 12, 1, 12, 0, tzinfo=NY))
    assert [(f.date(), f.hour) for f in fired] == [(date(2026, 11, 29), 2), (date(2026, 11, 30), 2),
                                                   (date(2026, 12, 1), 2)]
    assert all(f.minute < 5 for f in fired)
    svc.beat()
    with sqlite_store.begin() as conn:
        beat = conn.execute(heartbeat.select()).one()
    assert beat.detail["next_run"].startswith("2026-12-02T02:00")


def test_missed_night_caught_up_once_on_start(sqlite_store: Store, clock: FakeClock) -> None:
    record_ok(sqlite_store, date(2026, 11, 26), datetime(2026, 11, 26, 7, 0, tzinfo=UTC))
    runs: list[date] = []

    def nightly(d: date) -> None:
        runs.append(d)
        record_ok(sqlite_store, d, clock())

    svc = NightlyService(settings("02:00"), sqlite_store, nightly=nightly, clock=clock)
    svc.setup()
    assert svc.catch_up() is True
    assert svc.catch_up() is False  # once
    assert runs == [date(2026, 11, 28)]
    drive(svc, clock, datetime(2026, 11, 29, 3, 0, tzinfo=NY))
    assert runs == [date(2026, 11, 28), date(2026, 11, 29)]


def test_no_catch_up_when_last_night_ran(sqlite_store: Store, clock: FakeClock) -> None:
    record_ok(sqlite_store, date(2026, 11, 28), datetime(2026, 11, 28, 7, 0, tzinfo=UTC))
    svc = NightlyService(settings("02:00"), sqlite_store, nightly=lambda d: pytest.fail("ran"), clock=clock)
    assert svc.catch_up() is False


def test_failure_is_retried_with_backoff_then_succeeds(sqlite_store: Store, clock: FakeClock) -> None:
    calls: list[datetime] = []

    def nightly(d: date) -> None:
        calls.append(clock().astimezone(NY))
        if len(calls) < 3:
            raise RuntimeError("Odoo down")

    svc = NightlyService(settings("02:00", retries=3, retry_backoff_minutes=10), sqlite_store, nightly=nightly,
                         clock=clock)
    svc.setup()
    drive(svc, clock, datetime(2026, 11, 29, 6, 0, tzinfo=NY), step=timedelta(minutes=1))
    minutes = [round((c - calls[0]).total_seconds() / 60) for c in calls]
    assert minutes == [0, 10, 30]  # 10 min, then 20 more
    assert [o.ok for o in svc.history] == [False, False, True]
    with sqlite_store.begin() as conn:
        errors = conn.execute(service_runs.select().where(service_runs.c.job == "nightly-error")).all()
    assert len(errors) == 2 and "Odoo down" in errors[0].error


def test_a_job_that_always_fails_never_fires_in_a_tight_loop(sqlite_store: Store, clock: FakeClock) -> None:
    calls: list[datetime] = []

    def nightly(d: date) -> None:
        calls.append(clock())
        raise RuntimeError("broken")

    svc = NightlyService(settings("02:00", retries=2, retry_backoff_minutes=5), sqlite_store, nightly=nightly,
                         clock=clock)
    svc.setup()
    drive(svc, clock, datetime(2026, 11, 30, 12, 0, tzinfo=NY), step=timedelta(seconds=30))
    assert len(calls) == 6  # two nights, each: first try + 2 retries, then wait for the next night


@pytest.mark.parametrize("start, at, expect", [
    # spring forward: 02:30 does not exist on 2026-03-08 in New York; it runs once that day
    (datetime(2026, 3, 7, 12, 0, tzinfo=NY), "02:30", [date(2026, 3, 8), date(2026, 3, 9)]),
    # fall back: 01:30 happens twice on 2026-11-01; it runs once that day
    (datetime(2026, 10, 31, 12, 0, tzinfo=NY), "01:30", [date(2026, 11, 1), date(2026, 11, 2)]),
])
def test_daylight_saving_days_run_exactly_once(sqlite_store: Store, start: datetime, at: str,
                                               expect: list[date]) -> None:
    clock = FakeClock(start.astimezone(UTC))
    runs: list[date] = []
    svc = NightlyService(settings(at), sqlite_store, nightly=runs.append, clock=clock)
    svc.setup()
    drive(svc, clock, start + timedelta(days=2, hours=-4), step=timedelta(minutes=10))
    assert runs == expect
