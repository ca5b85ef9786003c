"""The scheduler's lease: one holder at a time, taken over when it lapses."""

from __future__ import annotations

import threading
from datetime import timedelta

from sqlalchemy.exc import OperationalError

from bot.services import lease

TTL = timedelta(seconds=60)


def take(runtime, holder, now):
    with runtime.sessions.begin() as s:
        return lease.acquire(s, "scheduler", holder, now=now, ttl=TTL)


def test_one_holder_at_a_time_and_renewal(runtime, clock):
    assert take(runtime, "a", clock.now)
    assert not take(runtime, "b", clock.now)
    assert take(runtime, "a", clock.advance(seconds=30))  # renews
    assert not take(runtime, "b", clock.advance(seconds=45))  # a's renewal still holds


def test_a_lapsed_lease_is_taken_over(runtime, clock):
    assert take(runtime, "a", clock.now)
    assert take(runtime, "b", clock.advance(seconds=61))
    assert not take(runtime, "a", clock.now)


def test_release_lets_another_take_it_at_once(runtime, clock):
    assert take(runtime, "a", clock.now)
    with runtime.sessions.begin() as s:
        lease.release(s, "scheduler", "a")
    assert take(runtime, "b", clock.now)


def contend(runtime, holder, now, barrier, winners):
    barrier.wait()
    try:
        if take(runtime, holder, now):
            winners.append(holder)
    except OperationalError:  # SQLite's lock time-out: a loss, never a second winner
        pass


def test_racing_processes_never_both_win(runtime, clock):
    """Eight threads, each with its own connection, race for a free lease many times over."""
    for round_ in range(10):
        now = clock.advance(seconds=120)  # the previous round's lease has lapsed
        winners: list[str] = []
        barrier = threading.Barrier(8)
        threads = [
            threading.Thread(target=contend, args=(runtime, f"p{round_}-{i}", now, barrier, winners)) for i in range(8)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert len(winners) == 1, winners
