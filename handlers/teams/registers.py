"""`decision …` and `action …` typed to the bot in Teams: the grammar and rules of `/ict-decision` and
`/ict-action` (:mod:`bot.services.registers`). A Teams message cannot name a person by a mention the bot
can read, so an action's owner is ``me`` or their Entra object id (a GUID). Typed text goes on a card."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime

from sqlalchemy.orm import Session

from bot.errors import DomainError, InvalidInput
from bot.literal import literal
from bot.runtime import Runtime
from bot.services import meetings, roles
from bot.services.registers import actions, grammar
from bot.services.registers.actions import ActionView, DecisionView
from bot.wording import Text
from handlers.teams import cards
from handlers.teams.cards.pieces import Card
from handlers.teams.identity import TeamsUser, key
from models import Workspace

__all__ = ["ACTION_HELP", "DECISION_HELP", "handle"]

GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.IGNORECASE)
DECISION_HELP = (
    "**decision text [| project REF]** records a decision of the governance group against the meeting being "
    "held or most recently held (else the next one); **decision list [YYYY-MM-DD]** lists a meeting's decisions. "
    "Recording is for a chair or an ICT admin."
)
ACTION_HELP = (
    "**action add OWNER YYYY-MM-DD text [| project REF]** gives an action (OWNER: **me** or the person's "
    "Entra object id); **action done ID [note]** marks it done (its owner, a chair or an ICT admin); "
    "**action list [mine|open|overdue]** lists actions."
)


@contextmanager
def _unit(rt: Runtime, ws: Workspace) -> Iterator[tuple[Session, Workspace]]:
    with rt.sessions.begin() as session:
        current = session.get(Workspace, ws.id)
        if current is None:
            raise DomainError("This Teams tenant is not known to the bot any more; remove and add the app again.")
        yield session, current


def _chair(rt: Runtime, session: Session, ws: Workspace, uid: str) -> bool:
    return roles.is_chair_or_admin(session, ws, uid, rt.settings.admins_for(ws.external_id))


def _require_chair(rt: Runtime, session: Session, ws: Workspace, uid: str, what: str) -> None:
    roles.require_chair_or_admin(session, ws, uid, rt.settings.admins_for(ws.external_id), what)


def _day(value: date) -> str:
    return f"{value:%-d %b %Y}"


def _decision_line(d: DecisionView) -> str:
    project = f" (project `{literal(d.project_ref)}`)" if d.project_ref else ""
    return f"- *{d.label}* {literal(d.text)}{project}"


def _action_line(a: ActionView, today: date) -> str:
    project = f" (project `{literal(a.project_ref)}`)" if a.project_ref else ""
    overdue = " — *overdue*" if a.is_overdue(today) else ""
    return f"- *{a.label}* {literal(a.text)}{project} — due {_day(a.due_on)}{overdue}"


def handle(rt: Runtime, ws: Workspace, user: TeamsUser, command: str, rest: str, now: datetime) -> Card | str:
    """A card (typed text in it) or the bot's own words, for ``decision …`` or ``action …``."""
    first, *more = rest.split(maxsplit=1) or [""]
    sub, args = first.lower(), more[0] if more else ""
    if sub in ("help", "?"):
        return DECISION_HELP if command == "decision" else ACTION_HELP
    uid = key(user)
    with _unit(rt, ws) as (session, current):
        shown = _decision(rt, session, current, uid, sub, args, rest, now) if command == "decision" else None
        if shown is None:
            shown = _action(rt, session, current, uid, sub or "list", args, now)
    return cards.notice_card(shown)


def _decision(
    rt: Runtime, session: Session, ws: Workspace, uid: str, sub: str, args: str, typed: str, now: datetime
) -> str:
    if sub == "list":
        if args.strip():
            meeting_id = meetings.find_meeting(session, ws, meetings.parse_date(args), now=now).id
        else:
            meeting_id = actions.records_meeting(session, ws, now).id
        found = actions.decisions_for(session, ws, meeting_id)
        if not found:
            return "No decisions are recorded for that meeting."
        return f"*Decisions of the meeting of {_day(found[0].meeting_day)}*\n" + "\n".join(map(_decision_line, found))
    _require_chair(rt, session, ws, uid, "record the group's decisions")
    text, ref = grammar.split_project(typed)
    saved = actions.record_decision(session, ws, text, ref, uid, now)
    return f"Recorded *{saved.label}* for the meeting of {_day(saved.meeting_day)}: {literal(saved.text)}"


def _action(rt: Runtime, session: Session, ws: Workspace, uid: str, sub: str, args: str, now: datetime) -> str:
    today = now.astimezone(meetings.workspace_timezone(session, ws)).date()
    if sub == "list":
        which = grammar.parse_list(args)
        found = actions.list_actions(session, ws, which, uid, today)
        title = {"mine": "Your open actions", "open": "Open actions", "overdue": "Overdue actions"}[which]
        return f"*{title}* ({len(found)})\n" + "\n".join(_action_line(a, today) for a in found)
    if sub == "done":
        said = grammar.parse_done(args)
        result = actions.done(session, ws, said.action_id, uid, said.note, now, _chair(rt, session, ws, uid))
        if result.already:
            return f"*{result.action.label}* was already marked done; nothing changed."
        return f"Marked *{result.action.label}* done: {literal(result.action.text)}"
    if sub != "add":
        raise InvalidInput(Text("Say `action add`, `action done`, `action list` or `action help`."))
    _require_chair(rt, session, ws, uid, "give actions")
    given = grammar.parse_add(args)
    owner = uid if given.owner.lower() == "me" else given.owner.lower()
    if not GUID.match(owner):
        raise InvalidInput(
            Text("`{typed}` is not a person the bot can read: say `me` or their Entra object id.", typed=given.owner)
        )
    saved = actions.give_action(session, ws, owner, given.due_on, given.text, given.project_ref, uid, now)
    return (
        f"Gave *{saved.label}* due {_day(saved.due_on)} at the meeting of {_day(saved.meeting_day)}: "
        f"{literal(saved.text)}"
    )
