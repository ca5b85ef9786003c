"""The update modal, the "Log as ICT update" shortcut, the correction button and the project search."""

from __future__ import annotations

import json
import logging

import pytest
from sqlalchemy import select

from bot.services import projects
from handlers.slack.blocks.ui import EDIT_UPDATE_ACTION, PROJECT_ACTION
from handlers.slack.delivery.reminders import POST_UPDATE_ACTION
from models import ProgressUpdate, Rag, UpdateRevision, UpdateSource
from tests.conftest import ADMIN, DELEGATE, OWNER, STRANGER
from tests.helpers import count, failing, last_reply, opened_view, select_options, shown


def open_modal(slack, standin, user_id=OWNER):
    slack.command("/ict-update", "", user_id=user_id)
    return opened_view(standin)


def test_modal_lists_own_projects_first_then_by_priority(slack, standin, workplan):
    view = open_modal(slack, standin, user_id=DELEGATE)
    assert view["callback_id"] == "ict_update_modal"
    assert [b["block_id"] for b in view["blocks"]] == ["project", "rag", "progress", "next_steps", "risks"]
    groups = select_options(view, "project")
    assert groups == [
        (
            "Your projects",
            [
                "NET-01 — Council network refresh",
                "EFORM-01 — E-forms for online services",
                "TRN-01 — Technical training programme",
            ],
        ),
        ("ICT Governance", ["PCI-01 — PCI DSS quarterly tests"]),
        ("ICT Strategic Architecture", ["MOB-01 — Mobile carrier cut-across"]),
    ]
    assert json.loads(view["private_metadata"]) == {"src": "modal", "ch": "C0GOVERN"}


def test_modal_submission_stores_update_and_confirms(slack, standin, runtime, workplan):
    view = open_modal(slack, standin)
    response = slack.submit_view(
        view,
        {
            "project": str(workplan["MOB-01"]),
            "rag": "red",
            "progress": "Cut-over slipped",
            "next_steps": "Re-plan with carrier",
            "risks": None,
        },
        user_id=OWNER,
    )
    body = json.loads(response.body)
    assert body["response_action"] == "update"
    assert "MOB-01 Mobile carrier cut-across" in shown(body["view"]) and "*Red*" in shown(body["view"])
    ephemeral = standin.wait_for("chat.postEphemeral")[-1].params
    assert ephemeral["channel"] == "C0GOVERN" and ephemeral["user"] == OWNER
    with runtime.sessions() as s:
        update = s.scalars(select(ProgressUpdate)).one()
        assert update.source is UpdateSource.MODAL and update.project_id == workplan["MOB-01"]
        assert (update.current.rag, update.current.next_steps, update.current.risks) == (
            Rag.RED,
            "Re-plan with carrier",
            "",
        )


def test_modal_shows_errors_on_the_field_and_writes_nothing(slack, standin, runtime, workplan):
    view = open_modal(slack, standin)
    response = slack.submit_view(
        view, {"project": str(workplan["NET-01"]), "rag": "amber", "progress": "   "}, user_id=OWNER
    )
    body = json.loads(response.body)
    assert body["response_action"] == "errors"
    assert list(body["errors"]) == ["progress"] and "progress text is empty" in body["errors"]["progress"]
    response = slack.submit_view(
        view, {"project": str(workplan["NET-01"]), "rag": "amber", "progress": "ok", "risks": "r" * 1001}, user_id=OWNER
    )
    assert json.loads(response.body)["errors"] == {
        "risks": "Risks/issues is 1,001 characters; the limit is 1,000 so that it fits in Slack. Shorten it, "
        "or put the detail in a linked document."
    }
    response = slack.submit_view(
        view, {"project": str(workplan["NET-01"]), "rag": None, "progress": "ok"}, user_id=OWNER
    )
    assert json.loads(response.body)["errors"] == {"rag": "Choose red, amber or green."}
    assert count(runtime, ProgressUpdate) == 0


def test_modal_refuses_a_project_the_user_may_not_update_on_the_project_field(slack, standin, runtime, workplan):
    view = open_modal(slack, standin, user_id=STRANGER)
    response = slack.submit_view(
        view, {"project": str(workplan["PCI-01"]), "rag": "green", "progress": "Passed"}, user_id=STRANGER
    )
    errors = json.loads(response.body)["errors"]
    assert errors == {
        "project": "Only the owner or a delegate of PCI-01 or an ICT admin can update it. "
        "Ask the owner to add you as a delegate, or to post the update."
    }
    assert count(runtime, ProgressUpdate) == 0


def test_modal_database_error_is_shown_on_the_form_and_nothing_is_kept(slack, standin, runtime, workplan):
    view = open_modal(slack, standin)

    with failing(runtime.engine, "INSERT INTO update_revision", "server closed the connection"):
        response = slack.submit_view(
            view, {"project": str(workplan["NET-01"]), "rag": "green", "progress": "ok"}, user_id=OWNER
        )
    assert "nothing was saved" in json.loads(response.body)["errors"]["progress"]
    assert count(runtime, ProgressUpdate) == 0


def test_empty_work_plan_explains_instead_of_opening_an_empty_modal(slack, standin):
    slack.command("/ict-update", "", user_id=OWNER)
    assert not standin.calls_to("views.open")
    assert "The Work Plan has no open projects yet" in shown(last_reply(standin))


def test_message_shortcut_prefills_the_modal_and_stores_a_shortcut_update(slack, standin, runtime, workplan):
    slack.message_shortcut(
        "log_as_ict_update",
        user_id=OWNER,
        author_id=DELEGATE,
        message_text="Switched the core links to the new supplier & tested <failover>",
    )
    view = opened_view(standin)
    progress = next(b for b in view["blocks"] if b.get("block_id") == "progress")
    assert progress["element"]["initial_value"] == "Switched the core links to the new supplier & tested <failover>"
    rag = next(b for b in view["blocks"] if b.get("block_id") == "rag")
    assert "initial_option" not in rag["element"]  # a message carries no RAG: the officer chooses
    assert f"From a message by <@{DELEGATE}>" in shown(view)
    slack.submit_view(
        view,
        {"project": str(workplan["NET-01"]), "rag": "green", "progress": progress["element"]["initial_value"]},
        user_id=OWNER,
    )
    with runtime.sessions() as s:
        update = s.scalars(select(ProgressUpdate)).one()
        assert update.source is UpdateSource.SHORTCUT
        assert update.current.progress.endswith("& tested <failover>")


def test_long_message_is_cut_to_the_limit_and_the_modal_says_so(slack, standin, workplan):
    slack.message_shortcut("log_as_ict_update", user_id=OWNER, author_id=OWNER, message_text="word " * 600)
    view = opened_view(standin)
    progress = next(b for b in view["blocks"] if b.get("block_id") == "progress")
    assert len(progress["element"]["initial_value"]) == 2000
    assert "The message has 2,999 characters; the first 2,000 are below" in shown(view)


def test_correct_button_opens_prefilled_modal_and_adds_a_revision(slack, standin, runtime, workplan):
    slack.command("/ict-update", "NET-01 amber Links delayd | next: chase", user_id=OWNER)
    button = next(b for b in last_reply(standin)["blocks"] if b["type"] == "actions")["elements"][0]
    assert button["action_id"] == EDIT_UPDATE_ACTION
    slack.button(EDIT_UPDATE_ACTION, button["value"], user_id=OWNER)
    view = opened_view(standin)
    assert "project" not in [b.get("block_id") for b in view["blocks"]]
    assert "Correcting your update on *NET-01 Council network refresh*" in shown(view)
    response = slack.submit_view(
        view, {"rag": "amber", "progress": "Links delayed", "next_steps": "chase"}, user_id=OWNER
    )
    assert "Correction saved" in shown(json.loads(response.body)["view"])
    with runtime.sessions() as s:
        revs = s.scalars(select(UpdateRevision).order_by(UpdateRevision.number)).all()
    assert [(r.number, r.progress) for r in revs] == [(1, "Links delayd"), (2, "Links delayed")]


def test_correct_button_refuses_someone_elses_update(slack, standin, runtime, workplan):
    slack.command("/ict-update", "NET-01 amber Links delayed", user_id=OWNER)
    button = next(b for b in last_reply(standin)["blocks"] if b["type"] == "actions")["elements"][0]
    slack.button(EDIT_UPDATE_ACTION, button["value"], user_id=DELEGATE)
    assert "Only the officer who posted an update" in shown(last_reply(standin))
    assert not standin.calls_to("views.open")
    slack.button(EDIT_UPDATE_ACTION, button["value"], user_id=ADMIN)
    assert standin.calls_to("views.open")


def test_a_large_work_plan_gets_a_searchable_menu(slack, standin, runtime, workplan):
    with runtime.unit(standin.team_id) as (session, ws):
        for i in range(120):
            projects.add(
                session,
                ws,
                ref=f"BULK-{i:03d}",
                title=f"Service project {i}",
                priority="BD",
                owner=STRANGER,
                now=runtime.now(),
            )
    view = open_modal(slack, standin)
    element = next(b for b in view["blocks"] if b.get("block_id") == "project")["element"]
    assert element["type"] == "external_select" and element["min_query_length"] == 0
    everything = json.loads(slack.block_suggestion(view, PROJECT_ACTION, "", user_id=OWNER).body)
    assert everything["option_groups"][0]["label"]["text"] == "Your projects"
    assert sum(len(g["options"]) for g in everything["option_groups"]) == 100  # Slack's cap for one answer
    found = json.loads(slack.block_suggestion(view, PROJECT_ACTION, "project 11", user_id=OWNER).body)
    texts = [o["text"]["text"] for g in found["option_groups"] for o in g["options"]]
    assert texts == [
        f"BULK-{i:03d} — Service project {i}" for i in (11, 110, 111, 112, 113, 114, 115, 116, 117, 118, 119)
    ]
    response = slack.submit_view(
        view, {"project": str(workplan["NET-01"]), "rag": "green", "progress": "ok"}, user_id=OWNER
    )
    assert json.loads(response.body)["response_action"] == "update"


# -- Slack too slow to open the form -----------------------------------------------------------------
TOO_SLOW = "That took too long for Slack to open the form; nothing was lost. Please try again."


def _ict_update(slack, runtime, workplan):
    slack.command("/ict-update", "", user_id=OWNER)


def _correct_button(slack, runtime, workplan):
    slack.command("/ict-update", "NET-01 amber Links delayed", user_id=OWNER)
    with runtime.sessions() as s:
        update_id = s.scalars(select(ProgressUpdate.id)).one()
    slack.button(EDIT_UPDATE_ACTION, str(update_id), user_id=OWNER)


def _message_shortcut(slack, runtime, workplan):
    slack.message_shortcut("log_as_ict_update", user_id=OWNER, author_id=DELEGATE, message_text="Links delayed")


def _post_update_button(slack, runtime, workplan):
    slack.button(POST_UPDATE_ACTION, json.dumps({"p": workplan["NET-01"], "m": 1}), user_id=OWNER, channel_id="D0OWNER")


@pytest.mark.parametrize(
    "opening",
    [_ict_update, _correct_button, _message_shortcut, _post_update_button],
    ids=["/ict-update", "correct button", "message shortcut", "reminder's Post update"],
)
def test_a_form_slack_could_not_open_in_time_gets_one_clear_line(slack, standin, runtime, workplan, opening, caplog):
    standin.fail("views.open", error="expired_trigger_id")
    caplog.set_level(logging.INFO)
    opening(slack, runtime, workplan)
    reply = last_reply(standin)
    assert reply["response_type"] == "ephemeral"
    assert reply["text"] == TOO_SLOW
    assert "Sorry" not in shown(reply)
    noted = [r for r in caplog.records if "expired_trigger_id" in r.getMessage()]
    assert len(noted) == 1 and noted[0].levelno in (logging.INFO, logging.WARNING) and noted[0].exc_info is None
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_a_shortcut_without_a_response_url_hears_of_it_in_its_channel(slack, standin, runtime, workplan):
    """Slack sends message shortcuts a response_url; should one come without, the line goes to the channel."""
    standin.fail("views.open", error="expired_trigger_id")
    payload = {
        "type": "message_action",
        "callback_id": "log_as_ict_update",
        "trigger_id": "1.2.expired",
        "team": {"id": standin.team_id, "domain": "darlington"},
        "user": {"id": OWNER, "team_id": standin.team_id},
        "channel": {"id": "C0GOVERN", "name": "ict-governance"},
        "message_ts": "1764000000.000200",
        "message": {"type": "message", "user": DELEGATE, "ts": "1764000000.000200", "text": "Links delayed"},
    }
    assert slack.send_payload(payload).status == 200
    sent = standin.wait_for("chat.postEphemeral")[-1].params
    assert (sent["channel"], sent["user"], sent["text"]) == ("C0GOVERN", OWNER, TOO_SLOW)
