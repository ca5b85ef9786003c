"""Trends over the meeting cycles: a hand-built history of four meetings held, with known on-time rates, RAG
mixes and exceptions, worked out from the records as they stood at each meeting."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import event

from bot.services import exceptions, people, strategy, trends, updates, workspaces
from bot.services import projects as project_service
from bot.services.digest import RagCounts
from bot.services.quickform import UpdateText
from bot.services.registers import actions, raid
from models import Meeting, MeetingStatus, ProjectStatus, Rag, RaidKind, UpdateSource
from tests.conftest import ADMIN, DELEGATE, OWNER

TEAM = "T0TRENDS"
OTHER = "T0OTHERS"


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


M1, M2, M3, M4 = utc(2026, 9, 1, 9), utc(2026, 10, 6, 9), utc(2026, 11, 3, 9), utc(2026, 12, 1, 9)
CANCELLED, FUTURE = utc(2026, 11, 17, 9), utc(2027, 1, 5, 9)
NOW = utc(2026, 12, 10, 12)
CREATED = utc(2026, 8, 1, 9)


def meeting(session, ws, at: datetime, status: MeetingStatus = MeetingStatus.SCHEDULED) -> None:
    session.add(Meeting(workspace_id=ws.id, occurrence=at.date(), starts_at=at, status=status, updated_at=CREATED))


def post(session, ws, ref: str, rag: Rag, when: datetime) -> None:
    project = project_service.get(session, ws, ref)
    text = UpdateText(rag=rag, progress=f"{ref} at {when:%d %b}")
    updates.post(session, ws, project, user_id=ADMIN, is_admin=True, text=text, source=UpdateSource.COMMAND, now=when)


def add(session, ws, ref, priority, owner, when=CREATED, status=ProjectStatus.ACTIVE, target=None):
    project_service.add(
        session,
        ws,
        ref=ref,
        title=f"Project {ref}",
        priority=priority,
        owner=owner,
        status=status,
        target_date=target,
        now=when,
    )


@pytest.fixture
def history(runtime, clock):
    """Four meetings held (and one cancelled, one to come) and six projects:

    NET-01 (ARCH, Olive): green, amber, red, then nothing in the last cycle.
    MOB-01 (ARCH, Dan, target 30 Nov): green; nothing in the second cycle; green, green.
    PCI-01 (GOV, Ada): amber, red; on hold from 20 Oct (no longer due, still in the RAG mix).
    TRN-01 (WF, Olive, Dan's from 10 Nov): nothing until red on 25 Nov.
    LATE-01 (BD, Ada): added 15 Oct, amber on 1 Nov, green an hour after the last meeting started.
    PL-01 (GOV, Ada): planned, never updated.
    A high risk raised 5 Aug and closed 25 Oct; an action due 15 Sep and done 20 Oct.
    """
    clock.now = CREATED
    with runtime.unit(TEAM) as (session, ws):
        for at in (M1, M2, M3, M4):
            meeting(session, ws, at)
        meeting(session, ws, CANCELLED, MeetingStatus.CANCELLED)
        meeting(session, ws, FUTURE)
        people.fill(session, ws, {OWNER: "Olive Owner", DELEGATE: "Dan Delegate", ADMIN: "Ada Admin"})
        add(session, ws, "NET-01", "ARCH", OWNER)
        add(session, ws, "MOB-01", "ARCH", DELEGATE, target=date(2026, 11, 30))
        add(session, ws, "PCI-01", "GOV", ADMIN)
        add(session, ws, "TRN-01", "WF", OWNER)
        add(session, ws, "PL-01", "GOV", ADMIN, status=ProjectStatus.PLANNED)
        add(session, ws, "LATE-01", "BD", ADMIN, when=utc(2026, 10, 15, 9))
        for ref, rag, when in [
            ("NET-01", Rag.GREEN, utc(2026, 8, 20, 9)),
            ("NET-01", Rag.AMBER, utc(2026, 9, 20, 9)),
            ("NET-01", Rag.RED, utc(2026, 10, 30, 9)),
            ("MOB-01", Rag.GREEN, utc(2026, 8, 15, 9)),
            ("MOB-01", Rag.GREEN, utc(2026, 10, 10, 9)),
            ("MOB-01", Rag.GREEN, utc(2026, 11, 20, 9)),
            ("PCI-01", Rag.AMBER, utc(2026, 8, 25, 9)),
            ("PCI-01", Rag.RED, utc(2026, 9, 10, 9)),
            ("TRN-01", Rag.RED, utc(2026, 11, 25, 9)),
            ("LATE-01", Rag.AMBER, utc(2026, 11, 1, 9)),
            ("LATE-01", Rag.GREEN, utc(2026, 12, 1, 10)),  # after the meeting started: not in time
        ]:
            post(session, ws, ref, rag, when)
        project_service.set_status(
            session, ws, "PCI-01", ProjectStatus.ON_HOLD, now=utc(2026, 10, 20, 9), tz=UTC, actor=ADMIN
        )
        project_service.reassign(session, ws, "TRN-01", DELEGATE, now=utc(2026, 11, 10, 9))
        actor = raid.Actor(ADMIN, env_admins=(ADMIN,))
        risk = raid.raise_item(
            session, ws, RaidKind.RISK, "NET-01", "Supplier fails", actor=actor, now=utc(2026, 8, 5, 9),
            likelihood=3, impact=5,
        )  # fmt: skip
        raid.close(session, ws, RaidKind.RISK, risk.id, "", actor=actor, now=utc(2026, 10, 25, 9))
        given = actions.give_action(session, ws, OWNER, date(2026, 9, 15), "Chase", None, ADMIN, utc(2026, 8, 10, 9))
        actions.done(session, ws, given.id, ADMIN, "", utc(2026, 10, 20, 9), True)
    clock.now = NOW
    with runtime.unit(OTHER) as (session, ws):  # another workspace, all red and late: never counted above
        meeting(session, ws, M2)
        add(session, ws, "NET-01", "ARCH", OWNER)
        post(session, ws, "NET-01", Rag.RED, utc(2026, 8, 20, 9))


def trends_of(runtime, team=TEAM, **kw) -> trends.Trends:
    with runtime.unit(team) as (session, ws):
        return trends.trends(session, ws, now=NOW, default_timezone="UTC", **kw)


def rates(rs) -> dict[str, tuple[int, int]]:
    return {r.key: (r.on_time, r.due) for r in rs}


def test_each_cycle_has_its_on_time_rate_overall_by_owner_and_by_priority(runtime, history):
    t = trends_of(runtime)
    assert [c.meeting_at for c in t.cycles] == [M1, M2, M3, M4]  # the cancelled and the future ones are not
    assert [c.since for c in t.cycles] == [None, M1, M2, M3]
    assert [(c.on_time.on_time, c.on_time.due) for c in t.cycles] == [(3, 4), (2, 4), (3, 4), (2, 4)]
    assert [c.on_time.rate for c in t.cycles] == [0.75, 0.5, 0.75, 0.5]
    assert [rates(c.by_owner) for c in t.cycles] == [
        {OWNER: (1, 2), DELEGATE: (1, 1), ADMIN: (1, 1)},
        {OWNER: (1, 2), DELEGATE: (0, 1), ADMIN: (1, 1)},
        {OWNER: (1, 2), DELEGATE: (1, 1), ADMIN: (1, 1)},  # PCI-01 on hold; LATE-01 added and updated
        {OWNER: (0, 1), DELEGATE: (2, 2), ADMIN: (0, 1)},  # TRN-01 is Dan's by then
    ]
    by_priority = [{k: v for k, v in rates(c.by_priority).items() if v[1]} for c in t.cycles]
    assert by_priority == [
        {"ARCH": (2, 2), "GOV": (1, 1), "WF": (0, 1)},
        {"ARCH": (1, 2), "GOV": (1, 1), "WF": (0, 1)},
        {"ARCH": (2, 2), "BD": (1, 1), "WF": (0, 1)},
        {"ARCH": (1, 2), "BD": (0, 1), "WF": (1, 1)},
    ]
    with runtime.unit(TEAM) as (session, ws):
        codes = [p.code for p in strategy.active_view(session, ws).priorities]
    assert [code for code, _ in t.priorities] == codes  # every priority of the strategy, in its order
    assert all([r.key for r in c.by_priority] == codes for c in t.cycles)
    assert [r.rate for r in t.cycles[0].by_priority if r.key == "BD"] == [None]  # nothing due: no rate
    assert [r.name for r in t.cycles[0].by_owner] == ["Ada Admin", "Dan Delegate", "Olive Owner"]


def test_each_cycle_has_the_rag_mix_at_its_meeting_overall_and_by_priority(runtime, history):
    t = trends_of(runtime)
    assert [c.rag for c in t.cycles] == [
        RagCounts(red=0, amber=1, green=2, none=2),
        RagCounts(red=1, amber=1, green=1, none=2),
        RagCounts(red=2, amber=1, green=1, none=2),
        RagCounts(red=3, amber=1, green=1, none=1),  # LATE-01 still amber: its green came after the meeting
    ]
    mix = {m.code: m.rag for m in t.cycles[3].rag_by_priority}
    assert mix["ARCH"] == RagCounts(red=1, green=1)
    assert mix["GOV"] == RagCounts(red=1, none=1)  # PCI-01 on hold is still open; PL-01 planned
    assert mix["BD"] == RagCounts(amber=1) and mix["WF"] == RagCounts(red=1)
    assert all(sum(m.rag.total for m in c.rag_by_priority) == c.rag.total for c in t.cycles)


def test_each_cycle_counts_the_exceptions_as_they_stood(runtime, history):
    t = trends_of(runtime)
    # M1: the high risk. M2: PCI-01 red, NET-01 worse, the risk, the overdue action. M3: NET-01 and PCI-01
    # red (risk closed, action done). M4: three red, MOB-01 past its target.
    assert [c.exceptions for c in t.cycles] == [1, 4, 2, 4]
    with runtime.unit(TEAM) as (session, ws):
        now_then = exceptions.current(session, ws, now=M4, default_timezone="UTC")
    assert len(now_then) == t.cycles[-1].exceptions  # nothing changed since: the digest's own count


def test_a_range_gives_the_same_cycles_as_the_whole(runtime, history):
    whole = trends_of(runtime)
    last_two = trends_of(runtime, last=2)
    assert last_two.cycles == whole.cycles[2:]  # read from the third cycle's start, and the RAG before it
    from_october = trends_of(runtime, start=utc(2026, 10, 1), end=utc(2026, 11, 30))
    assert [c.meeting_at for c in from_october.cycles] == [M2, M3]
    assert from_october.cycles == whole.cycles[1:3]
    assert trends_of(runtime, start=utc(2027, 1, 1)).cycles == ()


def test_a_workspace_sees_only_its_own(runtime, history):
    other = trends_of(runtime, OTHER)
    assert [c.meeting_at for c in other.cycles] == [M2]
    assert other.cycles[0].rag == RagCounts(red=1)
    assert rates(other.cycles[0].by_owner) == {OWNER: (1, 1)}
    assert other.cycles[0].exceptions == 1


def test_no_meeting_held_gives_no_cycle(runtime, clock):
    clock.now = NOW
    t = trends_of(runtime, "T0EMPTY")
    assert t.cycles == () and t.priorities


def count_statements(runtime, **kw) -> tuple[int, trends.Trends]:
    seen: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    with runtime.sessions() as session:
        ws = workspaces.find(session, TEAM)
        event.listen(runtime.engine, "before_cursor_execute", count)
        try:
            t = trends.trends(session, ws, now=NOW, default_timezone="UTC", **kw)
        finally:
            event.remove(runtime.engine, "before_cursor_execute", count)
    return len(seen), t


def test_the_number_of_statements_does_not_grow_with_the_cycles(runtime, history):
    one, t1 = count_statements(runtime, last=1)
    four, t4 = count_statements(runtime, last=12)
    assert (len(t1.cycles), len(t4.cycles)) == (1, 4)
    # The time zone, the meetings, the priorities, the projects, their changes, the updates before the range
    # and in it, the risks' revisions, the actions, the owners' names.
    assert one == four == 10
