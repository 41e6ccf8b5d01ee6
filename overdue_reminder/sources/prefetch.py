"""Overlap slow producers (RPC pages) with their consumers (parsing, storing) in threads.

RPC waits on the network and the server; SQLite and PostgreSQL writes wait on disk. Chaining
prefetch stages lets the next page travel while the current one is parsed and stored.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from typing import Any, TypeVar

T = TypeVar("T")


def prefetch(source: Iterator[T], depth: int = 2) -> Iterator[T]:
    """Produce the next page in a background thread while the caller stores the current one.

    RPC waits on the network and SQLite/PostgreSQL writes wait on disk; overlapping them hides
    most of the store's cost behind the source's latency. Errors surface in the caller.
    """
    q: queue.Queue[tuple[str, Any]] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def produce() -> None:
        try:
            for item in source:
                while not stop.is_set():
                    try:
                        q.put(("item", item), timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            q.put(("end", None))
        except BaseException as exc:  # forwarded to the consumer, never swallowed
            q.put(("error", exc))

    t = threading.Thread(target=produce, name="sync-prefetch", daemon=True)
    t.start()
    try:
        while True:
            kind, value = q.get()
            if kind == "end":
                return
            if kind == "error":
                raise value
            yield value
    finally:
        stop.set()
        t.join(timeout=5)
