"""The nightly pass records the offers its final-tier reminders carry, once (issue 12), against the sandbox."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from test_pipeline import NOON, TODAY, desk

from overdue_reminder import config
from overdue_reminder.run.pipeline import run_once
from overdue_reminder.run.wiring import make_source
from overdue_reminder.sandbox.harness import RunningSandbox
from overdue_reminder.store import Store
from overdue_reminder.store.schema import offers, reminders


def test_offers_carried_by_the_nights_reminders_are_recorded_once(tmp_path: Path, sandbox: RunningSandbox,
                                                                  store_url: str, store: Store) -> None:
    base = desk(tmp_path, sandbox, store_url)
    cfg = Path(base.config_path)  # a ladder whose first overdue step is the final tier, which carries an offer
    cfg.write_text(cfg.read_text() + '\n[[policy.tiers]]\nname = "final"\ndays = 1\noffer = true\n')
    settings = config.load(str(cfg))
    first = run_once(settings, store, lambda: make_source(settings), TODAY, now=lambda: NOON)
    recorded = first.steps["offers"]["offers_recorded"]
    assert recorded > 0 and first.steps["offers"]["not_recorded"] == 0
    with store.begin() as conn:
        rows = conn.execute(select(offers.c.origin, offers.c.status, offers.c.client_id)).all()
        carriers = {r.id: r.client_id for r in conn.execute(
            select(reminders.c.id, reminders.c.client_id).where(reminders.c.tier == "final"))}
    assert len(rows) == recorded and {r.status for r in rows} == {"proposed"}
    assert {int(r.origin.split(":")[1]): r.client_id for r in rows}.items() <= carriers.items()
    second = run_once(settings, store, lambda: make_source(settings), TODAY, now=lambda: NOON)
    assert second.steps["offers"]["offers_recorded"] == 0
    with store.begin() as conn:
        assert len(conn.execute(select(offers.c.id)).all()) == recorded
