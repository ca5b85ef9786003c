"""The first messages from a tenant the bot has never seen, arriving at once through the real Teams app:
each gets its normal answer, and the workspace, its strategy, its meeting series and the person's
conversation reference are each stored once (see tests/test_first_use.py for the Slack side)."""

from __future__ import annotations

from sqlalchemy import select

from bot.dev.teams_standin import TeamsStandIn, TeamsUserAccount
from models import MeetingSeries, ReferenceKind, Strategy, TeamsConversationRef, Workspace
from tests.helpers import RACERS, count, race, together_at
from tests.teams.conftest import TeamsClient, shows


def test_a_burst_of_first_messages_from_a_new_tenant_all_get_their_answer(
    client: TeamsClient, teams: TeamsStandIn, teams_runtime, engine, olive: TeamsUserAccount
):
    teams.clear()

    def say(_i: int) -> int:
        return int(client.post(teams.message(olive, "meeting next")).status_code)

    # Each activity's first write is its delivery record (handlers.teams.app records it before acting), so the
    # racers line up there; on PostgreSQL they then race for the workspace's row.
    with together_at(engine, "INSERT INTO inbound_delivery "):
        statuses = race(RACERS, say)
    assert statuses == [200] * RACERS
    answers = [shows(c.body) for c in teams.sent(teams.personal_conversation_id(olive))]
    assert len(answers) == RACERS
    assert all("Next ICT governance meetings" in a for a in answers), answers
    assert count(teams_runtime, Workspace) == 1
    assert count(teams_runtime, Strategy) == 1
    assert count(teams_runtime, MeetingSeries) == 1
    with teams_runtime.sessions() as s:
        kinds = list(s.scalars(select(TeamsConversationRef.kind)))
    assert kinds == [ReferenceKind.USER]
