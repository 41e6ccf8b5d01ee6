"""A night's letters written back to Odoo in a few batched calls: one attachment per letter, notes, activities.

Each letter's draft is attached once, to its first invoice; a note on every invoice of the letter says it
awaits review and links to that one file (the first invoice's note carries it). The review to-do goes to the
assigned attorney on the first invoice. Three stages, each one call per batch for all letters; a stage that
fails stops the later ones and is reported per letter, so a re-run finishes what is missing and adds nothing
twice (a letter with an attachment id gets no second file).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from html import escape
from typing import Any, Protocol

from overdue_reminder.core.rules import court_flags
from overdue_reminder.errors import OverdueReminderError
from overdue_reminder.sources.odoo_writeback import OdooActivity, OdooFile, OdooNote

ACTIVITY_SUMMARY = "Review escalation letter"


class LetterWriteBack(Protocol):
    """The slice of the Odoo connector letters use (OdooSource implements it)."""

    def attach_files(self, files: Sequence[OdooFile]) -> list[int]: ...

    def post_notes(self, notes: Sequence[OdooNote]) -> list[int]: ...

    def create_activities(self, items: Sequence[OdooActivity]) -> list[int]: ...

    def close_activity(self, activity_id: int, feedback: str) -> None: ...


@dataclass(frozen=True)
class LetterPost:
    """What one letter still needs in Odoo."""

    letter_id: int
    kind: str
    invoice_ids: tuple[int, ...]
    attachment_id: int | None  # already attached (a re-run skips the file and its notes)
    activity_id: int | None
    attorney_id: int | None
    read_file: Callable[[], bytes]
    activity_note: str
    deadline: date
    mimetype: str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

    @property
    def anchor(self) -> int:
        return self.invoice_ids[0]

    @property
    def filename(self) -> str:
        return f"letter-{self.letter_id}-{self.kind}.docx"


@dataclass
class Posted:
    letter_id: int
    attachment_id: int | None
    activity_id: int | None
    error: str = ""


def link_note(letter_id: int, kind: str, filename: str, attachment_id: int, *, final: bool = False) -> str:
    what = "approved" if final else "draft"
    label = kind.replace("_", " ")
    return (f"<p>Escalation letter {letter_id} ({escape(label)}, {what}): "
            f"<a href=\"/web/content/{attachment_id}?download=true\">{escape(filename)}</a>"
            f"{'' if final else ' awaits the attorney' + chr(39) + 's review in overdue-reminder'}.</p>")


def write_back(wb: LetterWriteBack, posts: Sequence[LetterPost]) -> list[Posted]:
    """Attach, note and assign for every letter in `posts`; never raises for Odoo's or the file's errors."""
    out = {p.letter_id: Posted(p.letter_id, p.attachment_id, p.activity_id) for p in posts}
    stage = "attachment"
    try:
        to_attach = [p for p in posts if p.attachment_id is None]
        files = [OdooFile("account.move", p.anchor, p.filename, p.read_file(), p.mimetype) for p in to_attach]
        for p, aid in zip(to_attach, wb.attach_files(files), strict=True):
            out[p.letter_id].attachment_id = aid
        stage = "note"
        notes = [OdooNote("account.move", inv, link_note(p.letter_id, p.kind, p.filename, att),
                          (att,) if inv == p.anchor else ())
                 for p in to_attach if (att := out[p.letter_id].attachment_id) is not None for inv in p.invoice_ids]
        wb.post_notes(notes)
        stage = "activity"
        to_assign = [p for p in posts if p.activity_id is None and p.attorney_id is not None]
        items = [OdooActivity("account.move", p.anchor, p.attorney_id, ACTIVITY_SUMMARY, p.activity_note,
                              p.deadline) for p in to_assign if p.attorney_id is not None]
        for p, act in zip(to_assign, wb.create_activities(items), strict=True):
            out[p.letter_id].activity_id = act
    except (OverdueReminderError, OSError) as exc:
        for posted in out.values():
            posted.error = f"{stage}: {exc}"
    return list(out.values())


def activity_note(letter: Any) -> str:
    """The attorney's to-do text for a letter awaiting review (services.letters.Letter)."""
    totals = ", ".join(f"{v:,} {c}" for c, v in letter.totals.items())
    parts = [f"Letter {letter.id} ({letter.kind}) awaits your review in overdue-reminder: "
             f"overdue-reminder letters show {letter.id}. Amount due: {totals}."]
    if letter.matter_refs:
        parts.append(f"Matters: {', '.join(letter.matter_refs)}.")
    court = court_flags(letter.flags)
    if court:
        parts.append(f"Before a court: {', '.join(court)}: withdrawal needs the court's permission.")
    return " ".join(parts)
