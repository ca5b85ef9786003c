"""Home's "latest digest" for a chair: the scheduled digest before a meeting or one a chair posted by hand
(``/ict-digest`` in a channel, Home's *Post digest*), whichever went out last. Driven through the real Bolt
app: a hand-posted digest is recorded once Slack accepted it, and the poster's Home is republished."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from bot.scheduling.ports import Outcome
from bot.scheduling.reconciler import Reconciler
from bot.services import digest_posts, people
from handlers.slack.blocks.home import HOME_POST_DIGEST
from models import DigestPost, DigestSent
from tests.helpers import count, typed_shown_literally
from tests.slack.test_home import (  # noqa: F401  (calendar: the fixture)
    CHAIR,
    CHANNEL,
    EVIL,
    assert_valid,
    at,
    calendar,
    open_home,
    published,
    text_of,
)

pytestmark = pytest.mark.usefixtures("calendar")
ELSEWHERE = "C0PROJECTS"
NONE_YET = "No digest has gone out yet, on schedule or posted by a chair."


def named(runtime, team: str, user_id: str, name: str) -> None:
    with runtime.unit(team) as (session, ws):
        people.record(session, ws, [people.Entry(user_id, name)], now=runtime.now())


def sent(runtime) -> list[DigestSent]:
    with runtime.sessions() as session:
        return list(session.scalars(select(DigestSent).order_by(DigestSent.id)))


def latest_line(view: dict[str, Any]) -> str:
    found = [line for line in text_of(view).splitlines() if "digest" in line and ("went out" in line or "No " in line)]
    assert len(found) == 1, text_of(view)
    return found[0]


def test_a_chairs_ict_digest_in_a_channel_is_recorded_and_shown_on_their_home(slack, standin, runtime, clock):
    named(runtime, standin.team_id, CHAIR, "Chris Chair")
    assert latest_line(open_home(slack, standin, CHAIR)) == NONE_YET
    standin.clear()
    slack.command("/ict-digest", "", user_id=CHAIR, channel_id=ELSEWHERE)

    summary = standin.calls_to("chat.postMessage")[0]
    assert summary.params["channel"] == ELSEWHERE
    [row] = sent(runtime)
    assert (row.channel_id, row.posted_by, row.posted_at) == (ELSEWHERE, CHAIR, at("2026-11-30 10:00"))
    parent = next(m for m in standin.messages_in(ELSEWHERE) if not m.get("thread_ts") or m["thread_ts"] == m["ts"])
    assert row.message_ts == parent["ts"]
    assert (row.period_start, row.period_end) == (at("2026-11-10 10:00"), at("2026-11-30 10:00"))
    # Opened a minute earlier, the chair's Home is left stale for the next pass; a minute on, it shows.
    assert published(standin, CHAIR) == []
    clock.advance(minutes=1)
    view = open_home(slack, standin, CHAIR)
    assert latest_line(view) == (
        f"The latest digest went out 30 Nov 2026 10:00 in <#{ELSEWHERE}>, posted by Chris Chair, "
        "for the period from 10 Nov 2026 10:00 to 30 Nov 2026 10:00."
    )


def test_the_chairs_home_is_republished_after_their_digest(slack, standin, runtime):
    slack.command("/ict-digest", "", user_id=CHAIR, channel_id=ELSEWHERE)
    [view] = published(standin, CHAIR)  # not opened within the minute: published at once
    assert_valid(view)
    # No name in the directory: the person as Home shows anyone, a name Slack shows (never a notification).
    assert f"in <#{ELSEWHERE}>, posted by <@{CHAIR}>, for the period from 10 Nov 2026 10:00" in latest_line(view)


def test_homes_post_digest_is_recorded_and_shown(slack, standin, runtime):
    named(runtime, standin.team_id, CHAIR, EVIL)  # a name is shown as Slack gave it, never read as markup
    slack.home_button(HOME_POST_DIGEST, "post", user_id=CHAIR)
    [row] = sent(runtime)
    assert (row.channel_id, row.posted_by) == (CHANNEL, CHAIR)
    [view] = published(standin, CHAIR)
    assert_valid(view)
    assert f"went out 30 Nov 2026 10:00 in <#{CHANNEL}>, posted by {EVIL}, for the period" in latest_line(view)
    assert typed_shown_literally(view, EVIL)


def test_a_digest_slack_refused_records_nothing(slack, standin, runtime):
    standin.fail("chat.postMessage", error="not_in_channel", times=2)
    slack.command("/ict-digest", "", user_id=CHAIR, channel_id=ELSEWHERE)
    slack.home_button(HOME_POST_DIGEST, "post", user_id=CHAIR)
    assert count(runtime, DigestSent) == 0
    assert published(standin, CHAIR) == []
    assert "I am not in <#C0GOVERN>" in text_of(standin.calls_to("views.open")[-1].params["view"])
    assert latest_line(open_home(slack, standin, CHAIR)) == NONE_YET


def test_a_member_s_preview_records_nothing(slack, standin, runtime):
    slack.command("/ict-digest", "", user_id="U0OWNER", channel_id=ELSEWHERE)
    assert standin.calls_to("chat.postMessage") == []
    assert count(runtime, DigestSent) == 0


def test_the_latest_of_the_scheduled_and_the_hand_posted_digests_is_shown(slack, standin, runtime, clock):
    named(runtime, standin.team_id, CHAIR, "Chris Chair")
    slack.command("/ict-digest", "", user_id=CHAIR, channel_id=ELSEWHERE)  # 30 Nov, by hand
    reconciler = Reconciler(
        runtime,
        lambda item: Outcome(error="user_not_found", permanent=True),
        post_digest=lambda item: Outcome(channel_id=CHANNEL, message_ts="2.0"),
    )
    clock.now = at("2026-12-07 12:00")
    assert reconciler.tick(clock.now).digests_sent == 1  # the scheduled one, a week later
    assert count(runtime, DigestPost) == 1
    assert latest_line(open_home(slack, standin, CHAIR)) == (
        f"The latest digest went out 7 Dec 2026 12:00 in <#{CHANNEL}>, on schedule, "
        "for the meeting of 8 Dec 2026 10:00."
    )
    clock.now = at("2026-12-07 16:00")
    slack.command("/ict-digest", "from 2026-12-01", user_id=CHAIR, channel_id=ELSEWHERE)  # by hand, after it
    assert latest_line(published(standin, CHAIR)[-1]) == (
        f"The latest digest went out 7 Dec 2026 16:00 in <#{ELSEWHERE}>, posted by Chris Chair, "
        "for the period from 1 Dec 2026 00:00 to 7 Dec 2026 16:00."
    )


def test_another_workspaces_later_digest_is_never_shown(slack, standin, runtime, clock):
    slack.command("/ict-digest", "", user_id=CHAIR, channel_id=ELSEWHERE)
    later = at("2026-12-01 10:00")
    with runtime.unit("T0OTHER") as (session, ws):
        people.record(session, ws, [people.Entry(CHAIR, "Someone Else")], now=later)
        digest_posts.record_sent(
            session, ws, channel_id="C0THEIRS", message_ts="9.9", start=None, end=later, user_id=CHAIR, now=later
        )
    clock.now = at("2026-12-02 10:00")
    line = latest_line(open_home(slack, standin, CHAIR))
    assert f"30 Nov 2026 10:00 in <#{ELSEWHERE}>, posted by <@{CHAIR}>" in line
    assert "C0THEIRS" not in line and "Someone Else" not in line
