"""What the demo runs once the sandbox is up: the desk's pipeline, then a tour of what it made."""

from __future__ import annotations

from datetime import date
from typing import Any

from overdue_reminder.cli.common import App
from overdue_reminder.cli.ledger_cmds import show_sync_report
from overdue_reminder.sources.factory import make_source
from overdue_reminder.sync import sync


def run_demo(app: App, today: date) -> dict[str, Any]:
    report = sync(app.store, make_source(app.settings))
    if not app.as_json:
        show_sync_report(app, report)
    return {"sync": report.as_dict()}
