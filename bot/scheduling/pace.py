"""A pace for outbound calls: at most so many a second, shared by every sending thread.

Used by both platforms' delivery clients; the number of workers a pass sends with follows from it.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Collection

__all__ = ["Pace", "Paces", "claim_ahead_for", "workers_for"]


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


class Paces:
    """A :class:`Pace` of ``rate`` for each token and Web API method, made on first use. Slack counts each
    method's calls per workspace (per app and token), so one council's calls never wait for another's, and a
    council slowed by its limit slows no other. ``methods``: the only methods paced (default: every one)."""

    def __init__(self, rate: float | None, methods: Collection[str] | None = None) -> None:
        self.rate = rate
        self.methods = None if methods is None else frozenset(methods)
        self._paces: dict[tuple[str, str], Pace] = {}
        self._lock = threading.Lock()

    def wait(self, token: str | None, method: str) -> None:
        if not self.rate or (self.methods is not None and method not in self.methods):
            return
        key = (token or "", method)
        with self._lock:
            pace = self._paces.get(key)
            if pace is None:
                pace = self._paces[key] = Pace(self.rate)
        pace.wait()


def workers_for(rate: float | None) -> int:
    """Enough senders to keep the pace when a call takes ~0.3 s (more when Slack asks us to wait)."""
    return 8 if not rate else max(4, min(64, math.ceil(rate * 0.3)))


def claim_ahead_for(rate: float | None, senders: int) -> int:
    """How many batches a pass keeps on their way (claimed, not yet sent) for ``senders``: enough to keep them
    busy while each council's pace holds its own batch back (10 reminders take 9 s at 1 a second, so a few
    hundred councils must be under way at once), few enough that a long pass leaves workspaces unclaimed for
    other instances to take. Measured at 1,000 councils at 1 a second with 64 senders: 256 on their way took
    51 s, 512 took 40 s, 1,024 took 36 s, and claiming every one first 35-44 s (benchmarks/README.md)."""
    return senders * (8 if not rate else max(8, math.ceil(16 / rate)))
