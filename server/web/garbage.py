"""Garbage collection for a started web process: what start-up made, frozen, and the
requests in flight not scanned again and again (``collected_rarely``). The benchmark's floor
(bench/_floor.py) runs under it too, as it runs under our uvicorn options."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

# The youngest generation's collection threshold once the web process has started (Python's
# is 700 net new container objects). A request frees what it made by reference counting: over a
# swap benchmark young collections collected nothing, yet each scanned the objects of the
# requests in flight (some 1,000), several times a swap: 67-118 µs of CPU per swap. At 10,000
# they are rare (one in a profiled run of the benchmark that had some 400 at 700), each still
# scans a bounded few milliseconds' worth, and cyclic garbage, were there any, would wait for at
# most that many objects (a few MB). The older generations keep their thresholds (10 and 10).
YOUNG_COLLECTION_AFTER = 10_000


@contextmanager
def collected_rarely() -> Iterator[None]:
    """Garbage collection for a started web process: what start-up left (modules, routes,
    templates: some 90,000 objects, for the process's life) collected once and frozen, so that
    no collection scans it again (a full one scanned it in a 50-55 ms pause), and the young
    generation collected every ``YOUNG_COLLECTION_AFTER`` objects. As it was after: an app
    started and stopped in a longer process (tests) leaves its objects collectable."""
    thresholds = gc.get_threshold()
    gc.collect()
    gc.freeze()
    gc.set_threshold(YOUNG_COLLECTION_AFTER, *thresholds[1:])
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()
