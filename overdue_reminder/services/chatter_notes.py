"""Chatter notes for sent reminders, posted in batches: one Odoo call for many reminders, not one each.

Each reminder's note is the same text on each of its invoices. The batch is flushed every `size` reminders
and when the send run ends, and each reminder's audit entry says whether its note was posted. A writer
without `post_notes` (a plain NoteWriter) gets one call per reminder, as before.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime
from html import escape
from typing import Protocol

from overdue_reminder.services.reminders import Reminder
from overdue_reminder.sources.odoo_writeback import OdooNote
from overdue_reminder.store import Store, record_audit

log = logging.getLogger(__name__)


class NoteWriter(Protocol):
    def post_note(self, invoice_ids: Sequence[int], html: str) -> None: ...


class BatchNoteWriter(NoteWriter, Protocol):
    def post_notes(self, notes: Sequence[OdooNote]) -> list[int]: ...


def note_html(r: Reminder, now: datetime) -> str:
    return (f"<p>Payment reminder ({escape(r.tier)}) emailed to {escape(r.to_address)} on "
            f"{now:%Y-%m-%d %H:%M} UTC; reference {escape(r.reference)}, Message-ID {escape(r.message_id)}.</p>")


class ChatterNotes:
    """Collects sent reminders and posts their notes in batches (see the module doc)."""

    def __init__(self, store: Store, writer: NoteWriter, now: datetime, actor: str, size: int = 200) -> None:
        self.store, self.writer, self.now, self.actor, self.size = store, writer, now, actor, size
        self.pending: list[Reminder] = []

    def add(self, r: Reminder) -> None:
        self.pending.append(r)
        if len(self.pending) >= self.size:
            self.flush()

    def flush(self) -> None:
        batch, self.pending = self.pending, []
        if not batch:
            return
        post_notes = getattr(self.writer, "post_notes", None)
        if callable(post_notes):
            notes = [OdooNote("account.move", int(i), note_html(r, self.now)) for r in batch for i in r.invoice_ids]
            try:
                post_notes(notes)
            except Exception as exc:
                self._record(batch, exc)
                return
            self._record(batch, None)
            return
        for r in batch:
            try:
                self.writer.post_note(list(r.invoice_ids), note_html(r, self.now))
            except Exception as exc:
                self._record([r], exc)
                continue
            self._record([r], None)

    def _record(self, batch: list[Reminder], exc: Exception | None) -> None:
        with self.store.begin() as conn:
            for r in batch:
                if exc is None:
                    record_audit(conn, self.actor, "reminder.note_posted", "reminder", r.id,
                                 {"invoice_ids": list(r.invoice_ids)}, at=self.now)
                else:
                    log.warning("reminder #%s: chatter note not posted: %s", r.id, exc)
                    record_audit(conn, self.actor, "reminder.note_failed", "reminder", r.id, {"error": str(exc)},
                                 at=self.now)
