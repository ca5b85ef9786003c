"""Hand a request back to Slack the moment its listener acknowledges it, not up to 10 ms later.

A global middleware gives the request an :class:`Ack` that signals when called, and leaves that signal
for the executor in the thread's local storage. :class:`AckAwaitingExecutor`, Bolt's
``listener_executor``, starts the listener on its pool and returns only once the listener has
acknowledged (or finished, or its ack timeout has passed). The listener goes on with its work on the
pool after its ack, as before. Lazy listeners and anything else submitted without such a signal start
as on any pool.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from typing import Any

from slack_bolt import Ack, BoltContext, BoltResponse

__all__ = ["AckAwaitingExecutor", "SignallingAck", "signal_ack"]

_waiting = threading.local()  # .acked: the Event of the request this thread is dispatching


class SignallingAck(Ack):
    """Bolt's ``ack``, which also sets ``acked`` once it has been called."""

    def __init__(self, acked: threading.Event) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self.acked = acked

    def __call__(self, *args: Any, **kwargs: Any) -> BoltResponse:
        response = super().__call__(*args, **kwargs)
        self.acked.set()
        return response


def signal_ack(context: BoltContext, next: Callable[[], Any]) -> Any:
    """Global middleware: the request's ``ack`` signals, and this thread's executor waits for the signal."""
    acked = threading.Event()
    context["ack"] = SignallingAck(acked)
    # Left for the executor, which takes it: Bolt's next() only lets the chain go on, it does not run
    # the listener inside this call. The next request on this thread sets its own.
    _waiting.acked = acked
    return next()


class AckAwaitingExecutor(Executor):
    """Runs listeners on ``pool``; submitting one returns once it has acknowledged or finished.

    ``wait_at_most`` bounds the wait, as Bolt bounds its own (a listener's ``ack_timeout``, 3 s).
    """

    def __init__(self, pool: ThreadPoolExecutor | None = None, *, wait_at_most: float = 3.0) -> None:
        self.pool = pool or ThreadPoolExecutor(thread_name_prefix="ictbot-listener")
        self.wait_at_most = wait_at_most

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        acked: threading.Event | None = getattr(_waiting, "acked", None)
        if acked is None:
            return self.pool.submit(fn, *args, **kwargs)
        _waiting.acked = None  # one listener a request; a lazy listener submitted after it does not wait

        def run() -> Any:
            try:
                return fn(*args, **kwargs)
            finally:
                acked.set()  # finished, acknowledged or not (an error is answered by Bolt's handler)

        future = self.pool.submit(run)
        acked.wait(self.wait_at_most)
        return future

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self.pool.shutdown(wait=wait, cancel_futures=cancel_futures)
