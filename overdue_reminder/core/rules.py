"""The firm's legal gates as pure functions: facts in, a decision with a plain-language reason out.

A service reads the facts (notices on file, matters before a court, the client's address) from the store and
asks here; nothing in this module reads a table, a file or the clock (`today` is a parameter), so every rule
is tested on its own and has exactly one home.

Shape shared by every gate: the facts are small frozen values, the answer is a `Gate` (allowed + reason).
The clearance of an outgoing item at its exit (`core.clearance.clear(item, facts, actor, today, wording)`)
follows the same pattern and can take a gate's refusal as one of its reasons: e.g. a refer-to-suit letter's
release reads `ServedNotice`s with the other facts and adds `suit_gate(...).reason` when it is not allowed.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from overdue_reminder.config import Settings

WITHDRAWAL_WARNING = "withdrawal_warning"
REFER_TO_SUIT = "refer_to_suit"
NO_POSTAL_ADDRESS = "no_postal_address"
BEFORE_COURT = "before_court:"  # flag prefix; the matter reference follows


@dataclass(frozen=True)
class Gate:
    """Whether something may go ahead, and why (or why not) in words a clerk can act on."""

    allowed: bool
    reason: str


@dataclass(frozen=True)
class SuitGate(Gate):
    """Whether refer-to-suit may go ahead for a client today, and why not."""

    served_on: date | None = None


@dataclass(frozen=True)
class ServedNotice:
    """A notice on file for the client (LAW.md #9): what kind, when and how it was served."""

    kind: str
    served_on: date
    method: str


# ---------------------------------------------------------------- refer-to-suit (LAW.md #9)
def suit_gate(settings: Settings, notices: Iterable[ServedNotice], today: date, jurisdiction: str = "") -> SuitGate:
    """Refer-to-suit is allowed once a qualifying notice was served and the waiting period has passed.

    `notices` are the client's notices on file, oldest first; the first qualifying one starts the wait.
    """
    code = (jurisdiction or settings.firm.jurisdiction).upper()
    j = settings.letters.jurisdiction(code) if code else None
    if j is not None and not j.notice_required:
        return SuitGate(True, f"{code} requires no fee-arbitration notice (letters.jurisdictions.{code}).")
    found = list(notices)
    kind = j.notice_kind if j is not None else ""
    methods = list(j.service_methods) if j is not None else []
    qualifying = [n for n in found if (not kind or n.kind == kind) and (not methods or n.method in methods)]
    wait = settings.letters.waiting_days(code)
    what = f"a {kind} notice" if kind else "a fee-arbitration notice"
    how = f" served by {' or '.join(methods)}" if methods else ""
    if not qualifying:
        other = f" ({len(found)} other notice(s) on file do not qualify)" if found else ""
        return SuitGate(False, f"refer-to-suit needs {what}{how} recorded as served{other}; record it with "
                               "'overdue-reminder letters notice' (rule: Fee arbitration before suit).")
    first = qualifying[0]
    ends = first.served_on + timedelta(days=wait)
    if today < ends:
        return SuitGate(False, f"{what} was served on {first.served_on}; the {wait}-day waiting period ends on "
                               f"{ends} (rule: Fee arbitration before suit).", first.served_on)
    return SuitGate(True, f"{what} served on {first.served_on}; waiting period of {wait} days passed on {ends}.",
                    first.served_on)


def needs_suit_gate(kind: str) -> bool:
    return kind == REFER_TO_SUIT


# ---------------------------------------------------------------- withdrawal and matters before a court (LAW.md #11)
def court_matters_to_name(kind: str, before_court: Sequence[str]) -> tuple[str, ...]:
    """The matters a letter must name as pending before a court: only a withdrawal warning names them, since
    withdrawing from a matter before a court needs the court's permission."""
    return tuple(before_court) if kind == WITHDRAWAL_WARNING else ()


def letter_flags(kind: str, before_court: Sequence[str], has_postal_address: bool) -> tuple[str, ...]:
    """What the reviewing attorney must see on a new letter: each matter before a court (withdrawal warnings
    only), and a client without a postal address (the letter cannot be mailed as is)."""
    flags = [f"{BEFORE_COURT}{ref}" for ref in court_matters_to_name(kind, before_court)]
    if not has_postal_address:
        flags.append(NO_POSTAL_ADDRESS)
    return tuple(flags)


# How a withdrawal warning says that withdrawing needs the court's leave, in each shipped language.
COURT_LEAVE_WORDS = ("court's permission", "court's leave", "leave of court", "leave of the court",
                     "permission of the court", "court's approval", "法院许可", "法院的许可", "法院准许", "法院批准")


def _fold(text: str) -> str:
    folded = unicodedata.normalize("NFKC", text).replace("\u2019", "'").casefold()
    return " ".join(folded.split())


def court_leave_missing(kind: str, text: str, before_court: Iterable[str]) -> list[str]:
    """The matters before a court a withdrawal warning does not name as needing the court's leave (LAW.md #11):
    every such matter's reference must appear, and the letter must say that withdrawal needs the court's leave."""
    refs = sorted(set(before_court))
    if kind != WITHDRAWAL_WARNING or not refs:
        return []
    seen = _fold(text)
    if not any(w in seen for w in COURT_LEAVE_WORDS):
        return refs
    return [r for r in refs if _fold(r) not in seen]


def court_flags(flags: Iterable[str]) -> list[str]:
    """The matter references a letter's flags mark as before a court."""
    return [f[len(BEFORE_COURT):] for f in flags if f.startswith(BEFORE_COURT)]


__all__ = [
    "BEFORE_COURT", "COURT_LEAVE_WORDS", "NO_POSTAL_ADDRESS", "REFER_TO_SUIT", "WITHDRAWAL_WARNING", "Gate",
    "ServedNotice", "SuitGate", "court_flags", "court_leave_missing", "court_matters_to_name", "letter_flags",
    "needs_suit_gate", "suit_gate",
]
