"""The documented exit codes for the faults of an unlucky night, through the real CLI in a subprocess:
one clear line on stderr naming what failed (no traceback unless -vv), and nothing lost."""

from __future__ import annotations

import os
import resource
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from overdue_reminder.cli.demo_cmd import write_demo_config
from overdue_reminder.sandbox.harness import RunningSandbox

TODAY = date(2026, 11, 28)


def cli(cfg: Path, *args: str, fsize: int | None = None) -> subprocess.CompletedProcess[str]:
    def limit() -> None:  # Python ignores SIGXFSZ: a write past the limit fails with EFBIG, as on a full disk
        if fsize is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, fsize))

    return subprocess.run([sys.executable, "-m", "overdue_reminder", "--config", str(cfg), *args],
                          capture_output=True, text=True, timeout=300, env={**os.environ, "COLUMNS": "200"},
                          preexec_fn=limit)


@pytest.fixture
def cfg(tmp_path: Path, sandbox: RunningSandbox) -> Path:
    s = sandbox.odoo_settings()
    return write_demo_config(tmp_path / "desk", sandbox.server.port, s.database, s.login)


def run(cfg: Path, **kw: int) -> subprocess.CompletedProcess[str]:
    return cli(cfg, "run", "--date", TODAY.isoformat(), **kw)


def one_line(r: subprocess.CompletedProcess[str]) -> str:
    assert "Traceback" not in r.stderr, r.stderr
    errors = [ln for ln in r.stderr.splitlines() if ln.startswith("error:")]
    assert len(errors) == 1, r.stderr
    return errors[0]


def open_invoices(db: Path, *, frozen: bool = False) -> int:
    target, uri = (f"file:{db}?immutable=1", True) if frozen else (str(db), False)
    with sqlite3.connect(target, uri=uri) as conn:
        assert conn.execute("pragma integrity_check").fetchone()[0] == "ok"
        return int(conn.execute("select count(*) from invoices where is_open").fetchone()[0])


def test_a_missing_trust_account_is_a_configuration_error_config_check_catches(cfg: Path) -> None:
    cfg.write_text(cfg.read_text().replace('trust_account_code = "2150"', 'trust_account_code = "9999"'))
    check = cli(cfg, "config", "check")
    assert check.returncode == 2, check.stderr
    line = one_line(check)
    assert "'9999'" in line and "odoo.trust_account_code" in line
    r = run(cfg)
    assert r.returncode == 2 and "odoo.trust_account_code" in one_line(r)


def test_a_corrupt_store_is_named_and_left_as_it_was(cfg: Path) -> None:
    db = cfg.parent / "overdue-reminder.db"
    db.write_bytes(b"this is not a database" * 100)
    r = run(cfg)
    assert r.returncode == 2, r.stderr
    line = one_line(r)
    assert str(db) in line and "cannot be opened" in line
    assert db.read_bytes() == b"this is not a database" * 100


@pytest.fixture
def readonly_dir(tmp_path: Path) -> Iterator[Path]:
    """A folder nobody may write: a read-only tmpfs when we are root (root ignores file modes), else chmod."""
    where = tmp_path / "ro"
    where.mkdir()
    mounted = os.geteuid() == 0 and shutil.which("mount") is not None and subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(where)], capture_output=True).returncode == 0
    if os.geteuid() == 0 and not mounted:
        pytest.skip("running as root without mount: no way to make a folder read-only")
    try:
        yield where
    finally:
        if mounted:
            subprocess.run(["umount", "-l", str(where)], check=False)
        else:
            where.chmod(0o700)


def _freeze(folder: Path) -> None:
    if os.geteuid() == 0:
        subprocess.run(["mount", "-o", "remount,ro", str(folder)], check=True)
    else:
        for p in folder.iterdir():
            p.chmod(0o444)
        folder.chmod(0o555)


def test_a_read_only_store_is_a_clear_failure_and_nothing_is_lost(cfg: Path, readonly_dir: Path) -> None:
    assert run(cfg).returncode == 1  # a first night fills the store (the sandbox's bad records: exit 1)
    db = cfg.parent / "overdue-reminder.db"
    before = open_invoices(db)
    shutil.copy(db, readonly_dir / "store.db")
    _freeze(readonly_dir)
    cfg.write_text(cfg.read_text().replace('path = "overdue-reminder.db"', f'path = "{readonly_dir / "store.db"}"'))
    r = run(cfg)
    assert r.returncode == 2, r.stderr
    line = one_line(r)
    assert str(readonly_dir / "store.db") in line and "cannot be written (read-only)" in line, line
    assert open_invoices(readonly_dir / "store.db", frozen=True) == before


def test_a_full_disk_ends_with_exit_5_naming_the_store_and_the_next_night_completes(cfg: Path) -> None:
    db = cfg.parent / "overdue-reminder.db"
    assert cli(cfg, "db", "upgrade").returncode == 0  # an empty store at the latest schema
    room = db.stat().st_size + 64_000  # the first sync needs far more than 64 KB more
    r = run(cfg, fsize=room)
    assert r.returncode == 5, r.stderr
    line = one_line(r)
    assert "error: unexpected: the store failed:" in line and str(db) in line, line
    r = cli(cfg, "-vv", "run", "--date", TODAY.isoformat(), fsize=room)
    assert r.returncode == 5 and "Traceback" in r.stderr  # the traceback is there at debug level
    again = run(cfg)
    assert again.returncode == 0, again.stderr  # done: the sync had finished, tonight's drafts are made now
    assert open_invoices(db) > 0
    with sqlite3.connect(db) as conn:
        assert conn.execute("select count(*) from reminders").fetchone()[0] > 0


def test_a_csv_export_that_is_not_utf8_names_the_file(tmp_path: Path, cfg: Path) -> None:
    inv, cl = tmp_path / "invoices.csv", tmp_path / "clients.csv"
    cl.write_text("id,name,email\n1,Acme,ap@acme.example\n", encoding="utf-8")
    inv.write_bytes(b"id,number,type,client_id,matter_ref,currency,amount_total,amount_residual,due_date,status\n"
                    b"1,Soci\xe9t\xe9,invoice,1,M,USD,10,10,2026-10-01,open\n")
    text = cfg.read_text().replace('source = "odoo"', 'source = "files"')
    cfg.write_text(text + f'\n[files]\ninvoices_csv = "{inv}"\nclients_csv = "{cl}"\n')
    r = run(cfg)
    assert r.returncode == 2, r.stderr
    line = one_line(r)
    assert str(inv) in line and "not UTF-8 (line 2" in line
