"""The narrative of a report period: paragraphs the chair or an admin writes in chat for each priority
and for the overall position, every revision kept with who wrote it and when; the latest is current."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.errors import InvalidInput
from bot.services import strategy as strategy_service
from bot.wording import Text
from models import NarrativeRevision, Workspace
from models.db import insert_missing

__all__ = [
    "MAX_TEXT",
    "POSITION",
    "NarrativeView",
    "Section",
    "current",
    "paragraphs",
    "revisions",
    "section",
    "split",
    "write",
]

POSITION = "position"  # the overall position's section; a priority's is its code
MAX_TEXT = 6000  # characters: a few paragraphs, as a committee paper's section has
_POSITION_WORDS = frozenset({"position", "overall", "overall position"})


@dataclass(frozen=True, slots=True)
class Section:
    key: str  # a priority's code, or POSITION
    label: str  # the priority's name, or "the overall position"


@dataclass(frozen=True, slots=True)
class NarrativeView:
    section: str
    text: str
    number: int  # its revision: 1 for the first
    author: str  # a chat user ID
    at: datetime


def section(session: Session, ws: Workspace, word: str) -> Section:
    """The section ``word`` names: a priority of the active strategy by its code or name, or the position."""
    typed = " ".join(word.split())
    if typed.casefold() in _POSITION_WORDS:
        return Section(POSITION, "the overall position")
    active = strategy_service.active(session, ws)
    found = strategy_service.find_priority(active, typed)
    if found is None:
        raise InvalidInput(
            Text(
                "`{typed}` is not a priority of {strategy}; use one of {choices}, "
                "or `position` for the overall position.",
                typed=typed or " ",
                strategy=active.name,
                choices=strategy_service.priority_choices(active),
            ),
            field="section",
        )
    return Section(found.code, found.name)


def split(session: Session, ws: Workspace, typed: str) -> tuple[Section, str]:
    """``ICT Governance The group meets…`` or ``GOV The group meets…`` read as (the section, its text):
    a priority's whole name first (the longest that fits), else the first word as a code or ``position``."""
    text = typed.strip()
    folded = text.casefold()
    names = [(p.name, p.code) for p in strategy_service.active(session, ws).priorities]
    names.append(("overall position", POSITION))
    for name, code in sorted(names, key=lambda n: -len(n[0])):
        key = name.casefold()
        if folded.startswith(key) and (len(text) == len(key) or text[len(key)].isspace()):
            label = "the overall position" if code == POSITION else name
            return Section(code, label), text[len(key) :].strip()
    if not text:
        raise InvalidInput("Say which section: a priority's code or name, or `position`.", field="section")
    first, *more = text.split(maxsplit=1)
    return section(session, ws, first), more[0].strip() if more else ""


def write(
    session: Session, ws: Workspace, period_start: date, where: Section, text: str, *, author: str, now: datetime
) -> NarrativeView:
    """A new revision of a section's narrative (empty ``text`` withdraws it); the same text again by the
    same person (a form sent twice) writes nothing. Two writers at once each get their own revision
    number: the unique constraint decides, and the loser takes the next."""
    text = "\n".join(line.rstrip() for line in text.strip().splitlines())
    if len(text) > MAX_TEXT:
        raise InvalidInput(
            f"That narrative is {len(text):,} characters; a section's narrative is at most {MAX_TEXT:,}. "
            "Shorten it, or put the detail in a background paper.",
            field="text",
        )
    while True:
        latest = session.scalars(
            select(NarrativeRevision)
            .where(
                NarrativeRevision.workspace_id == ws.id,
                NarrativeRevision.period_start == period_start,
                NarrativeRevision.section == where.key,
            )
            .order_by(NarrativeRevision.number.desc())
            .limit(1)
        ).first()
        if latest is not None and latest.text == text and latest.author_user_id == author:
            return _view(latest)
        number = (latest.number if latest is not None else 0) + 1
        row = {
            "workspace_id": ws.id,
            "period_start": period_start,
            "section": where.key,
            "number": number,
            "text": text,
            "author_user_id": author,
            "created_at": now,
        }
        if insert_missing(session, NarrativeRevision, [row], key=("workspace_id", "period_start", "section", "number")):
            return NarrativeView(where.key, text, number, author, now)


def current(session: Session, ws: Workspace, period_start: date) -> dict[str, NarrativeView]:
    """Each section's current narrative in the period (withdrawn ones left out): one statement."""
    newest = (
        select(NarrativeRevision.section, func.max(NarrativeRevision.number).label("number"))
        .where(NarrativeRevision.workspace_id == ws.id, NarrativeRevision.period_start == period_start)
        .group_by(NarrativeRevision.section)
        .subquery()
    )
    rows = session.scalars(
        select(NarrativeRevision)
        .join(
            newest,
            (NarrativeRevision.section == newest.c.section) & (NarrativeRevision.number == newest.c.number),
        )
        .where(NarrativeRevision.workspace_id == ws.id, NarrativeRevision.period_start == period_start)
    )
    return {r.section: _view(r) for r in rows if r.text}


def revisions(session: Session, ws: Workspace, period_start: date, key: str) -> list[NarrativeView]:
    """Every revision of a section's narrative in the period, oldest first."""
    rows = session.scalars(
        select(NarrativeRevision)
        .where(
            NarrativeRevision.workspace_id == ws.id,
            NarrativeRevision.period_start == period_start,
            NarrativeRevision.section == key,
        )
        .order_by(NarrativeRevision.number)
    )
    return [_view(r) for r in rows]


def paragraphs(text: str) -> list[str]:
    """A narrative's paragraphs: split at blank lines, each one's lines joined as one paragraph."""
    out: list[str] = []
    for block in text.replace("\r\n", "\n").split("\n\n"):
        joined = " ".join(line.strip() for line in block.splitlines() if line.strip())
        if joined:
            out.append(joined)
    return out


def _view(r: NarrativeRevision) -> NarrativeView:
    return NarrativeView(r.section, r.text, r.number, r.author_user_id, r.created_at)
