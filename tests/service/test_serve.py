"""`overdue-reminder serve` as systemd runs it: catches up the missed night on start, beats, and
stops cleanly on SIGTERM."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import select

from overdue_reminder import config
from overdue_reminder.cli.demo_cmd import write_demo_config
from overdue_reminder.sandbox.harness import RunningSandbox
from overdue_reminder.store import Store
from overdue_reminder.store.schema import heartbeat, service_runs


def test_serve_catches_up_beats_and_stops_on_sigterm(tmp_path: Path, sandbox: RunningSandbox) -> None:
    s = sandbox.odoo_settings()
    cfg = write_demo_config(tmp_path, sandbox.server.port, s.database, s.login)
    cfg.write_text(cfg.read_text() + '\n[schedule]\nnightly_at = "02:00"\nheartbeat_seconds = 1\n')
    settings = config.load(str(cfg))
    proc = subprocess.Popen([sys.executable, "-m", "overdue_reminder", "--config", str(cfg), "serve"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "COLUMNS": "200"})
    store = Store(settings.store_url)
    try:
        deadline = time.monotonic() + 90
        beat = None
        while time.monotonic() < deadline and beat is None:  # wait for the catch-up run and the first beat
            if proc.poll() is not None:
                break
            try:
                with store.begin() as conn:
                    beat = conn.execute(select(heartbeat)).first()
            except Exception:  # the service may still be creating the store
                beat = None
            if beat is None:
                time.sleep(0.2)
        assert beat is not None, proc.stderr.read() if proc.poll() is not None else "no heartbeat"
        proc.send_signal(signal.SIGTERM)
        _out, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err
        with store.begin() as conn:
            runs = conn.execute(select(service_runs.c.job, service_runs.c.status)).all()
        assert ("nightly", "ok") in [(r.job, r.status) for r in runs]  # the missed night, caught up once
        assert beat.detail["next_run"] and "02:00" in beat.detail["next_run"]
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        store.dispose()
