"""Reading and writing a whole trip at once."""

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while a whole trip is read or written.

    A long trip's import makes some 100,000 short-lived objects (parser events, values, model rows),
    and each few hundred of them set off a collection that walks the heap again: a third of the
    import's time, for objects that reference counting frees anyway. The collector is turned back on
    afterwards, unless it was off already (a nested pause, or a process that keeps it off)."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()
