"""`role …` typed to the bot in Teams: what Slack's `/ict-role` offers but the chairs' user group
(:mod:`bot.services.role_commands`). Anyone lists who holds which role; ICT admins grant and revoke chair
and admin. A person is ``me`` or their Entra object id (:func:`handlers.teams.identity.read_person`).
Slack's user groups have no counterpart here: ``role chairs`` says so. Names are shown on a card, as they are.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from bot.errors import NotAllowed
from bot.literal import literal
from bot.runtime import Runtime
from bot.services import people, projects, role_commands, roles
from bot.services.role_commands import ROLE_POWERS, ROLE_WORDS, Naming, RoleChange
from handlers.teams import cards
from handlers.teams.cards.pieces import Card
from handlers.teams.cards.workplan import roles_card
from handlers.teams.identity import WORDS, TeamsUser, key, read_person
from handlers.teams.unit import unit
from handlers.teams.wording import TEAMS
from models import Workspace

__all__ = ["SUBCOMMANDS", "role_command"]

SUBCOMMANDS = (*role_commands.SUBCOMMANDS, "chairs")
HELP = (
    "*Roles in ICT governance* (granting and revoking them is for ICT admins)\n"
    "• `role` or `role list`: who holds which role.\n"
    "• `role grant PERSON chair|admin`: make someone a chair or an ICT admin.\n"
    "• `role revoke PERSON chair|admin`: take a granted role back.\n"
    "• `role help`: this help.\n"
    "PERSON is `me` or the person's Entra object id (a GUID: `role list` and `ictbot people list` show them); "
    "an @mention does not tell me who they are.\n"
    "*What each role may do*\n"
    "• *Admin*: keeps the Work Plan (`project`), grants and revokes roles, and does whatever a chair does. Admins "
    "named in the ICTBOT_ADMINS setting cannot be revoked here, and neither can the last admin of the tenant.\n"
    "• *Chair*: posts the digest (`digest`), moves and cancels meetings (`meeting`), and hears the working day "
    "before each meeting which projects still lack an update (the admins do, when there is no chair).\n"
    "• *Owner* and *delegate*: post updates on their own projects (`update`). Nobody grants these: they come "
    "from the Work Plan (`project add`, `project reassign`).\n"
    "• *Member*: everyone in the tenant. Nothing to grant either.\n"
    "In Slack the members of a user group can be made chairs; Teams has no such groups "
    "here, so grant chair to each person."
)
NO_GROUPS = (
    "Teams has no counterpart of Slack's user groups for the chairs: grant chair to each person with "
    "`role grant PERSON chair`."
)
NAMING_PERSON = "PERSON"


def role_command(rt: Runtime, ws: Workspace, user: TeamsUser, rest: str, now: datetime) -> Card:
    """The card that answers ``role …`` (``rest``: what follows the word). Domain errors are raised."""
    words = WORDS.findall(rest)
    sub = words[0].lower() if words else "list"
    if sub == "help" or sub not in SUBCOMMANDS:
        prefix = "" if sub == "help" else f"“{literal(words[0][:40])}” is not a role command.\n"
        return cards.notice_card(prefix + HELP)
    if sub == "chairs":
        return cards.notice_card(NO_GROUPS)
    uid = key(user)
    with unit(rt, ws) as (session, current):
        admins = rt.settings.admins_for(current.external_id)
        if sub == "list":
            entries = roles.list_roles(session, current, admins)
            mine = projects.list_projects(session, current, user_id=uid)
            held = {e.role for e in entries if e.user_id == uid}
            who = {e.user_id for e in entries} | {e.granted_by for e in entries if e.granted_by}
            names = people.names(session, current, who)
            yours = role_commands.yours(uid, held, mine)
            return roles_card(entries, names=names, yours=yours, tz=rt.settings.timezone)
        naming = Naming(person=NAMING_PERSON, read=lambda typed: read_person(typed, uid))
        try:
            done = role_commands.grant_or_revoke(
                session, current, sub, words[1:], naming, actor=uid, env_admins=admins, now=now
            )
        except roles.AdminBySetting as exc:
            raise NotAllowed(
                f"{_name(session, current, exc.user_id)} is an admin through the ICTBOT_ADMINS setting, which "
                "`role` cannot change: whoever runs ictbot can take them out of it."
            ) from None
        except roles.LastAdmin as exc:
            raise NotAllowed(
                f"{_name(session, current, exc.user_id)} is the last admin of this tenant (ICTBOT_ADMINS names none "
                "for it), so nobody could grant roles afterwards. Grant admin to someone else first "
                "(`role grant PERSON admin`)."
            ) from None
        return cards.notice_card(_said(done, _name(session, current, done.target)))


def _name(session: Session, ws: Workspace, user_id: str) -> str:
    """A person as the bot shows them: their name and Entra object id, marked literal."""
    return literal(people.labelled(people.names(session, ws, [user_id]), user_id))


def _said(done: RoleChange, who: str) -> str:
    role = ROLE_WORDS[done.role]
    if done.sub == "grant":
        if not done.changed:
            how = " through the ICTBOT_ADMINS setting" if done.by_setting else ""
            return f"{who} already is {role}{how}; nothing changed."
        return f"{who} is now {role}: {TEAMS(ROLE_POWERS[done.role])}."
    if done.changed:
        return f"{who} is no longer {role}."
    return f"{who} is not {role} by a grant; nothing changed."
