"""`/ict-decision` and `/ict-action` through the real Bolt app and the stand-in Slack: chairs and admins
record and give, owners mark done, the forms, and the reminder's Mark done button."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import select

from bot.scheduling.reconciler import Reconciler
from bot.services import meetings, roles
from bot.services.registers import actions
from handlers.slack.blocks.chase import ACTION_DONE
from handlers.slack.client import web_client
from handlers.slack.delivery.reminders import SlackDelivery
from handlers.slack.modal_registers import ACTION_MODAL, DECISION_MODAL
from models import Role
from models.registers import ActionItem, Decision, ItemStatus
from tests.conftest import ADMIN, BOT_TOKEN, DELEGATE, OWNER, STRANGER
from tests.helpers import count, last_reply, opened_view, shown, typed_shown_literally
from tests.services.test_reminders import at

CHAIR = "U0CHAIR"
EVIL = "<!channel> *bold* <https://evil.example|click> @here `code`"
NOW = at("2026-11-20 09:00")  # after the 10 Nov meeting


@pytest.fixture
def calendar(runtime, standin, workplan, clock):
    clock.now = at("2026-11-01 12:00")
    with runtime.unit(standin.team_id) as (session, ws):
        meetings.materialise(session, ws, now=clock.now, default_timezone="Europe/London")
        roles.grant(session, ws, CHAIR, Role.CHAIR, by=ADMIN, now=clock.now)
    clock.now = NOW
    return workplan


def action_rows(runtime) -> list[ActionItem]:
    with runtime.sessions() as s:
        return list(s.scalars(select(ActionItem).order_by(ActionItem.id)))


def test_a_chair_records_a_decision_and_it_is_listed_with_its_meeting(slack, standin, runtime, calendar):
    slack.command("/ict-decision", "Adopt the cloud-first policy | project net-01", user_id=CHAIR)
    with runtime.sessions() as s:
        d = s.scalars(select(Decision)).one()
    assert shown(last_reply(standin)) == (
        f":memo: Recorded *D{d.id}* for the meeting of 10 Nov 2026: Adopt the cloud-first policy"
    )
    assert d.text == "Adopt the cloud-first policy" and d.recorded_by == CHAIR
    slack.command("/ict-decision", "list", user_id=STRANGER)
    listed = shown(last_reply(standin))
    assert "*Decisions of the meeting of 10 Nov 2026*" in listed
    assert f"*D{d.id}* Adopt the cloud-first policy (project `NET-01`) — recorded by <@{CHAIR}>" in listed
    slack.command("/ict-decision", "list 2026-12-08", user_id=STRANGER)
    assert shown(last_reply(standin)) == "No decisions are recorded for that meeting."


def test_only_a_chair_or_admin_records_and_gives(slack, standin, runtime, calendar):
    slack.command("/ict-decision", "Let me decide", user_id=OWNER)
    assert "Only the chair or an ICT admin can record the group's decisions" in shown(last_reply(standin))
    slack.command("/ict-action", f"add <@{OWNER}|olive> 2026-12-01 Do it", user_id=OWNER)
    assert "Only the chair or an ICT admin can give actions" in shown(last_reply(standin))
    assert count(runtime, Decision) == 0 and count(runtime, ActionItem) == 0


def test_without_a_meeting_series_the_answer_says_how_to_set_one(slack, standin, runtime, workplan):
    slack.command("/ict-decision", "Adopt it", user_id=ADMIN)
    assert "/ict-meeting series" in shown(last_reply(standin)) and count(runtime, Decision) == 0


def test_an_action_is_given_with_a_mention_even_with_a_past_due_date(slack, standin, runtime, calendar):
    slack.command("/ict-action", f"add <@{OWNER}|Olive Owner> 2026-11-12 Circulate the plan", user_id=CHAIR)
    (row,) = action_rows(runtime)
    assert (row.owner_user_id, row.due_on, row.text, row.status) == (
        OWNER,
        date(2026, 11, 12),
        "Circulate the plan",
        ItemStatus.OPEN,
    )
    assert shown(last_reply(standin)) == (
        f":pushpin: Gave *A{row.id}* to <@{OWNER}>, due 12 Nov 2026 (already overdue), "
        "at the meeting of 10 Nov 2026: Circulate the plan"
    )
    slack.command("/ict-action", "list overdue", user_id=STRANGER)
    assert f"*A{row.id}* Circulate the plan — <@{OWNER}>, due 12 Nov 2026 — *overdue*" in shown(last_reply(standin))


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("add olive 2026-12-01 Do it", "is not a person in Slack"),
        (f"add <@{OWNER}> 1 December Do it", "is not a due date"),
        (f"add <@{OWNER}> 2026-12-01", "Give the owner, the due date and the action"),
        (f"add <@{OWNER}> 2026-12-01 Do it | project NOPE-1", "There is no project `NOPE-1`"),
        ("done", "Say which action is done"),
        ("done D3", "is not an action number"),
        ("list everything", "Say which actions"),
        ("frobnicate", "is not an `/ict-action` sub-command"),
    ],
)
def test_bad_input_is_answered_and_nothing_is_written(slack, standin, runtime, calendar, typed, says):
    slack.command("/ict-action", typed, user_id=CHAIR)
    assert says in shown(last_reply(standin))
    assert count(runtime, ActionItem) == 0


def test_the_owner_marks_done_a_stranger_may_not_and_twice_writes_nothing(slack, standin, runtime, calendar, clock):
    slack.command("/ict-action", f"add <@{OWNER}> 2026-12-01 Circulate the plan", user_id=CHAIR)
    (row,) = action_rows(runtime)
    slack.command("/ict-action", f"done A{row.id}", user_id=STRANGER)
    assert f"Only A{row.id}'s owner, the chair or an ICT admin can mark it done" in shown(last_reply(standin))
    slack.command("/ict-action", f"done a{row.id} sent & filed", user_id=OWNER)
    assert shown(last_reply(standin)) == f":white_check_mark: Marked *A{row.id}* done: Circulate the plan"
    clock.advance(hours=1)
    slack.command("/ict-action", f"done {row.id} again", user_id=ADMIN)
    assert shown(last_reply(standin)) == (
        f"*A{row.id}* was already marked done by <@{OWNER}> on 20 Nov 2026; nothing changed."
    )
    (after,) = action_rows(runtime)
    assert (after.done_by, after.done_note, after.status) == (OWNER, "sent & filed", ItemStatus.CLOSED)
    slack.command("/ict-action", "", user_id=OWNER)  # list mine, by default
    assert shown(last_reply(standin)) == "*Your open actions*: none."


def test_typed_text_is_shown_literally(slack, standin, runtime, calendar):
    slack.command("/ict-decision", EVIL, user_id=CHAIR)
    assert typed_shown_literally(last_reply(standin), EVIL)
    slack.command("/ict-action", f"add <@{OWNER}> 2026-12-01 {EVIL}", user_id=CHAIR)
    assert action_rows(runtime)[0].text == EVIL
    assert typed_shown_literally(last_reply(standin), EVIL)


def test_the_forms_give_an_action_and_record_a_decision(slack, standin, runtime, calendar):
    slack.command("/ict-action", "add", user_id=CHAIR)
    view = opened_view(standin)
    assert view["callback_id"] == ACTION_MODAL
    refused = slack.submit_view(
        view, {"owner": DELEGATE, "due": "2026-12-04", "text": "Test the backups", "project": "NOPE-9"}, user_id=CHAIR
    )
    assert "NOPE-9" in json.loads(refused.body)["errors"]["project"] and count(runtime, ActionItem) == 0
    slack.submit_view(
        view, {"owner": DELEGATE, "due": "2026-12-04", "text": "Test the backups", "project": "mob-01"}, user_id=CHAIR
    )
    (row,) = action_rows(runtime)
    assert (row.owner_user_id, row.due_on, row.given_by) == (DELEGATE, date(2026, 12, 4), CHAIR)
    slack.command("/ict-decision", "", user_id=CHAIR)
    view = opened_view(standin)
    assert view["callback_id"] == DECISION_MODAL and "10 Nov 2026" in shown(view)
    slack.submit_view(view, {"text": "Approve the budget", "project": None}, user_id=CHAIR)
    with runtime.sessions() as s:
        assert s.scalars(select(Decision.text)).all() == ["Approve the budget"]
    slack.command("/ict-action", "add", user_id=OWNER)  # not a chair: no form
    assert "Only the chair or an ICT admin" in shown(last_reply(standin))


def test_the_reminder_lists_the_action_and_its_mark_done_button_closes_it(slack, standin, runtime, calendar, clock):
    with runtime.unit(standin.team_id) as (session, ws):
        mine = actions.give_action(session, ws, STRANGER, date(2026, 11, 25), "Renew <!here> cert", None, CHAIR, NOW)
        theirs = actions.give_action(session, ws, OWNER, date(2026, 12, 25), "Other", None, CHAIR, NOW)
    clock.now = at("2026-12-01 09:30")
    Reconciler(runtime, SlackDelivery(web_client(BOT_TOKEN, standin.api_url)), holder="t").tick(clock.now)
    post = next(c for c in standin.calls_to("chat.postMessage") if c.params["channel"] == "D0OTHER")
    blocks = post.params["blocks"]
    text = shown({"blocks": blocks})
    assert f"*A{mine.id}* Renew <!here> cert — due 25 Nov 2026 — *overdue*" in text
    assert typed_shown_literally({"blocks": blocks}, "Renew <!here> cert")
    button = next(e for b in blocks if b["type"] == "actions" for e in b["elements"] if e["action_id"] == ACTION_DONE)

    slack.button(ACTION_DONE, json.dumps({"a": theirs.id}), user_id=STRANGER, channel_id="D0OTHER")
    assert f"Only A{theirs.id}'s owner" in shown(last_reply(standin))
    payload = clicked(slack, button["value"], blocks, STRANGER)
    slack.send_payload(payload)
    updated = last_reply(standin)
    assert updated.get("replace_original") is True
    assert f"A{mine.id} marked done by <@{STRANGER}>" in shown(updated)
    assert not any(b["type"] == "actions" and b["block_id"] == f"action-{mine.id}" for b in updated["blocks"])
    slack.send_payload(clicked(slack, button["value"], blocks, STRANGER))
    assert "was already marked done" in shown(last_reply(standin))
    assert [r.status for r in action_rows(runtime)] == [ItemStatus.CLOSED, ItemStatus.OPEN]


def clicked(slack, value: str, blocks: list, user_id: str) -> dict:
    """The block_actions payload of a click on a reminder's button, with the message it is on."""
    payload = {
        "type": "block_actions",
        "user": {"id": user_id, "username": user_id, "name": user_id, "team_id": slack.team_id},
        "api_app_id": "A0ICTBOT",
        "token": "local-verification-token",
        "container": {"type": "message", "message_ts": "1.000300", "channel_id": "D0OTHER", "is_ephemeral": False},
        "trigger_id": slack._trigger(),
        "team": {"id": slack.team_id, "domain": "darlington"},
        "channel": {"id": "D0OTHER", "name": "directmessage"},
        "message": {"type": "message", "ts": "1.000300", "text": "reminder", "blocks": blocks},
        "response_url": slack.response_url(),
        "actions": [
            {"action_id": ACTION_DONE, "block_id": "b", "value": value, "type": "button", "action_ts": slack._trigger()}
        ],
    }
    return payload
