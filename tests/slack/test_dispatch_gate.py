"""handlers.slack.dispatch_gate: first come, first served, a few at a time, and never stuck behind a slow one.

Most tests hand the gate a :class:`HeldPool`: a call handed to it has begun, as on a thread, and ends only
when the test ends it. What the gate lets run at once is then what the pool holds, with no thread timing.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from concurrent.futures import Executor, Future
from dataclasses import dataclass, field
from typing import Any

import pytest

from handlers.slack.dispatch_gate import DispatchGate

WAIT = 5.0  # seconds: a bound for what comes in milliseconds, reached only when the gate is broken


@dataclass(eq=False)
class Held:
    fn: Callable[..., Any]
    args: tuple[Any, ...]
    future: Future[Any]


@dataclass
class HeldPool(Executor):
    """A pool whose calls begin as they are handed over and end only when :meth:`end` is called.

    It keeps the calls in the order it was handed them, and the most that were running at once."""

    running: list[Held] = field(default_factory=list)
    handed: list[Held] = field(default_factory=list)
    most_running: int = 0
    _arrivals: asyncio.Queue[Held] = field(default_factory=asyncio.Queue)

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        assert not kwargs  # the gate hands over positional arguments only
        call = Held(fn, args, Future())
        call.future.set_running_or_notify_cancel()  # begun, as on a thread: it cannot be cancelled now
        self.running.append(call)
        self.handed.append(call)
        self.most_running = max(self.most_running, len(self.running))
        self._arrivals.put_nowait(call)  # the gate hands calls over on its event loop's thread
        return call.future

    async def next(self) -> Held:
        """The next call the gate hands over (those already handed first), within ``WAIT`` seconds."""
        try:
            return await asyncio.wait_for(self._arrivals.get(), WAIT)
        except TimeoutError:
            pytest.fail(f"the gate handed no call over within {WAIT} s")

    def end(self, call: Held) -> None:
        """Run the call now, on this thread, and let the gate have its result."""
        self.running.remove(call)
        try:
            result = call.fn(*call.args)
        except Exception as exc:  # noqa: BLE001  (the gate's caller gets it)
            call.future.set_exception(exc)
        else:
            call.future.set_result(result)


def times_ten(n: int) -> int:
    return n * 10


def test_calls_run_one_at_a_time_in_the_order_they_came():
    pool = HeldPool()
    gate = DispatchGate(running=1, patience=WAIT, pool=pool)

    async def main() -> list[int]:
        calls = [asyncio.ensure_future(gate.run(times_ten, n)) for n in range(20)]
        for _ in range(20):
            pool.end(await pool.next())
        return list(await asyncio.gather(*calls))

    assert asyncio.run(main()) == [n * 10 for n in range(20)]
    assert [call.args for call in pool.handed] == [(n,) for n in range(20)]
    assert pool.most_running == 1


def test_at_most_running_calls_at_once():
    pool = HeldPool()
    gate = DispatchGate(running=2, patience=WAIT, pool=pool)

    async def main() -> None:
        calls = [asyncio.ensure_future(gate.run(times_ten, n)) for n in range(12)]
        for _ in range(12):
            await pool.next()
            if len(pool.running) == gate.running:  # the gate is full: the oldest call ends
                pool.end(pool.running[0])
        for call in list(pool.running):
            pool.end(call)
        await asyncio.gather(*calls)

    asyncio.run(main())
    assert pool.most_running == 2


def test_a_call_that_outlasts_its_patience_lets_the_next_one_run():
    """A dispatch stuck on a hung database must not hold up every request behind it."""
    pool = HeldPool()
    gate = DispatchGate(running=1, patience=0.05, pool=pool)

    async def main() -> list[str]:
        stuck = asyncio.ensure_future(gate.run(lambda: "stuck"))
        first = await pool.next()
        quick = asyncio.ensure_future(gate.run(lambda: "quick"))
        second = await pool.next()  # handed over while the stuck call runs on: its patience ran out
        assert pool.running == [first, second]
        pool.end(second)
        pool.end(first)
        return list(await asyncio.gather(stuck, quick))

    assert asyncio.run(main()) == ["stuck", "quick"]


def test_an_error_reaches_the_caller_and_frees_the_place():
    gate = DispatchGate(running=1, patience=2 * WAIT)  # only the error's end can free the place in time

    def fails() -> None:
        raise LookupError("no such project")

    async def main() -> str:
        with pytest.raises(LookupError, match="no such project"):
            await gate.run(fails)
        return await asyncio.wait_for(gate.run(lambda: "next"), WAIT)

    assert asyncio.run(main()) == "next"


def test_a_cancelled_request_gives_its_place_back_when_its_call_ends():
    pool = HeldPool()
    gate = DispatchGate(running=1, patience=WAIT, pool=pool)

    async def main() -> str:
        task = asyncio.ensure_future(gate.run(lambda: "slow"))
        slow = await pool.next()
        task.cancel()  # the client went away; its thread cannot be stopped and runs on
        with pytest.raises(asyncio.CancelledError):
            await task
        waiting = asyncio.ensure_future(gate.run(lambda: "next"))
        # The call ends only after the next request has come to the gate (callbacks run in order).
        asyncio.get_running_loop().call_soon(pool.end, slow)
        pool.end(await pool.next())
        return await waiting

    assert asyncio.run(main()) == "next"
    assert pool.most_running == 1  # the next call was handed over only once the cancelled one had ended


def test_the_gate_serves_one_event_loop_after_another():
    gate = DispatchGate(running=1, patience=WAIT)

    async def main() -> list[int]:
        return list(await asyncio.gather(*(gate.run(lambda n=n: n) for n in range(3))))

    assert asyncio.run(main()) == [0, 1, 2]
    assert asyncio.run(main()) == [0, 1, 2]  # a new loop (a test client may start several)


def test_running_must_be_at_least_one():
    with pytest.raises(ValueError, match="at least 1"):
        DispatchGate(running=0)


def test_requests_all_stuck_on_a_hung_database_still_reach_their_listeners_quickly():
    """40 requests at once, every one of them stuck: with the gate as ``ictbot serve`` builds it, each
    starts within patience × its place in the queue ÷ running, so all have started long before Slack's
    three seconds are up."""
    pool = HeldPool()
    gate = DispatchGate(pool=pool)

    async def main() -> float:
        begun = time.monotonic()
        calls = [asyncio.ensure_future(gate.run(times_ten, n)) for n in range(40)]
        for _ in range(40):
            await pool.next()
        last_start = time.monotonic() - begun
        for call in list(pool.running):  # the database comes back
            pool.end(call)
        await asyncio.gather(*calls)
        return last_start

    last_start = asyncio.run(main())
    assert pool.most_running == 40  # none had to end for the others to start
    assert last_start < 2.0  # 40 ÷ 2 × 50 ms ≈ 1 s, with room for a slow machine
