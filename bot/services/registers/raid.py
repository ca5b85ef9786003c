"""Risks and issues (the R and I of a RAID log), each on a project or on a priority of the active strategy.

Every change (raised, updated, closed) writes a :class:`models.RaidRevision` in the same transaction: who,
when and the state after it. A risk's score is likelihood × impact (1–5 each); :data:`HIGH` or more is high.
Who may do what: :func:`raise_item` and :func:`_require_editor`. Every lookup is the workspace's own.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from bot.errors import DomainError, InvalidInput, NotAllowed
from bot.services import projects, roles
from bot.services import strategy as strategy_service
from bot.services.registers import refs
from bot.services.roles import GroupMembers
from bot.wording import Text
from models import Priority, Project, Workspace
from models.db import column_length
from models.registers import ItemStatus, RaidItem, RaidKind, RaidRevision

__all__ = [
    "HIGH",
    "MAX_TEXT",
    "SCALE",
    "Actor",
    "Changes",
    "RaidView",
    "RevisionView",
    "Target",
    "changed_between",
    "close",
    "editable",
    "get",
    "high",
    "history",
    "is_high",
    "label",
    "letter",
    "list_items",
    "open_items",
    "parse_day",
    "past_review",
    "raise_item",
    "resolve_target",
    "update",
]

HIGH = 15  # a risk scoring this or more (likelihood × impact) is high
SCALE = range(1, 6)  # likelihood and impact
MAX_TEXT = 2000  # characters: a risk's or an issue's description
MAX_NOTE = 1000  # characters: a closing note
_MAX_USER_ID = column_length(RaidItem.owner_user_id)
_LETTERS = {RaidKind.RISK: refs.RISK, RaidKind.ISSUE: refs.ISSUE}


@dataclass(frozen=True, slots=True)
class Actor:
    """Who is acting: their user id, the admins ICTBOT_ADMINS names for the workspace, and the chairs' user
    group lookup (asked only when the granted roles and the Work Plan do not settle it)."""

    user_id: str
    env_admins: tuple[str, ...] = ()
    chair_group: GroupMembers | None = None


@dataclass(frozen=True, slots=True)
class Target:
    """What a risk or issue is on: a project (``ref``, its title) or a priority (its code, its name)."""

    project_id: int | None
    priority_id: int | None
    ref: str
    name: str


@dataclass(frozen=True, slots=True)
class Changes:
    """What an update changes; None leaves a field as it is."""

    likelihood: int | None = None
    impact: int | None = None
    text: str | None = None
    owner: str | None = None
    review_on: date | None = None

    def empty(self) -> bool:
        return all(v is None for v in (self.likelihood, self.impact, self.text, self.owner, self.review_on))


@dataclass(frozen=True, slots=True)
class RaidView:
    id: int
    kind: RaidKind
    label: str  # R12, I7
    target: Target
    text: str  # typed text: shown literally
    owner: str
    likelihood: int | None
    impact: int | None
    review_on: date | None
    status: ItemStatus
    raised_by: str
    raised_at: datetime
    closed_by: str | None
    closed_at: datetime | None
    close_note: str

    @property
    def score(self) -> int | None:
        return self.likelihood * self.impact if self.likelihood and self.impact else None

    @property
    def high(self) -> bool:
        return is_high(self.likelihood, self.impact)

    def past_review(self, today: date) -> bool:
        return self.status == ItemStatus.OPEN and self.review_on is not None and self.review_on < today


@dataclass(frozen=True, slots=True)
class RevisionView:
    item_id: int
    kind: RaidKind
    label: str
    at: datetime
    actor: str
    change: str  # raised, updated, closed
    text: str
    owner: str
    likelihood: int | None
    impact: int | None
    review_on: date | None
    status: ItemStatus
    note: str
    changed: tuple[str, ...] = field(default=())  # the fields that differ from the revision before


def letter(kind: RaidKind) -> str:
    return _LETTERS[kind]


def label(kind: RaidKind, item_id: int) -> str:
    """``R12`` for risk 12, ``I7`` for issue 7."""
    return refs.label(_LETTERS[kind], item_id)


def is_high(likelihood: int | None, impact: int | None) -> bool:
    """A risk scoring :data:`HIGH` or more."""
    return likelihood is not None and impact is not None and likelihood * impact >= HIGH


def parse_day(typed: str, what: str = "review date", *, field_name: str = "review") -> date:
    """``2027-01-31`` as a date; a clear error for anything else (``2027-02-30`` included)."""
    try:
        return date.fromisoformat(typed.strip())
    except ValueError:
        raise InvalidInput(
            Text(
                "`{typed}` is not a date: give the {what} as YYYY-MM-DD, e.g. 2027-01-31.", typed=typed[:40], what=what
            ),
            field=field_name,
        ) from None


# -- targets and checks ----------------------------------------------------------------------------


def resolve_target(session: Session, ws: Workspace, typed: str) -> Target:
    """A project of the Work Plan by its ref, else a priority of the active strategy by its code or name."""
    typed = " ".join(typed.split())
    if typed and projects.REF.match(typed) and projects.exists(session, ws, typed):
        p = projects.get(session, ws, typed)
        return Target(p.id, None, p.ref, p.title)
    active = strategy_service.active(session, ws)
    found = strategy_service.find_priority(active, typed) if typed else None
    if found is None:
        hint = projects.suggestions(session, ws, typed) if typed and projects.REF.match(typed) else []
        raise InvalidInput(
            Text(
                "`{typed}` is neither a project in the Work Plan nor a priority of {strategy}.{hint} Give a "
                "project's ref (see {all_projects}) or a priority: {choices}.",
                typed=typed[:40] or " ",
                strategy=active.name,
                hint=f" Did you mean {', '.join(hint)}?" if hint else "",
                choices=strategy_service.priority_choices(active),
            ),
            field="target",
        )
    return Target(None, found.id, found.code, found.name)


def _check_scale(value: int | None, what: str) -> None:
    if value is not None and value not in SCALE:
        raise InvalidInput(
            Text("The {what} is 1 to 5 (5 the highest), not {value}.", what=what, value=value), field=what
        )


def _checked_text(text: str) -> str:
    text = text.strip()
    if not text:
        raise InvalidInput("Say what the risk or issue is: its text is empty.", field="text")
    if len(text) > MAX_TEXT:
        raise InvalidInput(f"That text is {len(text):,} characters; at most {MAX_TEXT:,}.", field="text")
    return text


def _checked_owner(owner: str) -> str:
    owner = owner.strip()
    if not owner or len(owner) > _MAX_USER_ID:
        raise InvalidInput("Give the owner as a person of this workspace.", field="owner")
    return owner


def _is_chair(session: Session, ws: Workspace, actor: Actor) -> bool:
    return roles.is_chair_or_admin(session, ws, actor.user_id, actor.env_admins, chair_group=actor.chair_group)


def _require_raiser(session: Session, ws: Workspace, target: Target, actor: Actor) -> None:
    """On a project: its owner, a delegate, a chair or an admin. On a priority: a chair or an admin."""
    if target.project_id is not None:
        p = projects.get_by_id(session, ws, target.project_id)
        if actor.user_id == p.owner_user_id or actor.user_id in {d.user_id for d in p.delegates}:
            return
    if not _is_chair(session, ws, actor):
        where = f"project {target.ref}" if target.project_id is not None else f"priority {target.ref}"
        who = "its owner, a delegate, " if target.project_id is not None else ""
        raise NotAllowed(
            Text("Only {who}the chair or an ICT admin can raise a risk or issue on {where}.", who=who, where=where),
            field="target",
        )


def _require_editor(session: Session, ws: Workspace, item: RaidItem, actor: Actor) -> None:
    """The item's owner, whoever raised it, a chair or an ICT admin."""
    if actor.user_id in (item.owner_user_id, item.raised_by) or _is_chair(session, ws, actor):
        return
    raise NotAllowed(
        Text(
            "Only {what}'s owner, whoever raised it, the chair or an ICT admin can change it.",
            what=label(item.kind, item.id),
        )
    )


# -- reading ---------------------------------------------------------------------------------------


def _viewed() -> Select[RaidItem, str, str, str, str]:
    return (
        select(RaidItem, Project.ref, Project.title, Priority.code, Priority.name)
        .outerjoin(Project, Project.id == RaidItem.project_id)
        .outerjoin(Priority, Priority.id == RaidItem.priority_id)
    )


def _view(row: Any) -> RaidView:
    item, ref, title, code, name = row
    target = Target(item.project_id, item.priority_id, ref or code or "", title or name or "")
    return RaidView(
        id=item.id,
        kind=item.kind,
        label=label(item.kind, item.id),
        target=target,
        text=item.text,
        owner=item.owner_user_id,
        likelihood=item.likelihood,
        impact=item.impact,
        review_on=item.review_on,
        status=item.status,
        raised_by=item.raised_by,
        raised_at=item.raised_at,
        closed_by=item.closed_by,
        closed_at=item.closed_at,
        close_note=item.close_note,
    )


def _sorted(views: Iterable[RaidView]) -> list[RaidView]:
    """Highest score first (issues after risks), then the oldest first."""
    return sorted(views, key=lambda v: (-(v.score or 0), v.id))


def _row(session: Session, ws: Workspace, kind: RaidKind, item_id: int) -> RaidItem:
    item = session.scalar(
        select(RaidItem).where(RaidItem.workspace_id == ws.id, RaidItem.kind == kind, RaidItem.id == item_id)
    )
    if item is None:
        raise _not_found(kind, item_id)
    return item


def _not_found(kind: RaidKind, item_id: int) -> DomainError:
    return DomainError(
        Text("There is no {noun} {what} in this workspace's register.", noun=kind.value, what=label(kind, item_id))
    )


def get(session: Session, ws: Workspace, kind: RaidKind, item_id: int) -> RaidView:
    """One risk or issue of the workspace, open or closed."""
    scoped = (RaidItem.workspace_id == ws.id, RaidItem.kind == kind, RaidItem.id == item_id)
    row = session.execute(_viewed().where(*scoped)).one_or_none()
    if row is None:
        raise _not_found(kind, item_id)
    return _view(row)


def list_items(
    session: Session,
    ws: Workspace,
    kind: RaidKind | None = None,
    *,
    target: Target | None = None,
    owner: str | None = None,
    high_only: bool = False,
) -> list[RaidView]:
    """The open risks or issues, on ``target`` or owned by ``owner`` if given, highest score first."""
    query = _viewed().where(RaidItem.workspace_id == ws.id, RaidItem.status == ItemStatus.OPEN)
    if kind is not None:
        query = query.where(RaidItem.kind == kind)
    if target is not None:
        on_project = RaidItem.project_id == target.project_id
        query = query.where(on_project if target.project_id else RaidItem.priority_id == target.priority_id)
    if owner is not None:
        query = query.where(RaidItem.owner_user_id == owner)
    views = [_view(r) for r in session.execute(query)]
    return _sorted(v for v in views if v.high or not high_only)


def open_items(session: Session, ws: Workspace, kind: RaidKind | None = None) -> list[RaidView]:
    """Every open risk and issue (or only those of ``kind``), highest score first."""
    return list_items(session, ws, kind)


def past_review(session: Session, ws: Workspace, today: date) -> list[RaidView]:
    """The open risks whose review date is before ``today``."""
    return [v for v in list_items(session, ws, RaidKind.RISK) if v.past_review(today)]


def high(session: Session, ws: Workspace) -> list[RaidView]:
    """The open risks scoring :data:`HIGH` or more, highest first."""
    return list_items(session, ws, RaidKind.RISK, high_only=True)


def changed_between(session: Session, ws: Workspace, start: datetime, end: datetime) -> list[RevisionView]:
    """Every revision (raised, updated, closed) from ``start`` up to ``end``, oldest first."""
    rows = session.execute(
        select(RaidRevision, RaidItem.kind)
        .join(RaidItem, RaidItem.id == RaidRevision.item_id)
        .where(RaidRevision.workspace_id == ws.id, RaidRevision.at >= start, RaidRevision.at < end)
        .order_by(RaidRevision.at, RaidRevision.id)
    )
    return [_revision(rev, kind) for rev, kind in rows]


def history(session: Session, ws: Workspace, kind: RaidKind, item_id: int) -> list[RevisionView]:
    """Every revision of one risk or issue, oldest first, each with the fields it changed."""
    _row(session, ws, kind, item_id)
    revisions = session.scalars(
        select(RaidRevision)
        .where(RaidRevision.workspace_id == ws.id, RaidRevision.item_id == item_id)
        .order_by(RaidRevision.at, RaidRevision.id)
    )
    shown: list[RevisionView] = []
    for rev in revisions:
        shown.append(_revision(rev, kind, shown[-1] if shown else None))
    return shown


_TRACKED = ("text", "owner", "likelihood", "impact", "review_on", "status")


def _revision(rev: RaidRevision, kind: RaidKind, before: RevisionView | None = None) -> RevisionView:
    view = RevisionView(
        item_id=rev.item_id,
        kind=kind,
        label=label(kind, rev.item_id),
        at=rev.at,
        actor=rev.actor,
        change=rev.change,
        text=rev.text,
        owner=rev.owner_user_id,
        likelihood=rev.likelihood,
        impact=rev.impact,
        review_on=rev.review_on,
        status=rev.status,
        note=rev.note,
    )
    if before is None:
        return view
    changed = tuple(f for f in _TRACKED if getattr(view, f) != getattr(before, f))
    return RevisionView(**{**{f: getattr(view, f) for f in view.__slots__ if f != "changed"}, "changed": changed})


# -- changing --------------------------------------------------------------------------------------


def _record(session: Session, item: RaidItem, change: str, *, actor: str, now: datetime, note: str = "") -> None:
    """The item's state after ``change``, as its revision, in the caller's transaction."""
    session.flush()  # the item's id
    session.add(
        RaidRevision(
            workspace_id=item.workspace_id,
            item_id=item.id,
            at=now,
            actor=actor,
            change=change,
            text=item.text,
            owner_user_id=item.owner_user_id,
            likelihood=item.likelihood,
            impact=item.impact,
            review_on=item.review_on,
            status=item.status,
            note=note,
        )
    )
    session.flush()


def raise_item(
    session: Session,
    ws: Workspace,
    kind: RaidKind,
    target: str,
    text: str,
    *,
    actor: Actor,
    now: datetime,
    likelihood: int | None = None,
    impact: int | None = None,
    owner: str | None = None,
    review_on: date | None = None,
) -> RaidView:
    """A new risk (``likelihood`` and ``impact`` required) or issue on ``target`` (a project's ref, a
    priority's code or name), owned by ``owner`` or else by whoever raised it."""
    if kind == RaidKind.RISK and (likelihood is None or impact is None):
        raise InvalidInput("A risk needs its likelihood and its impact, each 1 to 5.", field="likelihood")
    if kind == RaidKind.ISSUE and (likelihood, impact, review_on) != (None, None, None):
        raise InvalidInput("An issue has happened already: it has no likelihood, impact or review date.")
    _check_scale(likelihood, "likelihood")
    _check_scale(impact, "impact")
    text, owner = _checked_text(text), _checked_owner(owner or actor.user_id)
    where = resolve_target(session, ws, target)
    _require_raiser(session, ws, where, actor)
    item = RaidItem(
        workspace_id=ws.id,
        kind=kind,
        project_id=where.project_id,
        priority_id=where.priority_id,
        text=text,
        owner_user_id=owner,
        likelihood=likelihood,
        impact=impact,
        review_on=review_on,
        status=ItemStatus.OPEN,
        raised_by=actor.user_id,
        raised_at=now,
        close_note="",
    )
    session.add(item)
    _record(session, item, "raised", actor=actor.user_id, now=now)
    return get(session, ws, kind, item.id)


def update(
    session: Session, ws: Workspace, kind: RaidKind, item_id: int, changes: Changes, *, actor: Actor, now: datetime
) -> RaidView:
    """Change an open item's text, owner or (a risk's) likelihood, impact and review date: one revision.
    A change that changes nothing is refused, and writes nothing."""
    item = _open_row(session, ws, kind, item_id, "changed")
    _require_editor(session, ws, item, actor)
    if kind == RaidKind.ISSUE and (changes.likelihood, changes.impact, changes.review_on) != (None, None, None):
        raise InvalidInput("An issue has no likelihood, impact or review date; change its text or owner.")
    _check_scale(changes.likelihood, "likelihood")
    _check_scale(changes.impact, "impact")
    wanted = {
        "text": None if changes.text is None else _checked_text(changes.text),
        "owner_user_id": None if changes.owner is None else _checked_owner(changes.owner),
        "likelihood": changes.likelihood,
        "impact": changes.impact,
        "review_on": changes.review_on,
    }
    different = {k: v for k, v in wanted.items() if v is not None and getattr(item, k) != v}
    if not different:
        raise InvalidInput(Text("That changes nothing: {what} is already so.", what=label(kind, item_id)))
    for name, value in different.items():
        setattr(item, name, value)
    _record(session, item, "updated", actor=actor.user_id, now=now)
    return get(session, ws, kind, item_id)


def close(
    session: Session, ws: Workspace, kind: RaidKind, item_id: int, note: str, *, actor: Actor, now: datetime
) -> RaidView:
    """Close an open risk or issue, with an optional note: one revision."""
    item = _open_row(session, ws, kind, item_id, "closed")
    _require_editor(session, ws, item, actor)
    note = note.strip()
    if len(note) > MAX_NOTE:
        raise InvalidInput(f"That note is {len(note):,} characters; at most {MAX_NOTE:,}.", field="note")
    item.status, item.closed_by, item.closed_at, item.close_note = ItemStatus.CLOSED, actor.user_id, now, note
    _record(session, item, "closed", actor=actor.user_id, now=now, note=note)
    return get(session, ws, kind, item_id)


def editable(session: Session, ws: Workspace, kind: RaidKind, item_id: int, *, actor: Actor) -> RaidView:
    """An open item ``actor`` may change (before a form to change it is opened); refused otherwise."""
    _require_editor(session, ws, _open_row(session, ws, kind, item_id, "changed"), actor)
    return get(session, ws, kind, item_id)


def _open_row(session: Session, ws: Workspace, kind: RaidKind, item_id: int, verb: str) -> RaidItem:
    item = _row(session, ws, kind, item_id)
    if item.status != ItemStatus.OPEN:
        raise InvalidInput(
            Text("{what} is closed already, so it cannot be {verb}.", what=label(kind, item_id), verb=verb)
        )
    return item
