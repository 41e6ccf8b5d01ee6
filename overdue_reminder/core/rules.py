"""The firm's legal gates as pure functions: facts in, a decision with a plain-language reason out.

A service reads the facts (notices on file, matters before a court, the client's address) from the store and
asks here; nothing in this module reads a table, a file or the clock (`today` is a parameter), so every rule
is tested on its own and has exactly one home.

Shape shared by every gate: the facts are small frozen values, the answer is a `Gate` (allowed + reason).
The clearance of an outgoing item at its exit (`core.clearance.clear(item, facts, actor, today, wording)`)
follows the same pattern and takes a gate's refusal as one of its reasons: a refer-to-suit letter's approval
and release read `SuitFacts` (notices with the release date of the letter that carried each, an arbitration
request on record) with the other facts, and `judge_suit` decides (docs/rules.md, "Fee arbitration before suit").
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from overdue_reminder.config import Settings
from overdue_reminder.core.jurisdictions import law

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
    """A notice on file for the client (LAW.md #9): what kind, when and how it was served, and the day the
    letter carrying it was released (None: recorded without a released letter, so it proves no service)."""

    kind: str
    served_on: date
    method: str
    released_on: date | None = None


@dataclass(frozen=True)
class SuitRule:
    """What refer-to-suit waits on in one jurisdiction (configuration checked against core.jurisdictions)."""

    code: str
    notice_required: bool
    kind: str = ""  # "" : any fee-arbitration notice
    methods: tuple[str, ...] = ()  # () : any method
    waiting_days: int = 30


@dataclass(frozen=True)
class SuitFacts:
    """The facts of the moment for the suit gate: the rule, the notices on file, a recorded arbitration request."""

    rule: SuitRule
    notices: tuple[ServedNotice, ...] = ()
    arbitration_requested: bool = False


RULE = "rule: Fee arbitration before suit"


def suit_rule(settings: Settings, jurisdiction: str = "") -> SuitRule:
    """The configured rule, never laxer than the law (a notice the law requires stays required)."""
    code = (jurisdiction or settings.firm.jurisdiction).upper()
    j = settings.letters.jurisdiction(code) if code else None
    lw = law(code)
    required = (j is None or j.notice_required) or bool(lw and lw.notice_required)
    wait = max(settings.letters.waiting_days(code), lw.waiting_days if lw and lw.notice_required else 0)
    return SuitRule(code, required, j.notice_kind if j is not None else "",
                    tuple(j.service_methods) if j is not None else (), wait)


def counts(n: ServedNotice, rule: SuitRule, today: date) -> bool:
    """A notice counts only when a released letter carried it, served on or after its release (not backdated),
    not in the future, of the jurisdiction's kind and by one of its methods."""
    return (n.released_on is not None and n.released_on <= n.served_on <= today
            and (not rule.kind or n.kind == rule.kind) and (not rule.methods or n.method in rule.methods))


def judge_suit(facts: SuitFacts, today: date) -> SuitGate:
    """Refer-to-suit is allowed once a counting notice was served, its waiting period passed, and no
    arbitration request is on record. Pure; `core.clearance` asks it at every exit of a refer-to-suit letter."""
    rule = facts.rule
    if facts.arbitration_requested:
        return SuitGate(False, "the client requested fee arbitration: no suit while it is pending; the attorney "
                               f"handles the arbitration ({RULE}).")
    if not rule.notice_required:
        return SuitGate(True, f"{rule.code} requires no fee-arbitration notice (letters.jurisdictions.{rule.code}).")
    what = f"a {rule.kind} notice" if rule.kind else "a fee-arbitration notice"
    how = f" served by {' or '.join(rule.methods)}" if rule.methods else ""
    good = sorted((n for n in facts.notices if counts(n, rule, today)), key=lambda n: n.served_on)
    if not good:
        found = len(facts.notices)
        other = f" ({found} other notice(s) on file do not count: only a released letter carrying the notice, " \
                "served on or after its release, counts)" if found else ""
        return SuitGate(False, f"refer-to-suit needs {what}{how}, carried by a released letter with its serving "
                               f"date and method recorded{other}; release the escalation letter with "
                               f"--served-method ({RULE}).")
    first = good[0]
    ends = first.served_on + timedelta(days=rule.waiting_days)
    if today < ends:
        return SuitGate(False, f"{what} was served on {first.served_on}; the {rule.waiting_days}-day waiting period "
                               f"ends on {ends} ({RULE}).", first.served_on)
    return SuitGate(True, f"{what} served on {first.served_on}; waiting period of {rule.waiting_days} days passed "
                          f"on {ends}.", first.served_on)


# ---------------------------------------------------------------- refer-to-suit (LAW.md #9)
def suit_gate(settings: Settings, notices: Iterable[ServedNotice], today: date, jurisdiction: str = "",
              arbitration_requested: bool = False) -> SuitGate:
    """Refer-to-suit for a client today, on the notices on file (see `judge_suit`)."""
    return judge_suit(SuitFacts(suit_rule(settings, jurisdiction), tuple(notices), arbitration_requested), today)


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
    "BEFORE_COURT",
    "COURT_LEAVE_WORDS",
    "NO_POSTAL_ADDRESS",
    "REFER_TO_SUIT",
    "WITHDRAWAL_WARNING",
    "Gate",
    "ServedNotice",
    "SuitFacts",
    "SuitGate",
    "SuitRule",
    "counts",
    "court_flags",
    "court_leave_missing",
    "court_matters_to_name",
    "judge_suit",
    "letter_flags",
    "needs_suit_gate",
    "suit_gate",
    "suit_rule",
]
