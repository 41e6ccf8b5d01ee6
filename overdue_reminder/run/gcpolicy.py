"""The one garbage-collector switch, set at the run's entry point (the CLI's `main`), never inside a service.

Sync, planning and drafting create hundreds of thousands of short-lived dicts and dataclasses and
hold large snapshots; with CPython's default thresholds the generational collector rescans the
growing heap again and again (superlinear time). High thresholds keep the young collections that
free the cyclic garbage of the HTTP and database layers (so memory stays bounded) while full
collections of the whole heap practically never run. scripts/bench measures a run with and without it.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

# (young generation, collections before the middle one, before the whole heap)
RUN_THRESHOLDS = (100_000, 50, 1000)


@contextmanager
def gc_tuned() -> Iterator[None]:
    """The collector's thresholds for a run; the previous ones come back afterwards."""
    old = gc.get_threshold()
    gc.set_threshold(*RUN_THRESHOLDS)
    try:
        yield
    finally:
        gc.set_threshold(*old)
