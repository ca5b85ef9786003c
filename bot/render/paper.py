"""The committee paper's own sentences, shared by the Word, HTML and Markdown reports, in plain text.

What the report settings (:class:`bot.services.paper.PaperSettings`), the narrative and the sign-off put
around a digest: the header, purpose, recommendation, reasons, author and approval, contact and the
activity line's reference, RAG and count of updates. Typed text goes in as it is; each format escapes it its own way.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.render.jinja import rag_label
from bot.render.prose import update_count
from bot.services.digest import GroupKind, PriorityGroup, ProjectEntry
from bot.services.paper import Paper, long_date

__all__ = [
    "activity_label",
    "approved",
    "changed",
    "contact",
    "header",
    "narrative",
    "purpose",
    "reasons",
    "recommendation",
]

Person = Callable[[str], str]


def narrative(paper: Paper, group: PriorityGroup) -> list[str]:
    """A priority section's narrative paragraphs: the chair writes them for the active strategy's
    priorities, so an older strategy's priority that shares a code gets none of them."""
    return paper.paragraphs(group.code) if group.kind is GroupKind.PRIORITY else []


def header(paper: Paper) -> list[str]:
    """The lines above the title: the agenda item, then the committee and its meeting's date."""
    lines = [f"ITEM NO. {paper.item}"] if paper.item else []
    if paper.meeting is not None:
        lines.append(f"{paper.settings.committee.upper()} – {long_date(paper.meeting).upper()}")
    return lines


def purpose(paper: Paper, strategy: str, period: str) -> str:
    body = paper.settings.reporting_body
    if body:
        return (
            f"{body} is required to report six monthly to the {paper.settings.committee} on progress in relation "
            f"to the implementation of the {strategy}."
        )
    return f"To report progress on the implementation of the {strategy} {period}."


def recommendation(paper: Paper) -> str:
    return (
        paper.settings.recommendation
        or "It is recommended that progress on the implementation of the ICT Strategy be noted."
    )


def reasons(paper: Paper) -> str:
    return paper.settings.reasons or (
        f"The recommendation is supported to provide the {paper.settings.committee} with evidence to reflect on "
        "progress in delivery of the Council's ICT Strategy."
    )


def contact(paper: Paper) -> str:
    """``Ian Miles – Extension 157012``: the contact officer's line, empty when there is none."""
    c = paper.settings.contact
    return " – ".join(part for part in (c.name, c.phone, c.email) if part)


def approved(paper: Paper, person: Person, tz: ZoneInfo) -> str:
    """``Approved by Ian Miles on 3 December 2026.``; empty when the period's paper is not signed off."""
    s = paper.signoff
    return f"Approved by {person(s.user_id)} on {_day(s.at, tz)}." if s is not None else ""


def changed(paper: Paper, person: Person, tz: ZoneInfo) -> str:
    """What a paper says when its period's data changed after it was signed off; else empty."""
    s = paper.signoff
    if s is None or not paper.changed_since_signoff:
        return ""
    return (
        f"The data for this period has changed since {person(s.user_id)} approved this paper on {_day(s.at, tz)}: "
        "it needs approving again."
    )


def activity_label(p: ProjectEntry, paper: Paper, owner: str = "") -> str:
    """`` (NET-01, Green; Jane Smith; two updates in the period)`` after an activity's title, as the
    settings choose; may be empty. ``owner`` is the owner's name, empty when it is not known. How many
    updates the project had is a Work Plan figure, as its reference and RAG are: committee prose, which
    shows neither, leaves it out too."""
    parts = [p.ref] if paper.settings.show_refs else []
    if paper.settings.show_rag:
        parts.append(rag_label(p.rag))
    inner = [", ".join(parts)] if parts else []
    if owner and paper.settings.show_owners:
        inner.append(owner)
    if parts:
        inner.append(update_count(p.update_count))
    return f" ({'; '.join(inner)})" if inner else ""


def _day(at: datetime, tz: ZoneInfo) -> str:
    return long_date(at.astimezone(tz).date())
