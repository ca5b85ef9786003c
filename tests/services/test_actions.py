"""Decisions and actions of the governance meetings: which meeting they belong to, who may close an
action, what each list holds; every lookup the workspace's own."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from bot.errors import DomainError, NotAllowed, UnknownProject
from bot.services import meetings
from bot.services.registers import actions
from models.registers import ActionItem, Decision, ItemStatus
from tests.conftest import ADMIN, DELEGATE, OWNER
from tests.services.test_reminders import at


@pytest.fixture
def calendar(runtime, standin, workplan, clock):
    """The default series (second Tuesday, 10:00 London) from 1 Nov 2026: 10 Nov, 8 Dec, 12 Jan…"""
    clock.now = at("2026-11-01 12:00")
    with runtime.unit(standin.team_id) as (session, ws):
        meetings.materialise(session, ws, now=clock.now, default_timezone="Europe/London")
    return workplan


def unit(runtime, standin):
    return runtime.unit(standin.team_id)


def test_without_a_meeting_series_nothing_is_recorded_and_the_error_says_how(runtime, standin, workplan, clock):
    with unit(runtime, standin) as (session, ws), pytest.raises(DomainError) as err:
        actions.record_decision(session, ws, "Adopt the cloud policy", None, ADMIN, clock.now)
    assert "meeting series" in err.value.message and "/ict-meeting series" in err.value.message
    with runtime.sessions() as s:
        assert s.scalars(select(Decision)).all() == []


def test_decisions_and_actions_go_to_the_next_meeting_until_one_is_held_then_to_it(runtime, standin, calendar):
    with unit(runtime, standin) as (session, ws):
        first = actions.record_decision(session, ws, "Adopt the policy", "net-01", ADMIN, at("2026-11-02 09:00"))
        during = actions.give_action(
            session, ws, OWNER, date(2026, 11, 30), "Draft the plan", None, ADMIN, at("2026-11-10 10:30")
        )
        after = actions.record_decision(session, ws, "Later", None, ADMIN, at("2026-11-20 09:00"))
        december = actions.record_decision(session, ws, "December", None, ADMIN, at("2026-12-08 10:00"))
    assert (first.meeting_day, first.project_ref, first.label) == (date(2026, 11, 10), "NET-01", f"D{first.id}")
    assert during.meeting_day == after.meeting_day == date(2026, 11, 10)
    assert december.meeting_day == date(2026, 12, 8)  # being held from its start
    with unit(runtime, standin) as (session, ws):
        assert [d.text for d in actions.decisions_for(session, ws, first.meeting_id)] == ["Adopt the policy", "Later"]
        assert [a.label for a in actions.actions_given_at(session, ws, during.meeting_id)] == [during.label]


def test_bad_text_or_project_writes_nothing(runtime, standin, calendar, clock):
    with unit(runtime, standin) as (session, ws):
        with pytest.raises(DomainError, match="no text"):
            actions.record_decision(session, ws, "   ", None, ADMIN, clock.now)
        with pytest.raises(UnknownProject):
            actions.give_action(session, ws, OWNER, date(2026, 12, 1), "x", "NOPE-9", ADMIN, clock.now)
        with pytest.raises(DomainError, match="too long"):
            actions.give_action(session, ws, OWNER, date(2026, 12, 1), "x" * 2001, None, ADMIN, clock.now)
    with runtime.sessions() as s:
        assert s.scalars(select(ActionItem)).all() == [] and s.scalars(select(Decision)).all() == []


def test_an_action_past_due_when_given_is_overdue_at_once_and_lists_sort_by_due_date(runtime, standin, calendar):
    now = at("2026-11-20 09:00")
    today = now.date()
    with unit(runtime, standin) as (session, ws):
        late = actions.give_action(session, ws, OWNER, today - timedelta(days=5), "Agreed earlier", None, ADMIN, now)
        soon = actions.give_action(session, ws, OWNER, today + timedelta(days=5), "Soon", "MOB-01", ADMIN, now)
        other = actions.give_action(session, ws, DELEGATE, today, "Due today", None, ADMIN, now)
        assert late.is_overdue(today) and not other.is_overdue(today)
        assert [a.id for a in actions.list_actions(session, ws, "mine", OWNER, today)] == [late.id, soon.id]
        assert [a.id for a in actions.list_actions(session, ws, "open", OWNER, today)] == [late.id, other.id, soon.id]
        assert [a.id for a in actions.list_actions(session, ws, "overdue", DELEGATE, today)] == [late.id]
        assert [a.id for a in actions.open_for(session, ws, [DELEGATE])] == [other.id]
        with pytest.raises(DomainError, match="mine"):
            actions.list_actions(session, ws, "everything", OWNER, today)


def test_the_owner_or_a_chair_marks_done_once_and_others_may_not(runtime, standin, calendar):
    now = at("2026-11-20 09:00")
    with unit(runtime, standin) as (session, ws):
        mine = actions.give_action(session, ws, OWNER, date(2026, 12, 1), "Mine", None, ADMIN, now)
        theirs = actions.give_action(session, ws, DELEGATE, date(2026, 12, 1), "Theirs", None, ADMIN, now)
    with unit(runtime, standin) as (session, ws), pytest.raises(NotAllowed):
        actions.done(session, ws, theirs.id, OWNER, "", now, False)
    with unit(runtime, standin) as (session, ws):
        first = actions.done(session, ws, mine.id, OWNER, "Sent round", now, False)
        again = actions.done(session, ws, mine.id, ADMIN, "again", now + timedelta(hours=1), True)
        chair = actions.done(session, ws, theirs.id, ADMIN, "", now, True)
    assert not first.already and first.action.status is ItemStatus.CLOSED
    assert again.already and (again.action.done_by, again.action.done_note) == (OWNER, "Sent round")
    assert chair.action.done_by == ADMIN
    with unit(runtime, standin) as (session, ws):
        closed = actions.actions_closed_between(session, ws, now - timedelta(days=1), now + timedelta(days=1))
        assert [a.id for a in closed] == [mine.id, theirs.id]
        assert actions.actions_closed_between(session, ws, None, now) == []
        assert actions.open_for(session, ws, None) == []


def test_an_unknown_action_is_not_found(runtime, standin, calendar, clock):
    with unit(runtime, standin) as (session, ws), pytest.raises(DomainError, match="There is no action A999"):
        actions.done(session, ws, 999, ADMIN, "", clock.now, True)
