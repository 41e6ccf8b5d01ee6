"""The CLI as billing staff and cron use it: real processes, exit codes, tables and JSON."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import click
from alembic.script import ScriptDirectory
from click.testing import CliRunner
from sqlalchemy import select

from overdue_reminder import config
from overdue_reminder.cli import cli
from overdue_reminder.cli.demo_cmd import write_demo_config
from overdue_reminder.sandbox.harness import RunningSandbox
from overdue_reminder.services.letters import audit_trail, list_letters
from overdue_reminder.store import Store
from overdue_reminder.store.db import MIGRATIONS
from overdue_reminder.store.schema import audit

EXE = [sys.executable, "-m", "overdue_reminder"]


def run(args: list[str], cwd: Path, env: dict[str, str] | None = None,
        timeout: float = 120) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, "COLUMNS": "200", **(env or {})}
    full_env.pop("OVERDUE_REMINDER_CONFIG", None)
    return subprocess.run([*EXE, *args], cwd=cwd, env=full_env, capture_output=True, text=True, timeout=timeout)


def _walk(group: click.Group, path: list[str]) -> list[list[str]]:
    out = [path]
    for name, cmd in group.commands.items():
        if isinstance(cmd, click.Group):
            out += _walk(cmd, [*path, name])
        else:
            out.append([*path, name])
    return out


def test_help_on_every_command() -> None:
    runner = CliRunner()
    paths = _walk(cli, [])
    assert {"init", "config", "db", "sync", "aging", "demo"} <= {p[0] for p in paths if p}
    for path in paths:
        r = runner.invoke(cli, [*path, "--help"])
        assert r.exit_code == 0, (path, r.output)
        assert "Usage:" in r.output and len(r.output.split("Usage:")[1].strip()) > 20, path


def test_init_then_offline_check_then_upgrade(tmp_path: Path) -> None:
    assert run(["init"], tmp_path).returncode == 0
    assert (tmp_path / "overdue-reminder.toml").stat().st_mode & 0o077 == 0
    assert run(["init"], tmp_path).returncode == 2  # never overwrites silently
    r = run(["config", "check", "--offline"], tmp_path)
    assert r.returncode == 0 and "is valid" in r.stdout
    r = run(["--json", "db", "upgrade"], tmp_path)
    head = ScriptDirectory(str(MIGRATIONS)).get_current_head()
    assert head and r.returncode == 0 and json.loads(r.stdout)["to"] == head
    (tmp_path / "overdue-reminder.toml").write_text('[firm]\ntimezone = "Nowhere/Land"\n')
    r = run(["config", "check"], tmp_path)
    assert r.returncode == 2
    assert "overdue-reminder.toml: [firm.timezone]" in r.stderr and "Fix:" in r.stderr


def test_sync_aging_and_exit_codes_against_the_sandbox(tmp_path: Path, sandbox: RunningSandbox) -> None:
    s = sandbox.odoo_settings()
    cfg = write_demo_config(tmp_path, sandbox.server.port, s.database, s.login)
    cfg.write_text(cfg.read_text().replace("[odoo]\n", "[odoo]\nretries = 1\nbackoff_seconds = 0.05\n"))
    r = run(["--config", str(cfg), "config", "check"], tmp_path)
    assert r.returncode == 0, r.stderr
    assert "server 17.0" in r.stdout and "read account.move: ok" in r.stdout
    r = run(["--config", str(cfg), "--json", "sync"], tmp_path)
    assert r.returncode == 1  # done, with skipped records listed
    report = json.loads(r.stdout)
    assert report["kind"] == "full" and report["new"] > 100 and len(report["skipped"]) == 4
    r = run(["--config", str(cfg), "sync"], tmp_path)
    assert r.returncode == 0 and "incremental sync" in r.stdout
    r = run(["--config", str(cfg), "--json", "aging", "--by", "attorney"], tmp_path)
    rows = json.loads(r.stdout)["rows"]
    assert {row["currency"] for row in rows} <= {"USD", "EUR", "CNY"}
    assert all(set(row) >= {"current", "1-30", "31-60", "61-90", "90+", "total"} for row in rows)
    r = run(["--config", str(cfg), "aging", "--csv"], tmp_path)
    assert r.stdout.splitlines()[0] == "client,currency,invoices,current,1-30,31-60,61-90,90+,total"
    (tmp_path / "odoo.key").write_text("wrong-key")
    r = run(["--config", str(cfg), "sync"], tmp_path)
    assert r.returncode == 3 and "refused the login" in r.stderr
    assert "wrong-key" not in r.stderr + r.stdout  # secrets never printed
    sandbox.server.stop()
    (tmp_path / "odoo.key").write_text("admin-key")
    r = run(["--config", str(cfg), "sync"], tmp_path, env={})
    assert r.returncode == 3 and f"cannot connect to Odoo at 127.0.0.1:{sandbox.server.port}" in r.stderr


def _utc(at: datetime) -> datetime:
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)


def test_demo_runs_the_desk_and_starts_fresh_each_time(tmp_path: Path) -> None:
    """The default 45 nights, then a second demo in the same folder starts from nothing."""
    work = tmp_path / "demo"
    r = run(["--json", "demo", "--no-serve", "--dir", str(work), "--date", "2026-11-28"], tmp_path, timeout=600)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["nights_simulated"] == 45 and out["sent_before_today"] > 0
    assert out["tonight"]["status"] in ("ok", "partial") and out["web"] is None  # --no-serve: nothing left up
    assert {Path(p).name for p in out["sample_letters"]} == {"sample-letter-en_US.docx", "sample-letter-zh_CN.docx"}
    assert all(Path(p).exists() for p in out["outbox"]) and len(out["outbox"]) >= out["sent_before_today"]
    assert "overdue-reminder send --dry-run" not in out["next_commands"]  # it needs the sandbox, which stopped
    _audit_trail_reads_in_simulated_order(Path(out["config"]))
    r = run(["--json", "demo", "--no-serve", "--dir", str(work), "--date", "2026-11-28", "--days", "0"], tmp_path)
    assert r.returncode == 0, r.stderr
    again = json.loads(r.stdout)
    assert again["sent_before_today"] == 0 and len(again["outbox"]) < len(out["outbox"])
    store = Store(config.load(again["config"]).store_url)
    assert all(lt.run_date == date(2026, 11, 28) for lt in list_letters(store))  # the first demo's history is gone
    other = tmp_path / "mine"
    other.mkdir()
    (other / "notes.txt").write_text("keep me")
    r = run(["demo", "--dir", str(other)], tmp_path)
    assert r.returncode == 2 and (other / "notes.txt").exists()


def _audit_trail_reads_in_simulated_order(cfg: Path) -> None:
    """Every record of the simulated history is stamped at its simulated time, on the firm's clock: a
    letter is created at the nightly run, then approved at 11:00 New York time on a later or the same day."""
    tz = ZoneInfo("America/New_York")
    first = datetime(2026, 10, 14, 0, 0, tzinfo=tz)  # 45 nights before --date
    tonight = datetime(2026, 11, 28, 2, 0, tzinfo=tz)  # --date is not today: tonight's pass at schedule.nightly_at
    store = Store(config.load(str(cfg)).store_url)
    with store.begin() as conn:
        stamps = [_utc(at) for (at,) in conn.execute(select(audit.c.at))]
    assert len(stamps) > 100 and first <= min(stamps) and max(stamps) <= tonight  # no real-clock stamp leaked
    approved = 0
    for letter in list_letters(store):
        trail = audit_trail(store, letter.id)
        times = [_utc(e["at"]) for e in trail]
        assert times == sorted(times), (letter.id, trail)
        assert trail[0]["action"] == "letter.created" and times[0] == _utc(letter.created_at)
        for e in trail:
            if e["action"] == "letter.approved":
                approved += 1
                local = _utc(e["at"]).astimezone(tz)
                assert (local.hour, local.minute) == (11, 0) and _utc(e["at"]) > times[0]
    assert approved > 0
