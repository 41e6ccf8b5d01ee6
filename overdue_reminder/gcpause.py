"""Pausing CPython's cyclic garbage collector while building many small, acyclic records.

Sync, planning and drafting create hundreds of thousands of short-lived dicts and dataclasses;
the generational collector would rescan the growing heap again and again (superlinear time).
Nothing they build forms reference cycles, so reference counting frees it all; the collector runs
as usual afterwards.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while building many acyclic records.

    A plan creates hundreds of thousands of small objects; CPython's generational collector would
    rescan the growing heap again and again (superlinear time). Nothing here forms reference cycles,
    so reference counting frees it all; the collector runs as usual afterwards.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
