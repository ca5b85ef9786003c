"""The Exceptions section every digest and report opens with, in the bot's words, shared by every format.

Entries are grouped by kind under a heading each, in the section's order; each is its ref, its title (typed
text), its owner and one line of why. Each format escapes the typed parts its own way; nothing here knows one.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from bot.services.exceptions import ExceptionEntry, ExceptionKind

__all__ = ["HEADINGS", "NONE", "TITLE", "by_kind", "line"]

TITLE = "Exceptions"
NONE = "No exceptions."
HEADINGS = {
    ExceptionKind.RED: "Red projects",
    ExceptionKind.WORSENED: "Projects whose RAG worsened",
    ExceptionKind.PAST_TARGET: "Projects past their target date",
    ExceptionKind.HIGH_RISK: "High risks",
    ExceptionKind.RISK_REVIEW: "Risks past their review date",
    ExceptionKind.OVERDUE_ACTION: "Overdue actions",
    ExceptionKind.ASSURANCE_FAILED: "Failed assurance",
    ExceptionKind.ASSURANCE_OVERDUE: "Overdue assurance",
}


def by_kind(entries: Iterable[ExceptionEntry]) -> list[tuple[str, Sequence[ExceptionEntry]]]:
    """``(heading, entries)`` for each kind with entries, in the section's order (``entries`` keep theirs)."""
    found: dict[ExceptionKind, list[ExceptionEntry]] = {}
    for e in entries:
        found.setdefault(e.kind, []).append(e)
    return [(HEADINGS[kind], found[kind]) for kind in ExceptionKind if kind in found]


def line(e: ExceptionEntry) -> str:
    """``R12 Supplier failure — Jane Smith: Score 20 (L4 × I5)``, plain text (for a notification, a log)."""
    return f"{e.ref} {e.title} — {e.owner_name}: {e.why}"
