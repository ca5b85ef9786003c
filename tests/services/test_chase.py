"""Open actions and risks past review go into their owner's reminder before each meeting, through the
same claims: once per stage, however many reconcilers pass, and not once they are done."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.scheduling.ports import Outcome
from bot.scheduling.reconciler import Reconciler
from bot.services import meetings, reminders
from bot.services.registers import actions
from models.registers import ItemStatus, RaidItem, RaidKind
from models.scheduling import Reminder, ReminderStatus
from tests.conftest import ADMIN, OWNER
from tests.services.test_reminders import at

FIRST_STAGE = at("2026-12-01 09:30")  # five working days before the 8 Dec meeting
LAST_STAGE = at("2026-12-07 09:30")  # one working day before
GIVEN = at("2026-11-20 09:00")  # after the 10 Nov meeting: actions go to it
ACTIONEE, FINISHER, RISKY = "U0ACTION", "U0FINISH", "U0RISKY"  # no project of their own


@pytest.fixture
def calendar(runtime, standin, workplan, clock):
    clock.now = at("2026-11-01 12:00")
    with runtime.unit(standin.team_id) as (session, ws):
        meetings.materialise(session, ws, now=clock.now, default_timezone="Europe/London")
    return workplan


def give(runtime, standin, owner: str, due_on: date, text: str) -> int:
    with runtime.unit(standin.team_id) as (session, ws):
        return actions.give_action(session, ws, owner, due_on, text, None, ADMIN, GIVEN).id


def raise_risk(runtime, standin, owner: str, review_on: date, text: str) -> int:
    """A risk row as the risks register keeps it (that service is not this test's subject)."""
    with runtime.unit(standin.team_id) as (session, ws):
        row = RaidItem(
            workspace_id=ws.id,
            kind=RaidKind.RISK,
            project_id=None,
            priority_id=None,
            text=text,
            owner_user_id=owner,
            likelihood=4,
            impact=4,
            review_on=review_on,
            status=ItemStatus.OPEN,
            raised_by=ADMIN,
            raised_at=GIVEN,
            close_note="",
        )
        session.add(row)
        session.flush()
        return row.id


class Recorder:
    def __init__(self) -> None:
        self.items: list[reminders.Due] = []

    def __call__(self, item: reminders.Due) -> Outcome:
        self.items.append(item)
        return Outcome(channel_id="D0", message_ts="1.0")

    def of(self, user: str) -> list[reminders.Due]:
        return [i for i in self.items if i.user_id == user]


def passes(runtime, clock, recorder: Recorder, when: datetime, times: int = 3) -> None:
    """Two reconcilers, each passing ``times`` times at ``when`` (a minute apart)."""
    a, b = (Reconciler(runtime, recorder, holder=h, workers=2) for h in ("a", "b"))
    for n in range(times):
        for r in (a, b):
            clock.now = when + timedelta(minutes=n)
            r.tick(clock.now)


def test_an_owner_with_only_an_open_action_is_chased_once_per_stage(runtime, standin, calendar, clock):
    action = give(runtime, standin, ACTIONEE, date(2026, 12, 4), "Circulate the DR test plan")
    got = Recorder()
    passes(runtime, clock, got, FIRST_STAGE)
    passes(runtime, clock, got, LAST_STAGE)
    chased = got.of(ACTIONEE)
    assert [i.stage for i in chased] == ["5d@0930", "1d@0930"]
    assert all(i.projects == () and [a.id for a in i.actions] == [action] for i in chased)
    assert [a.overdue for i in chased for a in i.actions] == [False, True]  # due 4 Dec
    with runtime.sessions() as s:
        refs = s.scalars(select(Reminder.project_refs).where(Reminder.user_id == ACTIONEE)).all()
    assert refs == [f"A{action}", f"A{action}"]


def test_an_action_done_before_the_stage_is_not_chased(runtime, standin, calendar, clock):
    action = give(runtime, standin, FINISHER, date(2026, 11, 25), "Renew the certificate")
    with runtime.unit(standin.team_id) as (session, ws):
        actions.done(session, ws, action, FINISHER, "", at("2026-11-30 09:00"), False)
    got = Recorder()
    passes(runtime, clock, got, FIRST_STAGE)
    assert got.of(FINISHER) == [] and got.items  # the owners of stale projects were reminded


def test_an_overdue_action_is_listed_with_an_owners_stale_projects(runtime, standin, calendar, clock):
    late = give(runtime, standin, OWNER, date(2026, 11, 12), "Agreed in October, written up late")
    got = Recorder()
    passes(runtime, clock, got, FIRST_STAGE)
    (item,) = got.of(OWNER)
    assert {p.ref for p in item.projects} == {"NET-01", "MOB-01"}
    assert [(a.id, a.overdue) for a in item.actions] == [(late, True)]
    with runtime.sessions() as s:
        refs = s.scalar(select(Reminder.project_refs).where(Reminder.user_id == OWNER))
    assert refs == f"MOB-01,NET-01,A{late}"


def test_a_risk_past_its_review_date_is_chased_and_one_not_yet_past_is_not(runtime, standin, calendar, clock):
    past = raise_risk(runtime, standin, RISKY, date(2026, 11, 30), "Supplier may fail")
    today = raise_risk(runtime, standin, RISKY, date(2026, 12, 1), "Reviewed on the day")
    got = Recorder()
    passes(runtime, clock, got, FIRST_STAGE)
    passes(runtime, clock, got, LAST_STAGE)
    first, last = got.of(RISKY)
    assert [(r.id, r.score) for r in first.risks] == [(past, 16)] and first.actions == ()
    assert [r.id for r in last.risks] == [past, today]


@pytest.mark.parametrize("done_first", [False, True])
def test_an_abandoned_claim_is_rebuilt_with_the_action_unless_it_is_done(runtime, standin, calendar, clock, done_first):
    action = give(runtime, standin, ACTIONEE, date(2026, 12, 4), "Circulate the plan")
    with runtime.unit(standin.team_id) as (session, ws):
        (item,) = [d for d in reminders.due(session, ws, now=FIRST_STAGE) if d.user_id == ACTIONEE]
        assert reminders.claim(session, item, holder="dead", now=FIRST_STAGE)
    later = FIRST_STAGE + reminders.CLAIM_TIMEOUT + timedelta(minutes=1)
    with runtime.unit(standin.team_id) as (session, ws):
        if done_first:
            actions.done(session, ws, action, ACTIONEE, "", later, False)
        retried = [d for d in reminders.reclaim_abandoned(session, ws, holder="b", now=later) if d.user_id == ACTIONEE]
    with runtime.sessions() as s:
        row = s.scalars(select(Reminder).where(Reminder.user_id == ACTIONEE)).one()
    if done_first:
        assert retried == [] and row.status is ReminderStatus.DROPPED
    else:
        assert [(a.id, r.attempt) for r in retried for a in r.actions] == [(action, 2)]
        assert row.status is ReminderStatus.CLAIMED


def test_snooze_is_offered_to_an_owner_with_an_open_action(runtime, standin, calendar, clock):
    give(runtime, standin, ACTIONEE, date(2026, 12, 4), "Circulate the plan")
    with runtime.unit(standin.team_id) as (session, ws):
        meeting = meetings.meeting_after(session, ws, FIRST_STAGE)
        assert meeting is not None
        when = reminders.snooze(session, ws, meeting_id=meeting.id, user_id=ACTIONEE, now=FIRST_STAGE)
    assert when == at("2026-12-02 09:30")


def test_snooze_is_refused_once_the_action_is_done(runtime, standin, calendar, clock):
    action = give(runtime, standin, ACTIONEE, date(2026, 12, 4), "Circulate the plan")
    with runtime.unit(standin.team_id) as (session, ws):
        actions.done(session, ws, action, ACTIONEE, "", FIRST_STAGE, False)
        meeting = meetings.meeting_after(session, ws, FIRST_STAGE)
        assert meeting is not None
        assert reminders.snooze(session, ws, meeting_id=meeting.id, user_id=ACTIONEE, now=FIRST_STAGE) is None
