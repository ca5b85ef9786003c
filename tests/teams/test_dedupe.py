"""Teams' repeats acted on once: an activity Teams sends again (the same id), recorded per tenant as Slack's
retries are, and a form card submitted twice (a double click: two activities from the one card)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bot.dev.teams_standin import TeamsStandIn, TeamsUserAccount
from bot.runtime import Runtime
from bot.services import deliveries, meetings, roles
from handlers.teams import cards
from handlers.teams.app import ADAPTIVE_CARD, GREETING, SORRY
from handlers.teams.deliveries import teams_activity
from models import ProgressUpdate, Role, Workspace
from models.install import InboundDelivery
from models.registers import ActionItem
from tests.helpers import count
from tests.teams.conftest import DAN_AAD, OLIVE_AAD, TeamsClient, shows
from tests.teams.test_messages import make_workspace

ROWS = [
    ("NET-01", "Council network refresh", "ARCH", OLIVE_AAD, [DAN_AAD]),
    ("MOB-01", "Mobile carrier cut-across", "ARCH", OLIVE_AAD, []),
]


@pytest.fixture
def projects(teams_runtime: Runtime, teams: TeamsStandIn) -> dict[str, int]:
    """The stand-in's tenant, with a Work Plan that Olive owns."""
    return make_workspace(teams_runtime, teams.tenant_id, ROWS)[1]


def recorded(runtime: Runtime) -> list[tuple[str, str, str]]:
    with runtime.sessions() as s:
        return [(r.team_id, r.kind, r.key) for r in s.scalars(select(InboundDelivery).order_by(InboundDelivery.id))]


def form_card(client: TeamsClient, teams: TeamsStandIn, user: TeamsUserAccount) -> dict[str, Any]:
    """Ask for the form (``update``) and return the card the bot sent."""
    teams.clear()
    client.post(teams.message(user, "update"))
    [sent] = teams.sent()
    [attachment] = sent.body["attachments"]
    assert attachment["contentType"] == ADAPTIVE_CARD
    card: dict[str, Any] = attachment["content"]
    return card


def submitted(card: dict[str, Any], **typed: str) -> dict[str, Any]:
    """What Teams sends back when the card's Post update button is pressed: its data and the inputs."""
    [button] = card["actions"]
    return {**button["data"], **typed}


# -- the same activity again ----------------------------------------------------------------------
def test_the_same_message_posted_three_times_stores_one_update_and_answers_once(
    client, teams, teams_runtime, olive, projects
):
    activity = teams.message(olive, "update NET-01 amber Core links delayed")
    for _ in range(3):
        assert client.post(activity).status_code == 200
    assert count(teams_runtime, ProgressUpdate) == 1
    [reply] = teams.sent()
    assert "Update saved" in shows(reply.body)
    assert recorded(teams_runtime) == [(teams.tenant_id, "teams", f"teams-activity:{activity['id']}")]


def test_the_same_invoke_sent_again_is_answered_and_not_acted_on(client, teams, teams_runtime, olive, projects):
    data = {"action": "update_submit", "project": str(projects["NET-01"]), "rag": "green", "progress": "Done"}
    activity = teams.invoke_action(olive, data)
    first, again = client.post(activity), client.post(activity)
    assert first.status_code == again.status_code == 200
    assert first.json()["statusCode"] == 200 and "Update saved" in shows(first.json()["value"])
    assert again.json() == {
        "statusCode": 200,
        "type": "application/vnd.microsoft.activity.message",
        "value": "This was already done.",
    }
    assert count(teams_runtime, ProgressUpdate) == 1


def test_an_install_sent_again_greets_once(client, teams, olive):
    activity = teams.install(olive)
    client.post(activity)
    client.post(activity)
    assert [c.body["text"] for c in teams.sent()] == [GREETING]


def test_two_activities_with_the_same_text_are_two_updates(client, teams, teams_runtime, olive, projects):
    for _ in range(2):
        client.post(teams.message(olive, "update NET-01 amber Core links delayed"))
    assert count(teams_runtime, ProgressUpdate) == 2


def test_the_same_activity_id_in_another_tenant_is_another_activity(client, teams, teams_runtime, olive, projects):
    activity = teams.message(olive, "mine")
    client.post(activity)
    with teams_runtime.sessions.begin() as s:
        other = teams_activity("11111111-2222-3333-4444-555555555555", activity["id"])
        assert other is not None and deliveries.admit(s, other, now=teams_runtime.now())


def test_a_message_whose_handling_failed_is_handled_again_when_teams_resends_it(
    client, teams, teams_runtime, olive, projects, monkeypatch
):
    from handlers.teams import app as teams_app

    real = teams_app._Listening._text
    calls = {"n": 0}

    def failing_once(self: Any, contact: Any, text: str) -> Any:
        calls["n"] += 1
        if calls["n"] == 1:
            raise RuntimeError("the first attempt fails")
        return real(self, contact, text)

    monkeypatch.setattr(teams_app._Listening, "_text", failing_once)
    activity = teams.message(olive, "update NET-01 amber Core links delayed")
    client.post(activity)
    client.post(activity)
    assert count(teams_runtime, ProgressUpdate) == 1
    first, second = (shows(c.body) for c in teams.sent())
    assert first == SORRY and "Update saved" in second


def test_recorded_activities_are_pruned_with_slacks(client, teams, teams_runtime, olive, projects, clock):
    client.post(teams.message(olive, "mine"))
    assert len(recorded(teams_runtime)) == 1
    with teams_runtime.sessions.begin() as s:
        assert deliveries.prune(s, before=clock.now + deliveries.KEEP_FOR + timedelta(seconds=1)) == 1
    assert recorded(teams_runtime) == []


# -- the same form card submitted twice ---------------------------------------------------------------
def test_a_form_card_submitted_twice_stores_one_update(client, teams, teams_runtime, olive, projects):
    card = form_card(client, teams, olive)
    data = submitted(card, project=str(projects["NET-01"]), rag="amber", progress="Links delayed")
    teams.clear()
    client.post(teams.submit(olive, data))  # a double click: two activities, two ids, one card
    client.post(teams.submit(olive, data))
    assert count(teams_runtime, ProgressUpdate) == 1
    first, second = (shows(c.body) for c in teams.sent())
    assert "Update saved" in first
    assert "already posted" in second


def test_a_form_card_invoked_twice_stores_one_update(client, teams, teams_runtime, olive, projects):
    card = form_card(client, teams, olive)
    data = submitted(card, project=str(projects["NET-01"]), rag="amber", progress="Links delayed")
    first = client.post(teams.invoke_action(olive, data)).json()
    second = client.post(teams.invoke_action(olive, data)).json()
    assert "Update saved" in shows(first["value"]) and "already posted" in shows(second["value"])
    assert count(teams_runtime, ProgressUpdate) == 1


def test_another_update_typed_into_the_same_card_is_stored(client, teams, teams_runtime, olive, projects):
    card = form_card(client, teams, olive)
    client.post(teams.submit(olive, submitted(card, project=str(projects["NET-01"]), rag="amber", progress="A")))
    client.post(teams.submit(olive, submitted(card, project=str(projects["MOB-01"]), rag="green", progress="B")))
    assert count(teams_runtime, ProgressUpdate) == 2


def test_the_same_text_in_a_new_form_card_is_stored(client, teams, teams_runtime, olive, projects):
    typed = {"project": str(projects["NET-01"]), "rag": "amber", "progress": "Links delayed"}
    for _ in range(2):
        client.post(teams.submit(olive, submitted(form_card(client, teams, olive), **typed)))
    assert count(teams_runtime, ProgressUpdate) == 2


def test_a_form_card_refused_then_corrected_goes_through(client, teams, teams_runtime, olive, projects):
    card = form_card(client, teams, olive)
    client.post(teams.submit(olive, submitted(card, project=str(projects["NET-01"]), rag="amber", progress=" ")))
    assert count(teams_runtime, ProgressUpdate) == 0
    client.post(teams.submit(olive, submitted(card, project=str(projects["NET-01"]), rag="amber", progress="Done")))
    assert count(teams_runtime, ProgressUpdate) == 1


def test_the_action_form_pressed_twice_gives_one_action_and_mark_done_twice_says_so(
    client, teams, teams_runtime, olive, projects, clock
):
    with teams_runtime.sessions.begin() as s:
        ws = s.scalars(select(Workspace).where(Workspace.external_id == teams.tenant_id)).one()
        roles.grant(s, ws, OLIVE_AAD, Role.CHAIR, by="test", now=clock.now)
        meetings.materialise(s, ws, now=clock.now, default_timezone="Europe/London")
    teams.clear()
    client.post(teams.message(olive, "action add"))
    [sent] = teams.sent()
    card = sent.body["attachments"][0]["content"]
    data = submitted(card, owner="me", due="2026-12-01", text="Circulate the plan", project="")
    teams.clear()
    client.post(teams.submit(olive, data))  # a double click: two activities, two ids, one card
    client.post(teams.submit(olive, data))
    with teams_runtime.sessions() as s:
        (action,) = s.scalars(select(ActionItem))
    first, second = (shows(c.body) for c in teams.sent())
    assert f"Gave A{action.id} to Olive Owner due 1 Dec 2026" in first and "already sent" in second

    teams.clear()
    button = {"action": cards.ACTION_MARK_DONE, "action_id": action.id}
    client.post(teams.submit(olive, button))
    client.post(teams.submit(olive, button))
    first, second = (shows(c.body) for c in teams.sent())
    assert f"Marked A{action.id} done" in first and "was already marked done by Olive Owner" in second
