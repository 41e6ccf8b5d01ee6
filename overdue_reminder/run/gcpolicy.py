"""Relaxing CPython's cyclic garbage collector while building many small records.

Sync, planning and drafting create hundreds of thousands of short-lived dicts and dataclasses;
the generational collector would rescan the growing heap again and again (superlinear time).
Their records form no reference cycles, so reference counting frees them; the collector's usual
thresholds come back afterwards.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic collection while planning or drafting: they hold their whole snapshot, which a
    full collection would rescan again and again; they create no cycles, so nothing piles up."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@contextmanager
def gc_relaxed() -> Iterator[None]:
    """Collect rarely while streaming pages (sync): young generations now and then, the whole heap
    practically never.

    Disabling the collector here was as fast but let cyclic garbage from the HTTP and database
    layers pile up (the peak memory of a 100,000-invoice sync varied from 150 to 530 MB); with high
    thresholds those cycles are still freed and the peak stays near 150 MB.
    """
    old = gc.get_threshold()
    gc.set_threshold(100_000, 50, 1000)
    try:
        yield
    finally:
        gc.set_threshold(*old)


@contextmanager
def gc_frozen() -> Iterator[None]:
    """Keep the cyclic collector off what exists now (the plan, the ledger) while many short-lived,
    possibly cyclic, objects are made (template rendering): those are still collected, and the
    frozen ones are freed normally once unfrozen and released."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()
