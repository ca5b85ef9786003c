"""The reconcile pass and its clock: ``at`` decides what is due, the runtime's clock everything else.

A pass simulated weeks ahead (``ictbot tick --at``) must not purge, prune or lock anything as if that
time had come; and a pass that dies mid-way must not keep the others out for longer than one interval.
"""

from __future__ import annotations

import queue
import threading
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.scheduling.ports import Outcome
from bot.scheduling.reconciler import LEASE_NAME, LEASE_TTL, OnTheMarks, Reconciler
from bot.services import lease, meetings
from handlers.slack.client import web_client
from handlers.slack.delivery.reminders import SlackDelivery
from models import DeliveryStatus, InboundDelivery
from models.scheduling import Lease, Reminder, ReminderStatus
from tests.conftest import BOT_TOKEN

LONDON = ZoneInfo("Europe/London")
INTERVAL = timedelta(seconds=60)  # ICTBOT_SCHEDULER_INTERVAL's default: a server's passes, a minute apart


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=LONDON).astimezone(UTC)


FIRST_STAGE = at("2026-12-01 09:30")  # five working days before the meeting of 8 Dec 2026


@pytest.fixture
def calendar(runtime, standin, workplan, clock):
    """The Work Plan and the default series, materialised 40 days before the first reminders are due."""
    clock.now = FIRST_STAGE - timedelta(days=40)
    with runtime.unit(standin.team_id) as (session, ws):
        meetings.materialise(session, ws, now=clock.now, default_timezone="Europe/London")
    return workplan


def leases(runtime) -> list[Lease]:
    with runtime.sessions() as s:
        return list(s.scalars(select(Lease)))


def next_beat(beats: queue.Queue[datetime]) -> datetime:
    """The time at which the next beat began, once it has renewed the lease (fails after 5 s)."""
    try:
        return beats.get(timeout=5)
    except queue.Empty:
        pytest.fail("the heartbeat has not renewed the lease within 5 s")


def hold_lease(runtime, holder: str, now: datetime) -> None:
    """The lease as a pass of ``holder`` leaves it when its process is killed (no release): last renewed at ``now``."""
    with runtime.sessions.begin() as session:
        assert lease.acquire(session, LEASE_NAME, holder, now=now, ttl=LEASE_TTL)


def test_a_pass_simulated_weeks_ahead_keeps_the_lease_and_retry_records_on_the_real_clock(runtime, calendar, clock):
    real = clock.now
    with runtime.sessions.begin() as session:  # a Slack request received an hour ago: its retries may still come
        session.add(
            InboundDelivery(
                team_id="T0COUNCIL",
                key="trigger:1",
                kind="command",
                status=DeliveryStatus.DONE,
                received_at=real - timedelta(hours=1),
            )
        )
    seen: list[list[tuple[str, datetime]]] = []

    def deliver(item):  # what another process would find while this pass is sending
        seen.append([(row.holder, row.expires_at) for row in leases(runtime)])
        return Outcome(channel_id="D0", message_ts="1.0")

    report = Reconciler(runtime, deliver, holder="simulated").tick(FIRST_STAGE)

    assert report.sent == 3  # what is due at the simulated time goes, for real
    assert seen and all(s == [("simulated", real + LEASE_TTL)] for s in seen)  # never later than real now + TTL
    assert leases(runtime) == []  # given back as the pass ended
    with runtime.sessions() as s:
        assert s.scalars(select(InboundDelivery.key)).all() == ["trigger:1"]
        claims = s.scalars(select(Reminder)).all()
    assert {(r.claimed_at, r.sent_at) for r in claims} == {(real, real)}  # real events, at real times


def test_a_killed_pass_is_taken_over_by_the_next_pass(runtime, calendar, clock):
    """A server's passes come a minute apart; the lease a killed pass leaves has lapsed by the next one."""
    clock.now = FIRST_STAGE
    hold_lease(runtime, "killed:1:1", clock.now)  # its last heartbeat, then kill -9
    server = Reconciler(runtime, lambda item: Outcome(channel_id="D0", message_ts="1.0"), holder="server")

    clock.advance(seconds=INTERVAL.total_seconds())
    report = server.tick(clock.now)  # as the scheduler's job runs it: for now

    assert report.held_lease and report.sent == 3


def test_a_lease_set_from_a_simulated_time_is_taken_over_at_once(runtime, calendar, clock):
    """A lease expiring weeks ahead (set by an older ictbot's `tick --at`) cannot be a live holder's."""
    hold_lease(runtime, "old-tick:1:1", clock.now + timedelta(days=40))
    server = Reconciler(runtime, lambda item: Outcome(channel_id="D0", message_ts="1.0"), holder="server")

    report = server.tick(FIRST_STAGE)

    assert report.held_lease and report.sent == 3


def test_a_live_pass_keeps_the_lease_however_long_it_runs(runtime, calendar, standin, clock, monkeypatch):
    """The heartbeat renews the lease while a pass is held up (here, Slack holding every message)."""
    held = standin.slow("chat.postMessage")
    slow = Reconciler(
        runtime,
        SlackDelivery(web_client(BOT_TOKEN, standin.api_url)),
        holder="slow",
        heartbeat=timedelta(milliseconds=10),
    )
    beats: queue.Queue[datetime] = queue.Queue()
    renew = slow._renew_lease

    def beat(lost: threading.Event) -> None:  # each beat, once it has renewed, tells the test the clock as it began
        began = clock.now
        renew(lost)
        beats.put(began)

    monkeypatch.setattr(slow, "_renew_lease", beat)
    done = threading.Event()
    thread = threading.Thread(target=lambda: (slow.tick(FIRST_STAGE), done.set()))
    thread.start()
    try:
        standin.wait_for("chat.postMessage")
        moved = clock.advance(minutes=5)  # far past the TTL of the lease it took
        while next_beat(beats) != moved:  # a beat begun before the clock moved renews from the old time
            pass
        # The first beat begun since has renewed it from the clock as it read now.
        assert [(x.holder, x.expires_at) for x in leases(runtime)] == [("slow", moved + LEASE_TTL)]
        assert not done.is_set()
        other = Reconciler(runtime, lambda item: Outcome(channel_id="D0", message_ts="1.0"), holder="other")
        assert other.tick(FIRST_STAGE).held_lease is False
    finally:
        held.set()
        thread.join()
    assert leases(runtime) == []
    with runtime.sessions() as s:
        assert set(s.scalars(select(Reminder.status))) == {ReminderStatus.SENT}


def test_the_scheduler_fires_on_the_clock_s_marks_whenever_the_pass_before_ran():
    """Every instance's passes start on the same marks (multiples of the interval since the epoch), so on
    PostgreSQL they reach a stage together and share it: a first pass made at start-up, at 12:00:17.3, is
    followed by the 12:01:00 one, not 12:01:17.3."""
    marks = OnTheMarks(60)
    first = datetime(2026, 12, 1, 12, 0, 17, 300000, tzinfo=UTC)
    on_a_mark = datetime(2026, 12, 1, 12, 1, tzinfo=UTC)
    assert marks.get_next_fire_time(first, first + timedelta(milliseconds=5)) == on_a_mark
    assert marks.get_next_fire_time(on_a_mark, on_a_mark) == on_a_mark + timedelta(minutes=1)
    assert OnTheMarks(30).get_next_fire_time(None, first) == datetime(2026, 12, 1, 12, 0, 30, tzinfo=UTC)
