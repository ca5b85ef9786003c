"""Slack's requests go to their worker threads first come, first served, a few at a time.

``bot.server`` runs Bolt's blocking ``App.dispatch`` on a worker thread. :class:`DispatchGate` lets
``running`` dispatches run at a time and queues the others on the event loop in the order they arrived.
A dispatch that has run for ``patience`` (50 ms) is waiting on something else (a slow database, a lock,
Slack's API) and gives its place to the next request while it goes on waiting, so one stuck request
never holds up the ones behind it. docs/ARCHITECTURE.md has the measurements behind these numbers.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import Executor, ThreadPoolExecutor
from typing import TypeVar

__all__ = ["DispatchGate"]

T = TypeVar("T")


class DispatchGate:
    """Runs blocking calls on ``pool``, at most ``running`` at a time unless some have been running for
    longer than ``patience`` seconds; the others wait their turn in arrival order.

    :meth:`run` is called on an event loop (one in production; a test client may start several in turn).
    """

    def __init__(self, *, running: int = 2, patience: float = 0.05, pool: Executor | None = None) -> None:
        if running < 1:
            raise ValueError("running must be at least 1")
        self.running = running
        self.patience = patience
        # Threads for the calls that outlast their patience too: those no longer count against `running`.
        self.pool: Executor = pool or ThreadPoolExecutor(max_workers=64, thread_name_prefix="ictbot-dispatch")
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
