"""Trends over the governance meetings: for each meeting cycle, the on-time update rate per owner and per
priority, the RAG mix (overall and per priority) and the count of exceptions, as they stood at its meeting.

A cycle is the time from one meeting held to the next; "on time" is the reminders' rule
(:func:`bot.services.reminders.fresh`). The range's rows are read in a fixed number of statements and every
cycle is worked out here; no platform is named, ``now`` is passed in, and one workspace is read.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from bot.services import meetings, people
from bot.services.digest import NO_PRIORITY, RagCounts
from bot.services.registers.raid import HIGH
from bot.services.reminders import fresh
from models import (
    ActionItem,
    ItemStatus,
    Meeting,
    MeetingStatus,
    Priority,
    ProgressUpdate,
    Project,
    ProjectStatus,
    Rag,
    RaidItem,
    RaidKind,
    RaidRevision,
    Strategy,
    UpdateRevision,
    Workspace,
)
from models.history import ProjectEvent, ProjectField

__all__ = ["LAST_MEETINGS", "NOT_COUNTED", "Cycle", "PriorityMix", "Rate", "Trends", "trends"]

LAST_MEETINGS = 12  # the default range: this many meetings held, up to its end
# What the exceptions of a cycle leave out, because it cannot be told for a past moment.
NOT_COUNTED = "assurance (its occurrences are worked out for today only)"
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_OPEN = frozenset({ProjectStatus.PLANNED, ProjectStatus.ACTIVE, ProjectStatus.ON_HOLD})
_RAG_ORDER = {Rag.RED: 0, Rag.AMBER: 1, Rag.GREEN: 2}
_FIELDS = (ProjectField.STATUS, ProjectField.OWNER, ProjectField.PRIORITY, ProjectField.TARGET_DATE)


@dataclass(frozen=True, slots=True)
class Rate:
    """Of ``due`` projects due an update for the meeting, ``on_time`` had one in time. ``key``: the owner's
    user id, or a priority's code (empty: no priority); ``name``: the owner's or the priority's name."""

    key: str
    name: str
    due: int
    on_time: int

    @property
    def rate(self) -> float | None:
        return self.on_time / self.due if self.due else None


@dataclass(frozen=True, slots=True)
class PriorityMix:
    code: str  # empty: no priority
    name: str
    rag: RagCounts


@dataclass(frozen=True, slots=True)
class Cycle:
    """One meeting cycle: from ``since`` (the previous meeting held; None: the beginning) to the meeting."""

    meeting_id: int
    meeting_at: datetime
    since: datetime | None
    on_time: Rate  # every project due, key "" and name "All"
    by_owner: tuple[Rate, ...]  # the owners with a project due, by name
    by_priority: tuple[Rate, ...]  # every priority of :attr:`Trends.priorities`, in its order
    rag: RagCounts  # the open projects by their latest RAG at the meeting ("none": no update yet)
    rag_by_priority: tuple[PriorityMix, ...]  # in the order of :attr:`Trends.priorities`
    exceptions: int


@dataclass(frozen=True, slots=True)
class Trends:
    team_id: str
    timezone: str
    priorities: tuple[tuple[str, str], ...]  # (code, name): the active strategy's, then any other held
    cycles: tuple[Cycle, ...]  # oldest first

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


@dataclass(frozen=True, slots=True)
class _Project:
    id: int
    owner: str
    status: ProjectStatus
    target_date: date | None
    priority: str  # code; empty: none
    created_at: datetime


@dataclass(slots=True)
class _History:
    """The rows read once, and each project's state at a past moment worked out from them."""

    projects: list[_Project]
    changes: dict[tuple[int, ProjectField], list[tuple[datetime, str]]]  # the earliest first
    updates: dict[int, list[tuple[datetime, int, Rag]]]  # project → (created_at, id, RAG now), in order
    risks: dict[int, list[tuple[datetime, ItemStatus, int | None, int | None, date | None]]]
    actions: list[tuple[datetime, date, ItemStatus, datetime | None]]

    def value(self, p: _Project, field: ProjectField, current: str, at: datetime) -> str:
        """The field's value at ``at``: the ``old`` of its first change after then; else as it is now."""
        later = self.changes.get((p.id, field), [])
        i = bisect_right([when for when, _ in later], at)
        return later[i][1] if i < len(later) else current

    def status(self, p: _Project, at: datetime) -> ProjectStatus | None:
        text = self.value(p, ProjectField.STATUS, p.status.value, at)
        return ProjectStatus(text) if text in ProjectStatus._value2member_map_ else None

    def target(self, p: _Project, at: datetime) -> date | None:
        text = self.value(p, ProjectField.TARGET_DATE, p.target_date.isoformat() if p.target_date else "", at)
        try:
            return date.fromisoformat(text) if text else None
        except ValueError:
            return None

    def rag(self, project_id: int, at: datetime) -> Rag | None:
        """The RAG of the project's latest update made by ``at``."""
        rows = self.updates.get(project_id, [])
        i = bisect_right([u[0] for u in rows], at)
        return rows[i - 1][2] if i else None

    def updated(self, project_id: int, since: datetime | None, meeting_at: datetime) -> bool:
        return any(fresh(u[0], since, meeting_at) for u in self.updates.get(project_id, []))


def trends(
    session: Session,
    ws: Workspace,
    *,
    now: datetime,
    default_timezone: str,
    start: datetime | None = None,
    end: datetime | None = None,
    last: int = LAST_MEETINGS,
) -> Trends:
    """A cycle for each meeting held from ``start`` to ``end`` (default now); without ``start``, the
    ``last`` meetings held up to ``end``. Eleven statements at most, whatever the number of cycles.

    A project's status, owner, priority and target date at a meeting come from its history (the first
    change after the meeting says what it was before); its RAG is that of its latest update made by then
    (as corrected since). A project is due an update when it was active at the meeting, and on time when
    it had one in the cycle before the meeting started. Exceptions are counted as the digest lists them,
    at each meeting: projects red, worse than at the cycle's start, or past their target; open risks that
    were high or past review (from their revisions); open actions past due. Not counted: see
    :data:`NOT_COUNTED`.
    """
    tz = meetings.workspace_timezone(session, ws, default_timezone)
    end = min(end or now, now)
    held = list(
        session.execute(
            select(Meeting.id, Meeting.starts_at)
            .where(Meeting.workspace_id == ws.id, Meeting.status == MeetingStatus.SCHEDULED, Meeting.starts_at <= end)
            .order_by(Meeting.starts_at, Meeting.id)
        ).all()
    )
    chosen = [i for i, m in enumerate(held) if start is None or m.starts_at >= start]
    chosen = chosen[-last:] if start is None else chosen
    priorities = _priorities(session, ws)
    if not chosen:
        return Trends(ws.external_id, tz.key, tuple((c, n) for c, (n, active) in priorities.items() if active), ())
    cycles = [(held[i].id, held[i].starts_at, held[i - 1].starts_at if i else None) for i in chosen]
    floor = cycles[0][2] or EPOCH
    history = _read(session, ws, floor, cycles[-1][1])
    shown = _order(priorities, history, cycles)
    names = people.names(session, ws, (p.owner for p in history.projects))
    out = tuple(_cycle(history, shown, names, tz, *c) for c in cycles)
    return Trends(ws.external_id, tz.key, tuple((code, name) for code, name in shown), out)


def _priorities(session: Session, ws: Workspace) -> dict[str, tuple[str, bool]]:
    """Code → (name, in the active strategy), the active strategy's in its order first (one statement)."""
    rows = session.execute(
        select(Priority.code, Priority.name, Strategy.active)
        .join(Strategy, Strategy.id == Priority.strategy_id)
        .where(Strategy.workspace_id == ws.id)
        .order_by(Strategy.active.desc(), Strategy.created_at.desc(), Strategy.id.desc(), Priority.position)
    ).all()
    out: dict[str, tuple[str, bool]] = {}
    for code, name, active in rows:
        out.setdefault(code, (name, bool(active)))
    return out


def _order(
    priorities: dict[str, tuple[str, bool]], history: _History, cycles: Sequence[tuple[int, datetime, datetime | None]]
) -> list[tuple[str, str]]:
    """The priorities a cycle shows: every one of the active strategy, then any other a project had at a
    meeting (by code), then "No priority" when a project had none."""
    held: set[str] = set()
    for _, at, _since in cycles:
        for p in history.projects:
            if p.created_at <= at:
                held.add(history.value(p, ProjectField.PRIORITY, p.priority, at))
    active = [(c, n) for c, (n, is_active) in priorities.items() if is_active]
    others = sorted(c for c in held if c and c not in {c for c, _ in active})
    tail = [("", NO_PRIORITY)] if "" in held else []
    return active + [(c, priorities.get(c, (c, False))[0]) for c in others] + tail


def _read(session: Session, ws: Workspace, floor: datetime, last_at: datetime) -> _History:
    """Every row the cycles need, in six statements: the projects, their changes since ``floor``, their
    updates from ``floor`` and the latest before it, the risks' revisions and the actions."""
    rows = session.execute(
        select(
            Project.id,
            Project.owner_user_id,
            Project.status,
            Project.target_date,
            Priority.code,
            Project.created_at,
        )
        .outerjoin(Priority, Priority.id == Project.priority_id)
        .where(Project.workspace_id == ws.id, Project.created_at <= last_at)
        .order_by(Project.id)
    ).all()
    projects = [_Project(pid, owner, status, target, code or "", at) for pid, owner, status, target, code, at in rows]
    changes: dict[tuple[int, ProjectField], list[tuple[datetime, str]]] = defaultdict(list)
    for pid, at, field, old in session.execute(
        select(ProjectEvent.project_id, ProjectEvent.at, ProjectEvent.field, ProjectEvent.old)
        .where(ProjectEvent.workspace_id == ws.id, ProjectEvent.field.in_(_FIELDS), ProjectEvent.at > floor)
        .order_by(ProjectEvent.at, ProjectEvent.id)
    ):
        changes[(pid, field)].append((at, old))
    return _History(projects, dict(changes), _updates(session, ws, floor, last_at), *_registers(session, ws, last_at))


def _updates(
    session: Session, ws: Workspace, floor: datetime, last_at: datetime
) -> dict[int, list[tuple[datetime, int, Rag]]]:
    """Each project's updates made from ``floor`` to ``last_at``, after its latest one before ``floor``, with
    the RAG of their current revision (two statements)."""
    pu, rev = ProgressUpdate, UpdateRevision
    newest = select(func.max(rev.number)).where(rev.update_id == pu.id).correlate(pu).scalar_subquery()
    base = (
        select(pu.project_id, pu.created_at, pu.id, rev.rag)
        .join(rev, and_(rev.update_id == pu.id, rev.number == newest))
        .where(pu.workspace_id == ws.id)
    )
    before = (
        select(pu.project_id.label("pid"), func.max(pu.created_at).label("at"))
        .where(pu.workspace_id == ws.id, pu.created_at < floor)
        .group_by(pu.project_id)
        .subquery("before")
    )
    out: dict[int, list[tuple[datetime, int, Rag]]] = defaultdict(list)
    for stmt in (
        base.join(before, and_(before.c.pid == pu.project_id, before.c.at == pu.created_at)),
        base.where(pu.created_at >= floor, pu.created_at <= last_at),
    ):
        for pid, at, uid, rag in session.execute(stmt.order_by(pu.created_at, pu.id)):
            out[pid].append((at, uid, rag))
    return dict(out)


def _registers(
    session: Session, ws: Workspace, last_at: datetime
) -> tuple[
    dict[int, list[tuple[datetime, ItemStatus, int | None, int | None, date | None]]],
    list[tuple[datetime, date, ItemStatus, datetime | None]],
]:
    """The risks' revisions and the actions given by ``last_at`` (two statements)."""
    risks: dict[int, list[tuple[datetime, ItemStatus, int | None, int | None, date | None]]] = defaultdict(list)
    r = RaidRevision
    for item, at, status, likelihood, impact, review in session.execute(
        select(r.item_id, r.at, r.status, r.likelihood, r.impact, r.review_on)
        .join(RaidItem, RaidItem.id == r.item_id)
        .where(r.workspace_id == ws.id, RaidItem.workspace_id == ws.id, RaidItem.kind == RaidKind.RISK, r.at <= last_at)
        .order_by(r.at, r.id)
    ):
        risks[item].append((at, status, likelihood, impact, review))
    actions = [
        (given, due, status, done)
        for given, due, status, done in session.execute(
            select(ActionItem.given_at, ActionItem.due_on, ActionItem.status, ActionItem.done_at).where(
                ActionItem.workspace_id == ws.id, ActionItem.given_at <= last_at
            )
        )
    ]
    return dict(risks), actions


def _cycle(
    history: _History,
    shown: Sequence[tuple[str, str]],
    names: dict[str, str],
    tz: ZoneInfo,
    meeting_id: int,
    at: datetime,
    since: datetime | None,
) -> Cycle:
    today = at.astimezone(tz).date()
    due: dict[str, list[bool]] = defaultdict(list)  # owner → on time, per project due
    due_in: dict[str, list[bool]] = defaultdict(list)  # priority → likewise
    rags: dict[str, list[Rag | None]] = defaultdict(list)
    exceptions = 0
    for p in history.projects:
        status = history.status(p, at)
        if p.created_at > at or status is None:
            continue
        priority = history.value(p, ProjectField.PRIORITY, p.priority, at)
        if status is ProjectStatus.ACTIVE:
            in_time = history.updated(p.id, since, at)
            due[history.value(p, ProjectField.OWNER, p.owner, at)].append(in_time)
            due_in[priority].append(in_time)
        if status in _OPEN:
            rag = history.rag(p.id, at)
            rags[priority].append(rag)
            before = history.rag(p.id, since) if since is not None else None
            worse = rag is not None and before is not None and _RAG_ORDER[rag] < _RAG_ORDER[before]
            target = history.target(p, at)
            late = status is ProjectStatus.ACTIVE and target is not None and target < today
            exceptions += rag is Rag.RED or worse or late
    exceptions += _risks_then(history, at, today) + _actions_then(history, at, today)
    every = [t for times in due.values() for t in times]
    owners = sorted(due, key=lambda u: (people.display(names.get(u), u).casefold(), u))
    return Cycle(
        meeting_id=meeting_id,
        meeting_at=at,
        since=since,
        on_time=Rate("", "All", len(every), sum(every)),
        by_owner=tuple(_rate(u, people.display(names.get(u), u), due[u]) for u in owners),
        by_priority=tuple(_rate(code, name, due_in.get(code, [])) for code, name in shown),
        rag=RagCounts.of(r for group in rags.values() for r in group),
        rag_by_priority=tuple(PriorityMix(code, name, RagCounts.of(rags.get(code, []))) for code, name in shown),
        exceptions=exceptions,
    )


def _rate(key: str, name: str, times: Iterable[bool]) -> Rate:
    listed = list(times)
    return Rate(key, name, len(listed), sum(listed))


def _risks_then(history: _History, at: datetime, today: date) -> int:
    """The risks open at ``at`` that were high or past their review date then, by their latest revision."""
    n = 0
    for revisions in history.risks.values():
        i = bisect_right([r[0] for r in revisions], at)
        if not i:
            continue
        _, status, likelihood, impact, review = revisions[i - 1]
        high = likelihood is not None and impact is not None and likelihood * impact >= HIGH
        n += status is ItemStatus.OPEN and (high or (review is not None and review < today))
    return n


def _actions_then(history: _History, at: datetime, today: date) -> int:
    """The actions given by ``at``, past due then and not done by then (one closed without a date: done)."""
    return sum(
        given <= at and due < today and not (status is ItemStatus.CLOSED and (done is None or done <= at))
        for given, due, status, done in history.actions
    )
