"""Run a coroutine at once, and make a task of it only if it has to wait: Python 3.12's eager tasks
(`asyncio.Task(..., eager_start=True)`) for the 3.11 the app runs on.

A room's hub hands one event to thousands of sockets in one go. A send to a socket almost never
waits (it writes into the socket's buffer), so running it there and then costs a few calls; a task
per socket would be made, scheduled and stepped by the loop 5,000 times for nothing. A socket whose
buffer is full does wait, and then goes on as a task of its own without holding up the others.
"""

import asyncio
from collections.abc import Coroutine, Generator
from typing import Any


def start_eagerly(coroutine: Coroutine[Any, Any, None]) -> "asyncio.Task[None] | None":
    """Run `coroutine` up to its first wait. None when it finished without one (an exception it
    raised is raised here); otherwise the task that carries it on from there."""
    try:
        waiting = coroutine.send(None)
    except StopIteration:
        return None
    return asyncio.ensure_future(_carried_on(coroutine, waiting))


async def _carried_on(coroutine: Coroutine[Any, Any, None], waiting: Any) -> None:
    await _CarryOn(coroutine, waiting)


class _CarryOn:
    """Go on with a coroutine from where it first waited: its task waits on what it yielded (a
    future, or None for a bare yield), and what the task sends or throws in is passed on to it."""

    def __init__(self, coroutine: Coroutine[Any, Any, None], waiting: Any) -> None:
        self.coroutine = coroutine
        self.waiting = waiting

    def __await__(self) -> Generator[Any, Any, None]:
        coroutine, waiting = self.coroutine, self.waiting
        while True:
            try:
                sent = yield waiting
            except BaseException as thrown:  # a cancellation, passed on as asyncio would
                try:
                    waiting = coroutine.throw(thrown)
                except StopIteration:
                    return
                continue
            try:
                waiting = coroutine.send(sent)
            except StopIteration:
                return
