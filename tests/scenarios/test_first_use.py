"""Rows made on first use, made once: a workspace's first requests racing one another.

The workspace, its default strategy, its meeting series and meetings, a role grant, a closure day and
Teams conversation references are created when first needed. Several requests that need the same row at
the same moment (a burst of first commands, two instances, two admins) must all get their normal answer
and leave exactly one row of each kind: each is inserted with ``ON CONFLICT DO NOTHING`` and read back,
so the losers of the race use the winner's row. Real threads, each with its own connection, are released
together by a barrier just before their transaction's first use of the row.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from datetime import date
from urllib.parse import urlencode

import pytest
from sqlalchemy import select

from bot.dev.local import LocalSlack, signed_headers
from bot.dev.standin import SlackStandIn
from bot.runtime import Runtime
from bot.server import asgi_app
from bot.services import meetings, roles, workspaces
from handlers.slack.replies import APOLOGY
from handlers.teams import references
from handlers.teams.references import Where
from models import (
    ClosureDay,
    Meeting,
    MeetingSeries,
    Priority,
    ReferenceKind,
    Role,
    RoleGrant,
    Strategy,
    TeamsConversationRef,
    Workspace,
)
from tests.conftest import ADMIN, SIGNING_SECRET, STRANGER
from tests.helpers import RACERS, count, race, replies, together_at

with warnings.catch_warnings():  # Starlette 1.x asks for httpx2; the dev extra pins httpx, which still works
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

TZ = "Europe/London"


def meeting_days(runtime: Runtime) -> list[date]:
    with runtime.sessions() as s:
        return list(s.scalars(select(Meeting.occurrence).order_by(Meeting.occurrence)))


def new_workspace(runtime: Runtime) -> int:
    with runtime.unit("T0RACING") as (_session, ws):
        return ws.id


# -- Slack: the first commands of a workspace, through the real HTTP app ---------------------------
@pytest.fixture
def http(runtime: Runtime, slack: LocalSlack, standin: SlackStandIn) -> Iterator[TestClient]:
    app = asgi_app(runtime, slack.app)
    standin.clear()
    with TestClient(app) as client:
        yield client


def post_command(http: TestClient, slack: LocalSlack, text: str, user: str) -> int:
    body = urlencode(slack.command_form("/ict-meeting", text, user_id=user))
    signed = signed_headers(SIGNING_SECRET, body, content_type="application/x-www-form-urlencoded")
    headers = {k: str(v) for k, v in signed.items()}
    return int(http.post("/slack/events", content=body, headers=headers).status_code)


def test_a_burst_of_first_commands_from_a_new_workspace_all_get_their_answer(http, slack, standin, runtime, engine):
    """Six people type `/ict-meeting next` in a workspace the bot has never seen, at the same moment."""
    with together_at(engine, "INSERT INTO workspace "):
        statuses = race(RACERS, lambda i: post_command(http, slack, "next", STRANGER))
    assert statuses == [200] * RACERS
    answers = [r["text"] for r in replies(standin)]
    assert len(answers) == RACERS
    assert not [a for a in answers if APOLOGY in a]
    assert all("Next ICT governance meetings" in a for a in answers), answers[0]
    assert count(runtime, Workspace) == 1
    assert count(runtime, Strategy) == 1
    assert count(runtime, Priority) == 5
    assert count(runtime, MeetingSeries) == 1
    days = meeting_days(runtime)
    assert len(days) == len(set(days)) >= 12


# -- the services, each racer on its own connection --------------------------------------------------
def test_racing_first_contacts_create_one_workspace_with_one_strategy(runtime, engine, clock):
    def first_contact(_i: int) -> int:
        with runtime.sessions.begin() as session:
            return workspaces.get_or_create(session, "T0RACING", name="racing", now=clock.now).id

    with together_at(engine, "INSERT INTO workspace "):
        ids = race(RACERS, first_contact)
    assert len(set(ids)) == 1
    assert count(runtime, Workspace) == 1
    assert count(runtime, Strategy) == 1


def test_racing_first_uses_of_the_calendar_create_one_series(runtime, engine, clock):
    ws_id = new_workspace(runtime)

    def first_use(_i: int) -> int:
        with runtime.sessions.begin() as session:
            ws = session.get_one(Workspace, ws_id)
            return meetings.get_series(session, ws, now=clock.now, default_timezone=TZ).id

    with together_at(engine, "INSERT INTO meeting_series "):
        ids = race(RACERS, first_use)
    assert len(set(ids)) == 1
    assert count(runtime, MeetingSeries) == 1


def test_racing_materialisations_create_each_meeting_once(runtime, engine, clock):
    ws_id = new_workspace(runtime)
    with runtime.sessions.begin() as session:
        meetings.get_series(session, session.get_one(Workspace, ws_id), now=clock.now, default_timezone=TZ)

    def materialise(_i: int) -> meetings.MaterialiseResult:
        with runtime.sessions.begin() as session:
            ws = session.get_one(Workspace, ws_id)
            return meetings.materialise(session, ws, now=clock.now, default_timezone=TZ)

    with together_at(engine, "INSERT INTO meeting "):
        results = race(RACERS, materialise)
    days = meeting_days(runtime)
    assert len(days) == len(set(days)) >= 12
    # Each meeting was created by one of them; the others say they created nothing.
    assert sum(r.created for r in results) == len(days)


def test_the_same_role_granted_by_racing_requests_is_stored_once(runtime, engine, clock):
    ws_id = new_workspace(runtime)

    def grant(_i: int) -> bool:
        with runtime.sessions.begin() as session:
            ws = session.get_one(Workspace, ws_id)
            return roles.grant(session, ws, STRANGER, Role.CHAIR, by=ADMIN, now=clock.now)

    with together_at(engine, "INSERT INTO role_grant "):
        granted = race(RACERS, grant)
    assert sorted(granted) == [False] * (RACERS - 1) + [True]
    assert count(runtime, RoleGrant) == 1


def test_the_same_closure_day_added_by_racing_requests_is_stored_once(runtime, engine, clock):
    ws_id = new_workspace(runtime)
    with runtime.sessions.begin() as session:
        meetings.materialise(session, session.get_one(Workspace, ws_id), now=clock.now, default_timezone=TZ)

    def close(_i: int) -> bool:
        with runtime.sessions.begin() as session:
            ws = session.get_one(Workspace, ws_id)
            day = date(2026, 12, 24)
            return meetings.add_closure(session, ws, day, "Christmas Eve", now=clock.now, by=ADMIN, default_timezone=TZ)

    with together_at(engine, "INSERT INTO closure_day "):
        added = race(RACERS, close)
    assert sorted(added) == [False] * (RACERS - 1) + [True]
    assert count(runtime, ClosureDay) == 1


def test_racing_first_contacts_keep_one_conversation_reference(runtime, engine, clock):
    ws_id = new_workspace(runtime)

    def contact(i: int) -> int:
        where = Where(service_url=f"https://smba.example/{i}/", bot_id="28:bot", tenant_id="tenant")
        with runtime.sessions.begin() as session:
            ws = session.get_one(Workspace, ws_id)
            return references.remember(session, ws, ReferenceKind.USER, "aad-olive", where, now=clock.now).id

    with together_at(engine, "INSERT INTO teams_conversation_ref "):
        ids = race(RACERS, contact)
    assert len(set(ids)) == 1
    assert count(runtime, TeamsConversationRef) == 1


# -- and each is undone with the transaction it was made in ------------------------------------------
class RequestFailed(Exception):
    """Something after the row was written failed: the whole request is rolled back."""


def test_a_grant_is_rolled_back_with_the_request_that_made_it(runtime, clock):
    """A savepoint that is a transaction's first write commits on its own on SQLite; these inserts do not."""
    ws_id = new_workspace(runtime)
    with pytest.raises(RequestFailed), runtime.sessions.begin() as session:
        ws = session.get_one(Workspace, ws_id)
        assert roles.grant(session, ws, STRANGER, Role.CHAIR, by=ADMIN, now=clock.now)
        raise RequestFailed
    assert count(runtime, RoleGrant) == 0


def test_a_conversation_reference_is_rolled_back_with_the_contact_that_made_it(runtime, clock):
    ws_id = new_workspace(runtime)
    where = Where(service_url="https://smba.example/", bot_id="28:bot", tenant_id="tenant")
    with pytest.raises(RequestFailed), runtime.sessions.begin() as session:
        ws = session.get_one(Workspace, ws_id)
        references.remember(session, ws, ReferenceKind.USER, "aad-olive", where, now=clock.now)
        raise RequestFailed
    assert count(runtime, TeamsConversationRef) == 0
