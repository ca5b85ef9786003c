"""The risk and issue form: opened by `/ict-risk add` (or `/ict-issue add`) with nothing after it, or by
`update ID` alone (filled in), and its submission checked (a refusal shown on its field, nothing written)
and stored as one change: raised, or updated."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from slack_bolt import Ack, BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.errors import DomainError, InvalidInput
from bot.runtime import Runtime
from bot.services import meetings
from bot.services.registers import raid
from bot.services.registers.raid import RaidView
from handlers.slack import dedupe
from handlers.slack.blocks.raid import RAID_MODAL, raid_modal, saved_text
from handlers.slack.blocks.rich_text import fallback_text
from handlers.slack.blocks.ui import message_blocks
from handlers.slack.chair_group import chair_group_lookup
from handlers.slack.context import runtime_of, user_of, workspace_unit
from handlers.slack.modal import TOO_SLOW, TRIGGER_GONE
from handlers.slack.people import SlackPeople
from handlers.slack.replies import tell
from handlers.slack.wording import SLACK
from models import Workspace
from models.db import row_id
from models.registers import RaidKind

__all__ = ["actor_of", "handle_raid_submission", "open_raid_modal", "records_its_delivery", "today_of"]

DAMAGED = "This form came back damaged, so nothing was saved. Open a new one with /ict-risk add or /ict-issue add."
FIELDS = ("target", "likelihood", "impact", "text", "owner", "review")


def actor_of(rt: Runtime, client: WebClient, ws: Workspace, user_id: str) -> raid.Actor:
    """Who is acting, with what the role services need to tell a chair or an admin."""
    chairs = chair_group_lookup(rt, client, ws.external_id)
    return raid.Actor(user_id, tuple(rt.settings.admins_for(ws.external_id)), chairs)


def today_of(rt: Runtime, session: Any, ws: Workspace) -> date:
    return rt.now().astimezone(meetings.workspace_timezone(session, ws, rt.settings.ICTBOT_TIMEZONE)).date()


def open_raid_modal(
    client: WebClient, trigger_id: str, kind: RaidKind, user_id: str, *, editing: RaidView | None, channel: str | None
) -> None:
    try:
        client.views_open(trigger_id=trigger_id, view=raid_modal(kind, user_id, editing=editing, channel=channel))
    except SlackApiError as exc:
        if exc.response.get("error") not in TRIGGER_GONE:
            raise
        raise DomainError(TOO_SLOW) from None


@dataclass(frozen=True, slots=True)
class _Form:
    kind: RaidKind
    item_id: int | None  # None: a new one
    channel: str | None
    present: frozenset[str]  # the form's input blocks, where an error can be shown
    target: str
    likelihood: int | None
    impact: int | None
    text: str
    owner: str | None
    review_on: date | None


def _value(values: dict[str, Any], block: str) -> Any:
    state = values.get(block, {}).get(block, {})
    for key in ("value", "selected_user", "selected_date"):
        if key in state:
            return state[key]
    chosen = state.get("selected_option")
    return chosen.get("value") if isinstance(chosen, dict) else None


def _read(view: dict[str, Any]) -> _Form:
    """The form's metadata and values; ValueError (or another lookup error) when it came back damaged,
    :class:`InvalidInput` (with its field) when a value is refused."""
    metadata = json.loads(view.get("private_metadata") or "{}")
    kind, item = RaidKind(metadata["kind"]), metadata.get("item")
    item_id = None if item is None else row_id(item)
    if item is not None and item_id is None:
        raise ValueError("not an item id")
    values = view["state"]["values"]
    got = {name: _value(values, name) for name in FIELDS}
    if any(v is not None and not isinstance(v, str) for v in got.values()):
        raise ValueError("a value that is not text")
    channel = metadata.get("channel") if isinstance(metadata.get("channel"), str) else None
    scale = {name: int(got[name][1:]) if got[name] else None for name in ("likelihood", "impact")}
    review = raid.parse_day(got["review"]) if got["review"] else None
    return _Form(
        kind, item_id, channel, frozenset(values), got["target"] or "", scale["likelihood"], scale["impact"],
        got["text"] or "", got["owner"] or None, review,
    )  # fmt: skip


def plain_text(message: str) -> str:
    """A message for a form's error line, which Slack shows as plain text: no code marks, no mentions."""
    return re.sub(r"\s*\((?:<@[UW][A-Z0-9]+>(?:, )?)+\)", "", message).replace("`", "")


def records_its_delivery(body: dict[str, Any]) -> bool:
    """The form's submission records its delivery in the transaction that stores the change, so that one
    refused (nothing recorded) goes through once corrected, and one sent twice is stored once."""
    view = body.get("view")
    return body.get("type") == "view_submission" and isinstance(view, dict) and view.get("callback_id") == RAID_MODAL


def _store(
    rt: Runtime, client: WebClient, body: dict[str, Any], form: _Form, context: BoltContext
) -> tuple[str, RaidView, date, int] | None:
    """The change stored, with what the answer needs; None for a form already stored (sent twice)."""
    user_id = user_of(body)
    with workspace_unit(rt, body) as (session, ws):
        actor, now = actor_of(rt, client, ws, user_id), rt.now()
        if not dedupe.act_on(session, context, now=now):
            return None
        if form.item_id is None:
            saved = raid.raise_item(
                session, ws, form.kind, form.target, form.text, actor=actor, now=now,
                likelihood=form.likelihood, impact=form.impact, owner=form.owner, review_on=form.review_on,
            )  # fmt: skip
        else:
            changes = raid.Changes(form.likelihood, form.impact, form.text, form.owner, form.review_on)
            saved = raid.update(session, ws, form.kind, form.item_id, changes, actor=actor, now=now)
        return ("Raised" if form.item_id is None else "Updated"), saved, today_of(rt, session, ws), ws.id


def handle_raid_submission(ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    """Store the form as one change (a refusal shown on its field, nothing written), close it, and say so."""
    rt = runtime_of(context)
    view = body.get("view") or {}
    try:
        form = _read(view)
    except InvalidInput as exc:
        ack(response_action="errors", errors={exc.field or "review": plain_text(SLACK(exc.text))})
        return
    except (ValueError, KeyError, TypeError, AttributeError):
        ack(response_action="errors", errors={"text": DAMAGED})
        return
    try:
        stored = _store(rt, client, body, form, context)
    except DomainError as exc:
        block = exc.field if exc.field in form.present else "text"
        ack(response_action="errors", errors={block: plain_text(SLACK(exc.text))})
        return
    ack()
    if stored is None:
        return
    verb, saved, today, ws_id = stored
    names = SlackPeople(rt).names(client, ws_id, [saved.owner])
    marked = saved_text(verb, saved, names, today)
    tell(client, user_of(body), fallback_text(marked), message_blocks(marked), channel=form.channel)
