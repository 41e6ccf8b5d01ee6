"""The `sent` marks of a send run, each committed with the next reminder's claim (one commit per email)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from overdue_reminder.services.chatter_notes import ChatterNotes
from overdue_reminder.services.reminders import SENT, Reminder, transition
from overdue_reminder.store import Store

Step = Callable[[str, Reminder], None]


@dataclass
class SentMarks:
    """Reminders the channel accepted whose `sent` mark is not yet committed.

    The mark rides on the next reminder's claim: one transaction records "#N sent" and "#N+1 sending"
    before #N+1 is handed over, so a night commits once per email, not twice. Exactly once holds: a
    crash before that commit leaves #N in `sending` (unconfirmed, as a crash right after any hand-over
    always did), and at most one reminder is ever in `sending`. The last one is recorded when the run ends.
    """

    mode: str
    actor: str
    now: datetime
    notes: ChatterNotes | None
    on_step: Step | None
    items: list[tuple[Reminder, str, dict[str, Any]]] = field(default_factory=list)

    def add(self, r: Reminder, ref: str, extra: dict[str, Any] | None = None) -> None:
        """`extra`: more audit detail for the `sent` entry (the statement of account that went with it)."""
        self.items.append((r, ref, extra or {}))

    def record(self, conn: Any) -> None:
        """Write the marks on `conn`; `committed` must follow once its transaction is through."""
        for r, ref, extra in self.items:
            transition(conn, r, SENT, self.actor, self.now, "reminder.sent", {"mode": self.mode, "ref": ref, **extra},
                       sent_at=self.now, delivery_ref=ref)

    def committed(self) -> None:
        done, self.items = self.items, []
        for r, _ref, _extra in done:
            if self.on_step:
                self.on_step("recorded", r)
            if self.notes is not None:
                self.notes.add(r)

    def flush(self, store: Store) -> None:
        if self.items:
            with store.begin() as conn:
                self.record(conn)
            self.committed()
