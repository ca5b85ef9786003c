"""`/ict-risk` and `/ict-issue`: the governance group's risks and issues, each on a project or a priority.
Anyone lists them; a project's owner or delegate (any project: a chair or an admin) raises them; the
owner, whoever raised it, a chair or an admin changes or closes one. The grammar is
:mod:`bot.services.registers.raid_commands`', shared with Teams; with `add` alone, a form opens."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from slack_bolt import BoltContext, Respond
from slack_sdk import WebClient
from sqlalchemy.orm import Session

from bot.errors import InvalidInput
from bot.literal import literal
from bot.render.jinja import unescape_slack
from bot.runtime import Runtime
from bot.services import meetings
from bot.services.registers import raid
from bot.services.registers import raid_commands as grammar
from bot.services.registers.raid import RaidView, RevisionView
from handlers.slack.blocks.raid import history_text, list_text, people_of, saved_text
from handlers.slack.commands.ict_project import parse_user
from handlers.slack.context import runtime_of, workspace_unit
from handlers.slack.errors import command_listener
from handlers.slack.modal_raid import actor_of, open_raid_modal, today_of
from handlers.slack.people import SlackPeople
from handlers.slack.replies import answer
from models import Workspace
from models.registers import RaidKind

__all__ = ["HELP", "handle_ict_issue", "handle_ict_risk"]

COMMANDS = {RaidKind.RISK: "/ict-risk", RaidKind.ISSUE: "/ict-issue"}
HELP = {
    RaidKind.RISK: (
        "*`/ict-risk`* — the governance group's risks, each on a project or a priority:\n"
        "• `/ict-risk add REF L I text | owner @person | review YYYY-MM-DD` raises a risk on a project (its ref) "
        "or a priority (its code), e.g. `/ict-risk add NET-01 4 5 Core switch may fail | review 2027-01-31`. "
        "L is the likelihood and I the impact, each 1–5; the score is L×I and 15 or more is *high*. The owner "
        "is you unless you name one. `/ict-risk add` alone opens a form.\n"
        "• `/ict-risk list` (or `list REF`, `list mine`, `list high`): the open risks, highest score first.\n"
        "• `/ict-risk update ID L I new text | owner @person | review YYYY-MM-DD`: every part after the ID is "
        "optional, e.g. `/ict-risk update R12 4 5 | review 2027-01-31`; `update R12` alone opens the form.\n"
        "• `/ict-risk close ID note` closes one; `/ict-risk history ID` shows every change, who and when.\n"
        "A project's owner or delegate raises risks on it; on a priority, the chair or an ICT admin. A risk's "
        "owner, whoever raised it, the chair and ICT admins change or close it."
    ),
    RaidKind.ISSUE: (
        "*`/ict-issue`* — the governance group's issues (what has gone wrong), each on a project or a priority:\n"
        "• `/ict-issue add REF text | owner @person` raises one, e.g. `/ict-issue add EFORM-01 Payments page "
        "down since Monday`; `/ict-issue add` alone opens a form.\n"
        "• `/ict-issue list` (or `list REF`, `list mine`): the open issues.\n"
        "• `/ict-issue update ID new text | owner @person` (`update I7` alone opens the form).\n"
        "• `/ict-issue close ID note` closes one; `/ict-issue history ID` shows every change, who and when.\n"
        "Who may raise, change and close issues is as for risks (`/ict-risk help`)."
    ),
}


def _owner(typed: str) -> str:
    return parse_user(typed, "owner")


def _work(kind: RaidKind) -> Callable[[dict[str, Any], Respond, WebClient, BoltContext], None]:
    cmd = COMMANDS[kind]

    def work(command: dict[str, Any], respond: Respond, client: WebClient, context: BoltContext) -> None:
        rt = runtime_of(context)
        typed = unescape_slack(command.get("text", "")).strip()
        first, *more = typed.split(maxsplit=1) or ["list"]
        sub, rest = first.lower(), more[0].strip() if more else ""
        if sub not in grammar.SUBCOMMANDS or sub == "help":
            prefix = "" if sub == "help" else f"`{literal(sub[:40])}` is not a `{cmd}` sub-command.\n"
            answer(respond, prefix + HELP[kind])
            return
        user_id, channel = command["user_id"], command.get("channel_id")
        if sub == "add" and not rest:
            open_raid_modal(client, command["trigger_id"], kind, user_id, editing=None, channel=channel)
            return
        with workspace_unit(rt, command) as (session, ws):
            ws_id = ws.id
            done = _do(rt, client, session, ws, kind, sub, rest, user_id)
            today, tz = today_of(rt, session, ws), meetings.workspace_timezone(session, ws, rt.settings.ICTBOT_TIMEZONE)
        if done.form and done.item is not None:  # `update ID` alone: the form, filled in
            open_raid_modal(client, command["trigger_id"], kind, user_id, editing=done.item, channel=channel)
            return
        shown: list[RaidView | RevisionView] = [*done.listed, *done.revisions, *([done.item] if done.item else [])]
        names = SlackPeople(rt).names(client, ws_id, people_of(shown))
        if done.item is not None and sub == "history":
            answer(respond, history_text(done.item, done.revisions, names, tz))
        elif done.item is not None:
            answer(respond, saved_text(done.verb, done.item, names, today))
        else:
            answer(respond, list_text(kind, done.listed, names, today, done.heading))

    return work


@dataclass(frozen=True, slots=True)
class Done:
    """What a sub-command did: ``item`` raised, changed or closed (``verb``), or shown with its ``revisions``,
    or to open the form on (``form``); or the items ``listed`` under ``heading``."""

    item: RaidView | None = None
    verb: str = ""
    form: bool = False
    revisions: list[RevisionView] = field(default_factory=list)
    listed: list[RaidView] = field(default_factory=list)
    heading: str = ""


def _do(
    rt: Runtime, client: WebClient, session: Session, ws: Workspace, kind: RaidKind, sub: str, rest: str, user_id: str
) -> Done:
    """What ``sub`` does: the item raised, changed or closed (or, for ``update ID`` alone, the one the form
    opens on); for ``history``, the item and its revisions; for ``list``, what is listed and the items."""
    cmd, now = COMMANDS[kind], rt.now()
    actor = actor_of(rt, client, ws, user_id)
    if sub == "list":
        return _listed(session, ws, kind, rest, user_id)
    if sub == "history":
        found = grammar.item_id(kind, rest.split()[0]) if rest else None
        if found is None:
            raise InvalidInput(grammar.usage(kind, "history", cmd))
        return Done(raid.get(session, ws, kind, found), revisions=raid.history(session, ws, kind, found))
    if sub == "close":
        found, note = grammar.parse_close(kind, rest, cmd)
        return Done(raid.close(session, ws, kind, found, note, actor=actor, now=now), "Closed")
    if sub == "add":
        f = grammar.parse_add(kind, rest, _owner, cmd)
        raised = raid.raise_item(
            session, ws, kind, f.target, f.text, actor=actor, now=now,
            likelihood=f.likelihood, impact=f.impact, owner=f.owner, review_on=f.review_on,
        )  # fmt: skip
        return Done(raised, "Raised")
    form = grammar.parse_update(kind, rest, _owner, cmd)
    if form.changes.empty():
        return Done(raid.editable(session, ws, kind, form.item_id, actor=actor), form=True)
    return Done(raid.update(session, ws, kind, form.item_id, form.changes, actor=actor, now=now), "Updated")


def _listed(session: Session, ws: Workspace, kind: RaidKind, rest: str, user_id: str) -> Done:
    word = rest.split()[0] if rest else ""
    if not word:
        return Done(listed=raid.list_items(session, ws, kind), heading="in this workspace")
    if word.lower() == "mine":
        return Done(listed=raid.list_items(session, ws, kind, owner=user_id), heading="that you own")
    if word.lower() == "high" and kind == RaidKind.RISK:
        return Done(listed=raid.high(session, ws), heading=f"scoring {raid.HIGH} or more")
    target = raid.resolve_target(session, ws, word)
    return Done(listed=raid.list_items(session, ws, kind, target=target), heading=f"on {literal(target.ref)}")


handle_ict_risk = command_listener("/ict-risk", _work(RaidKind.RISK))
handle_ict_issue = command_listener("/ict-issue", _work(RaidKind.ISSUE))
