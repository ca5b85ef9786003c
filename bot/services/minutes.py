"""A governance meeting's record (the minutes): the exceptions at the time, the decisions taken and the
actions given at it, the actions closed and the risks and issues changed since the previous meeting.

Plain values in and out: :func:`build` reads the registers in a fixed number of statements and names
people from the directory (:mod:`bot.services.people`); the exceptions are given to it. Typed text is
carried exactly as typed; each renderer shows it literally. Nothing here writes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.errors import DomainError
from bot.services import exceptions, meetings, people
from bot.services.exceptions.model import ExceptionEntry
from bot.services.meetings import MeetingView
from bot.services.registers.raid import HIGH as HIGH_SCORE
from bot.services.registers.refs import ACTION, DECISION, ISSUE, RISK, label
from bot.wording import Text
from models import Priority, Project, Workspace
from models.registers import ActionItem, Decision, ItemStatus, RaidItem, RaidKind, RaidRevision

__all__ = [
    "ActionClosed",
    "ActionGiven",
    "DecisionLine",
    "Minutes",
    "NoMeeting",
    "RaidChange",
    "build",
    "for_meeting",
    "meeting_of",
]

_Namer = Callable[[str], str]


class NoMeeting(DomainError):
    """The calendar has no meeting at all, so there is no meeting to take the minutes of."""

    def __init__(self) -> None:
        super().__init__(
            Text("There are no meetings in the calendar yet, so there are no minutes. Type `{meeting}` to see them.")
        )


@dataclass(frozen=True, slots=True)
class DecisionLine:
    """A decision recorded against the meeting: ``D5``, its text as typed, its project's ref if any."""

    label: str
    text: str
    project: str | None
    by_user_id: str
    by_name: str
    at: datetime


@dataclass(frozen=True, slots=True)
class ActionGiven:
    """An action given at the meeting, to its owner, due on a day; ``done``: closed since."""

    label: str
    text: str
    project: str | None
    owner_user_id: str
    owner_name: str
    due_on: date
    done: bool


@dataclass(frozen=True, slots=True)
class ActionClosed:
    """An action marked done in the window: who closed it, when, and their note as typed."""

    label: str
    text: str
    project: str | None
    owner_user_id: str
    owner_name: str
    due_on: date
    done_by: str
    done_by_name: str
    done_at: datetime
    note: str


@dataclass(frozen=True, slots=True)
class RaidChange:
    """One change of a risk or issue in the window (a revision): ``raised``, ``updated`` or ``closed``, with
    the state it left (the score for a risk), on a project (its ref) or a priority (its code)."""

    label: str
    kind: RaidKind
    change: str
    text: str
    on: str
    owner_user_id: str
    owner_name: str
    actor: str
    actor_name: str
    at: datetime
    likelihood: int | None
    impact: int | None
    review_on: date | None
    note: str

    @property
    def score(self) -> int | None:
        return self.likelihood * self.impact if self.likelihood and self.impact else None

    @property
    def high(self) -> bool:
        return (self.score or 0) >= HIGH_SCORE


@dataclass(frozen=True, slots=True)
class Minutes:
    """The record of one meeting. ``since``: the previous meeting held (None: from the beginning);
    ``until``: this meeting's start, or ``generated_at`` once it has started (no later than the next
    meeting's start). The actions closed and the risks and issues changed are those in that window."""

    team_id: str
    workspace: str
    meeting: MeetingView
    tz: ZoneInfo
    since: datetime | None
    until: datetime
    generated_at: datetime
    exceptions: tuple[ExceptionEntry, ...]
    decisions: tuple[DecisionLine, ...]
    actions: tuple[ActionGiven, ...]
    closed: tuple[ActionClosed, ...]
    raid: tuple[RaidChange, ...]

    @property
    def day(self) -> date:
        return self.meeting.local_start.date()


def meeting_of(session: Session, ws: Workspace, day: date | None, *, now: datetime) -> MeetingView:
    """The meeting on ``day`` (local; :class:`~bot.services.meetings.UnknownMeeting` when there is none), or
    without a day the one decisions go to now (:func:`~bot.services.meetings.meeting_for_records`)."""
    if day is not None:
        return meetings.meeting_on(session, ws, day, now=now)
    found = meetings.meeting_for_records(session, ws, now)
    if found is None:
        raise NoMeeting()
    return found


def for_meeting(session: Session, ws: Workspace, day: date | None, *, now: datetime, default_timezone: str) -> Minutes:
    """The minutes of the meeting on ``day`` (None: the one decisions go to now; see :func:`meeting_of`) with
    the exceptions as they stand at ``now``: what the command line, Slack and Teams show."""
    meeting = meeting_of(session, ws, day, now=now)
    found = exceptions.current(session, ws, now=now, default_timezone=default_timezone)
    return build(session, ws, meeting, now=now, default_timezone=default_timezone, exceptions=found)


def build(
    session: Session,
    ws: Workspace,
    meeting: MeetingView,
    *,
    now: datetime,
    default_timezone: str,
    exceptions: Sequence[ExceptionEntry],
) -> Minutes:
    """The minutes of ``meeting`` as they stand at ``now``, with ``exceptions`` as the exceptions at the time."""
    tz = meetings.workspace_timezone(session, ws, default_timezone)
    since, until = _window(session, ws, meeting, now)
    decisions = _decisions(session, ws, meeting)
    actions = _actions_given(session, ws, meeting)
    closed = _actions_closed(session, ws, since, until)
    raid = _raid_changes(session, ws, since, until)
    names = people.names(session, ws, _ids(decisions, actions, closed, raid))

    def name(user_id: str) -> str:
        return people.display(names.get(user_id), user_id)

    return Minutes(
        team_id=ws.external_id,
        workspace=ws.name,
        meeting=meeting,
        tz=tz,
        since=since,
        until=until,
        generated_at=now,
        exceptions=tuple(exceptions),
        decisions=tuple(
            DecisionLine(label(DECISION, d.id), d.text, ref, d.recorded_by, name(d.recorded_by), d.recorded_at)
            for d, ref in decisions
        ),
        actions=tuple(
            ActionGiven(
                label(ACTION, a.id),
                a.text,
                ref,
                a.owner_user_id,
                name(a.owner_user_id),
                a.due_on,
                a.status is ItemStatus.CLOSED,
            )
            for a, ref in actions
        ),
        closed=tuple(_closed_line(a, ref, name) for a, ref in closed),
        raid=tuple(_raid_line(r, item, on, name) for r, item, on in raid),
    )


# -- the window --------------------------------------------------------------------------------------


def _window(session: Session, ws: Workspace, meeting: MeetingView, now: datetime) -> tuple[datetime | None, datetime]:
    """From the previous meeting held to this one's start, or to ``now`` once it has started (and then no
    later than the next meeting held, so an old meeting's minutes keep to their own month)."""
    previous = meetings.previous_meeting(session, ws, meeting.starts_at)
    since = previous.starts_at if previous else None
    if meeting.starts_at > now:
        return since, meeting.starts_at
    following = meetings.meeting_after(session, ws, meeting.starts_at)
    return since, min(now, following.starts_at) if following else now


# -- the statements ----------------------------------------------------------------------------------


def _decisions(session: Session, ws: Workspace, meeting: MeetingView) -> list[tuple[Decision, str | None]]:
    rows = session.execute(
        select(Decision, Project.ref)
        .outerjoin(Project, Project.id == Decision.project_id)
        .where(Decision.workspace_id == ws.id, Decision.meeting_id == meeting.id)
        .order_by(Decision.id)
    )
    return [(d, ref) for d, ref in rows]


def _actions_given(session: Session, ws: Workspace, meeting: MeetingView) -> list[tuple[ActionItem, str | None]]:
    rows = session.execute(
        select(ActionItem, Project.ref)
        .outerjoin(Project, Project.id == ActionItem.project_id)
        .where(ActionItem.workspace_id == ws.id, ActionItem.meeting_id == meeting.id)
        .order_by(ActionItem.id)
    )
    return [(a, ref) for a, ref in rows]


def _actions_closed(
    session: Session, ws: Workspace, since: datetime | None, until: datetime
) -> list[tuple[ActionItem, str | None]]:
    stmt = (
        select(ActionItem, Project.ref)
        .outerjoin(Project, Project.id == ActionItem.project_id)
        .where(ActionItem.workspace_id == ws.id, ActionItem.done_at.is_not(None), ActionItem.done_at <= until)
    )
    if since is not None:
        stmt = stmt.where(ActionItem.done_at > since)
    return [(a, ref) for a, ref in session.execute(stmt.order_by(ActionItem.done_at, ActionItem.id))]


def _raid_changes(
    session: Session, ws: Workspace, since: datetime | None, until: datetime
) -> list[tuple[RaidRevision, RaidItem, str]]:
    stmt = (
        select(RaidRevision, RaidItem, Project.ref, Priority.code)
        .join(RaidItem, RaidItem.id == RaidRevision.item_id)
        .outerjoin(Project, Project.id == RaidItem.project_id)
        .outerjoin(Priority, Priority.id == RaidItem.priority_id)
        .where(RaidRevision.workspace_id == ws.id, RaidItem.workspace_id == ws.id, RaidRevision.at <= until)
    )
    if since is not None:
        stmt = stmt.where(RaidRevision.at > since)
    rows = session.execute(stmt.order_by(RaidRevision.at, RaidRevision.id))
    return [(r, item, ref or code or "") for r, item, ref, code in rows]


# -- the lines ---------------------------------------------------------------------------------------


def _ids(
    decisions: list[tuple[Decision, str | None]],
    actions: list[tuple[ActionItem, str | None]],
    closed: list[tuple[ActionItem, str | None]],
    raid: list[tuple[RaidRevision, RaidItem, str]],
) -> list[str]:
    ids = [d.recorded_by for d, _ in decisions] + [a.owner_user_id for a, _ in actions]
    ids += [u for a, _ in closed for u in (a.owner_user_id, a.done_by or "")]
    ids += [u for r, _, _ in raid for u in (r.owner_user_id, r.actor)]
    return [u for u in ids if u]


def _closed_line(a: ActionItem, ref: str | None, name: _Namer) -> ActionClosed:
    assert a.done_at is not None  # selected so
    by = a.done_by or ""
    return ActionClosed(
        label=label(ACTION, a.id),
        text=a.text,
        project=ref,
        owner_user_id=a.owner_user_id,
        owner_name=name(a.owner_user_id),
        due_on=a.due_on,
        done_by=by,
        done_by_name=name(by) if by else "",
        done_at=a.done_at,
        note=a.done_note,
    )


def _raid_line(r: RaidRevision, item: RaidItem, on: str, name: _Namer) -> RaidChange:
    return RaidChange(
        label=label(RISK if item.kind is RaidKind.RISK else ISSUE, item.id),
        kind=item.kind,
        change=r.change,
        text=r.text,
        on=on,
        owner_user_id=r.owner_user_id,
        owner_name=name(r.owner_user_id),
        actor=r.actor,
        actor_name=name(r.actor),
        at=r.at,
        likelihood=r.likelihood,
        impact=r.impact,
        review_on=r.review_on,
        note=r.note,
    )
