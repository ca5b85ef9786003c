"""One exception: what it is, whose it is, and one line of why, as every digest, report and minutes show it."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class ExceptionKind(enum.StrEnum):
    """In the order the section lists them."""

    RED = "red"  # a project whose latest RAG is red
    WORSENED = "worsened"  # a project whose RAG worsened in the period
    PAST_TARGET = "past_target"  # a project past its target date and not complete
    HIGH_RISK = "high_risk"  # an open risk scoring 15 or more
    RISK_REVIEW = "risk_review"  # an open risk past its review date
    OVERDUE_ACTION = "overdue_action"  # an open action past its due date
    ASSURANCE_FAILED = "assurance_failed"  # an occurrence whose latest result is a fail
    ASSURANCE_OVERDUE = "assurance_overdue"  # an occurrence past its date with no result


@dataclass(frozen=True, slots=True)
class ExceptionEntry:
    """``ref``: a project's ref, ``R12``, ``A3`` or an obligation's code. ``title``: the project's title, the
    risk's or action's text, the obligation's name (typed text: shown literally). ``why``: one line in the
    bot's own words. ``owner_name``: the owner by name (the directory), their id where no name is known."""

    kind: ExceptionKind
    ref: str
    title: str
    owner_user_id: str
    owner_name: str
    why: str
