"""Exactly once under SIGKILL: the sender dies at varied points, is restarted, and staff reconcile.

Each run is a fresh `.venv/bin/python crash_driver.py` process that kills itself at a point chosen by
the seeded random generator (before claiming, after `sending` is committed, half-way through SMTP
DATA or an outbox file, after the hand-over, after `sent`). The runs switch between SMTP (a real
aiosmtpd server on loopback) and the outbox at random, on one store. After every run: no reminder
has arrived twice (counted by Message-ID across the SMTP inbox and the outbox), everything `sent`
arrived exactly once, nothing still approved has arrived, and at most the one reminder in flight is
of unknown fate. When the approved ones run out, staff settle the unconfirmed ones the way the
reconcile command tells them to (search the mailbox for the Message-ID, or look for the .eml file).
At the end every reminder has arrived exactly once.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
from collections import Counter
from email.parser import BytesHeaderParser
from pathlib import Path

from reminder_factory import NOW, action, make_settings, plan, seed
from smtp_inbox import SmtpServer
from sqlalchemy import select

from overdue_reminder.services import delivery
from overdue_reminder.services import reminders as drafts
from overdue_reminder.store import Store
from overdue_reminder.store.schema import reminders

HERE = Path(__file__).resolve().parent
DRIVER = HERE / "crash_driver.py"
VENV_PYTHON = HERE.parent.parent / ".venv" / "bin" / "python"
PYTHON = str(VENV_PYTHON if VENV_PYTHON.exists() else Path(sys.executable))
KILLS = 52
REMINDERS = 140
STAGES = ["residuals", "claimed", "claimed", "midway", "midway", "handed", "handed", "recorded"]


_FILE_IDS: dict[Path, str] = {}


def _message_id(raw: bytes) -> str:
    return "".join(str(BytesHeaderParser().parsebytes(raw)["Message-ID"]).split())


def _delivered(server: SmtpServer, outbox: Path) -> Counter[str]:
    """How often each Message-ID arrived, over the SMTP inbox and the outbox's .eml files."""
    with server.inbox.lock:
        ids = Counter(_message_id(raw) for _, _, raw in server.inbox.received)
    if outbox.exists():
        for f in outbox.glob("*.eml"):
            if f not in _FILE_IDS:
                _FILE_IDS[f] = _message_id(f.read_bytes())
            ids[_FILE_IDS[f]] += 1
    return ids


def _statuses(store: Store) -> dict[str, str]:
    with store.begin() as conn:
        return {r.message_id: r.status for r in conn.execute(select(reminders.c.message_id, reminders.c.status))}


def _run(config: Path, crash_at: str) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "CRASH_AT": crash_at, "CRASH_NOW": NOW.isoformat(),
           "PYTHONPATH": os.pathsep.join([str(HERE.parent.parent), os.environ.get("PYTHONPATH", "")])}
    return subprocess.run([PYTHON, str(DRIVER), str(config)], env=env, capture_output=True, timeout=120,
                          check=False)


def _check(store: Store, server: SmtpServer, outbox: Path) -> dict[str, str]:
    got = _delivered(server, outbox)
    status = _statuses(store)
    assert set(got) <= set(status), "a message arrived that no reminder owns"
    twice = [m for m, c in got.items() if c > 1]
    assert not twice, f"delivered twice: {twice}"
    for mid, st in status.items():
        if st == drafts.SENT:
            assert got[mid] == 1, f"{mid} is recorded sent but did not arrive"
        elif st == drafts.APPROVED:
            assert got[mid] == 0, f"{mid} arrived but would be sent again"
        else:
            assert st in (drafts.SENDING, drafts.UNCONFIRMED), f"{mid} ended {st}"
    in_flight = [m for m, st in status.items() if st == drafts.SENDING]
    assert len(in_flight) <= 1, "more than the one reminder in flight is of unknown fate"
    return status


def _reconcile_like_staff(store: Store, config_settings: object, server: SmtpServer, outbox: Path) -> int:
    """Search the mailbox / outbox for each unconfirmed Message-ID and settle it accordingly."""
    got = _delivered(server, outbox)
    items = delivery.unconfirmed(store, config_settings, NOW, "clerk")  # type: ignore[arg-type]
    sent = [i.reminder.id for i in items if got[i.reminder.message_id]]
    resend = [i.reminder.id for i in items if not got[i.reminder.message_id]]
    delivery.settle(store, config_settings, NOW, "clerk", sent=sent, resend=resend)  # type: ignore[arg-type]
    return len(items)


def test_sigkill_at_varied_points_never_duplicates_or_loses(tmp_path: Path, smtp_server: SmtpServer) -> None:
    store_url = f"sqlite:///{tmp_path / 'store.db'}"
    outbox_dir = tmp_path / "outbox"
    smtp_cfg, outbox_cfg = tmp_path / "smtp", tmp_path / "box"
    smtp_cfg.mkdir()
    outbox_cfg.mkdir()
    smtp_settings = make_settings(smtp_cfg, store_url=store_url, mode="smtp", smtp_port=smtp_server.port,
                                  max_per_run=1000)
    make_settings(outbox_cfg, store_url=store_url, mode="outbox", max_per_run=1000)
    # both configurations share the one outbox folder
    for cfg in (smtp_cfg, outbox_cfg):
        p = cfg / "overdue-reminder.toml"
        p.write_text(p.read_text().replace('outbox_dir = "outbox"', f'outbox_dir = "{outbox_dir}"'))
    store = Store(store_url)
    store.upgrade()
    acts = [action(i, auto_send=True, language="zh_CN" if i % 3 == 0 else "en_US") for i in range(1, REMINDERS + 1)]
    seed(store, acts)
    assert drafts.draft_plan(store, smtp_settings, plan(*acts), NOW).count(drafts.APPROVED) == REMINDERS

    rng = random.Random(20260310)
    kills = runs = reconciled = 0
    stages_hit: Counter[str] = Counter()
    while kills < KILLS:
        stage = rng.choice(STAGES)
        n = 1 if stage == "residuals" else rng.randint(1, 3)
        cfg = rng.choice([smtp_cfg, outbox_cfg]) / "overdue-reminder.toml"
        proc = _run(cfg, f"{stage}:{n}")
        runs += 1
        if proc.returncode == -signal.SIGKILL:
            kills += 1
            stages_hit[stage] += 1
        else:
            assert proc.returncode == 0, proc.stderr.decode()
        after = _check(store, smtp_server, outbox_dir)
        if proc.returncode == -signal.SIGKILL and stage in ("claimed", "midway", "handed"):
            assert list(after.values()).count(drafts.SENDING) == 1
        if not any(st == drafts.APPROVED for st in after.values()):
            reconciled += _reconcile_like_staff(store, smtp_settings, smtp_server, outbox_dir)
            assert any(st == drafts.APPROVED for st in _statuses(store).values()) or \
                all(st == drafts.SENT for st in _statuses(store).values()), "reminders ran out before the kills"
        assert runs < KILLS * 3, "the kill points are not being reached"

    # restart without crashing until everything is settled
    for _ in range(5):
        proc = _run(smtp_cfg / "overdue-reminder.toml", "none:0")
        assert proc.returncode == 0, proc.stderr.decode()
        _check(store, smtp_server, outbox_dir)
        settled = _reconcile_like_staff(store, smtp_settings, smtp_server, outbox_dir)
        reconciled += settled
        if settled == 0:
            break
    final = _statuses(store)
    got = _delivered(smtp_server, outbox_dir)
    assert all(st == drafts.SENT for st in final.values()), Counter(final.values())
    assert len(final) == REMINDERS and all(got[mid] == 1 for mid in final)
    assert sum(got.values()) == REMINDERS
    assert kills >= 50 and set(stages_hit) == set(STAGES), stages_hit
    assert reconciled > 0
