"""`/ict-decision` and `/ict-action`: the decisions and actions of the governance meetings. A chair or an
ICT admin records decisions and gives actions; an action's owner (or a chair or admin) marks it done.

The rules and the grammar are :mod:`bot.services.registers` (shared with Teams); this reads the payload,
calls them and answers. With should_escape on (manifest.yml) `/ict-action`'s owner arrives as
``<@U123|name>``; `/ict-decision` gets the text as typed."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from slack_bolt import BoltContext, Respond
from slack_sdk import WebClient
from sqlalchemy.orm import Session

from bot.errors import InvalidInput
from bot.literal import literal
from bot.render.jinja import unescape_slack
from bot.runtime import Runtime
from bot.services import meetings, roles
from bot.services.registers import actions, grammar
from bot.services.registers.actions import ActionView, DecisionView
from bot.wording import Text
from handlers.slack.chair_group import chair_group_lookup, require_chair
from handlers.slack.context import runtime_of, workspace_unit
from handlers.slack.errors import command_listener
from handlers.slack.modal_registers import open_action_modal, open_decision_modal
from handlers.slack.replies import answer
from models import Workspace

__all__ = [
    "ACTION_SUBCOMMANDS",
    "DECISION_SUBCOMMANDS",
    "GIVE",
    "RECORD",
    "action_line",
    "decision_line",
    "handle_ict_action",
    "handle_ict_decision",
    "is_chair",
]

DECISION_SUBCOMMANDS = ("record", "list", "help")  # "record" is the text itself, or nothing (the form)
ACTION_SUBCOMMANDS = ("add", "done", "list", "help")
RECORD = "record the group's decisions"
GIVE = "give actions"
# A whole mention is one word, even with spaces in its label.
OWNER = re.compile(r"^\s*<@([UW][A-Z0-9]{2,})(?:\|[^<>]*)?>\s*")
DECISION_HELP = (
    "*`/ict-decision`* — the governance group's decisions, each recorded against the meeting being held or "
    "most recently held (else the next one):\n"
    "• `/ict-decision text [| project REF]` records a decision, e.g. "
    "`/ict-decision Adopt the cloud-first policy | project NET-01`.\n"
    "• `/ict-decision` alone opens a form.\n"
    "• `/ict-decision list [YYYY-MM-DD]` lists a meeting's decisions (by default, that meeting's).\n"
    "Recording is for a chair or an ICT admin."
)
ACTION_HELP = (
    "*`/ict-action`* — actions given at the governance meetings:\n"
    "• `/ict-action add @owner YYYY-MM-DD text [| project REF]` gives an action due on a day, e.g. "
    "`/ict-action add @jo 2026-12-01 Circulate the DR test plan | project NET-01`; "
    "`/ict-action add` alone opens a form.\n"
    "• `/ict-action done ID [note]` marks an action done (its owner, a chair or an ICT admin).\n"
    "• `/ict-action list [mine|open|overdue]` lists actions (by default, your open ones).\n"
    "Giving actions is for a chair or an ICT admin. Open actions go into their owner's reminder before each meeting."
)


def day(value: date) -> str:
    return f"{value:%-d %b %Y}"


def decision_line(d: DecisionView) -> str:
    project = f" (project `{literal(d.project_ref)}`)" if d.project_ref else ""
    return f"• *{d.label}* {literal(d.text)}{project} — recorded by <@{d.recorded_by}>"


def action_line(a: ActionView, today: date) -> str:
    project = f" (project `{literal(a.project_ref)}`)" if a.project_ref else ""
    if not a.is_open:
        state = f"done {day(a.done_at.date())}" if a.done_at else "done"
    else:
        state = f"due {day(a.due_on)}" + (" — *overdue*" if a.is_overdue(today) else "")
    return f"• *{a.label}* {literal(a.text)}{project} — <@{a.owner}>, {state}"


def is_chair(rt: Runtime, client: WebClient, session: Session, ws: Workspace, user_id: str) -> bool:
    return roles.is_chair_or_admin(
        session,
        ws,
        user_id,
        rt.settings.admins_for(ws.external_id),
        chair_group=chair_group_lookup(rt, client, ws.external_id),
    )


def _local_today(session: Session, ws: Workspace, now: datetime) -> date:
    return now.astimezone(meetings.workspace_timezone(session, ws)).date()


# -- /ict-decision ---------------------------------------------------------------------------------


def _ict_decision(command: dict[str, Any], respond: Respond, client: WebClient, context: BoltContext) -> None:
    rt = runtime_of(context)
    typed = unescape_slack(command.get("text", "")).strip()
    first, *more = typed.split(maxsplit=1) or [""]
    sub = first.lower()
    if sub in ("help", "?"):
        answer(respond, DECISION_HELP)
        return
    now, user_id = rt.now(), command["user_id"]
    with workspace_unit(rt, command) as (session, ws):
        if sub == "list":
            shown: str | date = _decisions(session, ws, more[0] if more else "", now)
        else:
            require_chair(rt, client, session, ws, user_id, RECORD)
            shown = _record(session, ws, typed, user_id, now)
    if isinstance(shown, date):  # no text: the form, for that meeting
        open_decision_modal(client, command["trigger_id"], shown, channel=command.get("channel_id"))
        return
    answer(respond, shown)


def _record(session: Session, ws: Workspace, typed: str, user_id: str, now: datetime) -> str | date:
    """The decision recorded, said; no text: the day of the meeting the form will record it for."""
    if not typed:
        return actions.records_meeting(session, ws, now).local_start.date()
    text, ref = grammar.split_project(typed)
    saved = actions.record_decision(session, ws, text, ref, user_id, now)
    return f":memo: Recorded *{saved.label}* for the meeting of {day(saved.meeting_day)}: {literal(saved.text)}"


def _decisions(session: Session, ws: Workspace, typed: str, now: datetime) -> str:
    if typed.strip():
        meeting_id = meetings.find_meeting(session, ws, meetings.parse_date(typed), now=now).id
    else:
        meeting_id = actions.records_meeting(session, ws, now).id
    found = actions.decisions_for(session, ws, meeting_id)
    if not found:
        return "No decisions are recorded for that meeting."
    return f"*Decisions of the meeting of {day(found[0].meeting_day)}*\n" + "\n".join(map(decision_line, found))


handle_ict_decision = command_listener("/ict-decision", _ict_decision)


# -- /ict-action -----------------------------------------------------------------------------------


def _ict_action(command: dict[str, Any], respond: Respond, client: WebClient, context: BoltContext) -> None:
    rt = runtime_of(context)
    typed = unescape_slack(command.get("text", "")).strip()
    first, *more = typed.split(maxsplit=1) or ["list"]
    sub, rest = first.lower(), more[0] if more else ""
    if sub in ("help", "?"):
        answer(respond, ACTION_HELP)
        return
    if sub not in ACTION_SUBCOMMANDS:
        answer(respond, f"`{literal(first[:40])}` is not an `/ict-action` sub-command.\n{ACTION_HELP}")
        return
    now, user_id = rt.now(), command["user_id"]
    with workspace_unit(rt, command) as (session, ws):
        if sub == "list":
            shown = _list(session, ws, user_id, grammar.parse_list(rest), now)
        elif sub == "done":
            shown = _done(rt, client, session, ws, user_id, rest, now)
        else:
            require_chair(rt, client, session, ws, user_id, GIVE)
            if not rest.strip():
                actions.records_meeting(session, ws, now)  # none: say how to set the series, not a form
                shown = ""
            else:
                shown = _add(session, ws, user_id, rest, now)
    if not shown:
        open_action_modal(client, command["trigger_id"], channel=command.get("channel_id"))
        return
    answer(respond, shown)


def _add(session: Session, ws: Workspace, user_id: str, rest: str, now: datetime) -> str:
    mention = OWNER.match(rest)
    if mention is None:
        raise InvalidInput(
            Text(
                "`{typed}` is not a person in Slack: mention the owner, e.g. "
                "`/ict-action add @jo.bloggs 2026-12-01 Circulate the plan` (type @ and pick them from the list).",
                typed=(rest.split() or [""])[0][:40],
            )
        )
    given = grammar.parse_add(f"{mention.group(1)} {rest[mention.end() :]}")
    saved = actions.give_action(session, ws, given.owner, given.due_on, given.text, given.project_ref, user_id, now)
    overdue = " (already overdue)" if saved.is_overdue(_local_today(session, ws, now)) else ""
    return (
        f":pushpin: Gave *{saved.label}* to <@{saved.owner}>, due {day(saved.due_on)}{overdue}, "
        f"at the meeting of {day(saved.meeting_day)}: {literal(saved.text)}"
    )


def _done(
    rt: Runtime, client: WebClient, session: Session, ws: Workspace, user_id: str, rest: str, now: datetime
) -> str:
    said = grammar.parse_done(rest)
    chair = is_chair(rt, client, session, ws, user_id)
    result = actions.done(session, ws, said.action_id, user_id, said.note, now, chair)
    return done_notice(result)


def done_notice(result: actions.Done) -> str:
    a = result.action
    if result.already:
        who = f" by <@{a.done_by}>" if a.done_by else ""
        when = f" on {day(a.done_at.date())}" if a.done_at else ""
        return f"*{a.label}* was already marked done{who}{when}; nothing changed."
    return f":white_check_mark: Marked *{a.label}* done: {literal(a.text)}"


def _list(session: Session, ws: Workspace, user_id: str, which: str, now: datetime) -> str:
    today = _local_today(session, ws, now)
    found = actions.list_actions(session, ws, which, user_id, today)
    title = {"mine": "Your open actions", "open": "Open actions", "overdue": "Overdue actions"}[which]
    if not found:
        return f"*{title}*: none."
    return f"*{title}* ({len(found)})\n" + "\n".join(action_line(a, today) for a in found)


handle_ict_action = command_listener("/ict-action", _ict_action)
