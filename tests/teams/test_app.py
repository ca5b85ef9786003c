"""POST /api/messages: activities in the shapes Teams sends, through the real Teams SDK app, with its
JWT authentication on; replies go to the Bot Connector stand-in with the token the bot got from Entra ID."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.dev.teams_standin import BOT_SCOPE, TeamsStandIn
from bot.runtime import Runtime
from handlers.teams.app import ADAPTIVE_CARD, GREETING
from handlers.teams.identity import TeamsUser
from handlers.teams.messages import TeamsReply
from models import ReferenceKind, TeamsConversationRef, Workspace
from tests.teams.conftest import DAN_AAD, OLIVE_AAD, TeamsClient, shows, teams_client

CHANNEL = "19:governance@thread.tacv2"


@dataclass
class Recorder:
    """Listeners that record what they were given and answer ``reply``."""

    reply: TeamsReply = field(default_factory=lambda: TeamsReply(text="noted"))
    calls: list[tuple[str, Workspace, TeamsUser, Any]] = field(default_factory=list)
    channels: list[str | None] = field(default_factory=list)

    def handle_text(
        self, runtime: Runtime, ws: Workspace, user: TeamsUser, text: str, now: Any, *, channel: str | None = None
    ) -> TeamsReply:
        self.calls.append(("text", ws, user, text))
        self.channels.append(channel)
        return self.reply

    def handle_submit(
        self, runtime: Runtime, ws: Workspace, user: TeamsUser, data: dict[str, Any], now: Any
    ) -> TeamsReply:
        self.calls.append(("submit", ws, user, data))
        return self.reply


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def recorded(teams_runtime: Runtime, teams: TeamsStandIn, recorder: Recorder) -> Iterator[TeamsClient]:
    yield from teams_client(teams_runtime, teams, listeners=recorder)


def refs(runtime: Runtime) -> list[TeamsConversationRef]:
    with runtime.sessions() as session:
        return list(session.scalars(select(TeamsConversationRef).order_by(TeamsConversationRef.id)))


def count_workspaces(runtime: Runtime) -> int:
    with runtime.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(Workspace)) or 0)


def issued_token(teams: TeamsStandIn, call: Any) -> None:
    """The connector call carried the token the bot got from Entra ID with its client credentials."""
    grants = teams.calls_of("token")
    assert grants, "the bot never asked Entra ID for a token"
    assert grants[-1].body["grant_type"] == "client_credentials"
    assert grants[-1].body["client_id"] == teams.client_id
    assert grants[-1].body["scope"] == BOT_SCOPE
    assert call.token is not None and call.token.count(".") == 2


# -- routing --------------------------------------------------------------------------------------
def test_a_channel_message_reaches_handle_text_without_the_bot_mention(recorded, recorder, teams, olive):
    activity = teams.message(olive, "update NET-01 green cabling done", conversation=teams.channel(), mention=True)
    assert "<at>ictbot</at>" in activity["text"]

    response = recorded.post(activity)

    assert response.status_code == 200
    [(kind, ws, user, text)] = recorder.calls
    assert (kind, text) == ("text", "update NET-01 green cabling done")
    assert (ws.platform, ws.external_id) == ("teams", teams.tenant_id)
    assert user == TeamsUser(id=olive.account_id, aad_object_id=OLIVE_AAD, name="Olive Owner")
    assert recorder.channels == [CHANNEL]  # the channel it was typed in, for `meeting channel`
    [reply] = teams.sent(CHANNEL)
    assert reply.kind == "send" and reply.body["type"] == "message" and reply.body["text"] == "noted"
    issued_token(teams, reply)


def test_a_personal_message_with_the_real_listeners_is_answered_in_the_chat(client, teams, olive):
    response = client.post(teams.message(olive, "help"))

    assert response.status_code == 200
    [reply] = teams.sent(teams.personal_conversation_id(olive))
    assert reply.body["type"] == "message"
    attachments = reply.body.get("attachments") or []
    assert reply.body.get("text") or attachments  # the help, as text or a card
    for attachment in attachments:
        assert attachment["contentType"] == ADAPTIVE_CARD
        assert attachment["content"]["type"] == "AdaptiveCard"


def test_a_personal_message_names_no_channel(recorded, recorder, teams, olive):
    recorded.post(teams.message(olive, "meeting channel"))

    assert recorder.channels == [None]


def test_an_action_submit_reaches_handle_submit_with_the_card_data(recorded, recorder, teams, olive):
    data = {"action": "reminder_no_change", "p": 7, "m": 3}

    response = recorded.post(teams.submit(olive, data))

    assert response.status_code == 200
    [(kind, _ws, user, given)] = recorder.calls
    assert (kind, given) == ("submit", data)
    assert user.aad_object_id == OLIVE_AAD
    assert [c.body["text"] for c in teams.sent()] == ["noted"]


def test_a_malformed_action_submit_is_answered_with_the_card_error(recorded, recorder, teams, olive):
    recorder.reply = TeamsReply(card_error="That form came back malformed, so nothing was saved.")

    recorded.post(teams.submit(olive, {"action": "update_submit", "rag": ["not", "text"]}))

    assert [shows(c.body) for c in teams.sent()] == ["That form came back malformed, so nothing was saved."]


def test_an_action_execute_invoke_is_answered_in_the_invoke_response(recorded, recorder, teams, olive):
    card = {"type": "AdaptiveCard", "version": "1.5", "body": [{"type": "TextBlock", "text": "Thanks"}]}
    recorder.reply = TeamsReply(card=card)

    response = recorded.post(teams.invoke_action(olive, {"p": 7, "m": 3}, verb="reminder_snooze"))

    assert response.status_code == 200
    assert response.json() == {"statusCode": 200, "type": ADAPTIVE_CARD, "value": card}
    [(kind, _ws, _user, data)] = recorder.calls
    assert (kind, data) == ("submit", {"p": 7, "m": 3, "verb": "reminder_snooze"})
    assert teams.sent() == []  # the card is replaced in place: nothing else is posted


def test_an_invoke_whose_submission_is_malformed_shows_the_error_on_the_card(recorded, recorder, teams, olive):
    recorder.reply = TeamsReply(card_error="Pick a RAG status.")

    response = recorded.post(teams.invoke_action(olive, {"action": "update_submit"}))

    assert response.status_code == 200
    assert response.json() == {
        "statusCode": 400,
        "type": "application/vnd.microsoft.error",
        "value": {"code": "BadRequest", "message": "Pick a RAG status."},
    }


def test_an_invoke_with_a_text_answer_is_a_message_response(recorded, recorder, teams, olive):
    response = recorded.post(teams.invoke_action(olive, {"action": "x"}))

    assert response.json() == {
        "statusCode": 200,
        "type": "application/vnd.microsoft.activity.message",
        "value": "noted",
    }


# -- install and references ------------------------------------------------------------------------
def test_a_personal_install_stores_the_reference_and_greets(recorded, recorder, teams_runtime, teams, olive):
    response = recorded.post(teams.install(olive))

    assert response.status_code == 200
    assert recorder.calls == []
    [ref] = refs(teams_runtime)
    assert (ref.kind, ref.subject_id, ref.account_id) == (ReferenceKind.USER, OLIVE_AAD, olive.account_id)
    assert ref.conversation_id == teams.personal_conversation_id(olive)
    assert (ref.service_url, ref.bot_id, ref.tenant_id) == (teams.service_url, teams.bot_id, teams.tenant_id)
    [greeting] = teams.sent(ref.conversation_id)
    assert greeting.body["text"] == GREETING


def test_a_team_install_stores_the_channel_and_the_installer(recorded, teams_runtime, teams, olive):
    recorded.post(teams.install(olive, conversation=teams.channel()))

    stored = {(r.kind, r.subject_id): r for r in refs(teams_runtime)}
    assert set(stored) == {(ReferenceKind.CHANNEL, CHANNEL), (ReferenceKind.USER, OLIVE_AAD)}
    assert stored[(ReferenceKind.USER, OLIVE_AAD)].conversation_id is None  # no 1:1 chat yet
    assert [c.body["text"] for c in teams.sent(CHANNEL)] == [GREETING]


def test_removing_the_personal_app_forgets_that_person_only(recorded, teams_runtime, teams, olive, dan):
    recorded.post(teams.install(olive))
    recorded.post(teams.install(dan))

    assert recorded.post(teams.uninstall(olive)).status_code == 200

    assert [(r.kind, r.subject_id) for r in refs(teams_runtime)] == [(ReferenceKind.USER, DAN_AAD)]


def test_removing_the_app_from_a_team_forgets_its_channel_but_not_the_people(recorded, teams_runtime, teams, olive):
    recorded.post(teams.install(olive, conversation=teams.channel()))
    recorded.post(teams.install(olive))  # and Olive's personal chat

    recorded.post(teams.uninstall(olive, conversation=teams.channel()))

    assert [(r.kind, r.subject_id) for r in refs(teams_runtime)] == [(ReferenceKind.USER, OLIVE_AAD)]


def test_someone_else_joining_the_team_changes_nothing(recorded, teams_runtime, teams, olive, dan):
    activity = teams.install(olive, conversation=teams.channel())
    activity["membersAdded"] = [{"id": dan.account_id, "aadObjectId": dan.aad_object_id}]

    assert recorded.post(activity).status_code == 200

    assert refs(teams_runtime) == [] and teams.sent() == []


def test_every_contact_refreshes_the_reference(recorded, teams_runtime, teams, olive, clock):
    recorded.post(teams.install(olive))
    clock.advance(days=1)

    recorded.post(teams.message(olive, "mine"))

    [ref] = refs(teams_runtime)
    assert ref.updated_at == clock.now


# -- authentication --------------------------------------------------------------------------------
def _rejected(client: TeamsClient, runtime: Runtime, teams: TeamsStandIn, activity: dict[str, Any], **kw: Any) -> None:
    response = client.post(activity, **kw)
    assert response.status_code == 401
    assert count_workspaces(runtime) == 0 and refs(runtime) == []
    assert teams.sent() == []


def test_an_activity_without_a_token_is_rejected(recorded, recorder, teams_runtime, teams, olive):
    _rejected(recorded, teams_runtime, teams, teams.message(olive, "help"), unsigned=True)
    assert recorder.calls == []


def test_a_token_signed_with_another_key_is_rejected(recorded, recorder, teams_runtime, teams, olive):
    activity = teams.message(olive, "help")
    _rejected(recorded, teams_runtime, teams, activity, bearer=teams.mint(foreign_key=True))
    assert recorder.calls == []


def test_an_expired_token_is_rejected(recorded, recorder, teams_runtime, teams, olive):
    long_ago = time.time() - 7200  # past the SDK's five minutes' leeway
    _rejected(recorded, teams_runtime, teams, teams.message(olive, "help"), bearer=teams.mint(now=long_ago))
    assert recorder.calls == []


def test_a_token_for_another_bot_is_rejected(recorded, recorder, teams_runtime, teams, olive):
    other = "11111111-2222-3333-4444-555555555555"
    _rejected(recorded, teams_runtime, teams, teams.message(olive, "help"), bearer=teams.mint(audience=other))
    assert recorder.calls == []


def test_a_token_from_another_issuer_is_rejected(recorded, recorder, teams_runtime, teams, olive):
    token = teams.mint(issuer="https://evil.example.com")
    _rejected(recorded, teams_runtime, teams, teams.message(olive, "help"), bearer=token)
    assert recorder.calls == []


def test_a_token_for_another_service_url_is_rejected(recorded, recorder, teams_runtime, teams, olive):
    """The token names the connector the activity came through; an activity claiming another is refused."""
    activity = teams.message(olive, "help")
    token = teams.mint()
    activity["serviceUrl"] = "https://attacker.example.com/teams/"
    _rejected(recorded, teams_runtime, teams, activity, bearer=token)
    assert recorder.calls == []


def test_a_garbage_token_is_rejected(recorded, recorder, teams_runtime, teams, olive):
    _rejected(recorded, teams_runtime, teams, teams.message(olive, "help"), bearer="not-a-jwt")
    assert recorder.calls == []


def test_a_reply_of_several_cards_posts_every_card_in_order(recorded, recorder, teams, olive):
    cards = tuple(
        {"type": "AdaptiveCard", "version": "1.5", "body": [{"type": "TextBlock", "text": f"Part {n}"}]}
        for n in (1, 2, 3)
    )
    recorder.reply = TeamsReply(text="The digest", card=cards[0], cards=cards)

    recorded.post(teams.message(olive, "digest"))

    sent = teams.sent()
    assert [c.body["attachments"][0]["content"] for c in sent] == list(cards)
    assert [c.body.get("text") for c in sent] == ["The digest", None, None]
