"""What a digest is: the frozen dataclasses every digest and committee report is rendered from, and the
two rules that need no database (a project's trend, the period's headline)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from bot.services.exceptions.model import ExceptionEntry
from bot.wording import count
from models import AssuranceOutcome, ProjectStatus, Rag, UpdateSource

NO_PRIORITY = "No priority"
RAG_ORDER = {Rag.RED: 0, Rag.AMBER: 1, Rag.GREEN: 2}


class Trend(StrEnum):
    IMPROVED = "improved"
    WORSE = "worse"
    UNCHANGED = "unchanged"
    NEW = "new"  # no RAG before the period


class GroupKind(StrEnum):
    PRIORITY = "priority"  # a priority of the active strategy
    RETIRED = "retired"  # a priority of an older strategy that projects still point at
    NONE = "none"  # the "No priority" group


@dataclass(frozen=True, slots=True)
class RagCounts:
    red: int = 0
    amber: int = 0
    green: int = 0
    none: int = 0  # no update yet

    @property
    def total(self) -> int:
        return self.red + self.amber + self.green + self.none

    @classmethod
    def of(cls, rags: Iterable[Rag | None]) -> RagCounts:
        c = Counter(rags)
        return cls(red=c[Rag.RED], amber=c[Rag.AMBER], green=c[Rag.GREEN], none=c[None])


@dataclass(frozen=True, slots=True)
class StatusCounts:
    planned: int = 0
    active: int = 0
    on_hold: int = 0
    complete: int = 0
    closed: int = 0

    @property
    def total(self) -> int:
        return self.planned + self.active + self.on_hold + self.complete + self.closed

    @classmethod
    def of(cls, statuses: Iterable[ProjectStatus]) -> StatusCounts:
        c = Counter(statuses)
        return cls(**{s.value: c[s] for s in ProjectStatus})


@dataclass(frozen=True, slots=True)
class UpdateEntry:
    """One progress update, with the text of its current revision."""

    id: int
    author: str
    created_at: datetime  # UTC: when it was posted
    source: UpdateSource
    revision: int  # 1 unless corrected
    editor: str  # who wrote the current revision
    rag: Rag
    progress: str
    next_steps: str
    risks: str


@dataclass(frozen=True, slots=True)
class ProjectEntry:
    id: int
    ref: str
    title: str
    owner: str  # a chat user ID
    delegates: tuple[str, ...]
    service_area: str
    status: ProjectStatus  # now
    target_date: date | None
    completed_on: date | None
    created_at: datetime
    priority_code: str | None  # its own priority, even one of an older strategy
    priority_name: str | None
    update: UpdateEntry | None  # the latest update in the period (the last of ``updates``)
    rag: Rag | None  # now: at the end of the period
    previous_rag: Rag | None  # at the end of the previous period (before ``start``)
    trend: Trend | None  # None: no RAG yet
    last_updated_at: datetime | None  # the latest update at or before ``end``, in the period or not
    days_since_update: int | None  # whole days from that update to ``end``
    missing: bool  # active with no update in the period
    completed_in_period: bool
    started_in_period: bool
    updates: tuple[UpdateEntry, ...]  # every update in the period, oldest first, each as currently revised

    @property
    def update_count(self) -> int:
        """How many updates the project had in the period."""
        return len(self.updates)


@dataclass(frozen=True, slots=True)
class AssuranceTally:
    """An assurance obligation's occurrences in the period, each with its latest result (None: none)."""

    code: str
    name: str
    frequency: str  # "quarterly", "annual", …; empty for a one-off obligation or an unusual rule
    occurrences: tuple[tuple[date, AssuranceOutcome | None], ...]  # in date order


@dataclass(frozen=True, slots=True)
class PriorityGroup:
    kind: GroupKind
    code: str | None  # None for "No priority"
    name: str
    description: str
    strategy: str | None  # the strategy the priority belongs to
    note: str  # why a group is not a current priority; empty for those that are
    rag: RagCounts
    status: StatusCounts
    projects: tuple[ProjectEntry, ...]  # by ref
    assurance: tuple[AssuranceTally, ...] = ()  # the obligations reporting under this priority, by code

    @property
    def updated(self) -> tuple[ProjectEntry, ...]:
        return tuple(p for p in self.projects if p.update is not None)

    @property
    def missing(self) -> tuple[ProjectEntry, ...]:
        return tuple(p for p in self.projects if p.missing)

    @property
    def completed(self) -> tuple[ProjectEntry, ...]:
        """The group's projects completed in the period, by ref."""
        return tuple(p for p in self.projects if p.completed_in_period)


@dataclass(frozen=True, slots=True)
class StrategyInfo:
    name: str
    period: str
    description: str
    priorities: tuple[tuple[str, str], ...]  # (code, name) of each priority, in order
    aims: tuple[str, ...] = ()  # the strategy's aims, in order (a strategy file's ``aims``)


@dataclass(frozen=True, slots=True)
class Totals:
    projects: int
    updated: int  # with an update in the period
    missing: int
    completed: int
    started: int
    improved: int
    worse: int
    rag: RagCounts
    status: StatusCounts


@dataclass(frozen=True, slots=True)
class Digest:
    workspace: str  # the workspace's name
    team_id: str
    strategy: StrategyInfo  # the active strategy
    start: datetime | None  # None: from the beginning
    end: datetime
    generated_at: datetime
    timezone: str  # an IANA name: the workspace's meetings' time zone, for showing times
    priorities: tuple[PriorityGroup, ...]  # current priorities, then older ones in use, then "No priority"
    missing: tuple[ProjectEntry, ...]  # in group order, as are the next two
    completed: tuple[ProjectEntry, ...]
    started: tuple[ProjectEntry, ...]
    totals: Totals
    headline: str  # plain text, e.g. "6 projects completed since the last report, 2 started; …"
    exceptions: tuple[ExceptionEntry, ...] = ()  # at ``generated_at``: what every digest and report opens with

    @property
    def projects(self) -> tuple[ProjectEntry, ...]:
        """Every project in the digest, in group order."""
        return tuple(p for g in self.priorities for p in g.projects)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


def trend(previous: Rag | None, now: Rag | None) -> Trend | None:
    if now is None:
        return None
    if previous is None:
        return Trend.NEW
    if RAG_ORDER[now] > RAG_ORDER[previous]:
        return Trend.IMPROVED
    if RAG_ORDER[now] < RAG_ORDER[previous]:
        return Trend.WORSE
    return Trend.UNCHANGED


def headline(totals: Totals, *, since_last_report: bool) -> str:
    """One sentence of the period's totals, e.g. "6 projects completed since the last report, …"."""
    t = totals
    if t.projects == 0:
        return "No projects in the ICT Work Plan in this period."
    when = "since the last report" if since_last_report else "to date"
    completed = count(t.completed, "project") if t.completed else "No projects"
    if t.projects == 1:
        updated = f"the one project {'' if t.updated else 'not '}updated in the period"
    elif t.updated == t.projects:
        updated = f"{'both' if t.projects == 2 else f'all {t.projects}'} updated in the period"
    else:
        updated = f"{t.updated or 'none'} of {t.projects} updated in the period"
    said = t.projects == 1 and not t.updated  # "the one project not updated" says it already
    missing = f", {t.missing} missing an update" if t.missing and not said else ""
    return f"{completed} completed {when}, {t.started or 'none'} started; {updated}{missing}."
