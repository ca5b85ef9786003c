"""The assurance reminder's Record result button and its form: the outcome (pass, fail, partial), a note
and an evidence link, recorded against the occurrence the reminder was for. Only the obligation's owner,
a chair or an ICT admin may record; another workspace's obligation is not found."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from slack_bolt import Ack, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.errors import DomainError
from bot.literal import literal
from bot.services.assurance import results
from handlers.slack.chair_group import chair_group_lookup
from handlers.slack.commands.ict_assurance import recorded_text
from handlers.slack.context import runtime_of, user_of, workspace_unit
from handlers.slack.errors import answering_errors
from handlers.slack.modal import TOO_SLOW, TRIGGER_GONE
from handlers.slack.replies import respond_to, tell
from handlers.slack.wording import SLACK

__all__ = ["ASSURANCE_MODAL", "assurance_modal", "handle_assurance_submission", "handle_record_result_button"]

ASSURANCE_MODAL = "assurance_result"
DAMAGED = "This form came back damaged, so nothing was recorded. Use /ict-assurance record instead."
OUTCOMES = (("pass", "Pass"), ("fail", "Fail"), ("partial", "Partial"))


def _value(raw: str) -> tuple[int, date]:
    data = json.loads(raw)
    return int(data["o"]), date.fromisoformat(str(data["d"]))


def assurance_modal(code: str, name: str, occurrence: date, obligation_id: int) -> dict[str, Any]:
    options = [{"text": {"type": "plain_text", "text": t}, "value": v} for v, t in OUTCOMES]

    def text_input(block: str, label: str, *, multiline: bool, limit: int) -> dict[str, Any]:
        element = {"type": "plain_text_input", "action_id": block, "multiline": multiline, "max_length": limit}
        return {"type": "input", "block_id": block, "optional": True, "label": _plain(label), "element": element}

    return {
        "type": "modal",
        "callback_id": ASSURANCE_MODAL,
        "private_metadata": json.dumps({"o": obligation_id, "d": occurrence.isoformat()}),
        "title": _plain("Record result"),
        "submit": _plain("Record"),
        "close": _plain("Cancel"),
        "blocks": [
            {
                "type": "section",
                "text": {"type": "mrkdwn", "text": f"*{literal(code)}* {literal(name)}, due {occurrence:%d %b %Y}"},
            },
            {
                "type": "input",
                "block_id": "outcome",
                "label": _plain("Result"),
                "element": {"type": "static_select", "action_id": "outcome", "options": options},
            },
            text_input("note", "Note", multiline=True, limit=results.MAX_NOTE),
            text_input("url", "Evidence link (http or https)", multiline=False, limit=results.MAX_URL),
        ],
    }


def _plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text}


def handle_record_result_button(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, context: BoltContext, respond: Respond
) -> None:
    """The reminder's Record result button: the form, for the obligation's occurrence, if the person may."""
    ack()
    with answering_errors(respond_to(respond, client, body), "the Record result button"):
        rt = runtime_of(context)
        try:
            obligation_id, occurrence = _value(str(action.get("value") or ""))
        except (ValueError, KeyError, TypeError):
            raise DomainError(DAMAGED) from None
        user_id = user_of(body)
        with workspace_unit(rt, body) as (session, ws):
            o = results.get(session, ws, obligation_id)
            env_admins = rt.settings.admins_for(ws.external_id)
            if not results.may_record(
                session,
                ws,
                o,
                user_id,
                env_admins=env_admins,
                chair_group=chair_group_lookup(rt, client, ws.external_id),
            ):
                raise DomainError("Only the obligation's owner, the chair or an ICT admin can record its result.")
            view = assurance_modal(o.code, o.name, occurrence, o.id)
        try:
            client.views_open(trigger_id=body["trigger_id"], view=view)
        except SlackApiError as exc:
            if exc.response.get("error") not in TRIGGER_GONE:
                raise
            raise DomainError(TOO_SLOW) from None


def _submitted(view: dict[str, Any]) -> tuple[int, date, str, str, str]:
    obligation_id, occurrence = _value(view.get("private_metadata") or "{}")
    values = view["state"]["values"]
    chosen = (values.get("outcome", {}).get("outcome", {}).get("selected_option") or {}).get("value")
    note = values.get("note", {}).get("note", {}).get("value") or ""
    url = values.get("url", {}).get("url", {}).get("value") or ""
    if not isinstance(chosen, str) or not isinstance(note, str) or not isinstance(url, str):
        raise ValueError("malformed")
    return obligation_id, occurrence, chosen, note, url


def handle_assurance_submission(ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    """Record the form's result (a refusal shown on the form, nothing written), and say so."""
    rt = runtime_of(context)
    try:
        obligation_id, occurrence, chosen, note, url = _submitted(body.get("view") or {})
    except (ValueError, KeyError, TypeError, AttributeError):
        ack(response_action="errors", errors={"outcome": DAMAGED})
        return
    user_id = user_of(body)
    try:
        with workspace_unit(rt, body) as (session, ws):
            o = results.get(session, ws, obligation_id)
            done = results.record_for(
                session,
                ws,
                o,
                chosen,
                note,
                url,
                user_id,
                rt.now(),
                occurrence=occurrence,
                env_admins=rt.settings.admins_for(ws.external_id),
                chair_group=chair_group_lookup(rt, client, ws.external_id),
                default_timezone=rt.settings.ICTBOT_TIMEZONE,
            )
    except DomainError as exc:
        ack(
            response_action="errors", errors={exc.field if exc.field in ("note", "url") else "outcome": SLACK(exc.text)}
        )
        return
    ack()
    tell(client, user_id, recorded_text(done).replace("*", ""), None)
