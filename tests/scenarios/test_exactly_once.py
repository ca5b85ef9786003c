"""Reminders and scheduled digests go once, for real: each way a second copy used to go, tried.

(a) the process is killed (kill -9) while Slack has the message; (b) the database loses the "sent"
record after Slack took the message; (c) Slack answers after the client has given up (or drops the
connection), having stored the message; (d) the first pass after an instance stopped retries an
abandoned claim while a later stage is due. In (a)–(c) the retry finds the message in the
conversation's history by its metadata and sends nothing; (d) drops the superseded stage. Where the
history cannot be read, the retry sends again and records that it did.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.dev.standin import BOT_ID, SlackStandIn
from bot.scheduling.ports import Outcome
from bot.scheduling.reconciler import LEASE_NAME, LEASE_TTL, Reconciler
from bot.services import meetings, reminders
from bot.services.reminders import CLAIM_TIMEOUT
from handlers.slack.client import web_client
from handlers.slack.delivery.digest import SlackDigestDelivery
from handlers.slack.delivery.history import DIGEST_EVENT, REMINDER_EVENT
from handlers.slack.delivery.reminders import SlackDelivery
from models.scheduling import DigestPost, Lease, Reminder, ReminderStatus
from tests.cli.conftest import CLEAN_ENV
from tests.conftest import ADMIN, BOT_TOKEN, DELEGATE, OWNER
from tests.helpers import failing
from tests.services.test_reminders import at, dms
from tests.slack.commands.test_ict_digest import post_update

FIRST_STAGE = at("2026-12-01 09:30")  # five working days before the 8 Dec meeting: three owners due
DUE = at("2026-12-07 12:00")  # the digest's time: one working day before, at 12:00
CHANNEL = "C0GOVERN"
OWNER_DMS = {"D0OWNER", "D0DELEG", "D0ADMIN"}
LATER = CLAIM_TIMEOUT + timedelta(minutes=1)  # past the claim timeout: an abandoned claim is retried
FOUND = "found in history"
NOT_FOUND = "not in history; posted"
QUICK = 0.3  # seconds: a client timeout the stand-in can outlast without the test waiting long


@pytest.fixture
def calendar(runtime, standin, workplan, clock):
    """The default series from 1 Nov 2026 with a governance channel, and one update in December's period."""
    clock.now = at("2026-11-01 12:00")
    with runtime.unit(standin.team_id) as (session, ws):
        meetings.materialise(session, ws, now=clock.now, default_timezone="Europe/London")
        meetings.set_channel(session, ws, f"<#{CHANNEL}|governance>", now=clock.now, by=ADMIN, default_timezone="UTC")
    post_update(runtime, standin.team_id, "NET-01", ADMIN, at("2026-11-25 10:00"), progress="Switches in")
    return workplan


def client(standin: SlackStandIn, timeout: float | None = None):
    c = web_client(BOT_TOKEN, standin.api_url)
    if timeout is not None:
        c.timeout = timeout
    return c


def sends_reminders(runtime, standin, holder="a", *, timeout=None) -> Reconciler:
    return Reconciler(runtime, SlackDelivery(client(standin, timeout)), holder=holder, workers=4)


def not_sent(item) -> Outcome:
    """Reminders are not under test in the digest's tests: they 'go' without Slack."""
    return Outcome(channel_id="D0", message_ts="1.0")


def posts_digests(runtime, standin, holder="a", *, timeout=None) -> Reconciler:
    return Reconciler(
        runtime, not_sent, holder=holder, workers=4, post_digest=SlackDigestDelivery(client(standin, timeout))
    )


def tick(reconciler: Reconciler, clock, when: datetime):
    """A pass at ``when``, the runtime's clock reading ``when`` too (as in production)."""
    clock.now = when
    return reconciler.tick(when)


def posted(standin: SlackStandIn, channels=OWNER_DMS) -> list:
    """The messages Slack acted on in ``channels`` (thread replies aside)."""
    return [
        c
        for c in standin.calls_to("chat.postMessage")
        if c.params.get("channel") in channels and "thread_ts" not in c.params and "_fault" not in c.params
    ]


def reminder_rows(runtime) -> list[Reminder]:
    with runtime.sessions() as s:
        return list(s.scalars(select(Reminder).order_by(Reminder.id)))


def digest_rows(runtime) -> list[DigestPost]:
    with runtime.sessions() as s:
        return list(s.scalars(select(DigestPost)))


def assert_each_owner_has_one(standin: SlackStandIn, runtime) -> None:
    assert sorted(c.params["channel"] for c in posted(standin)) == sorted(OWNER_DMS)
    rows = reminder_rows(runtime)
    assert {(r.status, r.settlement) for r in rows} == {(ReminderStatus.SENT, FOUND)}
    stored = {m["ts"] for channel in OWNER_DMS for m in standin.messages_in(channel) if m.get("bot_id") == BOT_ID}
    assert {r.message_ts for r in rows} == stored  # the message found is the one recorded


def assert_one_whole_digest(standin: SlackStandIn) -> None:
    [summary] = standin.messages_in(CHANNEL)[:1]
    assert summary["metadata"]["event_type"] == DIGEST_EVENT
    assert len(posted(standin, {CHANNEL})) == 1
    thread = [m for m in standin.messages_in(CHANNEL) if m.get("thread_ts") == summary["ts"] and m is not summary]
    assert thread and thread[-1].get("files")  # the detail, then the report and chart
    assert [m for m in standin.messages_in(CHANNEL) if "thread_ts" not in m or m["thread_ts"] == m["ts"]] == [
        standin.messages_in(CHANNEL)[0]
    ]


# -- every message names its claim ------------------------------------------------------------------


def test_every_reminder_and_digest_carries_metadata_naming_its_claim(runtime, calendar, standin, clock):
    tick(sends_reminders(runtime, standin), clock, FIRST_STAGE)
    ids = {r.channel_id: r.id for r in reminder_rows(runtime)}
    for call in posted(standin):
        assert call.params["metadata"] == {
            "event_type": REMINDER_EVENT,
            "event_payload": {"claim": ids[call.params["channel"]], "part": 0},
        }
    tick(posts_digests(runtime, standin), clock, DUE)
    [row] = digest_rows(runtime)
    [summary] = posted(standin, {CHANNEL})
    assert summary.params["metadata"] == {"event_type": DIGEST_EVENT, "event_payload": {"claim": row.id, "part": 0}}


# -- (a) kill -9 mid-send ----------------------------------------------------------------------------


def tick_killed_mid_send(db_url: str, standin: SlackStandIn, when: str, *, count: int, where=None) -> None:
    """`ictbot tick --at WHEN` in a process of its own, killed (SIGKILL) once Slack has taken ``count`` of its
    messages (``where`` says which) and before it has answered: the claims and the lease are left behind."""
    held = standin.slow("chat.postMessage")
    env = {k: v for k, v in os.environ.items() if k not in CLEAN_ENV}
    env.update(
        DATABASE_URL=db_url, SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_API_URL=standin.api_url, ICTBOT_REMINDER_RATE="100"
    )
    with tempfile.TemporaryFile() as stderr:
        tick_process = subprocess.Popen(  # noqa: S603  (our own command line)
            [sys.executable, "-c", "from bot.cli import main; main()", "tick", "--at", when],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )
        try:
            standin.wait_for("chat.postMessage", count, timeout=60, where=where)
        except TimeoutError as exc:
            stderr.seek(0)
            raise AssertionError(f"`ictbot tick` did not get as far: {stderr.read().decode(errors='replace')}") from exc
        finally:
            tick_process.kill()
            tick_process.wait()
            held.set()


def test_a_tick_killed_mid_send_is_taken_over_and_sends_no_reminder_twice(runtime, db_url, calendar, standin, clock):
    clock.now = datetime.now(UTC)  # the killed process ran on the real clock, and Slack stamps messages by it
    # A workspace's batch goes one message at a time: killed while Slack holds the first, all three claimed.
    tick_killed_mid_send(db_url, standin, "2026-12-01T09:30", count=1)
    killed_at = datetime.now(UTC)
    assert {r.status for r in reminder_rows(runtime)} == {ReminderStatus.CLAIMED}
    [taken] = [c.params["channel"] for c in posted(standin)]
    with runtime.sessions() as s:
        [left] = s.scalars(select(Lease)).all()
    assert left.name == LEASE_NAME and left.expires_at <= killed_at + LEASE_TTL

    server = sends_reminders(runtime, standin, "server")
    first = tick(server, clock, killed_at + timedelta(seconds=60))  # a server's next pass, a minute later
    assert first.held_lease and first.outcomes == []  # the claims are fresh: they may still be in flight
    retry = tick(server, clock, killed_at + LATER)

    assert retry.sent == 3
    assert sorted(c.params["channel"] for c in posted(standin)) == sorted(OWNER_DMS)  # one each
    settled = {r.channel_id: (r.status, r.settlement) for r in reminder_rows(runtime)}
    assert settled == {dm: (ReminderStatus.SENT, FOUND if dm == taken else NOT_FOUND) for dm in OWNER_DMS}


def test_a_tick_killed_mid_post_sends_no_digest_twice(runtime, db_url, calendar, standin, clock):
    clock.now = datetime.now(UTC)
    in_channel = lambda call: call.params.get("channel") == CHANNEL  # noqa: E731
    tick_killed_mid_send(db_url, standin, "2026-12-07T12:00", count=1, where=in_channel)
    assert [r.status for r in digest_rows(runtime)] == [ReminderStatus.CLAIMED]

    report = tick(posts_digests(runtime, standin, "server"), clock, datetime.now(UTC) + LATER)

    assert report.digests_sent == 1
    assert_one_whole_digest(standin)  # the killed process got no further than the summary: the retry adds its thread
    [row] = digest_rows(runtime)
    assert row.status is ReminderStatus.SENT and row.message_ts == standin.messages_in(CHANNEL)[0]["ts"]
    assert row.settlement == "found in history without its thread; posted the thread"


# -- (b) the "sent" record lost -----------------------------------------------------------------------


def test_a_reminder_whose_sent_record_was_lost_is_not_sent_again(runtime, engine, calendar, standin, clock):
    with failing(engine, "UPDATE reminder SET", "server closed the connection unexpectedly", containing="sent_at"):
        tick(sends_reminders(runtime, standin), clock, FIRST_STAGE)
    assert len(posted(standin)) == 3 and {r.status for r in reminder_rows(runtime)} == {ReminderStatus.CLAIMED}

    retry = tick(sends_reminders(runtime, standin, "b"), clock, FIRST_STAGE + LATER)

    assert retry.sent == 3
    assert_each_owner_has_one(standin, runtime)


def test_a_digest_whose_sent_record_was_lost_is_not_posted_again(runtime, engine, calendar, standin, clock):
    with failing(engine, "UPDATE digest_post SET", "server closed the connection", containing="sent_at"):
        tick(posts_digests(runtime, standin), clock, DUE)
    assert [r.status for r in digest_rows(runtime)] == [ReminderStatus.CLAIMED]
    calls = len(standin.calls)

    retry = tick(posts_digests(runtime, standin, "b"), clock, DUE + LATER)

    assert retry.digests_sent == 1
    assert_one_whole_digest(standin)
    looked = {"auth.test", "conversations.history", "users.info"}  # found it, and its thread whole: posted nothing
    assert {c.method for c in standin.calls[calls:]} <= looked
    [row] = digest_rows(runtime)
    assert (row.status, row.settlement) == (ReminderStatus.SENT, FOUND)


# -- (c) Slack slower than the client, or hanging up ----------------------------------------------------


def test_a_reminder_slack_took_after_the_client_gave_up_is_not_sent_again(runtime, calendar, standin, clock):
    slow = standin.slow("chat.postMessage")
    try:
        first = tick(sends_reminders(runtime, standin, timeout=QUICK), clock, FIRST_STAGE)
    finally:
        slow.set()
    assert first.retrying == 3 and {o.error for _, o in first.outcomes} == {"TimeoutError"}
    assert len(posted(standin)) == 3  # never repeated on the spot: the outcome is unknown

    retry = tick(sends_reminders(runtime, standin, "b"), clock, FIRST_STAGE + LATER)

    assert retry.sent == 3
    assert_each_owner_has_one(standin, runtime)


def test_a_post_whose_connection_dropped_is_not_repeated_by_the_client(runtime, calendar, standin, clock):
    """slack_sdk's ConnectionErrorRetryHandler repeats a call whose connection closed without an answer."""
    standin.hang_up("chat.postMessage", times=3)
    first = tick(sends_reminders(runtime, standin), clock, FIRST_STAGE)
    assert first.retrying == 3 and len(posted(standin)) == 3

    retry = tick(sends_reminders(runtime, standin, "b"), clock, FIRST_STAGE + LATER)

    assert retry.sent == 3
    assert_each_owner_has_one(standin, runtime)


def test_a_digest_slack_took_after_the_client_gave_up_is_finished_not_posted_again(runtime, calendar, standin, clock):
    slow = standin.slow("chat.postMessage")
    try:
        first = tick(posts_digests(runtime, standin, timeout=QUICK), clock, DUE)
    finally:
        slow.set()
    assert first.digests_retrying == 1 and len(posted(standin, {CHANNEL})) == 1

    retry = tick(posts_digests(runtime, standin, "b"), clock, DUE + LATER)

    assert retry.digests_sent == 1
    assert_one_whole_digest(standin)


def test_the_slack_429_and_503_of_a_post_are_still_retried_at_once(runtime, calendar, standin, clock):
    """Slack did not act on those: repeating them cannot post twice (tests/bot/test_reminders.py has 429/503)."""
    standin.fail("chat.postMessage", status=503, times=2)
    report = tick(sends_reminders(runtime, standin), clock, FIRST_STAGE)
    assert report.sent == 3 and len(posted(standin)) == 3


# -- (d) the first pass after an instance stopped ----------------------------------------------------


def test_an_abandoned_earlier_stage_is_dropped_when_a_later_stage_is_due(runtime, calendar, standin, clock):
    def stopped(item):
        raise SystemError("the instance stopped mid-send")

    tick(Reconciler(runtime, stopped, holder="stopped"), clock, FIRST_STAGE)  # 5d claims, left behind
    standin.clear()

    report = tick(sends_reminders(runtime, standin, "back"), clock, at("2026-12-07 09:30"))  # days later

    owners = {user: [m for m in messages if "meets on" in m] for user, messages in dms(standin).items()}
    assert {user: len(m) for user, m in owners.items()} == {OWNER: 1, DELEGATE: 1, ADMIN: 1}
    rows = {(r.user_id, r.stage): r for r in reminder_rows(runtime)}
    for user in (OWNER, DELEGATE, ADMIN):
        assert rows[(user, "5d@0930")].status is ReminderStatus.DROPPED
        assert rows[(user, "5d@0930")].error == "superseded by the 1d@0930 reminder"
        assert rows[(user, "1d@0930")].status is ReminderStatus.SENT
    assert report.sent == 3 + 1  # the 1d stage, and the chair's notice (the admin stands in)


def test_a_snooze_falling_due_with_a_stage_sends_one_reminder(runtime, calendar, standin, slack, clock):
    """ "Remind me tomorrow" on the day before the last stage comes due together with it: one message."""
    tick(sends_reminders(runtime, standin), clock, at("2026-12-04 09:30"))  # the 5d stage, late (Fri 4 Dec)
    clock.now = at("2026-12-04 11:00")
    with runtime.unit(standin.team_id) as (session, ws):
        meeting_id = {r.meeting_id for r in reminder_rows(runtime)}.pop()
        when = reminders.snooze(session, ws, meeting_id=meeting_id, user_id=OWNER, now=clock.now)
    assert when == at("2026-12-07 09:30")  # Monday: the 1d stage's time
    standin.clear()

    tick(sends_reminders(runtime, standin), clock, at("2026-12-07 09:30"))

    assert len([m for m in dms(standin)[OWNER] if "meets on" in m]) == 1


def test_the_first_pass_after_an_instance_stopped_posts_no_digest_twice(runtime, calendar, standin, clock):
    """A digest has one row per meeting, so no later stage can join in: (d) is its abandoned claim's retry."""
    digests = SlackDigestDelivery(client(standin))

    def stops_after_posting(item):
        digests(item)
        raise SystemError("the instance stopped before recording it")

    tick(Reconciler(runtime, not_sent, holder="stopped", post_digest=stops_after_posting), clock, DUE)
    assert len(posted(standin, {CHANNEL})) == 1

    report = tick(posts_digests(runtime, standin, "back"), clock, DUE + timedelta(hours=2))

    assert report.digests_sent == 1
    assert_one_whole_digest(standin)


# -- where the history cannot be read: at least once, and recorded -------------------------------------


def test_without_the_history_scope_a_retried_reminder_goes_again_and_says_so(runtime, calendar, standin, clock):
    slow = standin.slow("chat.postMessage")
    try:
        tick(sends_reminders(runtime, standin, timeout=QUICK), clock, FIRST_STAGE)
    finally:
        slow.set()
    standin.fail("conversations.history", error="missing_scope", times=3)

    retry = tick(sends_reminders(runtime, standin, "b"), clock, FIRST_STAGE + LATER)

    assert retry.sent == 3 and len(posted(standin)) == 6  # at least once: each went again
    assert {r.settlement for r in reminder_rows(runtime)} == {"resent: history unreadable (missing_scope)"}


def test_without_the_history_scope_a_retried_digest_goes_again_and_says_so(runtime, calendar, standin, clock):
    standin.fail("chat.postMessage", error="service_unavailable")  # answered: nothing posted, retried later
    tick(posts_digests(runtime, standin), clock, DUE)
    standin.fail("conversations.history", error="missing_scope")

    retry = tick(posts_digests(runtime, standin, "b"), clock, DUE + LATER)

    assert retry.digests_sent == 1
    [row] = digest_rows(runtime)
    assert (row.status, row.settlement) == (ReminderStatus.SENT, "resent: history unreadable (missing_scope)")


def test_a_history_slack_cannot_give_now_sends_nothing_and_looks_again_later(runtime, engine, calendar, standin, clock):
    with failing(engine, "UPDATE reminder SET", "connection lost", containing="sent_at"):
        tick(sends_reminders(runtime, standin), clock, FIRST_STAGE)
    standin.fail("conversations.history", error="fatal_error", times=3)

    deferred = tick(sends_reminders(runtime, standin, "b"), clock, FIRST_STAGE + LATER)

    assert deferred.retrying == 3 and {o.error for _, o in deferred.outcomes} == {"history: fatal_error"}
    assert len(posted(standin)) == 3  # not sent again on a guess
    assert {(r.status, r.attempts) for r in reminder_rows(runtime)} == {(ReminderStatus.CLAIMED, 1)}  # retry kept
    looked = tick(sends_reminders(runtime, standin, "b"), clock, FIRST_STAGE + 2 * LATER)
    assert looked.sent == 3
    assert_each_owner_has_one(standin, runtime)


def test_metadata_another_app_attached_does_not_pass_for_the_bots_message(runtime, calendar, standin, clock):
    def stopped(item):
        raise SystemError("stopped before posting")

    tick(Reconciler(runtime, stopped, holder="stopped"), clock, FIRST_STAGE)
    owners = {r.user_id: r.id for r in reminder_rows(runtime)}
    forged = {"event_type": REMINDER_EVENT, "event_payload": {"claim": owners[OWNER], "part": 0}}
    standin.add_message("D0OWNER", "Reminder already sent, honest", metadata=forged, bot_id="B0OTHERAPP")

    tick(sends_reminders(runtime, standin, "b"), clock, FIRST_STAGE + LATER)

    assert sorted(c.params["channel"] for c in posted(standin)) == sorted(OWNER_DMS)  # the owner's went too


def test_the_retry_pages_through_a_busy_conversation(runtime, engine, calendar, standin, clock):
    with failing(engine, "UPDATE reminder SET", "connection lost", containing="sent_at"):
        tick(sends_reminders(runtime, standin), clock, FIRST_STAGE)
    for i in range(40):  # the owner chatted with the bot since: the reminder is three pages back
        clock.advance(seconds=1)
        standin.add_message("D0OWNER", f"message {i}", user=OWNER)

    tick(sends_reminders(runtime, standin, "b"), clock, FIRST_STAGE + LATER)

    assert_each_owner_has_one(standin, runtime)
    pages = [c for c in standin.calls_to("conversations.history") if c.params["channel"] == "D0OWNER"]
    assert len(pages) == 3 and pages[0].params.get("cursor") is None and pages[-1].params.get("cursor")
    assert {p.params["include_all_metadata"] for p in pages} == {"1"}
