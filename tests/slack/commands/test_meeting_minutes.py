"""`/ict-meeting minutes [YYYY-MM-DD]`: a chair or an ICT admin posts a meeting's minutes in the governance
channel; anyone else is refused and nothing is posted."""

from __future__ import annotations

import json

import pytest

from bot.services import meetings, roles
from models import Role
from tests.conftest import ADMIN, OWNER
from tests.helpers import last_reply, shown
from tests.services.test_minutes import DURING, TZ, record_month

CHAIR = "U0CHAIR"
CHANNEL = "C0GOVERN"


@pytest.fixture
def month(runtime, standin, clock):
    clock.now = DURING
    with runtime.unit(standin.team_id) as (session, ws):
        made = record_month(session, ws)
        roles.grant(session, ws, CHAIR, Role.CHAIR, by=ADMIN, now=DURING)
        meetings.set_channel(session, ws, f"<#{CHANNEL}|governance>", now=DURING, by=ADMIN, default_timezone=TZ)
    return made


def posted(standin) -> list[dict]:
    return [
        {
            **c.params,
            "blocks": json.loads(c.params["blocks"])
            if isinstance(c.params.get("blocks"), str)
            else c.params.get("blocks"),
        }
        for c in standin.calls_to("chat.postMessage")
    ]


def test_the_chair_posts_the_minutes_in_the_governance_channel(slack, standin, month):
    slack.command("/ict-meeting", "minutes", user_id=CHAIR, channel_id="C0ELSEWHERE")

    [message] = posted(standin)
    assert message["channel"] == CHANNEL
    assert message["text"] == "Minutes of the ICT governance meeting of Tue 8 Dec 2026, 10:00 GMT"
    text = shown(message)
    assert f"• *D{month.decisions[0]}* (NET-01): Adopt the cloud-first policy _(recorded by Carol Chair)_" in text
    assert f"• *A{month.given[1]}*: Brief the members _(owner Olive Owner, due 1 Dec 2026)_" in text
    assert f"*A{month.closed_in}*: Chase the supplier" in text
    assert "*Risks and issues opened, changed or closed (4)*" in text
    assert "*Exceptions (1)*\n• Overdue action: *A" in text  # the action due 1 Dec, as the minutes are posted
    assert shown(last_reply(standin)) == f"Posted the minutes of the meeting of Tue 8 Dec 2026 in <#{CHANNEL}>."
    assert last_reply(standin)["response_type"] == "ephemeral"


def test_an_admin_posts_an_earlier_meetings_minutes(slack, standin, month):
    slack.command("/ict-meeting", "minutes 2026-11-10", user_id=ADMIN)
    [message] = posted(standin)
    assert f"*D{month.nov_decision}*" in shown(message) and f"*D{month.decisions[0]}*" not in shown(message)


def test_an_officer_is_refused_and_nothing_is_posted(slack, standin, month):
    slack.command("/ict-meeting", "minutes", user_id=OWNER)
    assert shown(last_reply(standin)).startswith("Only the chair or an ICT admin can post the minutes.")
    assert posted(standin) == []


@pytest.mark.parametrize(
    ("typed", "said"),
    [
        ("minutes 2026-12-09", "There is no meeting on 2026-12-09. The next ones are on 2027-01-12"),
        ("minutes 8/12/2026", "`8/12/2026` is not a meeting date"),
        ("minutes 2026-12-08 extra", "Usage: `/ict-meeting minutes [YYYY-MM-DD]`"),
    ],
)
def test_a_bad_date_is_explained_and_nothing_is_posted(slack, standin, month, typed, said):
    slack.command("/ict-meeting", typed, user_id=CHAIR)
    assert said in shown(last_reply(standin))
    assert posted(standin) == []


def test_no_governance_channel_is_a_clear_error(slack, standin, runtime, clock):
    clock.now = DURING
    with runtime.unit(standin.team_id) as (session, ws):
        record_month(session, ws)
    slack.command("/ict-meeting", "minutes", user_id=ADMIN)
    assert "No governance channel is set" in shown(last_reply(standin))
    assert "`/ict-meeting channel #channel`" in shown(last_reply(standin))
    assert posted(standin) == []


def test_the_bot_not_in_the_channel_is_told_to_the_chair(slack, standin, month):
    standin.fail("chat.postMessage", error="not_in_channel")
    slack.command("/ict-meeting", "minutes", user_id=CHAIR)
    assert "/invite @ictbot" in shown(last_reply(standin))


def test_help_lists_the_minutes(slack, standin):
    slack.command("/ict-meeting", "help", user_id=OWNER)
    assert "`/ict-meeting minutes [YYYY-MM-DD]`" in shown(last_reply(standin))
