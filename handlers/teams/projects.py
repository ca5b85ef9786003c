"""`project …` typed to the bot in Teams: the sub-commands and rules of Slack's `/ict-project`
(:mod:`bot.services.project_commands`). Anyone lists the Work Plan; ICT admins add, reassign, close,
complete and reopen projects. A person is ``me`` or their Entra object id
(:func:`handlers.teams.identity.read_person`). Typed text is shown on a card, as it is.
"""

from __future__ import annotations

from datetime import datetime

from bot.literal import literal
from bot.runtime import Runtime
from bot.services import people, projects, roles
from bot.services import strategy as strategy_service
from bot.services.project_commands import SUBCOMMANDS, Changed, Naming, apply, change_name, lists_closed
from handlers.teams import cards
from handlers.teams.cards.pieces import Card
from handlers.teams.cards.workplan import work_plan_cards
from handlers.teams.identity import WORDS, TeamsUser, key, read_person
from handlers.teams.unit import unit
from models import Workspace

__all__ = ["SUBCOMMANDS", "project_command"]

HELP = (
    "*Keep the ICT Work Plan* (`add`, `reassign`, `close`, `complete` and `reopen` are for ICT admins)\n"
    "• `project list`: open projects by priority; `project list all` includes closed ones.\n"
    "• `project add REF PRIORITY OWNER Title of the project`, e.g. `project add NET-02 ARCH me Wi-Fi refresh`. "
    "PRIORITY is a code or name: {priorities}.\n"
    "• `project reassign REF NEW-OWNER`\n"
    "• `project close REF`: stop tracking it; `project complete REF`: mark it delivered. Either way it takes no "
    "more updates.\n"
    "• `project reopen REF`: make a closed or complete project active again.\n"
    "OWNER is `me` or the person's Entra object id (a GUID: `ictbot people list` shows them); an @mention "
    "does not tell me who they are in the Work Plan. To load many projects at once, an admin runs "
    "`ictbot projects import FILE.csv`."
)


def project_command(rt: Runtime, ws: Workspace, user: TeamsUser, rest: str, now: datetime) -> list[Card]:
    """The cards that answer ``project …`` (``rest``: what follows the word). Domain errors are raised."""
    words = WORDS.findall(rest)
    sub = words[0].lower() if words else "help"
    args = words[1:]
    uid = key(user)
    with unit(rt, ws) as (session, current):
        strategy = strategy_service.active(session, current)
        if sub == "help" or sub not in SUBCOMMANDS:
            prefix = "" if sub == "help" else f"“{literal(words[0][:40])}” is not a project command.\n"
            help_text = HELP.format(priorities=literal(strategy_service.priority_choices(strategy)))
            return [cards.notice_card(prefix + help_text)]
        if sub == "list":
            include_closed = lists_closed(args)
            views = projects.list_projects(session, current, include_closed=include_closed)
            names = people.names(session, current, (v.owner for v in views))
            groups = projects.group_by_priority(views)
            return work_plan_cards(groups, strategy_name=strategy.name, include_closed=include_closed, names=names)
        roles.require_admin(session, current, uid, rt.settings.admins_for(current.external_id), change_name(sub))
        naming = Naming(
            owner="OWNER", new_owner="NEW-OWNER", example="me", read=lambda typed, what: read_person(typed, uid, what)
        )
        done = apply(session, current, sub, args, naming, actor=uid, now=now, tz=rt.settings.timezone)
        known = people.names(session, current, [done.owner, done.previous_owner or ""])
    return [cards.notice_card(_said(done, known))]


def _said(done: Changed, known: dict[str, str]) -> str:
    """What a change did, in the bot's words, what was typed marked literal (for a notice card)."""
    project = f"`{literal(done.ref)}` {literal(done.title)}"
    owner = literal(people.display(known.get(done.owner), done.owner))
    if done.sub == "add":
        under = literal(done.priority_name) if done.priority_name else "no priority"
        return f"Added {project} under {under}, owned by {owner}."
    if done.sub == "reassign":
        previous = literal(people.display(known.get(done.previous_owner or ""), done.previous_owner or ""))
        return f"{project} now belongs to {owner} (was {previous})."
    if done.sub == "reopen":
        return f"{project} is open again: it takes updates and is chased for them."
    verb = "closed: it is no longer chased for updates" if done.sub == "close" else "marked complete"
    return f"{project} is {verb}."
