"""What a nightly pass left undone, in words, and the exit code it earns.

A pass that ran every step can still have left work undelivered: delivery stopped (the SMTP server is
unreachable or refused the login), reminders failed or are unconfirmed, letters were refused or blocked,
the digest did not go. Such a pass is "done with problems" and exits 6, so an operator's cron mail or
monitoring sees it; a pass whose only trouble is skipped source records stays "partial" (exit 1).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from overdue_reminder.errors import EXIT_OK, EXIT_SKIPPED, EXIT_UNDELIVERED
from overdue_reminder.services.runs import DONE_WITH_PROBLEMS as PROBLEMS

OK, PARTIAL = "ok", "partial"
COMPLETED = (OK, PARTIAL, PROBLEMS)  # the pass ran to its end (a stopped or failed one did not)


def _count(step: Mapping[str, Any], key: str) -> int:
    value = step.get(key)
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, (list, tuple)):
        return len(value)
    return 0


def problems(steps: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """Plain-language lines for every piece of work the pass did not deliver, from the steps' summaries."""
    out: list[str] = []
    deliver = steps.get("deliver") or {}
    if deliver.get("stopped"):
        out.append(f"delivery stopped: {deliver['stopped']}")
    for key, words in (("failed", "reminder(s) failed"), ("unconfirmed", "reminder(s) unconfirmed"),
                       ("unconfirmed_from_earlier_runs", "reminder(s) from an earlier run unconfirmed"),
                       ("blocked", "reminder(s) blocked at clearance")):
        n = _count(deliver, key)
        if n:
            out.append(f"{n} {words}")
    letters = steps.get("letters") or {}
    for key, words in (("refused", "letter(s) refused"), ("blocked", "letter(s) blocked")):
        n = _count(letters, key)
        if n:
            why = letters.get("refused_why") if key == "refused" else None
            out.append(f"{n} {words}" + (f": {'; '.join(str(w) for w in why[:3])}" if why else ""))
    for name, step in steps.items():
        if name not in ("deliver", "letters") and _count(step, "blocked"):
            out.append(f"{name}: {_count(step, 'blocked')} item(s) blocked")
    n = _count(steps.get("offers") or {}, "not_recorded")
    if n:
        out.append(f"{n} offer(s) carried by reminders not recorded as offers")
    digest = steps.get("digest") or {}
    if digest.get("error"):
        out.append(f"the morning digest was not sent: {digest['error']}")
    return out


def status(skipped_records: int, found: list[str]) -> str:
    return PROBLEMS if found else PARTIAL if skipped_records else OK


def exit_code(run_status: str, skipped_records: int) -> int:
    """README "Exit codes": 6 undelivered work outranks 1 skipped records; a stopped pass exits 0."""
    if run_status not in COMPLETED:
        return EXIT_OK
    if run_status == PROBLEMS:
        return EXIT_UNDELIVERED
    if run_status == PARTIAL or skipped_records:
        return EXIT_SKIPPED
    return EXIT_OK


__all__ = ["COMPLETED", "OK", "PARTIAL", "PROBLEMS", "exit_code", "problems", "status"]
