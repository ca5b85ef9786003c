"""A pace for outbound calls: at most so many a second, shared by every sending thread.

Used by both platforms' delivery clients; the number of workers a pass sends with follows from it.
"""

from __future__ import annotations

import math
import threading
import time

__all__ = ["Pace", "workers_for"]


class Pace:
    """At most ``rate`` calls a second across threads, evenly spaced.

    Each caller reserves the next free slot (1/rate apart) under a lock and sleeps outside it, so
    no second ever sees more than ``rate`` calls, even after a lull, and waiting callers do not
    hold each other up beyond their slot.
    """

    def __init__(self, rate: float | None) -> None:
        self.rate = rate
        self._lock = threading.Lock()
        self._next = 0.0

    def wait(self) -> None:
        if not self.rate:
            return
        with self._lock:
            now = time.monotonic()
            slot = max(now, self._next)
            self._next = slot + 1 / self.rate
        if slot > now:
            time.sleep(slot - now)


def workers_for(rate: float | None) -> int:
    """Enough senders to keep the pace when a call takes ~0.3 s (more when Slack asks us to wait)."""
    return 8 if not rate else max(4, min(64, math.ceil(rate * 0.3)))
