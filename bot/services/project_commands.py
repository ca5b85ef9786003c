"""The Work Plan's sub-commands, platform-neutral: which there are, their usage, applying a change.

Slack's ``/ict-project`` and Teams' ``project`` both use this; neither imports the other. Each platform
reads a person its own way (a Slack mention, a Teams ``me`` or Entra object id): it hands in a
:class:`Naming`. Usage texts are :class:`bot.wording.Text` naming the command as ``{project}``; the result
of a change is a :class:`Changed` value that each platform words.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from bot.errors import InvalidInput
from bot.services import projects
from bot.wording import Text
from models import ProjectStatus, Workspace

__all__ = ["CHANGES", "SUBCOMMANDS", "Changed", "Naming", "apply", "change_name", "lists_closed"]

SUBCOMMANDS = ("list", "add", "reassign", "close", "complete", "reopen", "help")
CHANGES = ("add", "reassign", "close", "complete", "reopen")  # for ICT admins only


@dataclass(frozen=True, slots=True)
class Naming:
    """How a platform's people are typed in these commands: the words for the owner and the new owner in a
    usage line, an owner in the example, and ``read(typed, what)`` → the user id (or :class:`InvalidInput`)."""

    owner: str
    new_owner: str
    example: str
    read: Callable[[str, str], str]


@dataclass(frozen=True, slots=True)
class Changed:
    """What a change did: ``sub`` (one of :data:`CHANGES`) to the project ``ref``; ``previous_owner`` for
    ``reassign``."""

    sub: str
    ref: str
    title: str
    priority_name: str | None
    owner: str
    previous_owner: str | None = None


def lists_closed(args: list[str]) -> bool:
    """``list all``: closed and complete projects too."""
    return bool(args) and args[0].lower() == "all"


def change_name(sub: str) -> str:
    """What ``sub`` does, worded to end "Only an ICT admin can …" (:func:`bot.services.roles.require_admin`)."""
    return f"{sub} projects"


def _usage(template: str, naming: Naming) -> InvalidInput:
    text = Text(template, owner=naming.owner, new_owner=naming.new_owner, example=naming.example)
    return InvalidInput(text.owning("owner", "new_owner", "example"))


def apply(
    session: Session,
    ws: Workspace,
    sub: str,
    args: list[str],
    naming: Naming,
    *,
    actor: str,
    now: datetime,
    tz: ZoneInfo,
) -> Changed:
    """Apply the change ``sub`` (one of :data:`CHANGES`, typed with the words ``args``) for ``actor``, whose
    right to it the caller has checked. Bad input raises before anything is written."""
    if sub == "add":
        if len(args) < 4:
            raise _usage(
                "Usage: `{project} add REF PRIORITY {owner} Title of the project`, "
                "e.g. `{project} add NET-02 ARCH {example} Wi-Fi refresh`.",
                naming,
            )
        owner = naming.read(args[2], "owner")
        p = projects.add(
            session, ws, ref=args[0], priority=args[1], owner=owner, title=" ".join(args[3:]), now=now, actor=actor
        )
        return Changed(sub, p.ref, p.title, p.priority.name if p.priority else None, owner)
    if len(args) < 1 or (sub == "reassign" and len(args) < 2):
        usage = "`{project} reassign REF {new_owner}`" if sub == "reassign" else "`{project} " + sub + " REF`"
        raise _usage("Usage: " + usage + ".", naming)
    if sub == "reassign":
        new_owner = naming.read(args[1], "new owner")
        p, previous = projects.reassign(session, ws, args[0], new_owner, now=now, actor=actor)
        return Changed(sub, p.ref, p.title, p.priority.name if p.priority else None, new_owner, previous)
    if sub == "reopen":
        p = projects.reopen(session, ws, args[0], now=now, actor=actor)
    elif sub in ("close", "complete"):
        status = ProjectStatus.CLOSED if sub == "close" else ProjectStatus.COMPLETE
        p = projects.set_status(session, ws, args[0], status, now=now, tz=tz, actor=actor)
    else:
        raise ValueError(f"{sub!r} is not a change of the Work Plan")
    return Changed(sub, p.ref, p.title, p.priority.name if p.priority else None, p.owner_user_id)
