"""Reminders before each meeting: who gets one, when, exactly once, and what the buttons do."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.quickform import UpdateText
from bot.scheduler import Reconciler
from bot.services import meetings, reminders, updates
from bot.services import projects as project_service
from bot.slack_app import web_client
from handlers.reminders import SlackDelivery
from models import Meeting, Rag, UpdateSource
from models.scheduling import Reminder
from tests.conftest import ADMIN, BOT_TOKEN, DELEGATE, OWNER

LONDON = ZoneInfo("Europe/London")


def at(text: str) -> datetime:
    """A local Europe/London wall time as an aware UTC datetime."""
    return datetime.fromisoformat(text).replace(tzinfo=LONDON).astimezone(UTC)


@pytest.fixture
def calendar(runtime, standin, workplan, clock):
    """The default series materialised on 1 Nov 2026, so the 10 Nov meeting starts the Dec period."""
    clock.now = at("2026-11-01 12:00")
    with runtime.unit(standin.team_id) as (session, ws):
        meetings.materialise(session, ws, now=clock.now, default_timezone="Europe/London")
    return workplan


@pytest.fixture
def reconciler(runtime, standin):
    delivery = SlackDelivery(web_client(BOT_TOKEN, standin.api_url), tz=LONDON)
    return Reconciler(runtime, delivery, holder="test-a", workers=4)


def post(runtime, team, ref, user, when, rag=Rag.GREEN):
    with runtime.sessions.begin() as session:
        ws = runtime_ws(session, team)
        project = project_service.get(session, ws, ref)
        updates.post(
            session,
            ws,
            project,
            user_id=user,
            is_admin=True,
            text=UpdateText(rag=rag, progress="done"),
            source=UpdateSource.COMMAND,
            now=when,
        )


def runtime_ws(session, team):
    from bot.services import workspaces

    return workspaces.find(session, team)


def dms(standin) -> dict[str, list[str]]:
    """Who got a direct message (the stand-in's DM with U0X is D0X), and each message's text."""
    out: dict[str, list[str]] = {}
    for call in standin.calls_to("chat.postMessage"):
        user = "U" + call.params["channel"].removeprefix("D")
        text = "\n".join(b["text"]["text"] for b in call.params["blocks"] if b["type"] == "section")
        out.setdefault(user, []).append(text)
    return out


def refs_in(text: str) -> list[str]:
    return sorted({w.strip("*") for w in text.split() if w.startswith("*") and "-0" in w})


def test_nothing_is_sent_before_the_first_stage(reconciler, calendar, standin):
    report = reconciler.tick(at("2026-12-01 09:29"))
    assert report.sent == 0 and not standin.calls_to("chat.postMessage")


def test_each_stale_owner_and_delegate_gets_one_message_listing_all_their_projects(reconciler, calendar, standin):
    report = reconciler.tick(at("2026-12-01 09:30"))
    assert report.sent == 3
    got = dms(standin)
    assert {u: refs_in(t[0]) for u, t in got.items()} == {
        OWNER: ["MOB-01", "NET-01"],
        DELEGATE: ["EFORM-01", "NET-01", "TRN-01"],
        ADMIN: ["PCI-01"],
    }
    assert "The ICT governance group meets on *8 Dec 2026 10:00*" in got[OWNER][0]
    assert "since the last meeting (10 Nov 2026 10:00)" in got[OWNER][0]


def test_a_second_tick_sends_nothing_again(reconciler, calendar, standin):
    reconciler.tick(at("2026-12-01 09:30"))
    report = reconciler.tick(at("2026-12-01 09:31"))
    assert report.sent == 0 and len(standin.calls_to("chat.postMessage")) == 3


def test_an_owner_who_has_updated_everything_gets_nothing(runtime, reconciler, calendar, standin):
    post(runtime, standin.team_id, "NET-01", OWNER, at("2026-11-20 12:00"))
    post(runtime, standin.team_id, "MOB-01", OWNER, at("2026-11-05 12:00"))  # before the last meeting: stale
    reconciler.tick(at("2026-12-01 09:30"))
    got = dms(standin)
    assert refs_in(got[OWNER][0]) == ["MOB-01"]
    assert refs_in(got[DELEGATE][0]) == ["EFORM-01", "TRN-01"]


def test_a_missed_stage_is_superseded_by_the_later_one(reconciler, calendar, standin, runtime):
    report = reconciler.tick(at("2026-12-07 09:30"))  # the process was down on 1 December
    assert report.sent == 3 + 1  # three owners once each, and the chair's notice (the admin stands in)
    with runtime.sessions() as s:
        stages = sorted({r.stage for r in s.scalars(select(Reminder))})
    assert stages == ["1d@0930", "chair"]


def test_later_stage_reminds_those_still_stale(reconciler, calendar, standin, runtime):
    reconciler.tick(at("2026-12-01 09:30"))
    post(runtime, standin.team_id, "PCI-01", ADMIN, at("2026-12-02 12:00"))
    standin.clear()
    reconciler.tick(at("2026-12-07 09:30"))
    owners = {u for u, msgs in dms(standin).items() for m in msgs if "meets on" in m}
    assert owners == {OWNER, DELEGATE}


def test_a_reminder_whose_meeting_has_started_is_dropped(reconciler, calendar, standin):
    report = reconciler.tick(at("2026-12-08 10:00"))
    assert report.sent == 0 and not standin.calls_to("chat.postMessage")


def test_bank_holiday_before_the_meeting_moves_the_day_before_stage(runtime, standin, workplan, clock):
    """Meeting Tue 8 May 2029; Mon 7 May is the Early May bank holiday, so 1 working day before is Fri 4."""
    clock.now = at("2029-04-01 12:00")
    with runtime.unit(standin.team_id) as (session, ws):
        meetings.materialise(session, ws, now=clock.now, default_timezone="Europe/London")
        meeting = session.scalar(select(Meeting).where(Meeting.starts_at == at("2029-05-08 10:00")))
        assert meeting is not None

        def stages(when: str) -> set[str]:
            due = reminders.due(session, ws, now=at(when), env_admins=runtime.settings.admins)
            return {d.stage for d in due if d.meeting_id == meeting.id}

        assert stages("2029-04-30 09:29") == set()
        assert stages("2029-04-30 09:30") == {"5d@0930"}  # Mon 30 Apr: five working days before
        assert stages("2029-05-04 09:29") == {"5d@0930"}
        assert stages("2029-05-04 09:30") == {"1d@0930", "chair"}  # Fri 4 May, not the bank holiday
