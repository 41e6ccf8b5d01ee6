"""`run` tells the truth about undelivered work (issue 12): "done with problems" and exit 6, with each problem.

End to end against the sandbox Odoo and a real SMTP port: first nothing listens there (delivery stops, the
digest cannot go), then a real SMTP server does and the next pass delivers what waited.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from datetime import UTC, datetime
from email import message_from_bytes
from pathlib import Path
from typing import Any

import actors
import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import func, select

from overdue_reminder import config
from overdue_reminder.cli import main
from overdue_reminder.cli.demo_cmd import write_demo_config
from overdue_reminder.errors import EXIT_OK, EXIT_SKIPPED, EXIT_UNDELIVERED
from overdue_reminder.run import outcome
from overdue_reminder.sandbox.harness import RunningSandbox
from overdue_reminder.services import reminders as drafts
from overdue_reminder.store import Store
from overdue_reminder.store.schema import reminders, service_runs

TODAY = "2026-11-28"


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Keep:
    def __init__(self) -> None:
        self.received: list[bytes] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.received.append(bytes(envelope.original_content))
        return "250 2.0.0 queued"


def smtp_desk(tmp_path: Path, sandbox: RunningSandbox, store_url: str, port: int) -> config.Settings:
    s = sandbox.odoo_settings()
    cfg = write_demo_config(tmp_path, sandbox.server.port, s.database, s.login)
    text = cfg.read_text().replace('[store]\npath = "overdue-reminder.db"', f'[store]\nurl = "{store_url}"')
    assert 'mode = "outbox"' in text
    text = text.replace('mode = "outbox"', f'mode = "smtp"\nsmtp_host = "127.0.0.1"\nsmtp_port = {port}\n'
                                           'smtp_security = "none"\nsmtp_timeout = 3', 1)
    cfg.write_text(text)
    return config.load(str(cfg))


def run_json(capsys: pytest.CaptureFixture[str], settings: config.Settings) -> tuple[int, dict[str, Any]]:
    with pytest.raises(SystemExit) as done:
        main(["--config", settings.config_path, "--json", "run", "--date", TODAY])
    out = capsys.readouterr().out
    return int(done.value.code or 0), json.loads(out)


def by_status(store: Store) -> dict[str, int]:
    with store.begin() as conn:
        return {s: int(n) for s, n in conn.execute(select(reminders.c.status, func.count())
                                                   .group_by(reminders.c.status))}


@pytest.fixture
def port() -> int:
    return closed_port()


@pytest.fixture
def settings(tmp_path: Path, sandbox: RunningSandbox, store_url: str, port: int) -> Iterator[config.Settings]:
    yield smtp_desk(tmp_path, sandbox, store_url, port)


def approve_drafts(store: Store, settings: config.Settings) -> int:
    """Billing staff approve the night's drafts (the demo firm auto-sends none)."""
    waiting = drafts.list_reminders(store, statuses=(drafts.DRAFT,), limit=100_000)
    actors.approve_drafts(store, waiting, datetime.now(UTC), clerk="clerk", partner_name="partner@firm.example",
                          settings=settings)
    return len(waiting)


def test_smtp_down_is_done_with_problems_and_exit_6_then_the_next_pass_delivers(
        capsys: pytest.CaptureFixture[str], settings: config.Settings, store: Store, port: int) -> None:
    code, out = run_json(capsys, settings)
    assert code == EXIT_UNDELIVERED == 6 and out["status"] == "done with problems"
    assert [p for p in out["problems"] if p.startswith("the morning digest was not sent")]
    assert approve_drafts(store, settings) > 0

    code, out = run_json(capsys, settings)
    assert code == EXIT_UNDELIVERED and out["status"] == "done with problems"
    stopped = [p for p in out["problems"] if p.startswith("delivery stopped")]
    assert stopped and f"cannot reach the SMTP server 127.0.0.1:{port}" in stopped[0]
    waiting = by_status(store)
    assert waiting.get("approved", 0) > 0 and waiting.get("sent", 0) == 0  # nothing lost: still approved
    with store.begin() as conn:
        runs = conn.execute(select(service_runs.c.job, service_runs.c.status, service_runs.c.counts,
                                   service_runs.c.error).order_by(service_runs.c.id)).all()
    assert [(r.job, r.status) for r in runs] == [("nightly", "ok"), ("digest", "failed"),
                                                  ("nightly", "done with problems"), ("digest", "failed")]
    assert runs[2].counts["problems"] == [p for p in out["problems"] if not p.startswith("the morning digest")]
    assert "Connection refused" in runs[3].error

    keep = Keep()
    ctrl = Controller(keep, hostname="127.0.0.1", port=port)
    ctrl.start()
    try:
        code, out = run_json(capsys, settings)
    finally:
        ctrl.stop()
    assert out["problems"] == [] and code == outcome.exit_code(out["status"], out["skipped_records"])
    assert code in (EXIT_OK, EXIT_SKIPPED) and out["status"] in ("ok", "partial")
    after = by_status(store)
    assert after.get("sent", 0) == waiting["approved"] and after.get("approved", 0) == 0
    subjects = [str(message_from_bytes(m)["Subject"]) for m in keep.received]
    assert len(subjects) == waiting["approved"] + 1 and any("collections desk" in s for s in subjects)


@pytest.mark.parametrize(("steps", "expected"), [
    ({"deliver": {"sent": 3, "failed": 0, "unconfirmed": 0, "stopped": ""}}, []),
    ({"deliver": {"stopped": "cannot reach the SMTP server x:25"}}, ["delivery stopped: cannot reach the SMTP server x:25"]),
    ({"deliver": {"failed": 2, "unconfirmed": 1, "unconfirmed_from_earlier_runs": [4, 5]}},
     ["2 reminder(s) failed", "1 reminder(s) unconfirmed", "2 reminder(s) from an earlier run unconfirmed"]),
    ({"letters": {"queued": 1, "refused": 1, "refused_why": ["no notice served"]}}, ["1 letter(s) refused: no notice served"]),
    ({"letters": {"blocked": 2}, "drafts": {"blocked": 1}}, ["2 letter(s) blocked", "drafts: 1 item(s) blocked"]),
    ({"digest": {"sent": 0, "error": "cannot reach"}}, ["the morning digest was not sent: cannot reach"]),
    ({"deliver": {"cancelled": 4, "requeued": 0}}, []),  # paid meanwhile: the right outcome, not a problem
])
def test_problems_name_each_undelivered_piece(steps: dict[str, dict[str, Any]], expected: list[str]) -> None:
    assert outcome.problems(steps) == expected


def test_status_and_exit_code() -> None:
    assert (outcome.status(0, []), outcome.status(3, []), outcome.status(3, ["x"])) == ("ok", "partial",
                                                                                    "done with problems")
    assert outcome.exit_code("ok", 0) == 0 and outcome.exit_code("partial", 2) == 1
    assert outcome.exit_code("done with problems", 2) == 6 and outcome.exit_code("stopped", 2) == 0
