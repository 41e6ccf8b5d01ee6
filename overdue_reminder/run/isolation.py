"""Per-client isolation for the nightly pass: one client's bad record costs that client, not the night.

A step (offers, drafts, letters) first runs over all of the plan's actions at once, its fast path. If
that raises something unexpected, the step runs again client by client (every step is idempotent for
the day, so what the first attempt committed is not done twice): the clients that fail are listed as
problems and skipped, the rest are done, and the later steps (delivery) still run. The tool's own errors
(a bad setting, a broken template) are not a client's fault and stop the run as before. When every
client fails, or several fail on the very same file error, the fault is not in the data (a folder that
cannot be written): the step's first error is kept so the run can finish its other steps (delivery) and
then report it (exit 5).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from overdue_reminder.errors import OverdueReminderError, describe
from overdue_reminder.model import Action

log = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass(frozen=True)
class Problem:
    """A client a step skipped tonight, and why (one line, no client data beyond the id)."""

    step: str
    client_id: int
    error: str

    def as_dict(self) -> dict[str, object]:
        return {"step": self.step, "client_id": self.client_id, "error": self.error}


@dataclass
class Isolated(Generic[T]):
    results: list[T]
    problems: list[Problem]
    systemic: Exception | None = None  # every client failed: the fault is not in the data


def per_client(step: str, actions: Sequence[Action], run: Callable[[Sequence[Action]], T]) -> Isolated[T]:
    """`run(actions)`, or, when that fails unexpectedly, `run([a])` for each action with failures listed."""
    try:
        return Isolated([run(actions)], [])
    except OverdueReminderError:
        raise
    except Exception as exc:
        log.warning("%s: %s; retrying client by client", step, describe(exc))
        log.debug("%s failed", step, exc_info=True)
    out: Isolated[T] = Isolated([], [])
    errors: list[Exception] = []
    for action in actions:
        try:
            out.results.append(run([action]))
        except OverdueReminderError:
            raise
        except Exception as exc:
            errors.append(exc)
            out.problems.append(Problem(step, action.client_id, describe(exc)))
            log.info("%s: client %s skipped: %s", step, action.client_id, describe(exc))
            log.debug("%s failed for client %s", step, action.client_id, exc_info=True)
    if out.problems:
        log.warning("%s: %d client(s) skipped, e.g. client %s: %s", step, len(out.problems),
                    out.problems[0].client_id, out.problems[0].error)
    if _systemic(out, errors):
        out.systemic = errors[0]
    return out


def _systemic(out: Isolated[Any], errors: Sequence[Exception]) -> bool:
    """Not the clients' data: every client failed, or several failed on one and the same file or store error."""
    if len(errors) < 2:
        return False
    if not out.results:
        return True
    same = len({p.error for p in out.problems}) == 1
    return same and all(_environmental(e) for e in errors)


def _environmental(exc: Exception) -> bool:
    """A file or store failure (no space, read-only, I/O error): about the machine, not a client's data."""
    return isinstance(exc, OSError) or type(exc).__module__.startswith("sqlalchemy")


def merge_counts(parts: Sequence[dict[str, object]]) -> dict[str, object]:
    """Step summaries added up: numbers summed, lists joined, anything else from the first part."""
    merged: dict[str, object] = {}
    for part in parts:
        for key, value in part.items():
            have = merged.get(key)
            if key not in merged:
                merged[key] = list(value) if isinstance(value, list) else value
            elif isinstance(value, int) and not isinstance(value, bool) and isinstance(have, int):
                merged[key] = have + value
            elif isinstance(value, list) and isinstance(have, list):
                have.extend(value)
    return merged
