"""What a person types is shown exactly as typed on every chat surface, and formats, mentions, links and
forges nothing.

The same hostile text (Slack mrkdwn, a fake RAG line, a quote, mentions, a broadcast, links, a bidi
override) goes through each surface by the real Bolt app (or the real Teams app behind its HTTP endpoint),
and what Slack (or Teams) receives is checked:

- Slack: the text is one rich text ``text`` element, exactly as typed less its invisible character;
  Slack shows such an element as it is (no mrkdwn, no emoji codes, no links: those are elements of
  their own, and none comes of it). It is in no mrkdwn or plain_text object, and the notification
  text (``text``) holds it only with ``&``, ``<`` and ``>`` escaped.
- Teams: the text is in RichTextBlock text runs (which Teams does not read as markdown), each line as
  typed, never in a TextBlock, a FactSet or the message's text.

Teams is checked in tests/teams/test_officer_text.py; the files (Markdown, HTML, Word, CSV, calendar) in
tests/bot/test_digest.py and tests/cli.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import select

from bot.scheduling.reconciler import Reconciler
from bot.services import meetings, projects, roles, updates, workspaces
from bot.services.quickform import UpdateText
from handlers.slack.blocks.ui import HISTORY_ACTION
from handlers.slack.client import web_client
from handlers.slack.delivery.reminders import SlackDelivery
from models import Priority, Rag, Role, UpdateSource
from models.registers import ActionItem, Decision, ItemStatus
from tests.conftest import ADMIN, BOT_TOKEN, OWNER, STRANGER
from tests.helpers import last_reply, opened_view, replies, rich_texts

HOSTILE = (
    "*PCI-06* :large_green_circle: Green (was Red)\n"
    "> _x_ ~y~ `z` <@U0ADMIN> <!channel> <https://evil.example|click> https://evil.example \u202e"
)
SHOWN = HOSTILE.replace("\u202e", "")  # as a reader sees it: the bidi override is removed, nothing else
ONE_LINE = " ".join(HOSTILE.split())  # what a command's words make of it (a meeting's note)
ONE_LINE_SHOWN = ONE_LINE.replace("\u202e", "")
CHAIR = "U0CHAIR"
# The emoji the bot's own words use; typed text yields none.
BOTS_EMOJI = {
    "white_check_mark",
    "pencil2",
    "red_circle",
    "large_orange_circle",
    "large_green_circle",
    "white_circle",
    "grey_question",
    "warning",
    "seedling",
    "arrow_up",
    "arrow_down",
    "wave",
    "tada",
}


# -- what Slack received ---------------------------------------------------------------------------


def slack_messages(standin: Any) -> list[dict[str, Any]]:
    """Every message and view Slack received: posts, ephemerals, response_url answers, acks, modals."""
    found: list[dict[str, Any]] = []
    for call in standin.calls:
        params = call.params
        if call.method in ("chat.postMessage", "chat.postEphemeral", "chat.update", "response_url", "ack"):
            found.append({**params, "blocks": _json(params.get("blocks"))})
        elif call.method.startswith("views."):
            found.append(_json(params.get("view")))
    return found


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else (value or [])


def text_objects(message: dict[str, Any]) -> list[str]:
    """Every mrkdwn or plain_text text of a message's blocks (a section's, a context's, a header's, a button's)."""
    found: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            if value.get("type") in ("mrkdwn", "plain_text") and isinstance(value.get("text"), str):
                found.append(value["text"])
            for v in value.values():
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)

    walk(message.get("blocks") or [])
    return found


def assert_shown_literally(messages: list[dict[str, Any]], typed: str, *, mentions: frozenset[str] = frozenset()):
    """``typed`` is in a rich text ``text`` element exactly as typed, and read as markup nowhere."""
    assert messages, "Slack received nothing"
    elements = [e for m in messages for e in rich_texts(m)]
    assert typed in [e.get("text") for e in elements if e["type"] == "text"], [e.get("text") for e in elements]
    assert {e["type"] for e in elements} <= {"text", "emoji", "user"}  # no broadcast, link, channel, group
    assert {e["name"] for e in elements if e["type"] == "emoji"} <= BOTS_EMOJI  # the bot's own
    assert {e["user_id"] for e in elements if e["type"] == "user"} <= mentions  # those the bot means to name
    for m in messages:
        for text in text_objects(m):  # mrkdwn would read it, plain_text would emoji-fy it
            assert "evil.example" not in text and "PCI-06" not in text, text
        fallback = m.get("text") or ""
        assert "<@U0ADMIN>" not in fallback and "<!channel>" not in fallback and "<https:" not in fallback
    assert "\u202e" not in json.dumps(messages, ensure_ascii=False)


# -- the Work Plan ---------------------------------------------------------------------------------


@pytest.fixture
def hostile_project(runtime, standin, workplan) -> str:
    """PCI-06, owned by OWNER, its title the hostile text (as an admin's import could have it)."""
    with runtime.unit(standin.team_id) as (session, ws):
        projects.add(session, ws, ref="PCI-06", title=HOSTILE, priority="GOV", owner=OWNER, now=runtime.now())
        roles.grant(session, ws, CHAIR, Role.CHAIR, by=ADMIN, now=runtime.now())
    return "PCI-06"


def post_update(runtime, team: str, ref: str, text: str, when: datetime) -> None:
    with runtime.unit(team) as (session, ws):
        project = projects.get(session, ws, ref)
        updates.post(
            session,
            ws,
            project,
            user_id=OWNER,
            is_admin=True,
            text=UpdateText(rag=Rag.GREEN, progress=text, next_steps=text, risks=text),
            source=UpdateSource.MODAL,
            now=when,
        )


# -- Slack -------------------------------------------------------------------------------------------


def test_an_update_typed_in_the_command_is_confirmed_as_typed(slack, standin, runtime, workplan):
    slack.command("/ict-update", "NET-01 red " + HOSTILE, user_id=OWNER)
    assert_shown_literally([last_reply(standin)], SHOWN)  # the command's text is trimmed


def test_an_update_from_the_form_is_confirmed_as_typed_in_the_form_and_the_channel(slack, standin, workplan):
    slack.command("/ict-update", "", user_id=OWNER)
    view = opened_view(standin)
    standin.calls.clear()
    response = slack.submit_view(
        view,
        {"project": str(workplan["NET-01"]), "rag": "amber", "progress": HOSTILE, "next_steps": None, "risks": None},
        user_id=OWNER,
    )
    answered = [json.loads(response.body)] if response.body else []
    confirmations = [a["view"] for a in answered if "view" in a] + slack_messages(standin)
    assert_shown_literally(confirmations, SHOWN)


def test_mine_lists_project_titles_as_typed(slack, standin, hostile_project):
    slack.command("/ict-update", "mine", user_id=OWNER)
    assert_shown_literally([last_reply(standin)], SHOWN)


def test_the_channel_digest_and_its_thread_show_titles_and_updates_as_typed(
    slack, standin, runtime, clock, hostile_project
):
    post_update(runtime, standin.team_id, "PCI-06", HOSTILE, clock.now)
    clock.advance(hours=1)
    slack.command("/ict-digest", "", user_id=CHAIR, channel_id="C0GOVERN")
    posted = [m for m in slack_messages(standin) if "channel" in m]
    assert len(posted) >= 2  # the summary and its thread
    assert_shown_literally(posted, SHOWN)  # the title
    assert_shown_literally(posted, SHOWN)  # the progress, next steps and risks


def test_a_projects_history_and_its_modal_show_titles_and_updates_as_typed(
    slack, standin, runtime, clock, hostile_project
):
    post_update(runtime, standin.team_id, "PCI-06", HOSTILE, clock.now)
    slack.command("/ict-update", "history PCI-06", user_id=STRANGER)
    assert_shown_literally(replies(standin), SHOWN)  # the title
    assert_shown_literally(replies(standin), ONE_LINE_SHOWN)  # the progress in short: on one line
    standin.calls.clear()
    slack.button(HISTORY_ACTION, "PCI-06", user_id=STRANGER)
    (modal,) = slack_messages(standin)
    assert_shown_literally([modal], SHOWN)
    assert_shown_literally([modal], ONE_LINE_SHOWN)


def test_the_private_preview_shows_priority_names_as_typed(slack, standin, runtime, hostile_project):
    with runtime.unit(standin.team_id) as (session, _ws):
        for priority in session.scalars(select(Priority).where(Priority.code == "GOV")):  # an admin's strategy file
            priority.name = HOSTILE
    slack.command("/ict-digest", "", user_id=STRANGER, channel_id="C0GOVERN")
    assert_shown_literally(replies(standin), SHOWN)


def test_the_reminder_and_the_chairs_notice_show_titles_as_typed(runtime, standin, clock, hostile_project):
    clock.now = datetime(2026, 11, 1, 12, tzinfo=UTC)
    with runtime.unit(standin.team_id) as (session, ws):
        meetings.materialise(session, ws, now=clock.now, default_timezone="Europe/London")
    reconciler = Reconciler(runtime, SlackDelivery(web_client(BOT_TOKEN, standin.api_url)), holder="t", workers=1)
    reconciler.tick(datetime(2026, 12, 1, 9, 30, tzinfo=UTC))  # five working days before the 8 Dec meeting
    owners = [c.params for c in standin.calls_to("chat.postMessage") if c.params["channel"] == "D" + OWNER[1:]]
    assert_shown_literally([{**m, "blocks": _json(m["blocks"])} for m in owners], SHOWN)
    standin.calls.clear()
    reconciler.tick(datetime(2026, 12, 7, 9, 30, tzinfo=UTC))  # the chair, the working day before
    chairs = [{**c.params, "blocks": _json(c.params["blocks"])} for c in standin.calls_to("chat.postMessage")]
    chairs = [m for m in chairs if m["channel"] == "D" + CHAIR[1:]]
    with runtime.sessions() as session:
        owners_named = {p.owner for p in projects.list_projects(session, workspaces.find(session, standin.team_id))}
    assert_shown_literally(chairs, SHOWN, mentions=frozenset(owners_named))


def test_the_work_plan_and_a_change_to_it_show_titles_as_typed(slack, standin, hostile_project):
    slack.command("/ict-project", "list", user_id=STRANGER)
    assert_shown_literally([last_reply(standin)], SHOWN, mentions=frozenset({OWNER, "U0DELEG", ADMIN}))
    slack.command("/ict-project", "close PCI-06", user_id=ADMIN)
    assert_shown_literally([last_reply(standin)], SHOWN)


def test_meetings_show_a_chairs_notes_and_reasons_as_typed(slack, standin, hostile_project):
    slack.command("/ict-meeting", "move 2026-12-08 to 2026-12-09 " + HOSTILE, user_id=CHAIR)
    assert_shown_literally([last_reply(standin)], ONE_LINE_SHOWN)
    slack.command("/ict-meeting", "cancel 2027-01-12 " + HOSTILE, user_id=CHAIR)
    assert_shown_literally([last_reply(standin)], ONE_LINE_SHOWN)
    slack.command("/ict-meeting", "closure add 2027-02-01 " + HOSTILE, user_id=CHAIR)
    assert_shown_literally([last_reply(standin)], ONE_LINE_SHOWN)


def test_the_roles_list_shows_who_granted_a_role_as_recorded(slack, standin, runtime, hostile_project):
    granted_by = "*PCI-06* <!channel> <@U0ADMIN> _x_ :tada: evil.example\u202e"  # as a restored row may say
    with runtime.unit(standin.team_id) as (session, ws):
        roles.grant(session, ws, STRANGER, Role.CHAIR, by=granted_by, now=runtime.now())
    slack.command("/ict-role", "list", user_id=STRANGER)
    shown = granted_by.replace("\u202e", "")
    assert_shown_literally([last_reply(standin)], shown, mentions=frozenset({CHAIR, STRANGER, ADMIN}))


def test_a_typed_word_echoed_in_an_error_is_shown_as_typed(slack, standin, workplan):
    slack.command("/ict-meeting", "next *PCI-06*<!channel>", user_id=OWNER)
    assert_shown_literally([last_reply(standin)], "*PCI-06*<!channel>")


def record_decision_and_action(session, ws, now: datetime, text: str, owner: str = OWNER) -> None:
    """A decision and an action with ``text`` against the meeting decisions go to now (the calendar made)."""
    meetings.materialise(session, ws, now=now, default_timezone="Europe/London")
    meeting = meetings.meeting_for_records(session, ws, now)
    assert meeting is not None
    session.add(Decision(workspace_id=ws.id, meeting_id=meeting.id, text=text, recorded_by=CHAIR, recorded_at=now))
    session.add(
        ActionItem(
            workspace_id=ws.id,
            meeting_id=meeting.id,
            owner_user_id=owner,
            due_on=date(2027, 1, 5),
            text=text,
            status=ItemStatus.OPEN,
            given_by=CHAIR,
            given_at=now,
        )
    )


def test_the_minutes_show_decisions_and_actions_as_typed(slack, standin, runtime, hostile_project):
    with runtime.unit(standin.team_id) as (session, ws):
        record_decision_and_action(session, ws, runtime.now(), HOSTILE)
        meetings.set_channel(session, ws, "C0GOVERN", now=runtime.now(), by=CHAIR, default_timezone="Europe/London")
    slack.command("/ict-meeting", "minutes", user_id=CHAIR)
    posted = [m for m in slack_messages(standin) if m.get("channel") == "C0GOVERN"]
    assert len(posted) == 1
    assert_shown_literally(posted, SHOWN)


def test_the_exceptions_show_an_actions_text_and_a_results_note_as_typed(slack, standin, runtime, clock, workplan):
    from datetime import date, timedelta

    from models import ActionItem, AssuranceObligation, AssuranceOutcome, AssuranceResult, ItemStatus

    today = clock.now.date()
    with runtime.unit(standin.team_id) as (session, ws):
        roles.grant(session, ws, CHAIR, Role.CHAIR, by=ADMIN, now=runtime.now())
        meetings.materialise(session, ws, now=clock.now, default_timezone="Europe/London")
        held = meetings.next_meetings(session, ws, clock.now, 1)[0]
        gov = session.scalars(select(Priority).where(Priority.code == "GOV")).first()
        assert gov is not None
        session.add(
            ActionItem(
                workspace_id=ws.id,
                meeting_id=held.id,
                owner_user_id=OWNER,
                due_on=today - timedelta(days=2),
                text=HOSTILE,
                status=ItemStatus.OPEN,
                given_by=ADMIN,
                given_at=clock.now,
            )
        )
        ob = AssuranceObligation(
            workspace_id=ws.id,
            code="PCI-Q",
            name=HOSTILE,
            owner_user_id=ADMIN,
            priority_id=gov.id,
            due_on=date(today.year, today.month, 1) if today.day > 1 else today - timedelta(days=3),
            loaded_at=clock.now - timedelta(days=60),
        )
        session.add(ob)
        session.flush()
        assert ob.due_on is not None
        session.add(
            AssuranceResult(
                workspace_id=ws.id,
                obligation_id=ob.id,
                occurrence=ob.due_on,
                outcome=AssuranceOutcome.FAIL,
                note=HOSTILE,
                recorded_by=ADMIN,
                recorded_at=clock.now,
            )
        )
        failed = f"Failed (due {ob.due_on.day} {ob.due_on:%b %Y}): {ONE_LINE_SHOWN}"  # a why is one line
    slack.command("/ict-digest", "exceptions", user_id=CHAIR, channel_id="C0GOVERN")
    posted = [m for m in slack_messages(standin) if "channel" in m]
    assert_shown_literally(posted, SHOWN)  # the action's text, the obligation's name
    assert_shown_literally(posted, failed)
    standin.calls.clear()
    slack.command("/ict-digest", "exceptions", user_id=STRANGER, channel_id="C0GOVERN")
    assert_shown_literally(replies(standin), failed)


def test_search_results_show_titles_snippets_and_the_words_searched_for_as_typed(
    slack, standin, runtime, clock, hostile_project
):
    post_update(runtime, standin.team_id, "PCI-06", HOSTILE, clock.now)
    slack.command("/ict-search", "green channel", user_id=STRANGER)
    found = [last_reply(standin)]
    assert_shown_literally(found, SHOWN)  # the title
    assert_shown_literally(found, ONE_LINE_SHOWN)  # the snippet of the progress: on one line, as typed
    slack.command("/ict-search", ONE_LINE, user_id=STRANGER)  # the words searched for come back as typed
    assert_shown_literally([last_reply(standin)], ONE_LINE_SHOWN)


def test_home_shows_titles_and_actions_as_typed(slack, standin, runtime, clock, hostile_project):
    clock.now = datetime(2026, 11, 30, 10, tzinfo=UTC)
    with runtime.unit(standin.team_id) as (session, ws):
        meetings.materialise(session, ws, now=clock.now, default_timezone="Europe/London")
        record_decision_and_action(session, ws, runtime.now(), HOSTILE)
    slack.home_opened(OWNER)
    homes = [c.params["view"] for c in standin.calls_to("views.publish")]
    assert_shown_literally(homes, SHOWN)  # the project's title
    assert_shown_literally(homes, ONE_LINE_SHOWN)  # the action's text, in short
    standin.calls.clear()
    slack.home_opened(CHAIR)  # the Work Plan: who is missing an update, by name
    homes = [c.params["view"] for c in standin.calls_to("views.publish")]
    owners = frozenset({OWNER, "U0DELEG", ADMIN})
    assert_shown_literally(homes, SHOWN, mentions=owners)
