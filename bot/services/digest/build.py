"""Building a digest: the period's rules, applied once to what :mod:`.queries` reads."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from datetime import datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from bot.errors import DomainError
from bot.services import exceptions as exception_service
from bot.services import meetings as meeting_service
from bot.services.digest import assurance
from bot.services.digest import queries as q
from bot.services.digest.model import (
    NO_PRIORITY,
    AssuranceTally,
    Digest,
    GroupKind,
    PriorityGroup,
    ProjectEntry,
    RagCounts,
    StatusCounts,
    StrategyInfo,
    Totals,
    Trend,
    UpdateEntry,
    headline,
    trend,
)
from models import ProjectStatus, Workspace

_OPEN = (ProjectStatus.PLANNED, ProjectStatus.ACTIVE, ProjectStatus.ON_HOLD)


def default_period(session: Session, ws: Workspace, now: datetime) -> tuple[datetime | None, datetime]:
    """Since the previous meeting held before ``now`` (None: there was none, so from the beginning) to ``now``."""
    previous = meeting_service.previous_meeting(session, ws, now)
    return (previous.starts_at if previous is not None else None, now)


# The rules of the digest, chosen here once so that every rendering agrees:
#
# - **The period** holds the instants ``start <= t <= end`` (``start`` None: from the beginning). An
#   update exactly at ``start`` is in the period, as the reminders count it.
# - **RAG now** is the RAG of the latest update at or before ``end``; **the previous RAG** that of the
#   latest update strictly before ``start`` (None when ``start`` is None or there was none). An
#   update's text and RAG are those of its current (highest) revision, even a correction made after
#   ``end``: a correction fixes the record, so the digest shows the record as corrected. **Every update
#   in the period** is kept too (``updates``, oldest first, each as corrected), for a timeline and a count.
# - **Trend** compares the two, red < amber < green: improved, worse, unchanged, or new (no previous
#   RAG); None when the project has no RAG yet. A project with no update in the period is unchanged.
# - **Which projects appear**: every project created by ``end`` that was open at ``end`` (planned,
#   active or on hold now, or completed after ``end``), or that had an update in the period, or that
#   was completed in it. Closed and completed projects with an update in the period are kept. Project
#   status is the status now.
# - **Missing** are the active projects (active now, or completed after ``end``) with no update in
#   the period, as the reminders chase them. **Completed** are projects whose status is complete and
#   whose completion day (local midnight) falls in the period.
# - **Started** are the projects whose status first became active in the period, as their history
#   (``bot.services.history``) records it: a change of status to active (in chat, or a CSV import that
#   turns a planned project active), or a project added in chat as active. A project starts once:
#   resumed from on hold or reopened, it does not start again. A project that *arrived* active, created
#   by a CSV import (on first use, the whole Work Plan), by the history's backfill (migration 0010) or by
#   a restore without history, was under way before the bot knew it: it never counts as started.
# - **Grouping**: the active strategy's priorities in their order, each shown even when empty. A
#   project that still points at a priority of an older strategy (the strategy was refreshed and the
#   project not yet moved) is grouped under that old priority's name, after the current priorities,
#   with a note saying so; projects with no priority come last under "No priority". None is dropped.
#   Each group has its completed projects too (``completed``), as the committee report counts them.
def build(
    session: Session,
    ws: Workspace,
    *,
    start: datetime | None,
    end: datetime,
    now: datetime,
    default_timezone: str = "Europe/London",
) -> Digest:
    """The digest of ``ws`` for the period ``start``..``end``, by the rules above.

    ``default_timezone`` is used when the workspace has no meeting series (whose time zone wins): it
    decides which local day a completion date falls on and how renderers show times.
    """
    if start is not None and start > end:
        raise DomainError(f"The period starts after it ends ({start:%Y-%m-%d} > {end:%Y-%m-%d}); swap the dates.")
    strategies = q.strategies(session, ws)
    active = next((s for s in strategies if s.active), None)
    if active is None:
        raise DomainError("This workspace has no active strategy; load one with `ictbot strategy load FILE`.")
    tz = meeting_service.workspace_timezone(session, ws, default_timezone)
    rows = q.rows(session, ws, start, end)
    delegates = q.delegates(session, ws)
    started = q.started(session, ws, start, end)
    period_updates = q.period_updates(session, ws, start, end)
    priority_of = {p.id: p for s in strategies for p in s.priorities}
    entries: list[ProjectEntry] = []
    for row in rows:
        in_period = period_updates.get(row.project.id, ())
        entry = _entry(row, start, end, tz, delegates.get(row.project.id, ()), in_period, priority_of, started)
        if entry is not None:
            entries.append(entry)
    groups = _group(entries, {r.project.id: r.project.priority_id for r in rows}, strategies, active)
    groups = _with_assurance(groups, strategies, active, assurance.tallies(session, ws, start, end, tz))
    ordered = [p for g in groups for p in g.projects]
    totals = _totals(ordered)
    built = Digest(
        workspace=ws.name,
        team_id=ws.external_id,
        strategy=StrategyInfo(
            name=active.name,
            period=active.period,
            description=active.description,
            priorities=tuple((p.code, p.name) for p in active.priorities),
            aims=q.aims(session, active.id),
        ),
        start=start,
        end=end,
        generated_at=now,
        timezone=tz.key,
        priorities=tuple(groups),
        missing=tuple(p for p in ordered if p.missing),
        completed=tuple(p for p in ordered if p.completed_in_period),
        started=tuple(p for p in ordered if p.started_in_period),
        totals=totals,
        headline=headline(totals, since_last_report=start is not None),
    )
    found = exception_service.current(session, ws, now=now, default_timezone=tz.key, digest=built)
    return dataclasses.replace(built, exceptions=tuple(found))


def _entry(
    row: q.Row,
    start: datetime | None,
    end: datetime,
    tz: ZoneInfo,
    delegates: Iterable[str],
    in_period: Iterable[UpdateEntry],
    priority_of: dict[int, q.PriorityRow],
    started: set[int],
) -> ProjectEntry | None:
    """A project as the digest shows it, or None when it does not appear (see the module's rules)."""
    p, before = row.project, row.before
    updates = tuple(in_period)
    update = updates[-1] if updates else None  # the latest in the period
    previous_rag = before[1] if before else None
    if update is not None:
        rag, last_updated_at = update.rag, update.created_at
    elif before is not None:
        last_updated_at, rag = before
    else:
        rag, last_updated_at = None, None
    completion = _completion(p, tz)
    completed_in_period = completion is not None and (start is None or completion >= start) and completion <= end
    open_at_end = p.status in _OPEN or (completion is not None and completion > end)
    if not (open_at_end or update is not None or completed_in_period):
        return None
    active_at_end = p.status is ProjectStatus.ACTIVE or (completion is not None and completion > end)
    prio = priority_of.get(p.priority_id) if p.priority_id is not None else None
    return ProjectEntry(
        id=p.id,
        ref=p.ref,
        title=p.title,
        owner=p.owner_user_id,
        delegates=tuple(delegates),
        service_area=p.service_area,
        status=p.status,
        target_date=p.target_date,
        completed_on=p.completed_on,
        created_at=p.created_at,
        priority_code=prio.code if prio else None,
        priority_name=prio.name if prio else None,
        update=update,
        rag=rag,
        previous_rag=previous_rag,
        trend=trend(previous_rag, rag),
        last_updated_at=last_updated_at,
        days_since_update=(end - last_updated_at).days if last_updated_at else None,
        missing=active_at_end and update is None,
        completed_in_period=completed_in_period,
        started_in_period=p.id in started,
        updates=updates,
    )


def _totals(ordered: Sequence[ProjectEntry]) -> Totals:
    return Totals(
        projects=len(ordered),
        updated=sum(p.update is not None for p in ordered),
        missing=sum(p.missing for p in ordered),
        completed=sum(p.completed_in_period for p in ordered),
        started=sum(p.started_in_period for p in ordered),
        improved=sum(p.trend is Trend.IMPROVED for p in ordered),
        worse=sum(p.trend is Trend.WORSE for p in ordered),
        rag=RagCounts.of(p.rag for p in ordered),
        status=StatusCounts.of(p.status for p in ordered),
    )


# -- shaping ---------------------------------------------------------------------------------------


def _completion(p: q.ProjectRow, tz: ZoneInfo) -> datetime | None:
    """When a complete project was completed: the start (local midnight) of its completion day."""
    if p.status is not ProjectStatus.COMPLETE or p.completed_on is None:
        return None
    return datetime.combine(p.completed_on, time(0), tzinfo=tz)


def _group(
    entries: Sequence[ProjectEntry],
    priority_ids: dict[int, int | None],
    strategies: Sequence[q.StrategyRow],
    active: q.StrategyRow,
) -> list[PriorityGroup]:
    by_priority: dict[int | None, list[ProjectEntry]] = {}
    for e in entries:
        by_priority.setdefault(priority_ids[e.id], []).append(e)
    groups = [_group_of(GroupKind.PRIORITY, p, active.name, "", by_priority.pop(p.id, [])) for p in active.priorities]
    for s in strategies:
        if s.id == active.id:
            continue
        for p in s.priorities:
            if p.id in by_priority:
                note = (
                    f"A priority of {s.name}, which {active.name} has replaced: these projects have not yet "
                    f"been moved to one of its priorities."
                )
                groups.append(_group_of(GroupKind.RETIRED, p, s.name, note, by_priority.pop(p.id)))
    # Whatever is left has no priority (or one that no strategy of this workspace holds).
    rest = sorted((e for items in by_priority.values() for e in items), key=lambda e: e.ref)
    if rest:
        groups.append(
            PriorityGroup(
                kind=GroupKind.NONE,
                code=None,
                name=NO_PRIORITY,
                description="",
                strategy=None,
                note="Projects not filed under any priority of the strategy.",
                rag=RagCounts.of(e.rag for e in rest),
                status=StatusCounts.of(e.status for e in rest),
                projects=tuple(rest),
            )
        )
    return groups


def _with_assurance(
    groups: Sequence[PriorityGroup],
    strategies: Sequence[q.StrategyRow],
    active: q.StrategyRow,
    tallies: dict[int, list[AssuranceTally]],
) -> list[PriorityGroup]:
    """Each obligation's results under its own priority's group; an obligation whose priority has no group
    (an older strategy's, with no project left under it) under the active strategy's governance priority
    (its code or name says "governance"), else the first."""
    if not tallies:
        return list(groups)
    key = {(p.code, s.name): p.id for s in strategies for p in s.priorities}
    ids = [key.get((g.code or "", g.strategy or "")) for g in groups]
    governance = next(
        (
            i
            for i, g in enumerate(groups)
            if g.kind is GroupKind.PRIORITY and "governance" in f"{g.code} {g.name}".lower()
        ),
        0,
    )
    placed: dict[int, list[AssuranceTally]] = {}
    for priority_id, found in tallies.items():
        where = ids.index(priority_id) if priority_id in ids else governance
        placed.setdefault(where, []).extend(found)
    return [
        dataclasses.replace(g, assurance=tuple(sorted(placed[i], key=lambda t: t.code))) if i in placed else g
        for i, g in enumerate(groups)
    ]


def _group_of(
    kind: GroupKind, p: q.PriorityRow, strategy: str, note: str, projects: Sequence[ProjectEntry]
) -> PriorityGroup:
    return PriorityGroup(
        kind=kind,
        code=p.code,
        name=p.name,
        description=p.description,
        strategy=strategy,
        note=note,
        rag=RagCounts.of(e.rag for e in projects),
        status=StatusCounts.of(e.status for e in projects),
        projects=tuple(projects),
    )
