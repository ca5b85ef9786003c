"""Reminders and scheduled digests sent proactively to Teams through the reconciler, each workspace's on
its own platform; a person who removed the bot is recorded as failed, not retried."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest
from sqlalchemy import select

from bot.dev.teams_standin import TeamsStandIn
from bot.runtime import Runtime
from bot.scheduling.reconciler import Reconciler
from bot.services import meetings, projects, workspaces
from bot.wiring import build_reconciler
from handlers.slack.client import web_client
from handlers.teams import delivery as teams_delivery
from handlers.teams.app import ADAPTIVE_CARD
from handlers.teams.delivery import NO_REFERENCE
from models import MeetingSeries, ReferenceKind, TeamsConversationRef
from models.scheduling import DigestPost, Reminder, ReminderStatus
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
    return build_reconciler(teams_runtime, web_client(BOT_TOKEN, standin.api_url))


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


@pytest.fixture
def waits(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The waits the Bot Connector's 429s asked for, recorded instead of slept."""
    asked: list[float] = []

    async def record(seconds: float) -> None:
        asked.append(seconds)

    monkeypatch.setattr(teams_delivery, "pause", record)
    return asked


def test_a_throttled_send_waits_as_told_and_goes_in_the_same_pass(
    client, reconciler, teams_workplan, teams_runtime, teams, olive, waits
):
    client.post(teams.install(olive))
    teams.clear()
    teams.fail("send", 429, count=2, retry_after=7)

    report = reconciler.tick(FIRST_STAGE)

    assert waits == [7.0, 7.0]
    assert report.retrying == 0
    assert reminders(teams_runtime)[OLIVE_AAD].status is ReminderStatus.SENT
    attempts = cards_in(teams, teams.personal_conversation_id(olive))
    assert len(attempts) == 3 and attempts[0] == attempts[2]  # refused twice with 429, then the same card taken


def test_a_send_throttled_a_fourth_time_is_retried_after_the_claim_timeout(
    client, reconciler, teams_workplan, teams_runtime, teams, olive, waits
):
    client.post(teams.install(olive))
    teams.fail("send", 429, count=4, retry_after=1)

    report = reconciler.tick(FIRST_STAGE)

    assert waits == [1.0, 1.0, 1.0]  # three waits, as the Slack client allows, then left for later
    assert report.retrying == 1
    row = reminders(teams_runtime)[OLIVE_AAD]
    assert row.status is ReminderStatus.CLAIMED and row.error.startswith("teams_429")


def test_a_send_told_to_wait_longer_than_a_minute_is_retried_later_without_waiting(
    client, reconciler, teams_workplan, teams_runtime, teams, olive, waits
):
    client.post(teams.install(olive))
    teams.fail("send", 429, retry_after=600)

    report = reconciler.tick(FIRST_STAGE)

    assert waits == []
    assert report.retrying == 1
    assert reminders(teams_runtime)[OLIVE_AAD].status is ReminderStatus.CLAIMED


def test_waits_for_one_send_stop_at_a_minute_in_all(
    client, reconciler, teams_workplan, teams_runtime, teams, olive, waits
):
    client.post(teams.install(olive))
    teams.fail("send", 429, count=3, retry_after=25)

    report = reconciler.tick(FIRST_STAGE)

    assert waits == [25.0, 25.0]  # a third 25 s would make 75 s of waiting for one reminder
    assert report.retrying == 1


def test_a_server_error_is_not_waited_on(client, reconciler, teams_workplan, teams_runtime, teams, olive, waits):
    client.post(teams.install(olive))
    teams.fail("send", 503, retry_after=5)

    report = reconciler.tick(FIRST_STAGE)

    assert waits == []  # only a 429 asks to wait; a 5xx is retried after the claim timeout
    assert report.retrying == 1
    assert reminders(teams_runtime)[OLIVE_AAD].error.startswith("teams_503")


def test_a_retried_reminder_goes_again_and_records_that_teams_could_not_be_asked(
    client, reconciler, teams_workplan, teams_runtime, teams, olive, clock
):
    """Teams lets no bot read a chat's history: a retry after an unknown outcome sends again, at least once."""
    client.post(teams.install(olive))
    teams.fail("send", 503)  # did the card arrive? A 5xx does not say
    clock.now = FIRST_STAGE
    assert reconciler.tick(clock.now).retrying == 1

    clock.now = FIRST_STAGE + timedelta(minutes=11)  # past the claim timeout
    again = reconciler.tick(clock.now)

    assert again.sent == 1
    row = reminders(teams_runtime)[OLIVE_AAD]
    assert (row.status, row.attempts) == (ReminderStatus.SENT, 2)
    assert row.settlement == "resent: Teams cannot read history"


def test_a_retried_digest_goes_again_and_records_that_teams_could_not_be_asked(
    client, reconciler, teams_workplan, teams_runtime, teams, olive, clock
):
    channel = "19:governance@thread.tacv2"
    client.post(teams.install(olive, conversation=teams.channel(channel)))
    with teams_runtime.sessions.begin() as session:
        ws = workspaces.find(session, teams.tenant_id, platform="teams")
        assert ws is not None
        series = session.scalar(select(MeetingSeries).where(MeetingSeries.workspace_id == ws.id))
        assert series is not None
        series.channel_id = channel
    teams.fail("send", 503, conversation_id=channel)
    clock.now = at("2026-12-07 12:00")
    assert reconciler.tick(clock.now).digests_retrying == 1

    clock.now += timedelta(minutes=11)
    again = reconciler.tick(clock.now)

    assert again.digests_sent == 1
    with teams_runtime.sessions() as session:
        [row] = session.scalars(select(DigestPost)).all()
    assert (row.status, row.settlement) == (ReminderStatus.SENT, "resent: Teams cannot read history")


@pytest.mark.parametrize(
    ("headers", "expected"),
    [({"retry-after": "3"}, 3.0), ({"retry-after": "0.5"}, 0.5), ({}, 1.0), ({"retry-after": "-2"}, 0.0)],
)
def test_the_wait_a_429_asks_for(headers, expected):
    assert teams_delivery._throttled_for(httpx.Response(429, headers=headers)) == expected


@pytest.mark.parametrize(
    ("status", "headers"),
    [(429, {"retry-after": "Wed, 21 Oct 2026 07:28:00 GMT"}), (503, {"retry-after": "3"}), (500, {})],
)
def test_no_wait_but_for_a_429_in_seconds(status, headers):
    assert teams_delivery._throttled_for(httpx.Response(status, headers=headers)) is None


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


def test_a_throttled_digest_card_waits_and_no_card_is_posted_twice(
    client, reconciler, teams_workplan, teams_runtime, teams, olive, waits
):
    channel = "19:governance@thread.tacv2"
    client.post(teams.install(olive, conversation=teams.channel(channel)))
    with teams_runtime.sessions.begin() as session:
        ws = workspaces.find(session, teams.tenant_id, platform="teams")
        assert ws is not None
        series = session.scalar(select(MeetingSeries).where(MeetingSeries.workspace_id == ws.id))
        assert series is not None
        series.channel_id = channel
    teams.clear()
    teams.fail("send", 429, retry_after=4, conversation_id=channel)  # the first card is refused once

    report = reconciler.tick(at("2026-12-07 12:00"))

    assert report.digests_sent == 1, report.digest_outcomes
    assert waits == [4.0]
    first, *rest = cards_in(teams, channel)
    assert rest and rest[0] == first  # the refused card again, once
    assert len(rest) == len({repr(card) for card in rest})  # then each of the others once
