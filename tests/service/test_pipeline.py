"""The nightly pass against the sandbox: idempotent, locked, and clean under faults."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from overdue_reminder import config
from overdue_reminder.cli.demo_cmd import write_demo_config
from overdue_reminder.errors import LockedError, SourceError
from overdue_reminder.run.pipeline import run_once
from overdue_reminder.run.wiring import make_source
from overdue_reminder.sandbox.harness import RunningSandbox
from overdue_reminder.store import Store
from overdue_reminder.store.locks import run_lock
from overdue_reminder.store.schema import invoices, letters, reminders, service_runs, sync_state

TODAY = date(2026, 11, 28)
NOON = datetime(2026, 11, 28, 17, 0, tzinfo=UTC)  # 12:00 in New York: inside the send window


def desk(tmp_path: Path, sandbox: RunningSandbox, store_url: str) -> config.Settings:
    s = sandbox.odoo_settings()
    cfg = write_demo_config(tmp_path, sandbox.server.port, s.database, s.login)
    text = cfg.read_text().replace('[store]\npath = "overdue-reminder.db"', f'[store]\nurl = "{store_url}"')
    text = text.replace("[odoo]\n", "[odoo]\nretries = 1\nbackoff_seconds = 0.01\ntimeout_seconds = 2\n")
    cfg.write_text(text)
    return config.load(str(cfg))


@pytest.fixture
def settings(tmp_path: Path, sandbox: RunningSandbox, store_url: str) -> Iterator[config.Settings]:
    yield desk(tmp_path, sandbox, store_url)


def counts(store: Store) -> dict[str, int]:
    with store.begin() as conn:
        return {t.name: int(conn.execute(select(func.count()).select_from(t)).scalar() or 0)
                for t in (invoices, reminders, letters)}


def test_running_twice_on_the_same_day_adds_nothing(store: Store, settings: config.Settings) -> None:
    first = run_once(settings, store, lambda: make_source(settings), TODAY, now=lambda: NOON)
    assert first.status == "partial"  # the sandbox's bad records are skipped and listed
    assert first.steps["drafts"]["created"] > 0
    before = counts(store)
    outbox = sorted(settings.resolve("outbox").rglob("*.eml"))
    second = run_once(settings, store, lambda: make_source(settings), TODAY, now=lambda: NOON)
    assert second.steps["drafts"]["created"] == 0
    assert second.steps["sync"]["new"] == 0
    assert counts(store) == before
    assert sorted(settings.resolve("outbox").rglob("*.eml")) == outbox
    with store.begin() as conn:
        runs = conn.execute(select(service_runs.c.status).where(service_runs.c.job == "nightly")).scalars().all()
    assert list(runs) == ["ok", "ok"]


def test_dry_run_sends_and_writes_nothing(store: Store, settings: config.Settings) -> None:
    report = run_once(settings, store, lambda: make_source(settings), TODAY, now=lambda: NOON, dry_run=True)
    assert report.steps["drafts"]["dry_run"] is True and report.steps["drafts"]["created"] > 0
    assert counts(store)["reminders"] == 0
    assert not list(settings.resolve("outbox").rglob("*.eml"))


@pytest.mark.parametrize("fault", ["refuse", "timeout", "garbage"])
def test_faults_fail_cleanly_and_the_next_run_completes(store: Store, settings: config.Settings,
                                                        sandbox: RunningSandbox, fault: str) -> None:
    faults = sandbox.server.faults
    if fault == "refuse":
        faults.refuse()
    elif fault == "timeout":
        faults.delay(5.0, count=None, model="account.move")
    else:
        faults.garbage("truncated", nth=1, count=None, model="res.partner")
    with pytest.raises(SourceError):
        run_once(settings, store, lambda: make_source(settings), TODAY, now=lambda: NOON)
    with store.begin() as conn:
        failed = conn.execute(select(service_runs.c.status, service_runs.c.error)).one()
        wm = conn.execute(select(sync_state.c.phase).where(sync_state.c.model == "account.move")).scalar()
    assert failed.status == "failed" and failed.error
    c = counts(store)
    assert c["reminders"] == 0 and c["letters"] == 0  # nothing drafted from a half-read ledger
    if fault == "garbage":
        assert c["invoices"] > 0 and wm == "incremental"  # invoices committed with their watermark
    else:
        assert c["invoices"] == 0
    faults.clear()
    if fault == "refuse":
        faults.accept()
    report = run_once(settings, store, lambda: make_source(settings), TODAY, now=lambda: NOON)
    assert report.status in ("ok", "partial") and report.steps["drafts"]["created"] > 0


def test_a_second_concurrent_run_waits_for_nobody(store: Store, settings: config.Settings) -> None:
    with run_lock(store), pytest.raises(LockedError):
        run_once(settings, store, lambda: make_source(settings), TODAY, now=lambda: NOON)


def test_second_run_process_exits_4(store: Store, settings: config.Settings) -> None:
    env = {**os.environ, "COLUMNS": "200"}
    with run_lock(store):
        r = subprocess.run([sys.executable, "-m", "overdue_reminder", "--config", settings.config_path, "run",
                            "--date", TODAY.isoformat()], capture_output=True, text=True, timeout=120, env=env)
    assert r.returncode == 4, r.stderr
    assert "another run holds" in r.stderr
    settings2 = dataclasses.replace(settings)
    assert settings2.store_url == store.url
