"""Several instances and one long pass: on PostgreSQL each instance takes the workspaces the others have not
reached (row locks it skips), on SQLite one pass runs at a time; and a pass claims only as far ahead of its
sending as ``claim_ahead`` lets it, so that what it has not reached is left for the others.
tests/scenarios/test_four_instances.py puts four instances under faults."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy import func, select

from bot.runtime import Runtime
from bot.scheduling.ports import Outcome
from bot.scheduling.reconciler import Reconciler, TickReport
from bot.services.reminders import Due
from models import make_engine, make_sessionmaker
from models.scheduling import Reminder
from tests.scheduling.test_wake import council
from tests.services.test_reminders import at

STAGE = at("2026-12-01 09:30")  # the first stage of the 8 Dec meeting: two people due in each council
TIMEOUT = 30  # seconds a test waits for the other instances before it fails


@contextmanager
def instances(runtime: Runtime, count: int) -> Iterator[list[Runtime]]:
    """``count`` runtimes on the test's database, each with an engine of its own (as processes have), on its clock."""
    engines = [make_engine(runtime.settings.DATABASE_URL) for _ in range(count)]
    try:
        yield [
            Runtime(settings=runtime.settings, engine=e, sessions=make_sessionmaker(e), clock=runtime.clock)
            for e in engines
        ]
    finally:
        for e in engines:
            e.dispose()


class Rendezvous:
    """Holds each instance's first send until every instance is sending or has ended its pass: so each has
    claimed its share before any finishes the stage alone."""

    def __init__(self, count: int) -> None:
        self.count = count
        self._here: set[str] = set()
        self._changed = threading.Condition()

    def arrive(self, holder: str) -> None:
        with self._changed:
            self._here.add(holder)
            self._changed.notify_all()
            if not self._changed.wait_for(lambda: len(self._here) >= self.count, timeout=TIMEOUT):
                raise AssertionError(f"only {sorted(self._here)} got as far as sending")

    def ended(self, holder: str) -> None:
        """``holder``'s pass is over (it may have sent nothing): nobody waits for it any more."""
        with self._changed:
            self._here.add(holder)
            self._changed.notify_all()


def run_together(passes: dict[str, Callable[[], TickReport]], rendezvous: Rendezvous) -> dict[str, TickReport]:
    """Start the passes at once, each in a thread; their reports by holder."""
    reports: dict[str, TickReport] = {}
    failures: list[BaseException] = []
    start = threading.Barrier(len(passes))

    def run(holder: str, tick: Callable[[], TickReport]) -> None:
        start.wait()
        try:
            reports[holder] = tick()
        except BaseException as exc:  # noqa: BLE001  (raised in the test's thread below)
            failures.append(exc)
        finally:
            rendezvous.ended(holder)

    threads = [threading.Thread(target=run, args=item) for item in passes.items()]
    for t in threads:
        t.start()
    for t in threads:
        t.join(TIMEOUT)
    if failures:
        raise failures[0]
    assert len(reports) == len(passes), "a pass did not end"
    return reports


def test_instances_take_a_share_of_a_long_pass_and_nothing_goes_twice(runtime, clock):
    clock.now = at("2026-11-01 12:00")
    for n in range(12):
        council(runtime, f"T0C{n:04d}")
    clock.now = STAGE
    sent: list[tuple[str, int]] = []
    rendezvous = Rendezvous(4)

    def delivery(holder: str) -> Callable[[Due], Outcome]:
        first = threading.Event()

        def deliver(item: Due) -> Outcome:
            if not first.is_set():
                first.set()
                rendezvous.arrive(holder)
            assert item.reminder_id is not None
            sent.append((holder, item.reminder_id))
            return Outcome(channel_id="D0" + item.user_id, message_ts=f"{item.reminder_id}.0")

        return deliver

    with instances(runtime, 4) as runtimes:
        reconcilers = {
            f"i{n}": Reconciler(rt, delivery(f"i{n}"), holder=f"i{n}", workers=1, claim_ahead=1)
            for n, rt in enumerate(runtimes)
        }
        reports = run_together({h: r.tick for h, r in reconcilers.items()}, rendezvous)

    assert sorted(i for _, i in sent) == sorted(set(i for _, i in sent)) and len(sent) == 24  # each once
    by_holder = {h: r.sent for h, r in reports.items()}
    assert sum(by_holder.values()) == 24
    if runtime.engine.dialect.name == "postgresql":
        assert all(n > 0 for n in by_holder.values()), by_holder  # each instance sent a share
        assert sum(r.held_lease for r in reports.values()) == 1 and sum(r.shared for r in reports.values()) == 3
    else:  # one pass at a time: the lease holder's
        assert sorted(by_holder.values()) == [0, 0, 0, 24]
        assert sorted(r.held_lease for r in reports.values()) == [False, False, False, True]


def test_a_pass_claims_only_as_far_ahead_as_it_sends(runtime, clock):
    """With room for one batch on its way, the pass claims the next workspace only once the first workspace's
    batch is done: until then the rest stays due for other instances to take."""
    clock.now = at("2026-11-01 12:00")
    for n in range(3):
        council(runtime, f"T0C{n:04d}")
    clock.now = STAGE
    claimed_at_each_send: list[int] = []

    def deliver(item: Due) -> Outcome:
        with runtime.sessions() as session:
            claimed_at_each_send.append(session.scalar(select(func.count()).select_from(Reminder)) or 0)
        return Outcome(channel_id="D0" + item.user_id, message_ts="1.0")

    report = Reconciler(runtime, deliver, holder="a", workers=1, claim_ahead=1).tick()
    assert report.sent == 6
    assert claimed_at_each_send == [2, 2, 4, 4, 6, 6]
