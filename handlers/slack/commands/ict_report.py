"""`/ict-report`: the committee paper being written. Anyone sees the draft; a chair or an ICT admin
writes its narrative (`narrative CODE text`, `position text`, or a form for a long text) and signs it off.

The periods, narrative and sign-off are :mod:`bot.services.paper`'s, shared with Teams and the CLI
(`ictbot report` makes the Word paper)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from slack_bolt import BoltContext, Respond
from slack_sdk import WebClient
from sqlalchemy.orm import Session

from bot.literal import literal
from bot.render.jinja import unescape_slack
from bot.services import paper
from bot.services.paper import ReportPeriod, Section
from bot.services.paper import narrative as narrative_service
from handlers.slack.blocks.report import draft_message
from handlers.slack.chair_group import require_chair
from handlers.slack.context import runtime_of, workspace_unit
from handlers.slack.errors import command_listener
from handlers.slack.modal_report import WRITE, open_narrative_modal, saved_notice
from handlers.slack.people import SlackPeople
from handlers.slack.replies import answer
from models import Workspace

HELP = (
    "*`/ict-report`* — the committee paper being written for the Audit Committee:\n"
    "• `/ict-report` shows the draft: the period, which sections have narrative, who has not updated, sign-off.\n"
    "• `/ict-report narrative CODE text` writes a priority's narrative (CODE: its code or name); "
    "`/ict-report narrative CODE` alone opens a form for a longer text.\n"
    "• `/ict-report position text` writes the overall position (`/ict-report position` alone: the form).\n"
    "• `/ict-report signoff` approves the paper as it stands.\n"
    "Writing and signing off are for a chair or an ICT admin. Blank lines start new paragraphs; empty text "
    "withdraws a section's narrative, and every revision is kept. `ictbot report` makes the Word paper."
)
SUBCOMMANDS = ("draft", "narrative", "position", "signoff", "help")


def _ict_report(command: dict[str, Any], respond: Respond, client: WebClient, context: BoltContext) -> None:
    rt = runtime_of(context)
    typed = unescape_slack(command.get("text", "")).strip()
    first, *more = typed.split(maxsplit=1) or ["draft"]
    sub, rest = first.lower(), more[0] if more else ""  # ``rest`` keeps its line breaks: paragraphs
    if sub not in SUBCOMMANDS:
        answer(respond, f"`{literal(sub)}` is not an `/ict-report` sub-command.\n{HELP}")
        return
    if sub == "help":
        answer(respond, HELP)
        return
    now, tz_name, user_id = rt.now(), rt.settings.ICTBOT_TIMEZONE, command["user_id"]
    with workspace_unit(rt, command) as (session, ws):
        ws_id = ws.id
        if sub != "draft":
            require_chair(rt, client, session, ws, user_id, WRITE)
        done = _change(session, ws, sub, rest.strip(), user_id, now, tz_name)
        if not isinstance(done, tuple):
            shown = paper.draft(session, ws, now=now, default_timezone=tz_name)
    if isinstance(done, tuple):  # no text: the form, filled with the current one
        open_narrative_modal(client, command["trigger_id"], *done, channel=command.get("channel_id"))
        return
    if sub != "draft":
        SlackPeople(rt).names(client, ws_id, [user_id])  # the draft and paper name who wrote or approved it
    text, blocks = draft_message(shown, notice=done)
    respond(text=text, blocks=blocks, response_type="ephemeral", replace_original=False)


def _change(
    session: Session, ws: Workspace, sub: str, words: str, user_id: str, now: datetime, tz_name: str
) -> str | tuple[Section, ReportPeriod, str]:
    """What ``sub`` does to the paper, said as a notice for the draft; or, for a narrative without text, what
    its form needs (the section, the period, the current text)."""
    if sub == "draft":
        return ""
    if sub == "signoff":
        signed = paper.sign_off(session, ws, user_id=user_id, now=now, default_timezone=tz_name)
        assert signed.period is not None
        return f":white_check_mark: You approved the committee paper for {signed.period.label}."
    if sub == "position":
        where, body = narrative_service.section(session, ws, "position"), words
    else:
        where, body = narrative_service.split(session, ws, words)
    if not body:
        period = paper.period_being_written(session, ws, now=now, default_timezone=tz_name)
        current = narrative_service.current(session, ws, period.start).get(where.key)
        return where, period, current.text if current else ""
    _, saved, period = paper.write_narrative(
        session, ws, where.key, body, author=user_id, now=now, default_timezone=tz_name
    )
    return saved_notice(where, period, saved)


handle_ict_report = command_listener("/ict-report", _ict_report)
