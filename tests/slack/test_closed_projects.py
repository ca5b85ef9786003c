"""A complete or closed project takes no more updates, on every path, as the update form (which lists only
planned, active and on-hold projects) always implied: the one-line `/ict-update`, a submitted modal (even a
crafted one naming the project's id), the message shortcut's modal, the reminder's buttons, corrections,
and Teams' quick form and card. Each is refused saying the project is complete or closed and how to reopen
it, and nothing is stored; `/ict-project reopen` opens it to updates again.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import select

from bot.services import meetings, projects
from handlers.slack.blocks.ui import EDIT_UPDATE_ACTION
from handlers.slack.delivery.reminders import NO_CHANGE_ACTION, POST_UPDATE_ACTION, button_value
from models import ProgressUpdate, Project, ProjectStatus, UpdateRevision, Workspace
from tests.conftest import ADMIN, OWNER
from tests.helpers import count, last_reply, opened_view, select_options, shown
from tests.teams.test_messages import OWNER as TEAMS_OWNER
from tests.teams.test_messages import _next_meeting_id, make_workspace, said, submit, text

TENANT = "7c1d3f9e-8c2a-4e6f-9a7b-1c2d3e4f5a60"


def set_status(runtime, team_id: str, ref: str, status: ProjectStatus) -> None:
    with runtime.unit(team_id) as (session, ws):
        projects.set_status(session, ws, ref, status, now=runtime.now(), tz=runtime.settings.timezone)


def everything_said(response: Any, standin) -> str:
    """What the person was told, wherever it went: the request's answer (an ack, a modal's errors) and
    whatever the bot sent Slack afterwards (a response_url, an ephemeral, a DM, a view)."""
    said = [response.body or ""] + [json.dumps(c.params) for c in standin.calls]
    return "\n".join(said)


def revisions(runtime) -> int:
    return count(runtime, UpdateRevision)


@pytest.fixture(params=[ProjectStatus.COMPLETE, ProjectStatus.CLOSED], ids=["complete", "closed"])
def finished(request, runtime, standin, workplan) -> ProjectStatus:
    """MOB-01 (owned by OWNER) is complete or closed."""
    set_status(runtime, standin.team_id, "MOB-01", request.param)
    standin.clear()
    return ProjectStatus(request.param)


def refused(message: str, status: ProjectStatus) -> None:
    assert f"MOB-01 is {status.value}" in message.replace("`", ""), message
    assert "/ict-project reopen" in message, message


# -- Slack ---------------------------------------------------------------------------------------
def test_a_one_line_update_to_a_finished_project_is_refused(slack, standin, runtime, finished):
    slack.command("/ict-update", "MOB-01 green Handed over to operations", user_id=OWNER)
    refused(shown(last_reply(standin)), finished)
    assert count(runtime, ProgressUpdate) == 0


def test_an_admin_cannot_post_to_a_finished_project_either(slack, standin, runtime, finished):
    slack.command("/ict-update", "MOB-01 green Handed over", user_id=ADMIN)
    refused(shown(last_reply(standin)), finished)
    assert count(runtime, ProgressUpdate) == 0


def test_the_form_does_not_offer_a_finished_project(slack, standin, workplan, finished):
    slack.command("/ict-update", "", user_id=OWNER)
    offered = [o for _, options in select_options(opened_view(standin), "project") for o in options]
    assert offered and not [o for o in offered if o.startswith("MOB-01")]


def test_a_crafted_modal_submission_naming_a_finished_project_is_refused(slack, standin, runtime, workplan, finished):
    slack.command("/ict-update", "", user_id=OWNER)
    view = opened_view(standin)
    response = slack.submit_view(
        view, {"project": str(workplan["MOB-01"]), "rag": "green", "progress": "Handed over"}, user_id=OWNER
    )
    refused(everything_said(response, standin), finished)
    assert count(runtime, ProgressUpdate) == 0


def test_the_message_shortcut_cannot_log_to_a_finished_project(slack, standin, runtime, workplan, finished):
    slack.message_shortcut("log_as_ict_update", user_id=OWNER, author_id=OWNER, message_text="Handed over")
    view = opened_view(standin)
    assert json.loads(view["private_metadata"])["src"] == "shortcut"
    response = slack.submit_view(
        view, {"project": str(workplan["MOB-01"]), "rag": "green", "progress": "Handed over"}, user_id=OWNER
    )
    refused(everything_said(response, standin), finished)
    assert count(runtime, ProgressUpdate) == 0


def reminder_button(runtime, standin, workplan) -> str:
    with runtime.unit(standin.team_id) as (session, ws):
        meetings.materialise(session, ws, now=runtime.now(), default_timezone="Europe/London")
        meeting = meetings.next_meetings(session, ws, runtime.now(), 1)[0].id
    return button_value(p=workplan["MOB-01"], m=meeting)


def test_a_reminder_button_pressed_after_the_project_finished_is_refused(slack, standin, runtime, workplan, clock):
    slack.command("/ict-update", "MOB-01 amber Cut-over slipped", user_id=OWNER)  # earlier, while it was active
    value = reminder_button(runtime, standin, workplan)
    set_status(runtime, standin.team_id, "MOB-01", ProjectStatus.COMPLETE)
    clock.advance(days=1)
    slack.button(NO_CHANGE_ACTION, value, user_id=OWNER, channel_id="D0OWNER")
    refused(shown(last_reply(standin)), ProjectStatus.COMPLETE)
    slack.button(POST_UPDATE_ACTION, value, user_id=OWNER, channel_id="D0OWNER")
    response = slack.submit_view(
        opened_view(standin), {"project": str(workplan["MOB-01"]), "rag": "green", "progress": "Done"}, user_id=OWNER
    )
    refused(everything_said(response, standin), ProjectStatus.COMPLETE)
    assert count(runtime, ProgressUpdate) == 1


def test_a_correction_after_the_project_finished_is_refused(slack, standin, runtime, workplan):
    slack.command("/ict-update", "MOB-01 amber Cut-over slipped", user_id=OWNER)
    edit = next(b for b in last_reply(standin)["blocks"] if b["type"] == "actions")["elements"][0]["value"]
    set_status(runtime, standin.team_id, "MOB-01", ProjectStatus.CLOSED)
    slack.command("/ict-update", "edit MOB-01 red Cut-over cancelled", user_id=OWNER)
    refused(shown(last_reply(standin)), ProjectStatus.CLOSED)
    standin.clear()
    slack.button(EDIT_UPDATE_ACTION, edit, user_id=OWNER)
    view = opened_view(standin)
    response = slack.submit_view(view, {"rag": "red", "progress": "Cut-over cancelled"}, user_id=OWNER)
    refused(everything_said(response, standin), ProjectStatus.CLOSED)
    assert revisions(runtime) == 1


def test_reopen_lets_the_project_take_updates_again(slack, standin, runtime, workplan, finished):
    slack.command("/ict-project", "reopen MOB-01", user_id=OWNER)
    assert "Only" in shown(last_reply(standin))  # an admin's command
    slack.command("/ict-project", "reopen MOB-01", user_id=ADMIN)
    assert "`MOB-01` Mobile carrier cut-across is open again" in shown(last_reply(standin))
    with runtime.sessions() as s:
        project = s.scalars(select(Project).where(Project.ref == "MOB-01")).one()
        assert (project.status, project.completed_on) == (ProjectStatus.ACTIVE, None)
    slack.command("/ict-project", "reopen MOB-01", user_id=ADMIN)
    assert "`MOB-01` is active, not complete or closed" in shown(last_reply(standin))
    slack.command("/ict-update", "MOB-01 green Work resumed", user_id=OWNER)
    assert count(runtime, ProgressUpdate) == 1


# -- Teams ---------------------------------------------------------------------------------------
@pytest.fixture
def teams_finished(runtime):
    ws, ids = make_workspace(runtime, TENANT)
    meeting = _next_meeting_id(runtime, ws)
    text(runtime, ws, TEAMS_OWNER, "update MOB-01 amber Cut-over slipped")
    with runtime.sessions.begin() as session:  # a Teams tenant: not runtime.unit, which is Slack's
        tenant = session.get_one(Workspace, ws.id)
        projects.set_status(
            session, tenant, "MOB-01", ProjectStatus.COMPLETE, now=runtime.now(), tz=runtime.settings.timezone
        )
    return ws, ids, meeting


def teams_refused(message: str | None) -> None:
    assert message is not None
    assert "MOB-01 is complete" in message.replace("`", "").replace("*", ""), message
    assert "project reopen REF" in message and "/ict-" not in message, message  # Teams has its project command


def test_teams_quick_form_to_a_finished_project_is_refused(runtime, teams_finished):
    ws, _, _ = teams_finished
    teams_refused(said(text(runtime, ws, TEAMS_OWNER, "update MOB-01 green Handed over")))
    teams_refused(said(text(runtime, ws, TEAMS_OWNER, "update edit MOB-01 red Cancelled")))
    assert revisions(runtime) == 1


def test_teams_card_naming_a_finished_project_is_refused(runtime, teams_finished):
    ws, ids, meeting = teams_finished
    form = {"action": "update_submit", "project": str(ids["MOB-01"]), "rag": "green", "progress": "Handed over"}
    teams_refused(submit(runtime, ws, TEAMS_OWNER, form).card_error)
    no_change = {"action": "reminder_no_change", "project_id": ids["MOB-01"], "meeting_id": meeting}
    teams_refused(submit(runtime, ws, TEAMS_OWNER, no_change).card_error)
    assert revisions(runtime) == 1
