"""Slack's requests go to their worker threads first come, first served, a few at a time.

Bolt's ``App.dispatch`` blocks, so ``bot.server`` runs it on a worker thread. With a thread per request
in flight (Starlette's ``run_in_threadpool`` allows 40), 32 requests at once take turns at the GIL in
whatever order the operating system wakes their threads: most finish in a few milliseconds, some wait
behind the rest again and again, and the slowest one in a hundred took three times the median in the
load benchmark (``benchmarks/load.py``).

:class:`DispatchGate` lets ``running`` dispatches run at a time and queues the others on the event loop
in the order they arrived (an :class:`asyncio.Semaphore` is first come, first served). A dispatch is
mostly CPU work: a one-line update takes about two milliseconds. One that has run for ``patience``
(50 ms) is waiting on something else (a slow database, a lock, Slack's API) and gives its place to
the next request while it goes on waiting, so one stuck request never holds up the ones behind it.
Even when every request waits on a database that hangs, they reach their listeners at 40 a second
(two places every 50 ms), and each listener answers within Slack's three seconds
(``handlers.slack.ack_answer``).

In the load benchmark (32 clients) this took the slowest request in a hundred from about 240 ms to
60–95 ms at the same throughput. Two at a time was best: one thread at work while the other waits
briefly on the database; the GIL lets only one run Python anyway.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

__all__ = ["DispatchGate"]

T = TypeVar("T")


class DispatchGate:
    """Runs blocking calls on ``pool``, at most ``running`` at a time unless some have been running for
    longer than ``patience`` seconds; the others wait their turn in arrival order.

    :meth:`run` is called on an event loop (one in production; a test client may start several in turn).
    """

    def __init__(self, *, running: int = 2, patience: float = 0.05, pool: ThreadPoolExecutor | None = None) -> None:
        if running < 1:
            raise ValueError("running must be at least 1")
        self.running = running
        self.patience = patience
        # Threads for the calls that outlast their patience too: those no longer count against `running`.
        self.pool = pool or ThreadPoolExecutor(max_workers=64, thread_name_prefix="ictbot-dispatch")
        self._loop: asyncio.AbstractEventLoop | None = None
        self._places = asyncio.Semaphore(running)

    async def run(self, fn: Callable[..., T], *args: object) -> T:
        loop = asyncio.get_running_loop()
        if loop is not self._loop:  # a semaphore belongs to one loop
            self._loop, self._places = loop, asyncio.Semaphore(self.running)
        places = self._places
        await places.acquire()
        released = False

        def release() -> None:  # done, or waiting on something other than the CPU: the next may go
            nonlocal released
            if not released:
                released = True
                places.release()

        try:
            call = loop.run_in_executor(self.pool, fn, *args)
        except BaseException:
            release()
            raise
        timer = loop.call_later(self.patience, release)

        def ended(_: object) -> None:
            timer.cancel()
            release()

        call.add_done_callback(ended)
        # A thread cannot be stopped: were the request cancelled (its client gone), the call runs on and
        # gives its place back when it ends (the shield keeps the cancellation off the call's future).
        return await asyncio.shield(call)
