"""What the demo runs once the sandbox is up: one nightly pass, sample letters, and a tour of the output."""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select

from overdue_reminder.cli.common import App
from overdue_reminder.store.schema import letters, reminders


def run_demo(app: App, today: date) -> dict[str, Any]:
    from overdue_reminder.cli.service_cmds import nightly_pass
    from overdue_reminder.letters import sample_letters
    from overdue_reminder.planning import plan_from_store

    s = app.settings
    out = nightly_pass(app, as_of=today.isoformat())
    plan = plan_from_store(app.store, s, today)
    samples = sample_letters(s, s.resolve("letters/samples"), today=today)
    with app.store.begin() as conn:
        drafted = Counter(r.status for r in conn.execute(select(reminders.c.status)))
        queued = [r.path for r in conn.execute(select(letters.c.path).order_by(letters.c.id))]
    outbox = sorted(p for p in s.resolve(s.delivery.outbox_dir).rglob("*.eml"))
    result = {"run": out, "drafts": dict(drafted), "outbox": [str(p) for p in outbox], "letters": queued,
              "sample_letters": [str(p) for p in samples]}
    if app.as_json:
        return result
    app.console.print(f"\nnightly pass for {today}: {out['status']}")
    tiers = Counter(a.tier for a in plan.actions)
    app.table("tonight's plan (overdue-reminder plan shows why, per client)", ["tier", "clients"],
              sorted(tiers.items()), right=["clients"])
    reasons = Counter(k.kind for k in plan.skipped)
    app.table("left alone tonight", ["reason", "clients"], sorted(reasons.items()), right=["clients"])
    app.table("reminders", ["status", "count"], sorted(drafted.items()), right=["count"])
    app.console.print(f"outbox: {len(outbox)} .eml files in {s.resolve(s.delivery.outbox_dir)}")
    app.console.print(f"escalation letters queued for attorney review: {len(queued)} in {s.resolve(s.letters.dir)}")
    for p in samples:
        app.console.print(f"sample letter: {p}")
    cfg = Path(s.config_path)
    app.console.print(f"\nnext: overdue-reminder --config {cfg} status | plan | drafts list | letters list")
    return result
