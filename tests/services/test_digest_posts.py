"""The digest posted in the governance channel before each meeting: at its time, once, never late."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.scheduling.ports import Outcome
from bot.scheduling.reconciler import LEASE_TTL, Reconciler, TickReport
from bot.services import digest_posts, meetings
from handlers.slack.client import web_client
from handlers.slack.delivery.digest import SlackDigestDelivery
from models import Meeting
from models.scheduling import DigestPost, ReminderStatus
from tests.conftest import ADMIN, BOT_TOKEN
from tests.helpers import rich_texts
from tests.slack.commands.test_ict_digest import EVIL, assert_within_slacks_limits, post_update, section_texts

LONDON = ZoneInfo("Europe/London")
CHANNEL = "C0GOVERN"
DUE = "2026-12-07 12:00"  # one working day before the 8 Dec meeting, at 12:00 (the default digest stage)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=LONDON).astimezone(UTC)


def no_reminders(item: object) -> Outcome:
    """Reminders are not under test here: they are 'sent' without Slack, so Slack only sees digests."""
    return Outcome(channel_id="D0", message_ts="1.0")


@pytest.fixture
def calendar(runtime, standin, workplan, clock):
    """Meetings from 1 Nov 2026 (10 Nov, 8 Dec, ...), the governance channel set, one update with typed markup."""
    clock.now = at("2026-11-01 12:00")
    with runtime.unit(standin.team_id) as (session, ws):
        meetings.materialise(session, ws, now=clock.now, default_timezone="Europe/London")
        meetings.set_channel(
            session, ws, f"<#{CHANNEL}|ict-governance>", now=clock.now, by=ADMIN, default_timezone="Europe/London"
        )
    post_update(runtime, standin.team_id, "NET-01", ADMIN, at("2026-11-25 10:00"), progress=EVIL)
    return workplan


@pytest.fixture
def delivery(standin):
    return SlackDigestDelivery(web_client(BOT_TOKEN, standin.api_url))


class Reconciling(Reconciler):
    """A reconciler whose runtime clock reads the time of the tick it is in, as it does in production."""

    def tick(self, now: datetime) -> TickReport:
        self.runtime.clock.now = now  # type: ignore[attr-defined]  # the tests' Clock
        return super().tick(now)


def reconciler(runtime, delivery, holder="a", deliver=no_reminders):
    return Reconciling(runtime, deliver, holder=holder, workers=4, post_digest=delivery)


def parents(standin) -> list:
    """The digests' summaries: messages in the governance channel that are not thread replies."""
    return [c for c in standin.calls_to("chat.postMessage") if "thread_ts" not in c.params and "_fault" not in c.params]


def rows(runtime) -> list[DigestPost]:
    with runtime.sessions() as s:
        return list(s.scalars(select(DigestPost).order_by(DigestPost.id)))


def test_the_digest_is_posted_once_at_its_time_and_not_before(runtime, standin, calendar, delivery):
    r = reconciler(runtime, delivery)
    assert r.tick(at("2026-12-07 11:59")).digests_sent == 0
    assert parents(standin) == [] and rows(runtime) == []

    report = r.tick(at(DUE))
    assert report.digests_sent == 1
    [summary] = parents(standin)
    assert summary.params["channel"] == CHANNEL
    replies = [c for c in standin.calls_to("chat.postMessage") if "thread_ts" in c.params]
    shared = standin.files_shared()
    thread = {c.params["thread_ts"] for c in replies} | {f.thread_ts for f in shared}
    assert len(replies) >= 2 and len(shared) == 2 and len(thread) == 1
    assert {f.channel_id for f in shared} == {CHANNEL}
    for call in standin.calls_to("chat.postMessage"):
        assert_within_slacks_limits(call.params)
    text = "\n".join(section_texts(summary.params["blocks"]))
    assert "Period: 10 Nov 2026 to 7 Dec 2026 (Europe/London)" in text  # since the previous meeting

    [row] = rows(runtime)
    assert (row.status, row.attempts, row.channel_id) == (ReminderStatus.SENT, 1, CHANNEL)
    assert row.message_ts == thread.pop() and row.due_at == at(DUE)

    assert r.tick(at("2026-12-07 12:01")).digests_sent == 0
    assert r.tick(at("2026-12-08 09:59")).digests_sent == 0
    assert len(parents(standin)) == 1


def test_what_officers_typed_is_shown_as_typed_in_the_scheduled_digest(runtime, standin, calendar, delivery):
    reconciler(runtime, delivery).tick(at(DUE))
    messages = [c.params for c in standin.calls_to("chat.postMessage")]
    elements = [e for m in messages for e in rich_texts(m)]
    assert EVIL in [e.get("text") for e in elements]  # one rich text element: shown exactly as typed
    assert {e["type"] for e in elements} <= {"text", "emoji"}  # nothing mentions, broadcasts or links
    mrkdwn = [b["text"]["text"] for m in messages for b in m["blocks"] if b["type"] in ("section", "header")]
    assert all("<" not in t for t in mrkdwn) and all("<" not in m["text"] for m in messages)


def test_a_late_process_posts_before_the_meeting_but_never_after_it_starts(runtime, standin, calendar, delivery):
    r = reconciler(runtime, delivery)
    assert r.tick(at("2026-12-08 10:00")).digests_sent == 0  # the process was down until the meeting began
    assert parents(standin) == [] and rows(runtime) == []
    assert r.tick(at("2026-12-08 11:00")).digests_sent == 0
    # The next meeting's digest is the next one due: 12 Jan 2027's, on Mon 11 Jan.
    assert r.tick(at("2027-01-11 11:59")).digests_sent == 0
    assert r.tick(at("2027-01-11 12:00")).digests_sent == 1


def test_a_process_back_before_the_meeting_still_posts(runtime, standin, calendar, delivery):
    assert reconciler(runtime, delivery).tick(at("2026-12-08 09:59")).digests_sent == 1


def test_no_governance_channel_no_digest(runtime, standin, workplan, clock, delivery):
    clock.now = at("2026-11-01 12:00")
    with runtime.unit(standin.team_id) as (session, ws):
        meetings.materialise(session, ws, now=clock.now, default_timezone="Europe/London")
    assert reconciler(runtime, delivery).tick(at(DUE)).digests_sent == 0
    assert parents(standin) == [] and rows(runtime) == []


def test_without_a_digest_poster_the_reconciler_leaves_digests_alone(runtime, standin, calendar):
    report = Reconciler(runtime, no_reminders, holder="old").tick(at(DUE))
    assert report.digest_outcomes == [] and rows(runtime) == []


def test_the_digest_stage_skips_bank_holidays(runtime, standin, workplan, clock):
    """Meeting Tue 8 May 2029; Mon 7 May is the Early May bank holiday, so the digest goes on Fri 4 May."""
    clock.now = at("2029-04-01 12:00")
    with runtime.unit(standin.team_id) as (session, ws):
        meetings.materialise(session, ws, now=clock.now, default_timezone="Europe/London")
        meetings.set_channel(session, ws, CHANNEL, now=clock.now, by=ADMIN, default_timezone="Europe/London")
        meeting = session.scalar(select(Meeting).where(Meeting.starts_at == at("2029-05-08 10:00")))
        assert meeting is not None
        assert digest_posts.due(session, ws, now=at("2029-05-04 11:59")) is None
        item = digest_posts.due(session, ws, now=at("2029-05-04 12:00"))
        assert item is not None and item.meeting_id == meeting.id and item.due_at == at("2029-05-04 12:00")
        assert item.channel_id == CHANNEL and item.period_start == at("2029-04-10 10:00")


def test_a_moved_meeting_moves_its_digest(runtime, standin, calendar, delivery, clock):
    with runtime.unit(standin.team_id) as (session, ws):
        meetings.move(
            session,
            ws,
            at("2026-12-08 10:00").date(),
            at("2026-12-15 10:00").date(),
            None,
            now=clock.now,
            by=ADMIN,
            default_timezone="Europe/London",
        )
    r = reconciler(runtime, delivery)
    assert r.tick(at(DUE)).digests_sent == 0
    assert r.tick(at("2026-12-14 12:00")).digests_sent == 1


def test_two_reconcilers_at_once_post_it_once(runtime, standin, calendar, delivery):
    a, b = reconciler(runtime, delivery, "a"), reconciler(runtime, delivery, "b")
    barrier = threading.Barrier(2)
    reports = {}

    def run(name, r):
        barrier.wait()
        reports[name] = r.tick(at(DUE))

    threads = [threading.Thread(target=run, args=(n, r)) for n, r in (("a", a), ("b", b))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(r.digests_sent for r in reports.values()) == [0, 1]
    assert len(parents(standin)) == 1 and len(rows(runtime)) == 1


def test_a_reconciler_taking_over_the_lease_does_not_post_a_digest_being_posted(runtime, standin, calendar, delivery):
    """The lease lapses while the first process is still posting: the claim row keeps the second one off."""
    slow = standin.hold("chat.postMessage")
    first = reconciler(runtime, delivery, "slow")
    result = {}
    thread = threading.Thread(target=lambda: result.setdefault("a", first.tick(at(DUE))))
    thread.start()
    try:
        standin.wait_for("users.info")  # claimed, and posting: the summary is next, and held
        later = reconciler(runtime, delivery, "later").tick(at(DUE) + LEASE_TTL + timedelta(minutes=1))
        assert later.held_lease and later.digests_sent == 0 and later.digest_outcomes == []
    finally:
        slow.set()
        thread.join()
    assert result["a"].digests_sent == 1
    assert len(parents(standin)) == 1


def test_only_one_claim_per_meeting(runtime, standin, calendar):
    with runtime.unit(standin.team_id) as (session, ws):
        item = digest_posts.due(session, ws, now=at(DUE))
        assert item is not None
        assert digest_posts.claim(session, item, holder="a", now=at(DUE)) is not None
    with runtime.unit(standin.team_id) as (session, ws):
        assert digest_posts.claim(session, item, holder="b", now=at(DUE)) is None
        assert digest_posts.due(session, ws, now=at(DUE)) is None
    assert [(r.claimed_by, r.status) for r in rows(runtime)] == [("a", ReminderStatus.CLAIMED)]


def test_a_claim_left_by_a_dead_process_is_posted_once_after_the_timeout(runtime, standin, calendar, delivery):
    def dies(item):
        raise SystemError("killed between claim and post")

    assert reconciler(runtime, dies, "crashed").tick(at(DUE)).digests_retrying == 1
    [row] = rows(runtime)
    assert (row.status, row.attempts) == (ReminderStatus.CLAIMED, 1)
    survivor = reconciler(runtime, delivery, "survivor")
    timeout = at(DUE) + digest_posts.CLAIM_TIMEOUT
    assert survivor.tick(timeout - timedelta(minutes=1)).digests_sent == 0  # the claim may still be in flight
    assert parents(standin) == []
    report = survivor.tick(timeout + timedelta(minutes=1))
    assert report.digests_sent == 1 and report.digest_outcomes[0][0].attempt == 2
    [row] = rows(runtime)
    assert (row.status, row.attempts, row.claimed_by) == (ReminderStatus.SENT, 2, "survivor")
    assert survivor.tick(timeout + timedelta(minutes=30)).digests_sent == 0
    assert len(parents(standin)) == 1


def test_a_claim_that_fails_again_is_recorded_as_failed(runtime, standin, calendar):
    def dies(item):
        raise SystemError("boom")

    reconciler(runtime, dies).tick(at(DUE))
    reconciler(runtime, dies).tick(at(DUE) + timedelta(minutes=15))  # retried once, fails again
    reconciler(runtime, dies).tick(at(DUE) + timedelta(minutes=30))
    assert [(r.status, r.attempts) for r in rows(runtime)] == [(ReminderStatus.FAILED, 2)]


def test_an_abandoned_claim_whose_meeting_has_started_is_dropped(runtime, standin, calendar, delivery):
    def dies(item):
        raise SystemError("killed")

    reconciler(runtime, dies).tick(at("2026-12-08 09:55"))
    assert reconciler(runtime, delivery, "b").tick(at("2026-12-08 10:10")).digests_sent == 0
    [row] = rows(runtime)
    assert row.status is ReminderStatus.DROPPED and parents(standin) == []


def test_a_transient_slack_failure_is_retried_once_after_the_timeout(runtime, standin, calendar, delivery):
    standin.fail("chat.postMessage", error="service_unavailable")  # as when the client's own retries give up
    r = reconciler(runtime, delivery)
    report = r.tick(at(DUE))
    assert report.digests_retrying == 1 and report.digest_outcomes[0][1].error == "service_unavailable"
    [row] = rows(runtime)
    assert (row.status, row.error) == (ReminderStatus.CLAIMED, "service_unavailable")
    assert r.tick(at(DUE) + digest_posts.CLAIM_TIMEOUT + timedelta(minutes=1)).digests_sent == 1
    [row] = rows(runtime)
    assert (row.status, row.attempts) == (ReminderStatus.SENT, 2)
    assert len(parents(standin)) == 1


def test_bot_not_in_the_channel_is_recorded_as_failed_and_not_retried(runtime, standin, calendar, delivery):
    standin.fail("chat.postMessage", error="not_in_channel")
    r = reconciler(runtime, delivery)
    assert r.tick(at(DUE)).digests_failed == 1
    [row] = rows(runtime)
    assert (row.status, row.error, row.message_ts) == (ReminderStatus.FAILED, "not_in_channel", None)
    assert r.tick(at(DUE) + timedelta(hours=1)).digest_outcomes == []
    assert standin.files_shared() == []


def test_a_failure_after_the_summary_is_recorded_and_never_posted_twice(runtime, standin, calendar, delivery):
    standin.fail("files.completeUploadExternal", error="file_uploads_disabled")
    r = reconciler(runtime, delivery)
    assert r.tick(at(DUE)).digests_failed == 1
    [row] = rows(runtime)
    assert row.status is ReminderStatus.FAILED and row.error == "partly posted: file_uploads_disabled"
    assert row.message_ts  # the summary is in the channel
    r.tick(at(DUE) + timedelta(hours=1))
    assert len(parents(standin)) == 1


def test_a_claim_taken_over_is_no_longer_the_first_claimants_to_post(runtime, standin, calendar):
    """A process slow to reach the posting step finds its claim taken over, and leaves the digest alone."""
    with runtime.unit(standin.team_id) as (session, ws):
        item = digest_posts.due(session, ws, now=at(DUE))
        assert item is not None
        mine = digest_posts.claim(session, item, holder="slow", now=at(DUE))
        assert mine is not None and mine.post_id is not None
    later = at(DUE) + digest_posts.CLAIM_TIMEOUT + timedelta(minutes=1)
    with runtime.unit(standin.team_id) as (session, ws):
        [taken] = digest_posts.reclaim_abandoned(session, ws, holder="fast", now=later)
        assert taken.post_id == mine.post_id and taken.attempt == 2
    with runtime.unit(standin.team_id) as (session, ws):
        assert not digest_posts.confirm(session, mine.post_id, holder="slow", now=later)
        assert digest_posts.confirm(session, mine.post_id, holder="fast", now=later)
