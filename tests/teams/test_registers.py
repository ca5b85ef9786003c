"""`decision …` and `action …` typed in Teams: the grammar and rules of the Slack commands; typed text on a
card, shown as it is."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from bot.services import meetings
from models import Workspace
from models.registers import ActionItem, Decision, ItemStatus
from tests.teams.test_messages import CHAIR, CHAIR_ID, OWNER, OWNER_ID, STRANGER, said, teams, text  # noqa: F401

EVIL = "<at>Everyone</at> **bold** [click](https://evil.example)"


@pytest.fixture
def held(runtime, teams, clock):  # noqa: F811
    ws, _ = teams
    clock.now = datetime(2026, 11, 1, 12, tzinfo=UTC)
    with runtime.sessions.begin() as session:
        meetings.materialise(
            session, session.get_one(Workspace, ws.id), now=clock.now, default_timezone="Europe/London"
        )
    clock.now = datetime(2026, 11, 20, 9, tzinfo=UTC)
    return ws


def rows(runtime, model):
    with runtime.sessions() as s:
        return list(s.scalars(select(model).order_by(model.id)))


def test_a_chair_records_a_decision_and_anyone_lists_it(runtime, held):
    shown = said(text(runtime, held, CHAIR, f"decision {EVIL} | project net-01"))
    (d,) = rows(runtime, Decision)
    assert d.text == EVIL and d.recorded_by == CHAIR_ID
    assert f"Recorded **D{d.id}** for the meeting of 10 Nov 2026: {EVIL}" in shown
    listed = said(text(runtime, held, STRANGER, "decision list"))
    assert f"**D{d.id}** {EVIL} (project NET-01)" in listed


def test_only_a_chair_or_admin_records_or_gives(runtime, held):
    assert "Only the chair or an ICT admin" in said(text(runtime, held, OWNER, "decision Let me"))
    assert "Only the chair or an ICT admin" in said(text(runtime, held, OWNER, "action add me 2026-12-01 x"))
    assert rows(runtime, Decision) == [] and rows(runtime, ActionItem) == []


def test_an_action_is_given_listed_and_marked_done_by_its_owner(runtime, held):
    shown = said(text(runtime, held, CHAIR, f"action add {OWNER_ID} 2026-11-12 Circulate the plan"))
    (a,) = rows(runtime, ActionItem)
    assert (a.owner_user_id, a.due_on) == (OWNER_ID, date(2026, 11, 12)) and f"Gave **A{a.id}**" in shown
    assert "**overdue**" in said(text(runtime, held, OWNER, "action list"))
    assert f"Only A{a.id}'s owner" in said(text(runtime, held, STRANGER, f"action done A{a.id}"))
    assert f"Marked **A{a.id}** done" in said(text(runtime, held, OWNER, f"action done {a.id} sent"))
    assert "already marked done" in said(text(runtime, held, CHAIR, f"action done A{a.id}"))
    (a,) = rows(runtime, ActionItem)
    assert (a.status, a.done_by, a.done_note) == (ItemStatus.CLOSED, OWNER_ID, "sent")


def test_me_is_the_chair_and_a_name_is_refused(runtime, held):
    text(runtime, held, CHAIR, "action add me 2026-12-01 Chair's own")
    assert [a.owner_user_id for a in rows(runtime, ActionItem)] == [CHAIR_ID]
    assert "is not a person the bot can read" in said(text(runtime, held, CHAIR, "action add Olive 2026-12-01 x"))
    assert len(rows(runtime, ActionItem)) == 1


def test_help_words_the_commands_for_teams(runtime, held):
    assert "**action add OWNER YYYY-MM-DD" in said(text(runtime, held, OWNER, "action help"))
    assert "**decision list" in said(text(runtime, held, OWNER, "decision help"))
