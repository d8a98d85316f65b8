"""A coroutine run at once: no task for one that never waits, a task that carries on for one that does."""

import asyncio

import pytest

from virtualtrip.realtime.eager import start_eagerly


def test_a_coroutine_that_never_waits_runs_through_and_makes_no_task() -> None:
    done: list[str] = []

    async def quick() -> None:
        done.append("sent")

    async def go() -> tuple[object, list[str]]:
        return start_eagerly(quick()), list(done)

    assert asyncio.run(go()) == (None, ["sent"])


def test_a_coroutine_that_waits_goes_on_as_a_task_from_where_it_waited() -> None:
    steps: list[str] = []

    async def slow(drained: asyncio.Event) -> None:
        steps.append("first part")
        await drained.wait()
        steps.append("after the wait")
        await asyncio.sleep(0)
        steps.append("done")

    async def go() -> list[str]:
        drained = asyncio.Event()
        task = start_eagerly(slow(drained))
        assert task is not None
        steps.append("caller goes on")
        drained.set()
        await task
        return steps

    assert asyncio.run(go()) == ["first part", "caller goes on", "after the wait", "done"]


def test_a_task_carrying_a_coroutine_on_can_be_cancelled() -> None:
    seen: list[str] = []

    async def waits_forever() -> None:
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            seen.append("cancelled inside")
            raise

    async def go() -> None:
        task = start_eagerly(waits_forever())
        assert task is not None
        await asyncio.sleep(0)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(go())
    assert seen == ["cancelled inside"]


def test_an_error_before_the_first_wait_is_raised_to_the_caller() -> None:
    async def fails() -> None:
        raise OSError("the socket closed")

    async def go() -> None:
        with pytest.raises(OSError, match="the socket closed"):
            start_eagerly(fails())

    asyncio.run(go())
