"""Exceptions first: what the governance group looks at before anything else (red, worsening or late
projects, high risks and risks past review, overdue actions, failed or overdue assurance)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, ScalarSelect, and_, func, null, or_, select
from sqlalchemy.orm import Session

from bot.services import meetings, people
from bot.services.assurance import calendar
from bot.services.exceptions.model import ExceptionEntry, ExceptionKind
from bot.services.registers.raid import HIGH as HIGH_SCORE
from bot.services.registers.refs import ACTION, RISK, label
from models import (
    ActionItem,
    AssuranceObligation,
    AssuranceOutcome,
    ItemStatus,
    ProgressUpdate,
    Project,
    ProjectStatus,
    Rag,
    RaidItem,
    RaidKind,
    UpdateRevision,
    Workspace,
)

if TYPE_CHECKING:  # the digest builds its exceptions with this module: only its type is needed here
    from bot.services.digest.model import Digest

__all__ = ["HIGH_SCORE", "LOOK_BACK_DAYS", "ExceptionEntry", "ExceptionKind", "current"]

LOOK_BACK_DAYS = 365  # assurance occurrences older than this are no longer chased
AHEAD_DAYS = 400  # how far ahead a result may have answered an occurrence (the next one, a year at most)
_OPEN = (ProjectStatus.PLANNED, ProjectStatus.ACTIVE, ProjectStatus.ON_HOLD)
_RAG_ORDER = {Rag.RED: 0, Rag.AMBER: 1, Rag.GREEN: 2}
_RAG_LABEL = {Rag.RED: "Red", Rag.AMBER: "Amber", Rag.GREEN: "Green"}
_KIND_ORDER = {kind: i for i, kind in enumerate(ExceptionKind)}


@dataclass(frozen=True, slots=True)
class _Project:
    """What the exceptions need of a project: from the digest, or read here when there is none."""

    id: int
    ref: str
    title: str
    owner: str
    status: ProjectStatus
    target_date: date | None
    rag: Rag | None
    previous_rag: Rag | None


def current(
    session: Session, ws: Workspace, *, now: datetime, default_timezone: str, digest: Digest | None = None
) -> list[ExceptionEntry]:
    """The workspace's exceptions at ``now``, in :class:`ExceptionKind` order, then by ref.

    With ``digest``, its projects (RAG at its end, and before its start) are used as they are; without,
    the projects are read here and "worsened" means since the last meeting held before ``now``. A fixed
    number of statements, whatever the number of rows."""
    tz = digest.tz if digest is not None else meetings.workspace_timezone(session, ws, default_timezone)
    today = now.astimezone(tz).date()
    found = _digest_projects(digest) if digest is not None else _read_projects(session, ws, now)
    if digest is not None:
        since = _red_since_in(digest)
    else:
        since = _red_since(session, ws, [p.id for p in found if p.status in _OPEN and p.rag is Rag.RED], now)
    raw: list[tuple[ExceptionKind, str, str, str, str, date | None]] = []
    for p in found:
        raw += _project(p, today, since.get(p.id), tz)
    raw += _risks(session, ws, today)
    raw += _actions(session, ws, today)
    raw += _assurance(session, ws, today, tz)
    names = people.names(session, ws, (r[3] for r in raw))
    entries = [
        (day, ExceptionEntry(kind, ref, title, owner, people.display(names.get(owner), owner), why))
        for kind, ref, title, owner, why, day in raw
    ]
    entries.sort(key=lambda e: (_KIND_ORDER[e[1].kind], _natural(e[1].ref), e[0] or date.min))
    return [e for _, e in entries]


def _digest_projects(digest: Digest) -> list[_Project]:
    return [
        _Project(p.id, p.ref, p.title, p.owner, p.status, p.target_date, p.rag, p.previous_rag) for p in digest.projects
    ]


def _natural(ref: str) -> tuple[tuple[int, int | str], ...]:
    """``R3`` before ``R12``: numbers in a ref compared as numbers."""
    return tuple((0, int(part)) if part.isdigit() else (1, part.lower()) for part in re.split(r"(\d+)", ref) if part)


def _day(value: date) -> str:
    return f"{value.day} {value:%b %Y}"


def _days(n: int) -> str:
    return f"{n} day{'' if n == 1 else 's'}"


# -- projects --------------------------------------------------------------------------------------


_Raw = tuple[ExceptionKind, str, str, str, str, date | None]
_Since = tuple[datetime, bool]  # since when a project has been red; True: red already before that moment


def _project(p: _Project, today: date, red_since: _Since | None, tz: ZoneInfo) -> list[_Raw]:
    """One entry per project, under its first kind, its why saying every reason: ``Amber → Red since
    4 Nov 2026; target 31 Oct 2026 passed``."""
    reasons: list[tuple[ExceptionKind, str]] = []
    if p.status in _OPEN and p.rag is not None:
        worse = p.previous_rag is not None and _RAG_ORDER[p.rag] < _RAG_ORDER[p.previous_rag]
        moved = f"{_RAG_LABEL[p.previous_rag]} → {_RAG_LABEL[p.rag]}" if worse and p.previous_rag else ""
        if p.rag is Rag.RED:
            when = ""
            if red_since is not None:
                at, before = red_since
                when = f" since {'before ' if before else ''}{_day(at.astimezone(tz).date())}"
            reasons.append((ExceptionKind.RED, f"{moved or 'Red'}{when}"))
        elif worse:
            reasons.append((ExceptionKind.WORSENED, moved))
    if p.status is ProjectStatus.ACTIVE and p.target_date is not None and p.target_date < today:
        reasons.append((ExceptionKind.PAST_TARGET, f"Target {_day(p.target_date)} passed"))
    if not reasons:
        return []
    why = "; ".join(text if i == 0 else text[:1].lower() + text[1:] for i, (_, text) in enumerate(reasons))
    return [(reasons[0][0], p.ref, p.title, p.owner, why, None)]


def _latest_rag(ws: Workspace, when: ColumnElement[bool]) -> ScalarSelect[Rag]:
    """The RAG of a project's latest update matching ``when`` (its current revision), as a scalar subquery."""
    pu, rev = ProgressUpdate, UpdateRevision
    return (
        select(rev.rag)
        .join(pu, pu.id == rev.update_id)
        .where(pu.workspace_id == ws.id, pu.project_id == Project.id, when)
        .order_by(pu.created_at.desc(), pu.id.desc(), rev.number.desc())
        .limit(1)
        .correlate(Project)
        .scalar_subquery()
    )


def _read_projects(session: Session, ws: Workspace, now: datetime) -> list[_Project]:
    """The open projects with their RAG now and before the last meeting held (one statement, two for the
    meeting)."""
    previous = meetings.previous_meeting(session, ws, now)
    start = previous.starts_at if previous is not None else None
    rag_now = _latest_rag(ws, ProgressUpdate.created_at <= now)
    rag_before = _latest_rag(ws, ProgressUpdate.created_at < start) if start is not None else null()
    rows = session.execute(
        select(
            Project.id,
            Project.ref,
            Project.title,
            Project.owner_user_id,
            Project.status,
            Project.target_date,
            rag_now,
            rag_before,
        ).where(Project.workspace_id == ws.id, Project.status.in_(_OPEN), Project.created_at <= now)
    ).all()
    return [_Project(*row) for row in rows]


def _red_since_in(digest: Digest) -> dict[int, _Since]:
    """Since when each red project of ``digest`` has been red, from its updates in the period (no statement):
    the first of its last run of red updates; red at the start of the period too, since before the start."""
    out: dict[int, _Since] = {}
    for p in digest.projects:
        if p.rag is not Rag.RED:
            continue
        run = None
        for u in reversed(p.updates):
            if u.rag is not Rag.RED:
                break
            run = u.created_at
        throughout = run is None or (bool(p.updates) and run == p.updates[0].created_at)
        if throughout and p.previous_rag is Rag.RED and digest.start is not None:
            out[p.id] = (digest.start, True)
        elif run is not None:
            out[p.id] = (run, False)
    return out


def _red_since(session: Session, ws: Workspace, project_ids: Sequence[int], end: datetime) -> dict[int, _Since]:
    """Since when each project has been red without a break: its first update after its latest one that
    was not red (current revisions, up to ``end``). One statement for them all, sent even for none, so the
    digest's statements are the same whatever its data."""
    pu, rev = ProgressUpdate, UpdateRevision
    newest = select(func.max(rev.number)).where(rev.update_id == pu.id).correlate(pu).scalar_subquery()
    cur = (
        select(pu.project_id.label("pid"), pu.created_at.label("at"), rev.rag.label("rag"))
        .join(rev, and_(rev.update_id == pu.id, rev.number == newest))
        .where(pu.workspace_id == ws.id, pu.project_id.in_(project_ids), pu.created_at <= end)
        .subquery("cur")
    )
    other = select(cur.c.pid, func.max(cur.c.at).label("at")).where(cur.c.rag != Rag.RED).group_by(cur.c.pid)
    last_other = other.subquery("last_other")
    stmt = (
        select(cur.c.pid, func.min(cur.c.at))
        .outerjoin(last_other, last_other.c.pid == cur.c.pid)
        .where(or_(last_other.c.at.is_(None), cur.c.at > last_other.c.at))
        .group_by(cur.c.pid)
    )
    return {pid: (at, False) for pid, at in session.execute(stmt).all()}


# -- registers -------------------------------------------------------------------------------------


def _risks(session: Session, ws: Workspace, today: date) -> list[_Raw]:
    """Open risks that are high or past their review date, one entry each (both reasons when both hold)."""
    score = RaidItem.likelihood * RaidItem.impact
    rows = session.scalars(
        select(RaidItem).where(
            RaidItem.workspace_id == ws.id,
            RaidItem.kind == RaidKind.RISK,
            RaidItem.status == ItemStatus.OPEN,
            or_(score >= HIGH_SCORE, RaidItem.review_on < today),
        )
    ).all()
    out: list[_Raw] = []
    for r in rows:
        reasons: list[tuple[ExceptionKind, str]] = []
        if r.likelihood is not None and r.impact is not None and r.likelihood * r.impact >= HIGH_SCORE:
            text = f"Score {r.likelihood * r.impact} (L{r.likelihood} × I{r.impact})"
            reasons.append((ExceptionKind.HIGH_RISK, text))
        if r.review_on is not None and r.review_on < today:
            reasons.append((ExceptionKind.RISK_REVIEW, f"Review due {_day(r.review_on)}"))
        if reasons:
            why = "; ".join(text if i == 0 else text[:1].lower() + text[1:] for i, (_, text) in enumerate(reasons))
            out.append((reasons[0][0], label(RISK, r.id), r.text, r.owner_user_id, why, None))
    return out


def _actions(session: Session, ws: Workspace, today: date) -> list[_Raw]:
    rows = session.scalars(
        select(ActionItem).where(
            ActionItem.workspace_id == ws.id, ActionItem.status == ItemStatus.OPEN, ActionItem.due_on < today
        )
    ).all()
    return [
        (
            ExceptionKind.OVERDUE_ACTION,
            label(ACTION, a.id),
            a.text,
            a.owner_user_id,
            f"Due {_day(a.due_on)}, {_days((today - a.due_on).days)} overdue",
            a.due_on,
        )
        for a in rows
    ]


# -- assurance -------------------------------------------------------------------------------------


def chased_from(obligation: AssuranceObligation, today: date, tz: ZoneInfo) -> date:
    """The first occurrence an exception can come from: the later of the day the obligation was first
    loaded and :data:`LOOK_BACK_DAYS` ago."""
    return max(obligation.loaded_at.astimezone(tz).date(), today - timedelta(days=LOOK_BACK_DAYS))


def _assurance(session: Session, ws: Workspace, today: date, tz: ZoneInfo) -> list[_Raw]:
    """Occurrences past without a result, and any whose latest result is a fail: a result may answer the next
    occurrence before its day, so the window runs a year ahead (two statements)."""
    obligations = calendar.active(session, ws)
    if not obligations:
        return []
    start = {o.id: chased_from(o, today, tz) for o in obligations}
    first, last = min(start.values()), today + timedelta(days=AHEAD_DAYS)
    if first > last:
        return []
    out: list[_Raw] = []
    for occ in calendar.standing(session, ws, first, last, obligations):
        o = occ.obligation
        if occ.day < start[o.id] or not occ.is_exception(today):
            continue
        if occ.outcome is AssuranceOutcome.FAIL:
            note = " ".join(occ.note.split())
            why = f"Failed (due {_day(occ.day)})" + (f": {note}" if note else "")
            kind = ExceptionKind.ASSURANCE_FAILED
        else:
            why = f"Due {_day(occ.day)}, {_days((today - occ.day).days)} overdue, no result"
            kind = ExceptionKind.ASSURANCE_OVERDUE
        out.append((kind, o.code, o.name, o.owner_user_id, why, occ.day))
    return out


def owners(entries: Iterable[ExceptionEntry]) -> list[str]:
    """The user ids the entries name, once each, in order (for a platform's own name look-up)."""
    return list(dict.fromkeys(e.owner_user_id for e in entries))
