"""Per-client isolation for the nightly pass: one client's bad record costs that client, not the night.

A step (offers, drafts, letters) first runs over all of the plan's actions at once, its fast path. If
that raises something unexpected, the step runs again client by client (every step is idempotent for
the day, so what the first attempt committed is not done twice): the clients that fail are listed as
problems and skipped, the rest are done, and the later steps (delivery) still run. The tool's own errors
(a bad setting, a broken template) are not a client's fault and stop the run as before. When every
client fails the fault is not in the data (a folder that cannot be written, a full disk): the step's
first error is kept so the run can finish its other steps and then report it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

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
    first: Exception | None = None
    for action in actions:
        try:
            out.results.append(run([action]))
        except OverdueReminderError:
            raise
        except Exception as exc:
            first = first or exc
            out.problems.append(Problem(step, action.client_id, describe(exc)))
            log.warning("%s: client %s skipped: %s", step, action.client_id, describe(exc))
            log.debug("%s failed for client %s", step, action.client_id, exc_info=True)
    if len(actions) > 1 and not out.results:
        out.systemic = first
    return out


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
