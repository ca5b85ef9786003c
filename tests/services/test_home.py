"""Home's content (bot.services.home) from a fixed number of statements whatever the size of the Work Plan, and
its once-a-minute throttle (bot.services.home_views): across processes, two publishers of one person's Home
at once publish it once; one inside the minute leaves it stale for the next reconcile pass, which publishes it."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import select

from bot.scheduling.ports import HomeRefresh, Outcome
from bot.scheduling.reconciler import Reconciler
from bot.services import home, home_views, meetings, projects, roles, updates
from bot.services.quickform import UpdateText
from bot.services.registers import actions, raid
from handlers.slack.client import web_client
from handlers.slack.home_publish import SlackHomeRefresh, publish
from handlers.slack.tokens import SingleToken
from models import HomeView, Rag, Role, UpdateSource
from models.registers import RaidKind
from tests.conftest import ADMIN, BOT_TOKEN, DELEGATE, OWNER, STRANGER
from tests.helpers import race, statements, together_at
from tests.slack.test_home import CHAIR, at, calendar  # noqa: F401  (calendar: the fixture)


def work_plan_of(runtime, team: str, n: int) -> None:
    """``n`` projects owned by OWNER (DELEGATE on every other), each with two updates, an action and a risk."""
    now = runtime.now()
    with runtime.unit(team) as (session, ws):
        meetings.materialise(session, ws, now=now - timedelta(days=60), default_timezone="Europe/London")
        roles.grant(session, ws, CHAIR, Role.CHAIR, by=ADMIN, now=now)
        for i in range(n):
            p = projects.add(
                session,
                ws,
                ref=f"P-{i:04d}",
                title=f"Project {i}",
                priority=("ARCH", "BD", "GOV")[i % 3],
                owner=OWNER,
                delegates=[DELEGATE] if i % 2 else [],
                now=now,
            )
            for rag in (Rag.GREEN, Rag.AMBER):
                text = UpdateText(rag=rag, progress="done")
                updates.post(
                    session, ws, p, user_id=OWNER, is_admin=False, text=text, source=UpdateSource.COMMAND, now=now
                )
            actions.give_action(session, ws, OWNER, date(2026, 12, 1), "Act", p.ref, CHAIR, now)
            raid.raise_item(
                session, ws, RaidKind.RISK, p.ref, "Risk", actor=raid.Actor(OWNER), now=now, likelihood=2, impact=3
            )


def built(runtime, team: str, user: str) -> tuple[home.Home, int]:
    with runtime.unit(team) as (session, ws), statements(runtime.engine) as seen:
        got = home.build(session, ws, user, now=runtime.now(), env_admins=[ADMIN], default_timezone="Europe/London")
    return got, len(seen)


def test_home_takes_as_many_statements_at_300_projects_as_at_3(runtime, clock):
    clock.now = at("2026-11-30 10:00")
    work_plan_of(runtime, "T0SMALL", 3)
    work_plan_of(runtime, "T0LARGE", 300)
    for user in (OWNER, DELEGATE, CHAIR):
        _, few = built(runtime, "T0SMALL", user)
        _, many = built(runtime, "T0LARGE", user)
        assert few == many, f"{user}: {few} statements at 3 projects, {many} at 300"
        assert few <= 14
    assert len(built(runtime, "T0LARGE", OWNER)[0].projects) == 300
    chair, _ = built(runtime, "T0LARGE", CHAIR)
    assert chair.work_plan is not None and sum(r.amber for r in chair.work_plan.priorities) == 300
    assert len(built(runtime, "T0LARGE", DELEGATE)[0].projects) == 150
    assert len(built(runtime, "T0LARGE", OWNER)[0].actions) == 300


def test_an_update_is_due_as_the_reminders_say(runtime, standin, calendar):  # noqa: F811
    got, _ = built(runtime, standin.team_id, OWNER)
    assert got.meeting is not None
    assert got.meeting.starts_at == at("2026-12-08 10:00")
    assert got.meeting.reminders_from == at("2026-12-01 09:30")
    assert got.meeting.due_by == at("2026-12-07 12:00")
    by_ref = {p.ref: p for p in got.projects}
    assert by_ref["NET-01"].due and by_ref["NET-01"].rag is Rag.AMBER  # updated before the last meeting
    assert by_ref["MOB-01"].due and by_ref["MOB-01"].rag is None
    with runtime.unit(standin.team_id) as (session, ws):
        p = projects.get(session, ws, "NET-01")
        text = UpdateText(rag=Rag.GREEN, progress="In")
        updates.post(
            session, ws, p, user_id=OWNER, is_admin=False, text=text, source=UpdateSource.COMMAND, now=runtime.now()
        )
    got, _ = built(runtime, standin.team_id, OWNER)
    assert not {p.ref: p for p in got.projects}["NET-01"].due


# -- the throttle -------------------------------------------------------------------------------------------
def take(runtime, team: str, user: str, **kw: Any) -> bool:
    with runtime.unit(team) as (session, ws):
        return home_views.take(session, ws, user, now=runtime.now(), **kw)


def test_once_a_minute_then_stale_then_the_next_minute(runtime, standin, clock):
    team = standin.team_id
    assert take(runtime, team, OWNER)
    clock.advance(seconds=59)
    assert not take(runtime, team, OWNER, changed=False)
    with runtime.unit(team) as (session, ws):
        assert home_views.stale(session, ws, now=runtime.now()) == []
    assert not take(runtime, team, OWNER)
    with runtime.unit(team) as (session, ws):
        assert home_views.stale(session, ws, now=runtime.now()) == []  # its minute has not passed
    clock.advance(seconds=1)
    with runtime.unit(team) as (session, ws):
        assert home_views.stale(session, ws, now=runtime.now()) == [OWNER]
    assert take(runtime, team, OWNER)
    with runtime.unit(team) as (session, ws):
        assert home_views.stale(session, ws, now=runtime.now() + timedelta(minutes=5)) == []


def test_two_publishers_at_once_publish_once(runtime, standin, calendar):  # noqa: F811
    client = web_client(BOT_TOKEN, standin.api_url)
    with runtime.unit(standin.team_id):
        pass  # the workspace exists: each racer's first write is its Home row
    with together_at(runtime.engine, "INSERT INTO home_view", n=2):
        results = race(2, lambda i: publish(runtime, client, standin.team_id, OWNER))
    assert sorted(results) == [False, True]
    assert len(standin.calls_to("views.publish")) == 1


def test_two_publishers_after_the_minute_publish_once(runtime, standin, calendar, clock):  # noqa: F811
    client = web_client(BOT_TOKEN, standin.api_url)
    assert publish(runtime, client, standin.team_id, OWNER)
    clock.advance(minutes=2)
    with together_at(runtime.engine, "INSERT INTO home_view", n=2):
        results = race(2, lambda i: publish(runtime, client, standin.team_id, OWNER))
    assert sorted(results) == [False, True]
    assert len(standin.calls_to("views.publish")) == 2
    with runtime.sessions() as s:
        assert s.scalar(select(HomeView.stale)) is True  # the loser's change is for the next pass


def test_a_failed_publish_is_left_stale_for_the_next_pass(runtime, standin, calendar, clock):  # noqa: F811
    client = web_client(BOT_TOKEN, standin.api_url)
    standin.fail("views.publish", error="invalid_blocks")
    assert not publish(runtime, client, standin.team_id, OWNER)
    clock.advance(minutes=1)
    with runtime.unit(standin.team_id) as (session, ws):
        assert home_views.stale(session, ws, now=runtime.now()) == [OWNER]


# -- after a reconcile pass ---------------------------------------------------------------------------------
def test_a_pass_refreshes_the_home_of_those_it_reminded_and_the_stale_ones(runtime, standin, calendar, clock):  # noqa: F811
    refreshed: list[HomeRefresh] = []
    sent = Reconciler(runtime, lambda item: Outcome(channel_id="D0", message_ts="1.0"), refresh_home=refreshed.append)
    assert take(runtime, standin.team_id, STRANGER)
    clock.advance(seconds=10)
    assert not take(runtime, standin.team_id, STRANGER)  # changed within its minute: stale
    clock.now = at("2026-12-01 09:30")
    sent.tick()
    assert len(refreshed) == 1
    assert refreshed[0].team_id == standin.team_id and refreshed[0].platform == "slack"
    assert set(refreshed[0].users) == {OWNER, DELEGATE, ADMIN, STRANGER}  # reminded (ADMIN owns PCI-01); stale


def test_a_digest_posted_by_a_pass_refreshes_the_chairs_home(runtime, standin, calendar, clock):  # noqa: F811
    refreshed: list[HomeRefresh] = []
    sent = Reconciler(
        runtime,
        lambda item: Outcome(error="user_not_found"),  # no reminder arrives: the chair is there for the digest
        post_digest=lambda item: Outcome(channel_id="C0GOVERN", message_ts="2.0"),
        refresh_home=refreshed.append,
    )
    clock.now = at("2026-12-07 12:00")
    report = sent.tick()
    assert report.digests_sent == 1
    assert refreshed[0].users == (CHAIR,)


def test_a_pass_publishes_through_slack_once_a_minute_each(runtime, standin, calendar, clock):  # noqa: F811
    client = web_client(BOT_TOKEN, standin.api_url)
    port = SlackHomeRefresh(runtime, client, tokens=SingleToken(BOT_TOKEN))
    sent = Reconciler(runtime, lambda item: Outcome(channel_id="D0", message_ts="1.0"), refresh_home=port)
    clock.now = at("2026-12-01 09:30")
    sent.tick()
    assert {c.params["user_id"] for c in standin.calls_to("views.publish")} == {OWNER, DELEGATE, ADMIN}  # reminded
    port(HomeRefresh(0, standin.team_id, "slack", (OWNER,)))  # again within the minute: left stale
    assert len(standin.calls_to("views.publish")) == 3
    clock.advance(minutes=1)
    sent.tick()  # nothing new is due; the stale one's minute has passed
    assert [c.params["user_id"] for c in standin.calls_to("views.publish")][3:] == [OWNER]


def test_a_teams_workspace_has_no_home_to_publish(runtime, standin):
    client = web_client(BOT_TOKEN, standin.api_url)
    SlackHomeRefresh(runtime, client, tokens=SingleToken(BOT_TOKEN))(HomeRefresh(1, "tenant", "teams", (OWNER,)))
    assert not standin.calls_to("views.publish")
