"""Four instances on one PostgreSQL share a stage for a dozen councils, under faults, and every reminder still
goes exactly once: Slack answering 503 and dropping a connection after taking the message, the database
refusing one instance's records, and an instance frozen mid-pass whose claims the others take over after the
claim time-out, and which then wakes up. Also: a workspace another instance is claiming is passed over and
left to it. PostgreSQL only: on SQLite one pass runs at a time (tests/scheduling/test_shared_pass.py)."""

from __future__ import annotations

import logging
import threading
from collections import Counter
from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy import select, text

from bot.dev.standin import BOT_ID, SlackStandIn
from bot.scheduling.ports import Outcome
from bot.scheduling.reconciler import Reconciler, TickReport
from bot.services.reminders import CLAIM_TIMEOUT, Due
from handlers.slack.client import web_client
from handlers.slack.delivery.history import REMINDER_EVENT
from handlers.slack.delivery.reminders import SlackDelivery
from models import Workspace
from models.scheduling import Reminder, ReminderStatus
from tests.conftest import BOT_TOKEN
from tests.helpers import failing
from tests.scheduling.test_shared_pass import STAGE, TIMEOUT, Rendezvous, instances
from tests.scheduling.test_wake import council
from tests.services.test_reminders import at

COUNCILS = 12  # two people due in each: 24 reminders
FOUND, NOT_FOUND = "found in history", "not in history; posted"


@pytest.fixture(params=[pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(databases, _shared_databases) -> str:
    """The run's shared PostgreSQL database only."""
    if "postgresql" not in _shared_databases:
        _shared_databases["postgresql"] = databases.postgres()
    return _shared_databases["postgresql"]


@pytest.fixture
def councils(runtime, clock) -> None:
    clock.now = at("2026-11-01 12:00")
    for n in range(COUNCILS):
        council(runtime, f"T0C{n:04d}")
    clock.now = STAGE


def messages_by_claim(standin: SlackStandIn) -> Counter[int]:
    """How many of the bot's reminders Slack holds for each claim (the metadata every reminder carries)."""
    held: Counter[int] = Counter()
    for channel in list(standin.messages):
        for m in standin.messages_in(channel):
            metadata = m.get("metadata") or {}
            if m.get("bot_id") == BOT_ID and metadata.get("event_type") == REMINDER_EVENT:
                held[metadata["event_payload"]["claim"]] += 1
    return held


def reminder_rows(runtime) -> list[Reminder]:
    with runtime.sessions() as session:
        return list(session.scalars(select(Reminder).order_by(Reminder.id)))


def test_four_instances_under_faults_send_each_reminder_exactly_once(runtime, councils, standin, clock):
    slack = SlackDelivery(web_client(BOT_TOKEN, standin.api_url))
    rendezvous = Rendezvous(4)
    frozen, thaw = threading.Event(), threading.Event()

    def deliver(holder: str) -> Callable[[Due], Outcome]:
        first = threading.Event()

        def send(item: Due) -> Outcome:
            if not first.is_set():
                first.set()
                rendezvous.arrive(holder)  # every instance has claimed a share before any sends
            outcome = slack(item)
            if holder == "i3" and not frozen.is_set():  # Slack has the message; the process stalls before it hears
                frozen.set()
                assert thaw.wait(TIMEOUT)
            return outcome

        return send

    standin.fail("chat.postMessage", status=503, times=2)  # retried at once by the client
    standin.hang_up("chat.postMessage")  # taken, then the connection dropped: the outcome is unknown
    reports: dict[str, TickReport] = {}
    with instances(runtime, 4) as runtimes:
        reconcilers = {
            f"i{n}": Reconciler(rt, deliver(f"i{n}"), holder=f"i{n}", workers=1, claim_ahead=2)
            for n, rt in enumerate(runtimes)
        }
        start = threading.Barrier(4)

        def run(holder: str) -> None:
            start.wait()
            try:
                reports[holder] = reconcilers[holder].tick()
            finally:
                rendezvous.ended(holder)

        with failing(runtimes[1].engine, "UPDATE reminder", "database is locked", containing="sent_at"):
            threads = {h: threading.Thread(target=run, args=(h,)) for h in reconcilers}
            for t in threads.values():
                t.start()
            for holder in ("i0", "i1", "i2"):
                threads[holder].join(TIMEOUT)
        assert frozen.wait(TIMEOUT) and set(reports) == {"i0", "i1", "i2"}
        assert all(reports[h].sent > 0 for h in ("i0", "i1", "i2")), {h: r.sent for h, r in reports.items()}

        # The others' next pass, past the claim time-out: they take over what i3 froze on, what i1 could not
        # record and what the dropped connection left unknown; each retry looks in the DM first.
        clock.advance(seconds=(CLAIM_TIMEOUT + timedelta(minutes=1)).total_seconds())
        retry = reconcilers["i0"].tick()
        thaw.set()  # i3 wakes: its claims are no longer its own, so it sends nothing more
        threads["i3"].join(TIMEOUT)
        woken = reports["i3"]
        clock.advance(seconds=(CLAIM_TIMEOUT + timedelta(minutes=1)).total_seconds())
        assert reconcilers["i2"].tick().outcomes == []  # nothing is left to retry

    rows = reminder_rows(runtime)
    assert len(rows) == 2 * COUNCILS and {r.status for r in rows} == {ReminderStatus.SENT}
    held = messages_by_claim(standin)
    assert held == Counter({r.id: 1 for r in rows})  # each reminder in its DM exactly once
    retried = {r.id: r.settlement for r in rows if r.attempts == 2}
    assert retry.sent == len(retried) >= 1 + 3  # i3's two batches at least (the one it sent, three it did not)
    # found: what i3 sent before it froze, what i1 sent and could not record (and the dropped connection's)
    assert Counter(retried.values())[FOUND] >= 1 + reports["i1"].sent
    assert set(retried.values()) <= {FOUND, NOT_FOUND}
    assert [o.error for _, o in woken.outcomes].count("taken over by another process") == 3
    assert {r.claimed_by for r in rows} == {"i0", "i2"}  # i1's and i3's claims were all taken over


def test_a_workspace_another_instance_is_claiming_is_passed_over_and_left_to_it(runtime, councils, clock, caplog):
    """Its row is locked, as a claiming pass of another instance holds it: this pass claims everywhere else,
    tries it once more at the end, then leaves it (still due) to that instance, without waiting."""
    sent: list[int] = []

    def deliver(item: Due) -> Outcome:
        sent.append(item.workspace_id)
        return Outcome(channel_id="D0" + item.user_id, message_ts="1.0")

    with runtime.sessions() as session:
        locked = session.scalars(select(Workspace.id).order_by(Workspace.id)).first()
    with runtime.engine.connect() as other, other.begin():
        other.execute(text("SELECT id FROM workspace WHERE id = :id FOR NO KEY UPDATE"), {"id": locked})
        report = Reconciler(runtime, deliver, holder="a").tick()
    assert report.sent == 2 * (COUNCILS - 1) and locked not in sent
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []  # skipped, not timed out
    clock.advance(minutes=1)
    later = Reconciler(runtime, deliver, holder="a").tick()  # the other instance died before claiming: it is due
    assert later.sent == 2 and sent[-2:] == [locked, locked]
