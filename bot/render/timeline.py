"""A project's update history (:mod:`bot.services.timeline`) in the bot's words, shared by Slack and Teams:
how many updates are shown, and how often one was corrected. Names and typed text are each platform's."""

from __future__ import annotations

from bot.services.timeline import MAX_SHOWN, Entry, Timeline
from models import ProjectStatus

__all__ = ["corrections", "shown_words", "status_words"]


def shown_words(t: Timeline) -> str:
    """``The latest 10 of 23 updates, newest first.``, or what there is when that is all of them."""
    n = len(t.entries)
    if t.total == 0:
        return "No update has been posted on it yet."
    if t.total == 1:
        return "Its one update so far."
    if n == t.total:
        return f"All {n} of its updates, newest first."
    more = f" Ask for up to {MAX_SHOWN}." if n < MAX_SHOWN else ""
    return f"The latest {n} of its {t.total} updates, newest first.{more}"


def status_words(t: Timeline) -> str:
    """`` (complete)`` for a project no longer active; empty for an active one."""
    return "" if t.status is ProjectStatus.ACTIVE else f" ({t.status.value.replace('_', ' ')})"


def corrections(e: Entry) -> str:
    """``corrected once`` or ``corrected 3 times`` (an update has one revision more than corrections)."""
    n = e.revisions - 1
    return "corrected once" if n == 1 else f"corrected {n} times"
