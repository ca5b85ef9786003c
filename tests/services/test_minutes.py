"""The minutes of a meeting: its decisions and actions, the actions closed and the risks and issues changed
since the previous meeting held, the exceptions given, people by name, in a fixed number of statements."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import event
from sqlalchemy.orm import Session

from bot.services import meetings, minutes, people, projects
from bot.services.exceptions.model import ExceptionEntry, ExceptionKind
from models import Workspace
from models.registers import ActionItem, Decision, ItemStatus, RaidItem, RaidKind, RaidRevision

TZ = "Europe/London"
CHAIR = "U0CHAIR"
OWNER = "U0OWNER"
OFFICER = "U0OFFICER"
NOV = datetime(2026, 11, 10, 10, tzinfo=UTC)  # the default series: second Tuesdays at 10:00 London
DEC = datetime(2026, 12, 8, 10, tzinfo=UTC)
JAN = datetime(2027, 1, 12, 10, tzinfo=UTC)
DURING = datetime(2026, 12, 8, 10, 45, tzinfo=UTC)  # the December meeting is being held
# Typed text that would format, mention, link or run anywhere it were read as markup.
HOSTILE = "*Buy* <@U0BOSS> <!channel> [site](https://evil.example) <script>alert(1)</script> _x_ & :fire: {{DATE(1)}}"
EXCEPTION = ExceptionEntry(
    kind=ExceptionKind.OVERDUE_ACTION,
    ref="A99",
    title="Renew the PSN certificate",
    owner_user_id=OWNER,
    owner_name="Olive Owner",
    why="due 1 Dec 2026, 5 working days overdue",
)


@dataclass
class Month:
    """The ids of what :func:`record_month` made."""

    decisions: list[int]
    given: list[int]
    closed_in: int
    closed_before: int
    nov_decision: int
    risk: int
    issue: int


def record_month(session: Session, ws: Workspace, *, text: str = "Adopt the cloud-first policy") -> Month:
    """A calendar from October (so November's meeting has been held), a project, names, and the registers:
    decisions and actions at December's meeting and at November's, actions closed in and before the window,
    a risk raised and re-scored and an issue raised and closed in it (and a revision before it)."""
    meetings.materialise(session, ws, now=datetime(2026, 10, 1, tzinfo=UTC), default_timezone=TZ)
    project = projects.add(
        session, ws, ref="NET-01", title="Network", priority="GOV", owner=OWNER, delegates=[], now=NOV
    )
    people.record(session, ws, [people.Entry(CHAIR, "Carol Chair"), people.Entry(OWNER, "Olive Owner")], now=NOV)
    nov, dec = (meetings.meeting_on(session, ws, day, now=NOV) for day in (date(2026, 11, 10), date(2026, 12, 8)))
    decisions = [
        Decision(
            workspace_id=ws.id, meeting_id=dec.id, project_id=project.id, text=text, recorded_by=CHAIR, recorded_at=DEC
        ),
        Decision(
            workspace_id=ws.id, meeting_id=dec.id, text="Defer the print tender", recorded_by=OFFICER, recorded_at=DEC
        ),
    ]
    nov_decision = Decision(
        workspace_id=ws.id, meeting_id=nov.id, text="November's", recorded_by=CHAIR, recorded_at=NOV
    )
    given = [
        _action(ws, dec.id, text, due=date(2027, 1, 5), project_id=project.id),
        _action(ws, dec.id, "Brief the members", due=date(2026, 12, 1)),  # recorded late: already overdue
    ]
    closed_in = _action(
        ws, nov.id, "Chase the supplier", due=date(2026, 11, 30), done_at=datetime(2026, 11, 20, tzinfo=UTC)
    )
    closed_in.done_note = text
    closed_before = _action(ws, nov.id, "Old one", due=date(2026, 11, 1), done_at=datetime(2026, 11, 5, tzinfo=UTC))
    session.add_all([*decisions, nov_decision, *given, closed_in, closed_before])
    risk = _raid(session, ws, RaidKind.RISK, text, project_id=project.id)
    _revise(session, risk, "raised", datetime(2026, 11, 1, tzinfo=UTC), 2, 2)  # before the window
    _revise(session, risk, "updated", datetime(2026, 11, 15, tzinfo=UTC), 4, 5, note=text)
    _revise(session, risk, "updated", datetime(2026, 12, 1, tzinfo=UTC), 3, 4)
    issue = _raid(session, ws, RaidKind.ISSUE, "Backup failed twice", priority_id=project.priority_id)
    _revise(session, issue, "raised", datetime(2026, 11, 16, tzinfo=UTC))
    _revise(session, issue, "closed", datetime(2026, 12, 2, tzinfo=UTC), note="Fixed by the supplier")
    session.flush()
    return Month(
        decisions=[d.id for d in decisions],
        given=[a.id for a in given],
        closed_in=closed_in.id,
        closed_before=closed_before.id,
        nov_decision=nov_decision.id,
        risk=risk.id,
        issue=issue.id,
    )


def _action(ws: Workspace, meeting_id: int, text: str, *, due: date, project_id: int | None = None, done_at=None):
    return ActionItem(
        workspace_id=ws.id,
        meeting_id=meeting_id,
        project_id=project_id,
        owner_user_id=OWNER,
        due_on=due,
        text=text,
        status=ItemStatus.CLOSED if done_at else ItemStatus.OPEN,
        given_by=CHAIR,
        given_at=NOV,
        done_by=OWNER if done_at else None,
        done_at=done_at,
    )


def _raid(session: Session, ws: Workspace, kind: RaidKind, text: str, **on: int | None) -> RaidItem:
    item = RaidItem(
        workspace_id=ws.id,
        kind=kind,
        text=text,
        owner_user_id=OWNER,
        status=ItemStatus.OPEN,
        raised_by=OFFICER,
        raised_at=datetime(2026, 11, 1, tzinfo=UTC),
        **on,
    )
    session.add(item)
    session.flush()
    return item


def _revise(session: Session, item: RaidItem, change: str, at: datetime, lik=None, imp=None, note: str = "") -> None:
    session.add(
        RaidRevision(
            workspace_id=item.workspace_id,
            item_id=item.id,
            at=at,
            actor=OFFICER if change != "closed" else CHAIR,
            change=change,
            text=item.text,
            owner_user_id=item.owner_user_id,
            likelihood=lik,
            impact=imp,
            review_on=date(2027, 2, 1) if lik else None,
            status=ItemStatus.CLOSED if change == "closed" else ItemStatus.OPEN,
            note=note,
        )
    )


def build(session: Session, ws: Workspace, day: date | None = None, now: datetime = DURING, **kw) -> minutes.Minutes:
    meeting = minutes.meeting_of(session, ws, day, now=now)
    return minutes.build(session, ws, meeting, now=now, default_timezone=TZ, exceptions=kw.get("exceptions", ()))


def test_the_meeting_being_held_has_its_decisions_actions_and_the_months_changes(runtime):
    with runtime.unit("T0MINUTES") as (session, ws):
        month = record_month(session, ws)
        m = build(session, ws, exceptions=[EXCEPTION])

    assert m.meeting.local_start == datetime(2026, 12, 8, 10, tzinfo=UTC)  # GMT in December
    assert (m.since, m.until) == (NOV, DURING)
    assert m.exceptions == (EXCEPTION,)
    assert [(d.label, d.text, d.project, d.by_name) for d in m.decisions] == [
        (f"D{month.decisions[0]}", "Adopt the cloud-first policy", "NET-01", "Carol Chair"),
        (f"D{month.decisions[1]}", "Defer the print tender", None, OFFICER),  # no name known: the id
    ]
    assert [(a.label, a.owner_name, a.due_on, a.project, a.done) for a in m.actions] == [
        (f"A{month.given[0]}", "Olive Owner", date(2027, 1, 5), "NET-01", False),
        (f"A{month.given[1]}", "Olive Owner", date(2026, 12, 1), None, False),
    ]
    assert [(a.label, a.done_by_name, a.note) for a in m.closed] == [
        (f"A{month.closed_in}", "Olive Owner", "Adopt the cloud-first policy")
    ]
    assert [(r.label, r.change, r.score, r.high, r.on, r.owner_name, r.actor_name, r.note) for r in m.raid] == [
        (f"R{month.risk}", "updated", 20, True, "NET-01", "Olive Owner", OFFICER, "Adopt the cloud-first policy"),
        (f"I{month.issue}", "raised", None, False, "GOV", "Olive Owner", OFFICER, ""),
        (f"R{month.risk}", "updated", 12, False, "NET-01", "Olive Owner", OFFICER, ""),
        (f"I{month.issue}", "closed", None, False, "GOV", "Olive Owner", "Carol Chair", "Fixed by the supplier"),
    ]


def test_typed_text_is_carried_exactly_as_typed(runtime):
    with runtime.unit("T0MINUTES") as (session, ws):
        record_month(session, ws, text=HOSTILE)
        m = build(session, ws)
    assert m.decisions[0].text == HOSTILE and m.actions[0].text == HOSTILE and m.closed[0].note == HOSTILE
    assert m.raid[0].text == HOSTILE and m.raid[0].note == HOSTILE


def test_november_minutes_keep_to_their_own_meeting_and_window(runtime):
    with runtime.unit("T0MINUTES") as (session, ws):
        month = record_month(session, ws)
        m = build(session, ws, date(2026, 11, 10), now=datetime(2027, 2, 1, tzinfo=UTC))
    assert [d.label for d in m.decisions] == [f"D{month.nov_decision}"]
    assert [a.label for a in m.actions] == [f"A{month.closed_in}", f"A{month.closed_before}"]
    assert m.actions[0].done and m.actions[1].done
    # From October's meeting to December's start, not to now.
    assert (m.since, m.until) == (datetime(2026, 10, 13, 9, tzinfo=UTC), DEC)
    assert [a.label for a in m.closed] == [f"A{month.closed_before}", f"A{month.closed_in}"]  # as closed
    assert len(m.raid) == 5


def test_a_meeting_to_come_counts_up_to_its_start(runtime):
    with runtime.unit("T0MINUTES") as (session, ws):
        record_month(session, ws)
        m = build(session, ws, date(2027, 1, 12), now=DURING)
    assert (m.since, m.until) == (DEC, JAN)
    assert m.decisions == () and m.actions == () and m.closed == () and m.raid == ()


def test_without_a_date_before_any_meeting_is_held_it_is_the_next_one(runtime):
    with runtime.unit("T0MINUTES") as (session, ws):
        record_month(session, ws)
        m = build(session, ws, now=datetime(2026, 10, 5, tzinfo=UTC))
    assert m.meeting.starts_at == datetime(2026, 10, 13, 9, tzinfo=UTC)  # the first: BST
    assert m.since is None and m.until == m.meeting.starts_at


def test_a_day_with_no_meeting_is_the_unknown_meeting_error(runtime):
    with runtime.unit("T0MINUTES") as (session, ws):
        record_month(session, ws)
        with pytest.raises(meetings.UnknownMeeting, match=r"There is no meeting on 2026-12-09\. The next ones are on"):
            build(session, ws, date(2026, 12, 9))


def test_no_calendar_at_all_is_said_so(runtime):
    with runtime.unit("T0MINUTES") as (session, ws):
        with pytest.raises(minutes.NoMeeting, match="There are no meetings in the calendar yet"):
            build(session, ws)


def test_another_workspaces_rows_are_never_in_the_minutes(runtime):
    with runtime.unit("T0OTHER") as (session, other):
        record_month(session, other, text="Theirs")
    with runtime.unit("T0MINUTES") as (session, ws):
        meetings.materialise(session, ws, now=datetime(2026, 10, 1, tzinfo=UTC), default_timezone=TZ)
        m = build(session, ws)
    assert m.decisions == () and m.actions == () and m.closed == () and m.raid == ()


def test_the_minutes_take_the_same_number_of_statements_however_long(runtime):
    def statements(more: int) -> int:
        with runtime.unit(f"T0MANY{more}") as (session, ws):
            month = record_month(session, ws)
            dec = session.get(Decision, month.decisions[0])
            assert dec is not None
            for _ in range(more):
                session.add(
                    Decision(
                        workspace_id=ws.id, meeting_id=dec.meeting_id, text="More", recorded_by=CHAIR, recorded_at=DEC
                    )
                )
                session.add(
                    _action(
                        ws, dec.meeting_id, "More", due=date(2027, 1, 5), done_at=datetime(2026, 11, 21, tzinfo=UTC)
                    )
                )
                _revise(session, session.get(RaidItem, month.risk), "updated", datetime(2026, 11, 22, tzinfo=UTC), 1, 1)
            session.flush()
            seen: list[str] = []
            listen = lambda *args: seen.append(args[2])  # noqa: E731
            event.listen(session.get_bind(), "before_cursor_execute", listen)
            try:
                m = build(session, ws)
            finally:
                event.remove(session.get_bind(), "before_cursor_execute", listen)
        assert len(m.decisions) == 2 + more and len(m.closed) == 1 + more and len(m.raid) == 4 + more
        return len(seen)

    assert statements(0) == statements(4)
