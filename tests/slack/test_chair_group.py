"""The chairs' user group outside a request: the reconciler's chairs' notice reaches its members.

The role services never call Slack; the reconciler is handed ``ScheduledChairGroups``, which asks
``usergroups.users.list`` with each team's token and keeps the answer for a few minutes.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.scheduling.reconciler import Reconciler
from bot.services import meetings, roles
from handlers.slack.chair_group import ScheduledChairGroups, read_group
from handlers.slack.client import web_client
from handlers.slack.delivery.reminders import SlackDelivery
from models import Role
from models.scheduling import ReminderKind
from tests.conftest import ADMIN, BOT_TOKEN

LONDON = ZoneInfo("Europe/London")
CHAIR = "U0CHAIR"
GROUPIE = "U0GROUPIE"
GROUP = "S0CHAIRS"


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=LONDON).astimezone(UTC)


NOTICE_DUE = at("2026-12-07 09:30")  # the working day before the 8 Dec meeting, at the last stage's time


@pytest.fixture
def calendar(runtime, standin, workplan, clock):
    clock.now = at("2026-11-01 12:00")
    with runtime.unit(standin.team_id) as (session, ws):
        meetings.materialise(session, ws, now=clock.now, default_timezone="Europe/London")
    return workplan


def set_roles(runtime, team: str, *, chairs: list[str], group: str | None) -> None:
    with runtime.unit(team) as (session, ws):
        for user in chairs:
            roles.grant(session, ws, user, Role.CHAIR, by=ADMIN, now=runtime.now())
        roles.set_chair_usergroup(ws, group)


def reconciler(runtime, standin, *, with_group: bool = True, bot_token=None) -> Reconciler:
    client = web_client(BOT_TOKEN, standin.api_url)
    groups = ScheduledChairGroups(client, runtime.chair_groups, bot_token=bot_token) if with_group else None
    return Reconciler(runtime, SlackDelivery(client), holder="test", workers=2, chair_group_members=groups)


def notified(report) -> list[str]:
    return sorted(item.user_id for item, outcome in report.outcomes if item.kind is ReminderKind.CHAIR)


def test_the_chairs_notice_reaches_the_user_groups_members_and_the_granted_chairs(runtime, standin, calendar):
    standin.set_usergroup(GROUP, [GROUPIE, CHAIR])
    set_roles(runtime, standin.team_id, chairs=[CHAIR], group=GROUP)

    report = reconciler(runtime, standin).tick(NOTICE_DUE)

    assert notified(report) == [CHAIR, GROUPIE]  # once each, and the admins do not stand in
    assert all(outcome.error is None for _, outcome in report.outcomes)
    assert [c.params["usergroup"] for c in standin.calls_to("usergroups.users.list")] == [GROUP]


def test_the_group_is_asked_only_when_a_chairs_notice_is_due(runtime, standin, calendar):
    standin.set_usergroup(GROUP, [GROUPIE])
    set_roles(runtime, standin.team_id, chairs=[], group=GROUP)

    reconciler(runtime, standin).tick(at("2026-12-01 09:30"))  # the owners' reminders only

    assert standin.calls_to("usergroups.users.list") == []


def test_when_slack_cannot_list_the_group_the_granted_chairs_still_get_the_notice(runtime, standin, calendar, caplog):
    standin.set_usergroup(GROUP, [GROUPIE])
    set_roles(runtime, standin.team_id, chairs=[CHAIR], group=GROUP)
    standin.fail("usergroups.users.list", error="missing_scope")
    rec = reconciler(runtime, standin)

    with caplog.at_level(logging.WARNING, logger="handlers.slack.chair_group"):
        first = rec.tick(NOTICE_DUE)

    assert notified(first) == [CHAIR]
    assert "could not read the members of user group S0CHAIRS in team T0COUNCIL (missing_scope)" in caplog.text
    # The next pass asks again, and the group's member gets the notice after all; the chair not twice.
    assert notified(rec.tick(NOTICE_DUE + timedelta(minutes=1))) == [GROUPIE]


def test_with_no_chair_known_the_admins_stand_in(runtime, standin, calendar):
    set_roles(runtime, standin.team_id, chairs=[], group=GROUP)
    standin.fail("usergroups.users.list", error="missing_scope")

    assert notified(reconciler(runtime, standin).tick(NOTICE_DUE)) == [ADMIN]


def test_a_reconciler_without_the_hook_never_asks_slack_for_the_group(runtime, standin, calendar):
    standin.set_usergroup(GROUP, [GROUPIE])
    set_roles(runtime, standin.team_id, chairs=[CHAIR], group=GROUP)

    report = reconciler(runtime, standin, with_group=False).tick(NOTICE_DUE)

    assert notified(report) == [CHAIR]
    assert standin.calls_to("usergroups.users.list") == []


def test_each_team_is_asked_with_its_own_token(runtime, standin, calendar):
    standin.set_usergroup(GROUP, [GROUPIE])
    set_roles(runtime, standin.team_id, chairs=[], group=GROUP)
    tokens = {standin.team_id: BOT_TOKEN}

    report = reconciler(runtime, standin, bot_token=tokens.get).tick(NOTICE_DUE)

    assert notified(report) == [GROUPIE]
    assert [c.token for c in standin.calls_to("usergroups.users.list")] == [BOT_TOKEN]


def test_a_team_with_no_token_has_no_known_group_members(runtime, standin, calendar, caplog):
    standin.set_usergroup(GROUP, [GROUPIE])
    set_roles(runtime, standin.team_id, chairs=[], group=GROUP)
    groups = ScheduledChairGroups(
        web_client(BOT_TOKEN, standin.api_url), runtime.chair_groups, bot_token=lambda t: None
    )

    with caplog.at_level(logging.WARNING, logger="handlers.slack.chair_group"):
        assert groups(standin.team_id, GROUP, NOTICE_DUE) == frozenset()

    assert standin.calls_to("usergroups.users.list") == []
    assert "no bot token for team T0COUNCIL" in caplog.text


def test_members_are_kept_five_minutes_per_team_and_a_failure_is_not_kept(runtime, standin):
    client = web_client(BOT_TOKEN, standin.api_url)
    cache = roles.GroupCache()
    standin.set_usergroup(GROUP, [GROUPIE])
    start = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)

    assert read_group(client, cache, "T0A", GROUP, start).members == {GROUPIE}
    standin.set_usergroup(GROUP, [CHAIR])
    assert read_group(client, cache, "T0A", GROUP, start + timedelta(minutes=4, seconds=59)).members == {GROUPIE}
    assert read_group(client, cache, "T0B", GROUP, start).members == {CHAIR}  # another team asks for itself
    assert read_group(client, cache, "T0A", GROUP, start + timedelta(minutes=5)).members == {CHAIR}
    assert len(standin.calls_to("usergroups.users.list")) == 3

    standin.fail("usergroups.users.list", error="ratelimited", status=200)
    later = start + timedelta(minutes=20)
    failed = read_group(client, cache, "T0A", GROUP, later)
    assert (failed.members, failed.error) == (frozenset(), "ratelimited")
    assert read_group(client, cache, "T0A", GROUP, later).members == {CHAIR}
