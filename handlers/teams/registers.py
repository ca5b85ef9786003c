"""`decision …` and `action …` typed to the bot in Teams: the grammar and rules of `/ict-decision` and
`/ict-action` (:mod:`bot.services.registers`), their form cards (``decision`` and ``action add`` alone) and
the reminder's Mark done button. A Teams message cannot name a person by a mention the bot can read, so an
action's owner is ``me`` or their Entra object id (a GUID). Typed text goes on a card. A form's submission
is recorded by its card's id and values in the transaction that writes, so a double click writes once."""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from bot.errors import DomainError, InvalidInput
from bot.literal import literal
from bot.runtime import Runtime
from bot.services import deliveries, meetings, people, roles
from bot.services.registers import actions, grammar
from bot.services.registers.actions import ActionView, DecisionView
from bot.wording import Text
from handlers.teams import cards
from handlers.teams.cards.chase import ACTION_MARK_DONE
from handlers.teams.cards.pieces import Card
from handlers.teams.cards.registers import (
    ACTION_ACTION_SUBMIT,
    ACTION_DECISION_SUBMIT,
    ACTION_FIELDS,
    DECISION_FIELDS,
    action_form,
    decision_form,
)
from handlers.teams.deliveries import form_submission
from handlers.teams.identity import TeamsUser, key
from handlers.teams.unit import unit
from handlers.teams.wording import TEAMS
from models import Workspace
from models.db import row_id

__all__ = ["ACTION_HELP", "CARD_ACTIONS", "DECISION_HELP", "Answer", "handle", "mark_done", "submit"]

Answer = tuple[str | None, Card | None, str | None]  # TeamsReply's text, card, card_error
CARD_ACTIONS = (ACTION_DECISION_SUBMIT, ACTION_ACTION_SUBMIT, ACTION_MARK_DONE)
GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.IGNORECASE)
DECISION_HELP = (
    "**decision text [| project REF]** records a decision of the governance group against the meeting being "
    "held or most recently held (else the next one); **decision** alone opens a form; **decision list "
    "[YYYY-MM-DD]** lists a meeting's decisions. Recording is for a chair or an ICT admin."
)
ACTION_HELP = (
    "**action add OWNER YYYY-MM-DD text [| project REF]** gives an action (OWNER: **me** or the person's "
    "Entra object id; **action add** alone opens a form); **action done ID [note]** marks it done (its owner, "
    "a chair or an ICT admin); **action list [mine|open|overdue]** lists actions."
)
DAMAGED = {
    ACTION_DECISION_SUBMIT: "That form came back malformed, so nothing was recorded. Say “decision” for a new one.",
    ACTION_ACTION_SUBMIT: "That form came back malformed, so nothing was recorded. Say “action add” for a new one.",
    ACTION_MARK_DONE: "That button came back damaged, so nothing was marked done. Say “action done ID” instead.",
}
ALREADY_SENT = {
    ACTION_DECISION_SUBMIT: "That form was already sent: its decision was recorded once, the first time. "
    "Say **decision list** to see it.",
    ACTION_ACTION_SUBMIT: "That form was already sent: its action was given once, the first time. "
    "Say **action list open** to see it.",
}


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


def _who(session: Session, ws: Workspace, user_id: str) -> str:
    return literal(people.display(people.names(session, ws, [user_id]).get(user_id), user_id))


# -- typed -----------------------------------------------------------------------------------------


def handle(rt: Runtime, ws: Workspace, user: TeamsUser, command: str, rest: str, now: datetime) -> Card | str:
    """A card (typed text in it, or a form) or the bot's own words, for ``decision …`` or ``action …``."""
    first, *more = rest.split(maxsplit=1) or [""]
    sub, args = first.lower(), more[0] if more else ""
    if sub in ("help", "?"):
        return DECISION_HELP if command == "decision" else ACTION_HELP
    uid = key(user)
    with unit(rt, ws) as (session, current):
        if (command, sub, args.strip()) in (("decision", "", ""), ("action", "add", "")):
            return _form(rt, session, current, uid, command, now)
        shown = _decision(rt, session, current, uid, sub, args, rest, now) if command == "decision" else None
        if shown is None:
            shown = _action(rt, session, current, uid, sub or "list", args, now)
    return cards.notice_card(shown)


def _form(rt: Runtime, session: Session, ws: Workspace, uid: str, command: str, now: datetime) -> Card:
    """The decision or action form, for a chair or an admin, once there is a meeting to record against."""
    if command == "decision":
        _require_chair(rt, session, ws, uid, "record the group's decisions")
        return decision_form(actions.records_meeting(session, ws, now).local_start.date(), secrets.token_hex(8))
    _require_chair(rt, session, ws, uid, "give actions")
    return action_form(actions.records_meeting(session, ws, now).local_start.date(), secrets.token_hex(8))


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
    text, ref = grammar.split_project(typed)
    return _record(rt, session, ws, uid, text, ref, now)


def _record(rt: Runtime, session: Session, ws: Workspace, uid: str, text: str, ref: str | None, now: datetime) -> str:
    _require_chair(rt, session, ws, uid, "record the group's decisions")
    saved = actions.record_decision(session, ws, text, ref, uid, now)
    return f"Recorded *{saved.label}* for the meeting of {_day(saved.meeting_day)}: {literal(saved.text)}"


def _action(rt: Runtime, session: Session, ws: Workspace, uid: str, sub: str, args: str, now: datetime) -> str:
    if sub == "list":
        today = now.astimezone(meetings.workspace_timezone(session, ws)).date()
        which = grammar.parse_list(args)
        found = actions.list_actions(session, ws, which, uid, today)
        title = {"mine": "Your open actions", "open": "Open actions", "overdue": "Overdue actions"}[which]
        return f"*{title}* ({len(found)})\n" + "\n".join(_action_line(a, today) for a in found)
    if sub == "done":
        said = grammar.parse_done(args)
        result = actions.done(session, ws, said.action_id, uid, said.note, now, _chair(rt, session, ws, uid))
        return _done_said(session, ws, result)
    if sub != "add":
        raise InvalidInput(Text("Say `action add`, `action done`, `action list` or `action help`."))
    _require_chair(rt, session, ws, uid, "give actions")
    given = grammar.parse_add(args)
    return _give(session, ws, uid, _owner(given.owner, uid), given.due_on, given.text, given.project_ref, now)


def _owner(typed: str, uid: str) -> str:
    """``me`` (``uid``) or an Entra object id, as the services store it (lower case)."""
    if not typed.strip():
        raise InvalidInput("Say who the action is for: me, or their Teams user id.", field="owner")
    owner = uid if typed.strip().lower() == "me" else typed.strip().lower()
    if not GUID.match(owner):
        raise InvalidInput(
            Text("`{typed}` is not a person the bot can read: say `me` or their Entra object id.", typed=typed[:64]),
            field="owner",
        )
    return owner


def _give(
    session: Session, ws: Workspace, uid: str, owner: str, due_on: date, text: str, ref: str | None, now: datetime
) -> str:
    saved = actions.give_action(session, ws, owner, due_on, text, ref, uid, now)
    return (
        f"Gave *{saved.label}* to {_who(session, ws, saved.owner)} due {_day(saved.due_on)} at the meeting of "
        f"{_day(saved.meeting_day)}: {literal(saved.text)}"
    )


def _done_said(session: Session, ws: Workspace, result: actions.Done) -> str:
    a = result.action
    if not result.already:
        return f"✅ Marked *{a.label}* done: {literal(a.text)}"
    who = f" by {_who(session, ws, a.done_by)}" if a.done_by else ""
    tz = meetings.workspace_timezone(session, ws)
    when = f" on {_day(a.done_at.astimezone(tz).date())}" if a.done_at else ""
    return f"*{a.label}* was already marked done{who}{when}; nothing changed."


# -- cards' forms and buttons ----------------------------------------------------------------------


def submit(rt: Runtime, ws: Workspace, user: TeamsUser, action: str, data: Mapping[str, Any], now: datetime) -> Answer:
    """A decision or action form's submission (one of :data:`CARD_ACTIONS`), or a reminder's Mark done."""
    if action == ACTION_MARK_DONE:
        return None, mark_done(rt, ws, user, data, now), None
    values = _values(data, DECISION_FIELDS if action == ACTION_DECISION_SUBMIT else ACTION_FIELDS)
    submission = form_submission(ws.external_id, data.get("form"), {"action": action, **(values or {})})
    if values is None or submission is None:
        return None, None, DAMAGED[action]
    uid = key(user)
    try:
        with unit(rt, ws) as (session, current):
            # Recorded with what it writes, or not at all: a double click writes once, and a refused form
            # (nothing recorded) goes through once corrected.
            if not deliveries.admit_done(session, submission, now=now):
                return ALREADY_SENT[action], None, None
            if action == ACTION_DECISION_SUBMIT:
                shown = _record(rt, session, current, uid, values["text"], values["project"] or None, now)
            else:
                shown = _give_from_form(rt, session, current, uid, values, now)
    except DomainError as exc:
        error = cards.plain_message(TEAMS(exc.text))
        return None, _refilled(rt, ws, action, str(data["form"]), error, values, now), error
    return None, cards.notice_card(shown), None


def _values(data: Mapping[str, Any], fields: tuple[str, ...]) -> dict[str, str] | None:
    """The form's values (an input left empty is absent or empty); None when one is not text."""
    raw = {name: data.get(name) for name in fields}
    if any(v is not None and not isinstance(v, str) for v in raw.values()):
        return None
    return {name: (v or "").strip() for name, v in raw.items() if isinstance(v, str | None)}


def _give_from_form(
    rt: Runtime, session: Session, ws: Workspace, uid: str, values: Mapping[str, str], now: datetime
) -> str:
    _require_chair(rt, session, ws, uid, "give actions")
    owner = _owner(values["owner"], uid)
    if not values["due"]:
        raise InvalidInput("Choose the day the action is due.", field="due")
    due_on = meetings.parse_date(values["due"], "due date")
    return _give(session, ws, uid, owner, due_on, values["text"], values["project"] or None, now)


def _refilled(
    rt: Runtime, ws: Workspace, action: str, form_id: str, error: str, values: Mapping[str, str], now: datetime
) -> Card | None:
    """The form again, filled with what was sent and the error; None when there is no meeting to show."""
    try:
        with unit(rt, ws) as (session, current):
            day = actions.records_meeting(session, current, now).local_start.date()
    except DomainError:
        return None
    form = decision_form if action == ACTION_DECISION_SUBMIT else action_form
    return form(day, form_id, error=error, values=values)


def mark_done(rt: Runtime, ws: Workspace, user: TeamsUser, data: Mapping[str, Any], now: datetime) -> Card:
    """The reminder's Mark done button: the action (its id looked up in this workspace) done by its owner, a
    chair or an ICT admin; done already: said so, nothing written."""
    action_id = row_id(data.get("action_id"))
    if action_id is None:
        raise DomainError(DAMAGED[ACTION_MARK_DONE])
    uid = key(user)
    with unit(rt, ws) as (session, current):
        result = actions.done(session, current, action_id, uid, "", now, _chair(rt, session, current, uid))
        return cards.notice_card(_done_said(session, current, result))
