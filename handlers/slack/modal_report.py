"""The committee paper's narrative form: opened by `/ict-report narrative CODE` (no text) or a draft's
button, and its submission stored as a new revision of the period the form was opened for (the same
text sent twice by the same person is one revision)."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from slack_bolt import Ack, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.errors import DomainError
from bot.literal import literal
from bot.services import paper
from bot.services.paper import ReportPeriod, Section
from bot.services.paper import narrative as narrative_service
from bot.services.paper import settings as settings_service
from handlers.slack.blocks.report import MAX_INPUT, draft_message, narrative_modal
from handlers.slack.chair_group import require_chair
from handlers.slack.context import runtime_of, user_of, workspace_unit
from handlers.slack.errors import answering_errors
from handlers.slack.modal import TOO_SLOW, TRIGGER_GONE
from handlers.slack.people import SlackPeople
from handlers.slack.replies import respond_to, tell
from handlers.slack.wording import SLACK

__all__ = ["WRITE", "handle_narrative_button", "handle_narrative_submission", "open_narrative_modal", "saved_notice"]

WRITE = "write the committee paper"
DAMAGED = "This form came back damaged, so nothing was saved. Open a new one with /ict-report."


def open_narrative_modal(
    client: WebClient, trigger_id: str, where: Section, period: ReportPeriod, current: str, *, channel: str | None
) -> None:
    try:
        client.views_open(trigger_id=trigger_id, view=narrative_modal(where, period, current, channel=channel))
    except SlackApiError as exc:
        if exc.response.get("error") not in TRIGGER_GONE:
            raise
        raise DomainError(TOO_SLOW) from None


def saved_notice(where: Section, period: ReportPeriod, saved: paper.NarrativeView) -> str:
    if not saved.text:
        return f":memo: Withdrew the narrative on *{literal(where.label)}* for {period.label}."
    return f":memo: Saved the narrative on *{literal(where.label)}* for {period.label} (revision {saved.number})."


def handle_narrative_button(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, context: BoltContext, respond: Respond
) -> None:
    """A draft's "Write …"/"Edit …" button: the form for that section of the paper being written now,
    filled with its current text."""
    ack()
    with answering_errors(respond_to(respond, client, body), "the committee paper's narrative button"):
        rt = runtime_of(context)
        now, tz_name = rt.now(), rt.settings.ICTBOT_TIMEZONE
        with workspace_unit(rt, body) as (session, ws):
            require_chair(rt, client, session, ws, user_of(body), WRITE)
            where = narrative_service.section(session, ws, str(action.get("value") or ""))
            period = paper.period_being_written(session, ws, now=now, default_timezone=tz_name)
            current = narrative_service.current(session, ws, period.start).get(where.key)
        channel = (body.get("channel") or {}).get("id")
        open_narrative_modal(
            client, body["trigger_id"], where, period, current.text if current else "", channel=channel
        )


def handle_narrative_submission(ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    """Store the form's text as the section's new revision (a refusal shown on the form, nothing written),
    close the form, and show the writer the draft."""
    rt = runtime_of(context)
    view = body.get("view") or {}
    try:
        metadata = json.loads(view.get("private_metadata") or "{}")
        start = date.fromisoformat(str(metadata["period"]))
        key = str(metadata["section"])
        typed = view["state"]["values"].get("text", {}).get("text", {}).get("value")
        text = typed if isinstance(typed, str) else ""
    except (ValueError, KeyError, TypeError, AttributeError):
        ack(response_action="errors", errors={"text": DAMAGED})
        return
    if len(text) > MAX_INPUT:
        ack(response_action="errors", errors={"text": f"At most {MAX_INPUT:,} characters here."})
        return
    user_id = user_of(body)
    channel = metadata.get("channel") if isinstance(metadata.get("channel"), str) else None
    now = rt.now()
    try:
        with workspace_unit(rt, body) as (session, ws):
            ws_id = ws.id
            require_chair(rt, client, session, ws, user_id, WRITE)
            where = narrative_service.section(session, ws, key)
            period = paper.containing(start, settings_service.get(session, ws))
            if period.start != start:
                raise DomainError(DAMAGED)
            saved = narrative_service.write(session, ws, start, where, text, author=user_id, now=now)
            shown = paper.draft(session, ws, now=now, default_timezone=rt.settings.ICTBOT_TIMEZONE)
    except DomainError as exc:
        ack(response_action="errors", errors={"text": SLACK(exc.text).replace("`", "")})
        return
    ack()
    SlackPeople(rt).names(client, ws_id, [user_id])  # the draft names who wrote it
    fallback, blocks = draft_message(shown, notice=saved_notice(where, period, saved))
    tell(client, user_id, fallback, blocks, channel=channel)
