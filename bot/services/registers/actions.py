"""The decisions and actions of the governance group's meetings: recorded against the meeting being held
or most recently held (else the next one), actions given to one owner, due on a day, and marked done.

Who may record and give is the caller's check (a chair or an admin); marking done is checked here, with
the caller saying whether the person is a chair or an admin. Every lookup is the workspace's own."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.errors import DomainError, InvalidInput, NotAllowed
from bot.services import meetings
from bot.services import projects as project_service
from bot.services.registers.refs import ACTION, DECISION, label
from bot.wording import Text
from models import Meeting, Project, Workspace
from models.registers import ActionItem, Decision, ItemStatus

__all__ = [
    "MAX_NOTE",
    "MAX_TEXT",
    "WHICH",
    "ActionView",
    "DecisionView",
    "Done",
    "actions_closed_between",
    "actions_given_at",
    "decisions_for",
    "done",
    "get_action",
    "give_action",
    "list_actions",
    "open_for",
    "overdue",
    "record_decision",
    "records_meeting",
]

MAX_TEXT = 2000
MAX_NOTE = 1000
WHICH = ("mine", "open", "overdue")
NO_MEETINGS = Text(
    "There is no governance meeting on the calendar to record this against. An ICT admin sets the meeting "
    "series first, e.g. `{meeting} series FREQ=MONTHLY;BYDAY=+2TU at 10:00`."
)


@dataclass(frozen=True, slots=True)
class DecisionView:
    id: int
    meeting_id: int
    meeting_day: date  # the meeting's day where it is held
    project_ref: str | None
    text: str
    recorded_by: str
    recorded_at: datetime

    @property
    def label(self) -> str:
        return label(DECISION, self.id)


@dataclass(frozen=True, slots=True)
class ActionView:
    id: int
    meeting_id: int
    meeting_day: date
    project_ref: str | None
    owner: str
    due_on: date
    text: str
    status: ItemStatus
    given_by: str
    given_at: datetime
    done_by: str | None
    done_at: datetime | None
    done_note: str

    @property
    def label(self) -> str:
        return label(ACTION, self.id)

    @property
    def is_open(self) -> bool:
        return self.status is ItemStatus.OPEN

    def is_overdue(self, today: date) -> bool:
        return self.is_open and self.due_on < today


@dataclass(frozen=True, slots=True)
class Done:
    action: ActionView
    already: bool  # it was done before: nothing written


def records_meeting(session: Session, ws: Workspace, now: datetime) -> meetings.MeetingView:
    """The meeting decisions and actions recorded at ``now`` belong to; a clear error when there is none."""
    meeting = meetings.meeting_for_records(session, ws, now)
    if meeting is None:
        raise DomainError(NO_MEETINGS)
    return meeting


def _text(text: str, what: str, limit: int = MAX_TEXT) -> str:
    text = text.strip()
    if not text:
        raise InvalidInput(Text("The {what} has no text: say what it is.", what=what), field="text")
    if len(text) > limit:
        raise InvalidInput(Text("The {what} is too long: at most {n} characters.", what=what, n=f"{limit:,}"))
    return text


def _project_id(session: Session, ws: Workspace, project_ref: str | None) -> int | None:
    return project_service.get(session, ws, project_ref).id if project_ref else None


def record_decision(
    session: Session, ws: Workspace, text: str, project_ref: str | None, by: str, now: datetime
) -> DecisionView:
    """Record a decision against the records meeting (the caller checked ``by`` may)."""
    text = _text(text, "decision")
    meeting = records_meeting(session, ws, now)
    row = Decision(
        workspace_id=ws.id,
        meeting_id=meeting.id,
        project_id=_project_id(session, ws, project_ref),
        text=text,
        recorded_by=by,
        recorded_at=now,
    )
    session.add(row)
    session.flush()
    return _decisions(session, ws, Decision.id == row.id)[0]


def give_action(
    session: Session,
    ws: Workspace,
    owner: str,
    due_on: date,
    text: str,
    project_ref: str | None,
    by: str,
    now: datetime,
) -> ActionView:
    """Give ``owner`` an action due on ``due_on`` (any day, a past one included) at the records meeting."""
    text = _text(text, "action")
    if not owner.strip():
        raise InvalidInput("Say who the action is for.", field="owner")
    meeting = records_meeting(session, ws, now)
    row = ActionItem(
        workspace_id=ws.id,
        meeting_id=meeting.id,
        project_id=_project_id(session, ws, project_ref),
        owner_user_id=owner.strip(),
        due_on=due_on,
        text=text,
        status=ItemStatus.OPEN,
        given_by=by,
        given_at=now,
        done_note="",
    )
    session.add(row)
    session.flush()
    return get_action(session, ws, row.id)


def get_action(session: Session, ws: Workspace, action_id: int) -> ActionView:
    """The workspace's action ``action_id``; another workspace's answers as one that does not exist."""
    found = _actions(session, ws, ActionItem.id == action_id)
    if not found:
        raise DomainError(Text("There is no action {id}.", id=label(ACTION, action_id)))
    return found[0]


def done(
    session: Session, ws: Workspace, action_id: int, by: str, note: str, now: datetime, is_chair_or_admin: bool
) -> Done:
    """Mark the action done (its owner, a chair or an admin may); done already: said so, nothing written."""
    action = get_action(session, ws, action_id)
    if by != action.owner and not is_chair_or_admin:
        raise NotAllowed(Text("Only {id}'s owner, the chair or an ICT admin can mark it done.", id=action.label))
    if not action.is_open:
        return Done(action, already=True)
    note = note.strip()
    if len(note) > MAX_NOTE:
        raise InvalidInput(Text("The note is too long: at most {n} characters.", n=f"{MAX_NOTE:,}"))
    row = session.get_one(ActionItem, action_id)
    row.status, row.done_by, row.done_at, row.done_note = ItemStatus.CLOSED, by, now, note
    session.flush()
    return Done(get_action(session, ws, action_id), already=False)


def list_actions(session: Session, ws: Workspace, which: str, user: str, today: date) -> list[ActionView]:
    """``mine`` (the user's open actions), ``open`` (everyone's) or ``overdue``; by due date."""
    if which == "mine":
        return open_for(session, ws, [user])
    if which == "open":
        return open_for(session, ws, None)
    if which == "overdue":
        return overdue(session, ws, today)
    raise InvalidInput(Text("Say which actions: `mine`, `open` or `overdue` (not `{which}`).", which=which[:40]))


def decisions_for(session: Session, ws: Workspace, meeting_id: int) -> list[DecisionView]:
    return _decisions(session, ws, Decision.meeting_id == meeting_id)


def actions_given_at(session: Session, ws: Workspace, meeting_id: int) -> list[ActionView]:
    return _actions(session, ws, ActionItem.meeting_id == meeting_id)


def actions_closed_between(session: Session, ws: Workspace, start: datetime | None, end: datetime) -> list[ActionView]:
    """Actions marked done in [``start``, ``end``) (``start`` None: from the beginning)."""
    since = ActionItem.done_at >= start if start is not None else ActionItem.done_at.is_not(None)
    return _actions(session, ws, ActionItem.status == ItemStatus.CLOSED, since, ActionItem.done_at < end)


def overdue(session: Session, ws: Workspace, today: date) -> list[ActionView]:
    """Open actions due before ``today``."""
    return _actions(session, ws, ActionItem.status == ItemStatus.OPEN, ActionItem.due_on < today)


def open_for(session: Session, ws: Workspace, users: Iterable[str] | None) -> list[ActionView]:
    """The open actions of ``users`` (None: everyone's), by due date."""
    whose = ActionItem.owner_user_id.in_(list(users)) if users is not None else ActionItem.id.is_not(None)
    return _actions(session, ws, ActionItem.status == ItemStatus.OPEN, whose)


def _decisions(session: Session, ws: Workspace, *where: object) -> list[DecisionView]:
    rows = session.execute(
        select(Decision, Meeting.starts_at, Project.ref)
        .join(Meeting, Meeting.id == Decision.meeting_id)
        .outerjoin(Project, Project.id == Decision.project_id)
        .where(Decision.workspace_id == ws.id, *where)  # type: ignore[arg-type]
        .order_by(Decision.id)
    ).all()
    tz = meetings.workspace_timezone(session, ws)
    return [
        DecisionView(d.id, d.meeting_id, starts.astimezone(tz).date(), ref, d.text, d.recorded_by, d.recorded_at)
        for d, starts, ref in rows
    ]


def _actions(session: Session, ws: Workspace, *where: object) -> list[ActionView]:
    rows = session.execute(
        select(ActionItem, Meeting.starts_at, Project.ref)
        .join(Meeting, Meeting.id == ActionItem.meeting_id)
        .outerjoin(Project, Project.id == ActionItem.project_id)
        .where(ActionItem.workspace_id == ws.id, *where)  # type: ignore[arg-type]
        .order_by(ActionItem.due_on, ActionItem.id)
    ).all()
    tz = meetings.workspace_timezone(session, ws)
    return [_action_view(a, starts.astimezone(tz).date(), ref) for a, starts, ref in rows]


def _action_view(a: ActionItem, day: date, ref: str | None) -> ActionView:
    return ActionView(
        id=a.id,
        meeting_id=a.meeting_id,
        meeting_day=day,
        project_ref=ref,
        owner=a.owner_user_id,
        due_on=a.due_on,
        text=a.text,
        status=a.status,
        given_by=a.given_by,
        given_at=a.given_at,
        done_by=a.done_by,
        done_at=a.done_at,
        done_note=a.done_note,
    )
