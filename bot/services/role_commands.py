"""The role sub-commands, platform-neutral: which there are, reading a role, granting and revoking one.

Slack's ``/ict-role`` and Teams' ``role`` both use this; neither imports the other. Each platform reads a
person its own way (it hands in a :class:`Naming`) and words the :class:`RoleChange`; the chairs' user
group is Slack's alone and stays in its handler. Usage texts name the command as ``{role}``.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from bot.errors import InvalidInput
from bot.services import roles
from bot.services.projects import ProjectView
from bot.wording import Text
from models import Role, Workspace

__all__ = [
    "DERIVED",
    "GRANTABLE",
    "ROLE_POWERS",
    "ROLE_WORDS",
    "SUBCOMMANDS",
    "Naming",
    "RoleChange",
    "grant_or_revoke",
    "parse_role",
    "usage",
    "yours",
]

SUBCOMMANDS = ("list", "grant", "revoke", "help")
GRANTABLE = {"chair": Role.CHAIR, "admin": Role.ADMIN}
DERIVED = ("owner", "delegate", "member")
ROLE_WORDS = {Role.CHAIR: "a chair", Role.ADMIN: "an ICT admin"}
# What a role lets its holder do, after "… is now a chair: ".
ROLE_POWERS = {
    Role.CHAIR: Text(
        "they can post the digest in a channel (`{digest}`), move and cancel meetings (`{meeting}`), "
        "and hear the working day before each meeting which projects still lack an update"
    ),
    Role.ADMIN: Text(
        "they can keep the Work Plan (`{project}`), grant and revoke roles (`{role}`) and do whatever a chair does"
    ),
}


@dataclass(frozen=True, slots=True)
class Naming:
    """How a platform's people are typed here: the word for one in a usage line (``@person``, ``PERSON``)
    and ``read(typed)`` → the user id (or :class:`InvalidInput`)."""

    person: str
    read: Callable[[str], str]


@dataclass(frozen=True, slots=True)
class RoleChange:
    """``sub`` (grant or revoke) of ``role`` for ``target``; ``changed``: whether anything was written;
    ``by_setting``: an admin already, through ICTBOT_ADMINS (a grant that changed nothing)."""

    sub: str
    target: str
    role: Role
    changed: bool
    by_setting: bool = False


def usage(naming: Naming) -> Text:
    return Text(
        "Usage: `{role} grant {person} chair|admin` or `{role} revoke {person} chair|admin`.", person=naming.person
    ).owning("person")


def parse_role(word: str, naming: Naming) -> Role:
    role = GRANTABLE.get(word.lower())
    if role is not None:
        return role
    if word.lower() in DERIVED:
        raise InvalidInput(
            Text(
                "`{typed}` is not granted: owners and delegates come from the Work Plan (`{project} add`, "
                "`{project} reassign`) and everyone in the workspace is a member. The roles to grant are "
                "`chair` and `admin`.",
                typed=word,
            )
        )
    raise InvalidInput(
        Text("`{typed}` is not a role; the roles to grant are `chair` and `admin`. ", typed=word) + usage(naming)
    )


def grant_or_revoke(
    session: Session,
    ws: Workspace,
    sub: str,
    args: Sequence[str],
    naming: Naming,
    *,
    actor: str,
    env_admins: Collection[str],
    now: datetime,
) -> RoleChange:
    """``grant`` or ``revoke`` typed with the words ``args`` (a person and a role), by ``actor``, who must be
    an ICT admin. Revoking an admin named in ICTBOT_ADMINS, or the last admin, raises
    :class:`~bot.services.roles.AdminBySetting` or :class:`~bot.services.roles.LastAdmin`; nothing is written."""
    roles.require_admin(session, ws, actor, env_admins, f"{sub} roles")
    if len(args) != 2:
        raise InvalidInput(usage(naming))
    target, role = naming.read(args[0]), parse_role(args[1], naming)
    if sub == "grant":
        changed = roles.grant(session, ws, target, role, by=actor, now=now, env_admins=env_admins)
        by_setting = not changed and role is Role.ADMIN and target in env_admins
        return RoleChange(sub, target, role, changed, by_setting)
    return RoleChange(sub, target, role, roles.revoke(session, ws, target, role, env_admins))


def yours(
    user_id: str, held: Collection[Role], mine: Sequence[ProjectView], *, chair_by_group: bool = False
) -> list[str]:
    """What ``user_id`` is, for the listing: member, owner and delegate (from ``mine``, their projects), and
    the roles ``held`` (granted or from ICTBOT_ADMINS); ``chair_by_group``: a chair as a member of the
    chairs' user group."""
    owns = [p.ref for p in mine if p.owner == user_id]
    delegate_on = [p.ref for p in mine if p.owner != user_id]
    found = ["member"]
    found += [f"owner of {', '.join(owns)}"] if owns else []
    found += [f"delegate on {', '.join(delegate_on)}"] if delegate_on else []
    if Role.CHAIR in held:
        found.append("chair")
    elif chair_by_group:
        found.append("chair, as a member of the chairs' user group")
    found += ["admin"] if Role.ADMIN in held else []
    return found
