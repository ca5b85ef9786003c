"""handlers.slack.dispatch_gate: first come, first served, a few at a time, and never stuck behind a slow one."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from handlers.slack.dispatch_gate import DispatchGate

WAIT = 5.0  # seconds: generous bounds for events that come in milliseconds


def test_calls_run_one_at_a_time_in_the_order_they_came():
    gate = DispatchGate(running=1, patience=WAIT)
    started: list[int] = []
    inside = 0
    most_inside = 0
    lock = threading.Lock()

    def work(n: int) -> int:
        nonlocal inside, most_inside
        with lock:
            started.append(n)
            inside += 1
            most_inside = max(most_inside, inside)
        time.sleep(0.005)
        with lock:
            inside -= 1
        return n * 10

    async def main() -> list[int]:
        return list(await asyncio.gather(*(gate.run(work, n) for n in range(20))))

    assert asyncio.run(main()) == [n * 10 for n in range(20)]
    assert started == list(range(20))
    assert most_inside == 1


def test_at_most_running_calls_at_once():
    gate = DispatchGate(running=2, patience=WAIT)
    inside = 0
    most_inside = 0
    lock = threading.Lock()

    def work() -> None:
        nonlocal inside, most_inside
        with lock:
            inside += 1
            most_inside = max(most_inside, inside)
        time.sleep(0.01)
        with lock:
            inside -= 1

    async def main() -> None:
        await asyncio.gather(*(gate.run(work) for _ in range(12)))

    asyncio.run(main())
    assert most_inside == 2


def test_a_call_that_outlasts_its_patience_lets_the_next_one_run():
    """A dispatch stuck on a hung database must not hold up every request behind it."""
    gate = DispatchGate(running=1, patience=0.05)
    release = threading.Event()
    order: list[str] = []

    def stuck() -> str:
        assert release.wait(WAIT)
        order.append("stuck")
        return "stuck"

    def quick() -> str:
        order.append("quick")
        release.set()
        return "quick"

    async def main() -> list[str]:
        first = asyncio.ensure_future(gate.run(stuck))
        await asyncio.sleep(0)  # the stuck call takes the one place first
        return list(await asyncio.gather(first, gate.run(quick)))

    assert asyncio.run(main()) == ["stuck", "quick"]
    assert order == ["quick", "stuck"]


def test_an_error_reaches_the_caller_and_frees_the_place():
    gate = DispatchGate(running=1, patience=WAIT)

    def fails() -> None:
        raise LookupError("no such project")

    async def main() -> str:
        with pytest.raises(LookupError, match="no such project"):
            await gate.run(fails)
        return await asyncio.wait_for(gate.run(lambda: "next"), WAIT)

    assert asyncio.run(main()) == "next"


def test_a_cancelled_request_gives_its_place_back_when_its_call_ends():
    gate = DispatchGate(running=1, patience=WAIT)
    release = threading.Event()
    finished = threading.Event()

    def slow() -> None:
        release.wait(WAIT)
        finished.set()

    async def main() -> str:
        task = asyncio.ensure_future(gate.run(slow))
        await asyncio.sleep(0.01)
        task.cancel()  # the client went away; its thread cannot be stopped and runs on
        with pytest.raises(asyncio.CancelledError):
            await task
        waiting = asyncio.ensure_future(gate.run(lambda: "next"))
        await asyncio.sleep(0.05)
        assert not waiting.done()  # the place is still taken by the call that runs on
        release.set()
        return await asyncio.wait_for(waiting, WAIT)

    assert asyncio.run(main()) == "next"
    assert finished.is_set()


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
    """40 requests at once, every one of them stuck: each starts within patience × its place in the queue
    ÷ running, so all have started long before Slack's three seconds are up."""
    gate = DispatchGate(running=2, patience=0.05)
    hung = threading.Event()
    started: list[float] = []
    lock = threading.Lock()

    def stuck() -> None:
        with lock:
            started.append(time.monotonic())
        hung.wait(WAIT)

    async def main() -> float:
        begun = time.monotonic()
        calls = [asyncio.ensure_future(gate.run(stuck)) for _ in range(40)]
        while len(started) < 40 and time.monotonic() - begun < WAIT:
            await asyncio.sleep(0.01)
        last_start = max(started) - begun
        hung.set()  # the database comes back
        await asyncio.gather(*calls)
        return last_start

    last_start = asyncio.run(main())
    assert len(started) == 40
    assert last_start < 2.0  # 40 ÷ 2 × 50 ms ≈ 1 s, with room for a slow machine
