"""The App Home tab, driven through the real Bolt app with signed ``app_home_opened`` events and Home buttons:
each person's view, valid Block Kit (slack_sdk's models), published at most once a minute, republished after
an update, paged, and its buttons acting as the reminder's and the chair's commands do."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

from bot.services import meetings, projects, roles, updates
from bot.services.quickform import UpdateText
from bot.services.registers import actions, raid
from handlers.slack.blocks.home import (
    HOME_MORE,
    HOME_NO_CHANGE,
    HOME_POST_DIGEST,
    HOME_POST_UPDATE,
    HOME_PREVIEW_REMINDERS,
    MAX_HOME_BLOCKS,
)
from handlers.slack.blocks.ui import HISTORY_ACTION
from handlers.slack.delivery.reminders import NO_CHANGE_ACTION
from models import HomeView, ProgressUpdate, Rag, Role, UpdateSource
from models.registers import RaidKind
from tests.conftest import ADMIN, DELEGATE, OWNER, STRANGER
from tests.helpers import count, opened_view, rich_text_shown, typed_shown_literally

LONDON = ZoneInfo("Europe/London")
CHAIR = "U0CHAIR"
CHANNEL = "C0GOVERN"
EVIL = "<!channel> <@U0OWNER> <https://x|y> *bold* :tada:"


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=LONDON).astimezone(UTC)


@pytest.fixture
def calendar(runtime, standin, workplan, clock):
    """The Work Plan, the default series (the meeting of 8 Dec 2026) with a governance channel, a chair, and
    an update on NET-01 in the previous period, so it is due again."""
    clock.now = at("2026-11-02 09:00")
    with runtime.unit(standin.team_id) as (session, ws):
        meetings.materialise(session, ws, now=clock.now, default_timezone="Europe/London")
        meetings.set_channel(session, ws, CHANNEL, now=clock.now, by=ADMIN, default_timezone="Europe/London")
        roles.grant(session, ws, CHAIR, Role.CHAIR, by=ADMIN, now=clock.now)
        net = projects.get(session, ws, "NET-01")
        text = UpdateText(rag=Rag.AMBER, progress="Links ordered")
        updates.post(
            session, ws, net, user_id=OWNER, is_admin=False, text=text, source=UpdateSource.COMMAND, now=clock.now
        )
    clock.now = at("2026-11-30 10:00")  # after the meeting of 10 Nov: NET-01's update is of the last period
    return workplan


def published(standin, user_id: str | None = None) -> list[dict[str, Any]]:
    return [
        c.params["view"] for c in standin.calls_to("views.publish") if user_id is None or c.params["user_id"] == user_id
    ]


def assert_valid(view: dict[str, Any]) -> None:
    """As Slack would take it: slack_sdk's View and each block parse and validate."""
    View(**view).validate_json()
    assert view["type"] == "home"
    assert len(view["blocks"]) <= MAX_HOME_BLOCKS
    for block in view["blocks"]:
        parsed = Block.parse(block)
        assert parsed is not None
        parsed.validate_json()


def text_of(view: dict[str, Any]) -> str:
    parts = []
    for block in view["blocks"]:
        if block["type"] == "rich_text":
            parts.append(rich_text_shown(block))
        elif block["type"] == "header":
            parts.append(block["text"]["text"])
    return "\n".join(parts)


def buttons(view: dict[str, Any]) -> list[tuple[str, str, str]]:
    return [
        (e["text"]["text"], e["action_id"], e.get("value", ""))
        for b in view["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
    ]


def open_home(slack, standin, user_id: str) -> dict[str, Any]:
    before = len(published(standin, user_id))
    response = slack.home_opened(user_id)
    assert response.status == 200
    views = published(standin, user_id)
    assert len(views) == before + 1, "Home was not published"
    assert_valid(views[-1])
    return views[-1]


# -- who sees what ------------------------------------------------------------------------------------------
def test_the_owner_sees_their_projects_with_their_buttons_and_the_next_meeting(slack, standin, calendar):
    view = open_home(slack, standin, OWNER)
    shown = text_of(view)
    assert "Next meeting:* 8 Dec 2026 10:00" in shown
    assert "*NET-01* Council network refresh" in shown
    assert "*MOB-01* Mobile carrier cut-across" in shown
    assert "EFORM-01" not in shown  # the delegate's, not the owner's
    assert "update due by 7 Dec 2026 12:00" in shown  # the digest's time, one working day before
    assert "Reminders go out from 1 Dec 2026 09:30" in shown  # the first reminder stage
    assert "The Work Plan" not in shown  # not a chair
    found = buttons(view)
    net, mob = calendar["NET-01"], calendar["MOB-01"]
    assert ("Post update", HOME_POST_UPDATE, json.dumps({"p": net})) in found
    assert ("History", HISTORY_ACTION, "NET-01") in found
    assert ("History", HISTORY_ACTION, "MOB-01") in found
    no_change = [v for label, a, v in found if a == HOME_NO_CHANGE]
    assert [json.loads(v)["p"] for v in no_change] == [net]  # MOB-01 has no update to carry forward
    assert not any(a in (HOME_POST_DIGEST, HOME_PREVIEW_REMINDERS) for _, a, _ in found)
    assert str(mob) in " ".join(v for _, a, v in found if a == HOME_POST_UPDATE)


def test_the_delegate_sees_the_projects_they_are_a_delegate_on(slack, standin, calendar):
    shown = text_of(open_home(slack, standin, DELEGATE))
    assert "*NET-01* Council network refresh _(delegate)_" in shown
    assert "*EFORM-01*" in shown and "*TRN-01*" in shown
    assert "MOB-01" not in shown


def test_the_chair_sees_the_work_plan_who_is_missing_and_the_buttons(slack, standin, calendar):
    view = open_home(slack, standin, CHAIR)
    shown = text_of(view)
    assert "You own no open project" in shown
    assert "The Work Plan" in shown
    assert "Missing an update for the next meeting* (5)" in shown
    assert "<@U0OWNER>" in shown  # who is missing: a name Slack shows, never a notification in a view
    assert "No digest has gone out yet, on schedule or posted by a chair." in shown
    actions_ = {a for _, a, _ in buttons(view)}
    assert {HOME_POST_DIGEST, HOME_PREVIEW_REMINDERS} <= actions_


def test_an_env_admin_is_shown_the_chairs_part_too(slack, standin, calendar):
    assert "The Work Plan" in text_of(open_home(slack, standin, ADMIN))


def test_a_stranger_sees_no_project_and_no_chairs_part(slack, standin, calendar):
    view = open_home(slack, standin, STRANGER)
    shown = text_of(view)
    assert "You own no open project" in shown
    assert "The Work Plan" not in shown
    assert "NET-01" not in shown
    assert not buttons(view)


def test_open_actions_and_risks_are_listed_for_their_owner(slack, standin, calendar, runtime):
    with runtime.unit(standin.team_id) as (session, ws):
        actions.give_action(
            session, ws, OWNER, date(2026, 11, 20), "Order the spare links", "NET-01", CHAIR, runtime.now()
        )
        raid.raise_item(
            session,
            ws,
            RaidKind.RISK,
            "NET-01",
            "Supplier may slip",
            actor=raid.Actor(OWNER),
            now=runtime.now(),
            likelihood=4,
            impact=5,
            review_on=date(2026, 12, 20),
        )
    shown = text_of(open_home(slack, standin, OWNER))
    assert "Your open actions* (1)" in shown
    assert "due 2026-11-20 :warning: *overdue*" in shown
    assert "Order the spare links" in shown
    assert "Your open risks and issues* (1)" in shown
    assert "L4 × I5 = 20" in shown and "Supplier may slip" in shown
    assert "Your open actions" not in text_of(open_home(slack, standin, DELEGATE)).replace("actions:* none", "")


def test_typed_titles_are_shown_literally(slack, standin, calendar, runtime):
    with runtime.unit(standin.team_id) as (session, ws):
        projects.add(
            session, ws, ref="EVIL-01", title=EVIL, priority="ARCH", owner=OWNER, delegates=[], now=runtime.now()
        )
    view = open_home(slack, standin, OWNER)
    assert typed_shown_literally(view, EVIL)


def test_another_tab_publishes_nothing(slack, standin, calendar):
    slack.home_opened(OWNER, tab="messages")
    assert not published(standin)


# -- at most once a minute ----------------------------------------------------------------------------------
def test_opening_twice_within_a_minute_publishes_once_then_again_after_it(slack, standin, calendar, clock, runtime):
    open_home(slack, standin, OWNER)
    clock.advance(seconds=30)
    slack.home_opened(OWNER)
    assert len(published(standin, OWNER)) == 1
    with runtime.sessions() as s:
        row = s.query(HomeView).one()
        assert not row.stale  # nothing changed: nothing left for the next pass
    clock.advance(seconds=31)
    open_home(slack, standin, OWNER)


def test_an_update_republishes_the_home_of_its_author_and_of_the_owner(slack, standin, calendar, clock):
    slack.command("/ict-update", "NET-01 green Links are in", user_id=DELEGATE)
    assert {c.params["user_id"] for c in standin.calls_to("views.publish")} == {DELEGATE, OWNER}
    shown = text_of(published(standin, OWNER)[-1])
    assert "Each of your projects" not in shown  # MOB-01 is still due
    assert ":large_green_circle: *NET-01*" in shown


def test_an_update_within_the_minute_leaves_home_stale_for_the_next_pass(slack, standin, calendar, clock, runtime):
    open_home(slack, standin, OWNER)
    clock.advance(seconds=10)
    slack.command("/ict-update", "NET-01 green Links are in", user_id=OWNER)
    assert len(published(standin, OWNER)) == 1
    with runtime.sessions() as s:
        assert s.query(HomeView).filter_by(user_id=OWNER).one().stale


def test_the_update_form_republishes_home(slack, standin, calendar):
    slack.home_button(HOME_POST_UPDATE, json.dumps({"p": calendar["MOB-01"]}), user_id=OWNER)
    view = opened_view(standin)
    selected = next(b for b in view["blocks"] if b.get("block_id") == "project")["element"]["initial_option"]
    assert selected["value"] == str(calendar["MOB-01"])
    slack.submit_view(view, {"project": str(calendar["MOB-01"]), "rag": "amber", "progress": "SIM swap"}, user_id=OWNER)
    assert "*MOB-01*" in text_of(published(standin, OWNER)[-1])
    assert ":large_orange_circle: *MOB-01*" in text_of(published(standin, OWNER)[-1])


def test_no_change_on_home_carries_the_rag_forward_and_republishes(slack, standin, calendar, runtime):
    net = calendar["NET-01"]
    meeting = json.loads(next(v for _, a, v in buttons(open_home(slack, standin, DELEGATE)) if a == HOME_NO_CHANGE))
    assert meeting["p"] == net
    slack.home_button(HOME_NO_CHANGE, json.dumps(meeting), user_id=DELEGATE)
    assert count(runtime, ProgressUpdate) == 2
    modal = standin.calls_to("views.open")[-1].params["view"]
    assert "no change this month" in text_of(modal)
    assert published(standin, OWNER), "the owner's Home follows the delegate's update"


def test_the_reminders_no_change_button_republishes_home(slack, standin, calendar, runtime):
    with runtime.unit(standin.team_id) as (session, ws):
        meeting = meetings.meeting_after(session, ws, runtime.now())
    assert meeting is not None
    value = json.dumps({"p": calendar["NET-01"], "m": meeting.id})
    slack.button(NO_CHANGE_ACTION, value, user_id=OWNER)
    assert published(standin, OWNER)


def test_a_home_button_with_a_forged_value_is_refused_and_changes_nothing(slack, standin, calendar, runtime):
    slack.home_button(HOME_NO_CHANGE, "not json", user_id=OWNER)
    slack.home_button(HOME_NO_CHANGE, json.dumps({"p": "1", "m": True}), user_id=OWNER)
    assert count(runtime, ProgressUpdate) == 1
    assert all("not one this app made" in text_of(c.params["view"]) for c in standin.calls_to("views.open"))


# -- paging ---------------------------------------------------------------------------------------------------
def test_a_long_list_is_paged_with_show_more(slack, standin, calendar, runtime):
    with runtime.unit(standin.team_id) as (session, ws):
        for i in range(23):
            projects.add(
                session,
                ws,
                ref=f"BIG-{i:02d}",
                title=f"Big {i}",
                priority="WF",
                owner=OWNER,
                delegates=[],
                now=runtime.now(),
            )
    first = open_home(slack, standin, OWNER)
    assert "Your projects* (25)" in text_of(first)
    assert "Showing 1–10 of 25" in text_of(first)
    more = next(v for _, a, v in buttons(first) if a == HOME_MORE)
    slack.home_button(HOME_MORE, more, user_id=OWNER)  # asked for: published at once, within the minute
    second = published(standin, OWNER)[-1]
    assert_valid(second)
    assert "Showing 11–20 of 25" in text_of(second)
    last = next(v for _, a, v in buttons(second) if a == HOME_MORE)
    slack.home_button(HOME_MORE, last, user_id=OWNER)
    third = published(standin, OWNER)[-1]
    assert "Showing 21–25 of 25" in text_of(third)
    assert HOME_MORE not in {a for _, a, _ in buttons(third)}


def test_a_thousand_projects_stay_within_slacks_limits(slack, standin, calendar, runtime):
    with runtime.unit(standin.team_id) as (session, ws):
        for i in range(300):
            projects.add(
                session,
                ws,
                ref=f"BIG-{i:03d}",
                title="x" * 200,
                priority="WF",
                owner=CHAIR,
                delegates=[],
                now=runtime.now(),
            )
    view = open_home(slack, standin, CHAIR)
    assert "Missing an update for the next meeting* (305)" in text_of(view)


# -- the chair's buttons --------------------------------------------------------------------------------------
def test_post_digest_posts_it_in_the_governance_channel(slack, standin, calendar):
    slack.home_button(HOME_POST_DIGEST, "post", user_id=CHAIR)
    posts = standin.calls_to("chat.postMessage")
    assert posts and posts[0].params["channel"] == CHANNEL
    assert "The digest is posted in <#C0GOVERN>" in text_of(standin.calls_to("views.open")[-1].params["view"])


def test_post_digest_is_refused_to_an_owner(slack, standin, calendar):
    slack.home_button(HOME_POST_DIGEST, "post", user_id=OWNER)
    assert not standin.calls_to("chat.postMessage")
    assert "Only the chair or an ICT admin" in text_of(standin.calls_to("views.open")[-1].params["view"])


def test_preview_reminders_shows_who_would_be_reminded_and_sends_nothing(slack, standin, calendar, clock):
    clock.now = at("2026-12-01 09:45")
    slack.home_button(HOME_PREVIEW_REMINDERS, "preview", user_id=CHAIR)
    shown = text_of(standin.calls_to("views.open")[-1].params["view"])
    assert "nothing was sent or recorded" in shown
    assert "<@U0OWNER> (stage 5d@0930" in shown and "NET-01, MOB-01" in shown.replace(
        "MOB-01, NET-01", "NET-01, MOB-01"
    )
    assert not standin.calls_to("chat.postMessage")
    assert timedelta(0) <= clock.now - at("2026-12-01 09:45")
