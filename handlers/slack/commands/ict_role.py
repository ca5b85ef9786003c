"""`/ict-role`: anyone sees who holds which role; ICT admins grant and revoke chair and admin, and
name the Slack user group whose members are chairs.

- ``/ict-role`` or ``/ict-role list``: the admins (from ICTBOT_ADMINS and granted), the chairs, the
  chairs' user group, and what the derived roles (owner, delegate, member) mean. Ephemeral.
- ``/ict-role grant|revoke @person chair|admin``, ``/ict-role chairs @user-group|none``: admins only.
- ``/ict-role help``. Grant and revoke are read by :mod:`bot.services.role_commands`, shared with Teams.
With should_escape on (manifest.yml) Slack sends a person as ``<@U123|name>`` (or ``<@U123>``) and a
user group as ``<!subteam^S123|@handle>``; nothing else is taken for either.
"""

from __future__ import annotations

import logging
import re
from datetime import datetime
from typing import Any

from slack_bolt import BoltContext, Respond
from slack_sdk import WebClient

from bot.errors import InvalidInput, NotAllowed
from bot.literal import literal
from bot.render.jinja import render, unescape_slack
from bot.runtime import Runtime
from bot.services import projects, role_commands, roles
from bot.services.role_commands import ROLE_POWERS, ROLE_WORDS
from bot.wording import Text
from handlers.slack.chair_group import GroupRead, read_group
from handlers.slack.context import runtime_of, team_name_of, team_of
from handlers.slack.errors import command_listener
from handlers.slack.replies import answer, tell
from handlers.slack.wording import SLACK
from models import Role

__all__ = ["SUBCOMMANDS", "handle_ict_role", "parse_role", "parse_user", "parse_usergroup"]

log = logging.getLogger(__name__)

SUBCOMMANDS = (*role_commands.SUBCOMMANDS, "chairs")
# A whole control sequence is one word, even with spaces in its label; everything else splits on spaces.
WORDS = re.compile(r"<[^<>]*>|[^\s<>]+|[<>]")
USER_MENTION = re.compile(r"^<@([UW][A-Z0-9]{2,})(?:\|[^<>|]*)?>$")
GROUP_MENTION = re.compile(r"^<!subteam\^(S[A-Z0-9]{2,})(?:\|[^<>|]*)?>$")
CHAIRS_USAGE = "Usage: `/ict-role chairs @user-group` (its members become chairs) or `/ict-role chairs none`."
# Slack's answers that mean the group can never be read: refuse to set it.
GROUP_UNUSABLE = {
    "no_such_subteam": "Slack knows no such user group in this workspace (was it deleted or disabled?)",
    "plan_upgrade_required": "this workspace's Slack plan has no user groups",
}
GROUP_HINTS = {
    "missing_scope": "the app lacks the usergroups:read scope: reinstall it from the current manifest.yml",
}


def parse_user(word: str) -> str:
    """A person's user ID from Slack's ``<@U123|name>`` or ``<@U123>``."""
    m = USER_MENTION.match(word)
    if m:
        return m.group(1)
    if GROUP_MENTION.match(word):
        raise InvalidInput(
            Text(
                "`{typed}` is a user group: roles are granted to one person at a time. "
                "To make a user group's members chairs, use `/ict-role chairs @user-group`.",
                typed=word,
            )
        )
    raise InvalidInput(
        Text(
            "`{typed}` is not a person in Slack: mention them, e.g. `/ict-role grant @jo.bloggs chair` "
            "(type @ and pick them from the list).",
            typed=word,
        )
    )


NAMING = role_commands.Naming(person="@person", read=parse_user)


def parse_role(word: str) -> Role:
    return role_commands.parse_role(word, NAMING)


def parse_usergroup(word: str) -> str | None:
    """A user group's ID from Slack's ``<!subteam^S123|@handle>`` or ``<!subteam^S123>``; None for ``none``."""
    if word.lower() == "none":
        return None
    m = GROUP_MENTION.match(word)
    if m:
        return m.group(1)
    if USER_MENTION.match(word):
        raise InvalidInput(
            Text(
                "`{typed}` is a person, not a user group. Grant a person the role with "
                "`/ict-role grant @person chair`.",
                typed=word,
            )
        )
    raise InvalidInput(
        Text(
            "`{typed}` is not a Slack user group: mention it, e.g. `/ict-role chairs @ict-chairs` "
            "(type @ and pick the group), or give `none`.",
            typed=word,
        )
    )


def _ict_role(command: dict[str, Any], respond: Respond, client: WebClient, context: BoltContext) -> None:
    rt = runtime_of(context)
    words = WORDS.findall(unescape_slack(command.get("text", "")))
    sub = words[0].lower() if words else "list"
    args = words[1:]
    if sub == "help" or sub not in SUBCOMMANDS:
        prefix = "" if sub == "help" else f"`{literal(words[0])}` is not an `/ict-role` sub-command.\n"
        answer(respond, prefix + render("role_help.mrkdwn.j2"))
        return
    # The answers are built from checked IDs and fixed text only (typed words appear in errors, which are escaped).
    if sub == "list":
        answer(respond, _listing(rt, client, command))
    elif sub == "chairs":
        answer(respond, _set_chairs(rt, client, command, args))
    else:
        message, dm = _grant_or_revoke(rt, client, command, sub, args)
        answer(respond, message)
        if dm is not None:
            tell(client, *dm)  # a direct message; the role is granted whether or not it arrives


def _listing(rt: Runtime, client: WebClient, command: dict[str, Any]) -> str:
    user_id, team_id = command["user_id"], team_of(command)
    now = rt.now()
    with rt.unit(team_id, team_name=team_name_of(command)) as (session, ws):
        admins = rt.settings.admins_for(ws.external_id)
        entries = roles.list_roles(session, ws, admins)
        group_id = ws.chair_usergroup_id
        mine = projects.list_projects(session, ws, user_id=user_id)
    group = read_group(client, rt.chair_groups, team_id, group_id, now) if group_id else None
    held = {e.role for e in entries if e.user_id == user_id}
    by_group = group is not None and user_id in group.members
    yours = role_commands.yours(user_id, held, mine, chair_by_group=by_group)
    return render(
        "roles.mrkdwn.j2",
        admins=[e for e in entries if e.role is Role.ADMIN],
        chairs=[e for e in entries if e.role is Role.CHAIR],
        group_id=group_id,
        group=group,
        group_hint=_group_hint(group),
        tz=rt.settings.timezone,
        yours=yours,
        person=_person,
    )


def _person(who: str) -> str:
    """Who granted a role: a mention, or where else it came from (``cli``: the command line)."""
    if re.fullmatch(r"[UW][A-Z0-9]{2,}", who):
        return f"<@{who}>"
    if who == "cli":
        return "`ictbot roles`"
    return literal(who)


def _group_hint(group: GroupRead | None) -> str:
    if group is None or group.error is None:
        return ""
    return GROUP_HINTS.get(group.error, "")


def _grant_or_revoke(
    rt: Runtime, client: WebClient, command: dict[str, Any], sub: str, args: list[str]
) -> tuple[str, tuple[str, str] | None]:
    """The answer for the admin, and (user, text) of a direct message to the person granted a role."""
    user_id, team_id = command["user_id"], team_of(command)
    now = rt.now()
    with rt.unit(team_id, team_name=team_name_of(command)) as (session, ws):
        admins = rt.settings.admins_for(ws.external_id)
        group_id = ws.chair_usergroup_id
        try:
            done = role_commands.grant_or_revoke(
                session, ws, sub, args, NAMING, actor=user_id, env_admins=admins, now=now
            )
        except roles.AdminBySetting as exc:
            raise NotAllowed(
                f"<@{exc.user_id}> is an admin through the ICTBOT_ADMINS setting, which `/ict-role` cannot change: "
                "whoever runs ictbot can take them out of it."
            ) from None
        except roles.LastAdmin as exc:
            raise NotAllowed(
                f"<@{exc.user_id}> is the last admin of this workspace (ICTBOT_ADMINS names none for it), so nobody "
                "could grant roles afterwards. Grant admin to someone else first (`/ict-role grant @person admin`)."
            ) from None
    target, role, revoked = done.target, done.role, done.changed
    if sub == "grant":
        if not done.changed:
            how = " through the ICTBOT_ADMINS setting" if done.by_setting else ""
            return f"<@{target}> already is {ROLE_WORDS[role]}{how}; nothing changed.", None
        dm = None if target == user_id else (target, _granted_dm(user_id, role))
        return f"<@{target}> is now {ROLE_WORDS[role]}: {SLACK(ROLE_POWERS[role])}.", dm
    in_group = bool(role is Role.CHAIR and group_id and target in _group_members(rt, client, team_id, group_id, now))
    if revoked:
        still = f" They are still a chair as a member of <!subteam^{group_id}>." if in_group else ""
        return f"<@{target}> is no longer {ROLE_WORDS[role]}.{still}", None
    if in_group:
        return (
            f"<@{target}> is a chair as a member of <!subteam^{group_id}>, not by a grant: take them out of the "
            "user group in Slack, or stop the group standing for the chairs with `/ict-role chairs none`.",
            None,
        )
    return f"<@{target}> is not {ROLE_WORDS[role]} by a grant; nothing changed.", None


def _group_members(rt: Runtime, client: WebClient, team_id: str, group_id: str, now: datetime) -> frozenset[str]:
    return read_group(client, rt.chair_groups, team_id, group_id, now).members


def _granted_dm(by: str, role: Role) -> str:
    return (
        f"<@{by}> made you {ROLE_WORDS[role]} for the ICT governance group: "
        f"{SLACK(ROLE_POWERS[role]).replace('they can', 'you can', 1)}. `/ict-role` shows who holds which role."
    )


def _set_chairs(rt: Runtime, client: WebClient, command: dict[str, Any], args: list[str]) -> str:
    user_id, team_id = command["user_id"], team_of(command)
    now = rt.now()
    with rt.unit(team_id, team_name=team_name_of(command)) as (session, ws):
        roles.require_admin(session, ws, user_id, rt.settings.admins_for(ws.external_id), "set the chairs' user group")
        if len(args) != 1:
            raise InvalidInput(CHAIRS_USAGE)
        group_id = parse_usergroup(args[0])
        if group_id is None:
            if not roles.set_chair_usergroup(ws, None):
                return "No user group stands for the chairs; nothing changed."
            return "No user group stands for the chairs any more; the chairs granted one by one remain chairs."
        group = read_group(client, rt.chair_groups, team_id, group_id, now, fresh=True)
        if group.error in GROUP_UNUSABLE:
            raise InvalidInput(
                f"I cannot use that user group ({group_id}) for the chairs: {GROUP_UNUSABLE[group.error]}. "
                "Nothing changed."
            )
        if not roles.set_chair_usergroup(ws, group_id):
            return f"The members of <!subteam^{group_id}> already are chairs; nothing changed."
    text = f"The members of <!subteam^{group_id}> are now chairs, as well as those granted chair one by one."
    if group.error is not None:
        hint = GROUP_HINTS.get(group.error, "I will ask again at the next check")
        return (
            f"{text} Slack did not say who is in the group just now (`{literal(group.error)}`): {hint}. "
            "Until it does, only the chairs granted one by one count."
        )
    count = len(group.members)
    members = f"{count} member{'s' if count != 1 else ''}"
    return f"{text} It has {members} at the moment; Slack is asked again every few minutes."


handle_ict_role = command_listener("/ict-role", _ict_role)
