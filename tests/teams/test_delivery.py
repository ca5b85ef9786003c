"""Reminders and scheduled digests sent proactively to Teams through the reconciler, each workspace's on
its own platform; a person who removed the bot is recorded as failed, not retried."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.runtime import Runtime
from bot.scheduler import Reconciler
from bot.server import slack_reconciler
from bot.services import meetings, projects, workspaces
from bot.slack_app import web_client
from bot.teams.app import ADAPTIVE_CARD
from bot.teams.delivery import NO_REFERENCE
from bot.teams_standin import TeamsStandIn
from models import MeetingSeries, ReferenceKind, TeamsConversationRef
from models.scheduling import Reminder, ReminderStatus
from tests.conftest import BOT_TOKEN, OWNER
from tests.teams.conftest import DAN_AAD, OLIVE_AAD, TeamsClient, teams_client

LONDON = ZoneInfo("Europe/London")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=LONDON).astimezone(UTC)


FIRST_STAGE = at("2026-12-01 09:30")  # five working days before the 8 Dec meeting (default series)


@pytest.fixture
def client(teams_runtime: Runtime, teams: TeamsStandIn) -> Iterator[TeamsClient]:
    yield from teams_client(teams_runtime, teams)


@pytest.fixture
def teams_workplan(teams_runtime: Runtime, teams: TeamsStandIn, clock) -> int:
    """A Teams workspace (the stand-in's tenant) with two stale projects, Olive's and Dan's; its calendar."""
    clock.now = at("2026-11-01 12:00")
    with teams_runtime.sessions.begin() as session:
        ws = workspaces.get_or_create(session, teams.tenant_id, platform="teams", now=clock.now)
        for ref, owner in (("NET-01", OLIVE_AAD), ("TRN-01", DAN_AAD)):
            projects.add(session, ws, ref=ref, title=f"{ref} project", priority="ARCH", owner=owner, now=clock.now)
        meetings.materialise(session, ws, now=clock.now, default_timezone="Europe/London")
        return ws.id


@pytest.fixture
def reconciler(teams_runtime: Runtime, standin) -> Reconciler:
    """The production wiring (bot.server): Slack and Teams deliveries behind one router."""
    return slack_reconciler(teams_runtime, web_client(BOT_TOKEN, standin.api_url))


def reminders(runtime: Runtime) -> dict[str, Reminder]:
    with runtime.sessions() as session:
        return {r.user_id: r for r in session.scalars(select(Reminder).order_by(Reminder.id))}


def cards_in(teams: TeamsStandIn, conversation_id: str) -> list[dict]:
    out = []
    for call in teams.sent(conversation_id):
        [attachment] = call.body["attachments"]
        assert attachment["contentType"] == ADAPTIVE_CARD
        out.append(attachment["content"])
    return out


def test_a_reminder_is_sent_as_a_card_to_the_owners_personal_chat(
    client, reconciler, teams_workplan, teams_runtime, teams, olive, dan
):
    client.post(teams.install(olive))  # Olive opened a chat with the bot: her reference is stored
    client.post(teams.install(dan))
    teams.clear()

    report = reconciler.tick(FIRST_STAGE)

    assert report.sent == 2 and report.failed == 0
    [card] = cards_in(teams, teams.personal_conversation_id(olive))
    assert card["type"] == "AdaptiveCard"
    assert "NET-01" in str(card) and "TRN-01" not in str(card)
    assert len(cards_in(teams, teams.personal_conversation_id(dan))) == 1
    sent = reminders(teams_runtime)[OLIVE_AAD]
    assert sent.status is ReminderStatus.SENT
    assert sent.channel_id == teams.personal_conversation_id(olive)
    assert all(c.token is not None for c in teams.sent())


def test_a_person_met_only_in_a_channel_gets_a_new_personal_chat(
    client, reconciler, teams_workplan, teams_runtime, teams, olive
):
    client.post(teams.message(olive, "mine", conversation=teams.channel(), mention=True))
    teams.clear()

    reconciler.tick(FIRST_STAGE)

    [created] = teams.calls_of("create_conversation")
    assert created.body["members"] == [{"id": olive.account_id}]
    assert created.body["isGroup"] is False and created.body["tenantId"] == teams.tenant_id
    assert len(cards_in(teams, teams.personal_conversation_id(olive))) == 1
    with teams_runtime.sessions() as session:
        ref = session.scalar(select(TeamsConversationRef).where(TeamsConversationRef.kind == ReferenceKind.USER))
        assert ref is not None and ref.conversation_id == teams.personal_conversation_id(olive)


def test_a_person_the_bot_never_met_fails_for_good_saying_why(reconciler, teams_workplan, teams_runtime, teams):
    report = reconciler.tick(FIRST_STAGE)

    assert report.failed == 2 and report.retrying == 0
    row = reminders(teams_runtime)[OLIVE_AAD]
    assert row.status is ReminderStatus.FAILED and row.error == NO_REFERENCE[:200]
    assert teams.sent() == []


def test_a_person_who_removed_the_bot_is_recorded_failed_and_not_retried(
    client, reconciler, teams_workplan, teams_runtime, teams, olive, clock
):
    client.post(teams.install(olive))
    teams.remove_user(olive)
    teams.clear()

    report = reconciler.tick(FIRST_STAGE)
    clock.now = at("2026-12-01 12:00")  # well past the claim timeout
    again = reconciler.tick(clock.now)

    assert report.failed == 2  # Olive's refused, Dan's never reachable
    row = reminders(teams_runtime)[OLIVE_AAD]
    assert row.status is ReminderStatus.FAILED
    assert row.error.startswith("teams_403")
    assert again.sent == again.failed == again.retrying == 0
    assert len(teams.sent(teams.personal_conversation_id(olive))) == 1  # the one refused attempt


def test_a_throttled_send_is_retried_once_later(client, reconciler, teams_workplan, teams_runtime, teams, olive, clock):
    client.post(teams.install(olive))
    teams.fail("send", 429, retry_after=1)

    report = reconciler.tick(FIRST_STAGE)

    assert report.retrying == 1
    row = reminders(teams_runtime)[OLIVE_AAD]
    assert row.status is ReminderStatus.CLAIMED and row.error.startswith("teams_429")


def test_slack_and_teams_workspaces_in_one_database_are_each_reached_on_their_own_platform(
    client, reconciler, teams_workplan, teams_runtime, teams, olive, standin, clock
):
    with teams_runtime.sessions.begin() as session:
        slack_ws = workspaces.get_or_create(session, standin.team_id, now=clock.now)
        projects.add(session, slack_ws, ref="MOB-01", title="Mobile", priority="ARCH", owner=OWNER, now=clock.now)
        meetings.materialise(session, slack_ws, now=clock.now, default_timezone="Europe/London")
    client.post(teams.install(olive))
    teams.clear()

    reconciler.tick(FIRST_STAGE)

    [slack_dm] = standin.calls_to("chat.postMessage")
    assert "MOB-01" in str(slack_dm.params) and "NET-01" not in str(slack_dm.params)
    [teams_card] = cards_in(teams, teams.personal_conversation_id(olive))
    assert "NET-01" in str(teams_card) and "MOB-01" not in str(teams_card)
    sent = reminders(teams_runtime)
    assert sent[OWNER].status is ReminderStatus.SENT and sent[OLIVE_AAD].status is ReminderStatus.SENT


def test_the_scheduled_digest_is_posted_as_cards_in_the_governance_channel(
    client, reconciler, teams_workplan, teams_runtime, teams, olive, clock
):
    channel = "19:governance@thread.tacv2"
    client.post(teams.install(olive, conversation=teams.channel(channel)))  # the bot added to the team
    with teams_runtime.sessions.begin() as session:
        ws = workspaces.find(session, teams.tenant_id, platform="teams")
        assert ws is not None
        # meetings.set_channel takes Slack's #channel form only, so the series is pointed at the channel here.
        series = session.scalar(select(MeetingSeries).where(MeetingSeries.workspace_id == ws.id))
        assert series is not None
        series.channel_id = channel
    teams.clear()

    report = reconciler.tick(at("2026-12-07 12:00"))  # the working day before the 8 Dec meeting, at noon

    assert report.digests_sent == 1, report.digest_outcomes
    posted = cards_in(teams, channel)
    assert posted and all(card["type"] == "AdaptiveCard" for card in posted)
