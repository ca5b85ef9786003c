"""The App Home tab: ``app_home_opened`` publishes it, and its buttons act.

*Post update* opens the update form and *No change this month* carries the last RAG forward, as the
reminder's buttons do (the same services); a chair's *Post digest* posts it in the governance channel as
``/ict-digest`` does, and *Preview reminders* shows who would be reminded now, as ``ictbot reminders
preview`` does. A Home button has no response_url: answers and refusals open a small modal instead.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.models.views import View
from slack_sdk.webhook import WebhookResponse

from bot.errors import DomainError
from bot.literal import literal
from bot.render.jinja import local_time
from bot.services import digest as digest_service
from bot.services import meetings, reminders
from handlers.slack.actions.reminder_buttons import carried_forward, carry_forward
from handlers.slack.blocks.digest import people_in
from handlers.slack.blocks.home import (
    HOME_FIRST,
    HOME_MORE,
    HOME_NO_CHANGE,
    HOME_POST_DIGEST,
    HOME_POST_UPDATE,
    HOME_PREVIEW_REMINDERS,
    SECTIONS,
)
from handlers.slack.blocks.rich_text import rich_block_dicts
from handlers.slack.chair_group import chair_group_lookup, require_chair
from handlers.slack.client import slack_error
from handlers.slack.context import runtime_of, team_of, user_of, workspace_unit
from handlers.slack.delivery.digest import NOT_IN_CHANNEL, post_digest
from handlers.slack.errors import answering_errors
from handlers.slack.home_publish import after_digest, after_update, publish
from handlers.slack.modal import open_update_modal
from handlers.slack.people import SlackPeople
from handlers.slack.replies import answer
from models import UpdateSource

__all__ = ["register"]

log = logging.getLogger(__name__)

NO_CHANNEL = "There is no governance channel to post the digest in: set one with `/ict-meeting channel #channel`."
DAMAGED = "That button's value is not one this app made; open Home again."


class ModalAnswer(Respond):
    """``respond`` for a Home button (which comes with no response_url): the answer opens a modal."""

    def __init__(self, client: WebClient, trigger_id: str, title: str = "ICT governance") -> None:
        super().__init__(response_url=None)
        self.client, self.trigger_id, self.title = client, trigger_id, title

    def __call__(  # type: ignore[override]  # Respond's parameters; None: no webhook was called
        self, text: str | dict[str, Any] = "", blocks: Any = None, *args: Any, **kwargs: Any
    ) -> WebhookResponse | None:
        shown = list(blocks) if blocks else rich_block_dicts(str(text))
        view = View(type="modal", title=self.title, close="Close", blocks=shown).to_dict()
        try:
            self.client.views_open(trigger_id=self.trigger_id, view=view)
        except (SlackClientError, OSError) as exc:
            log.warning("could not show a Home answer: %s", slack_error(exc))
        return None


def _value(action: dict[str, Any]) -> dict[str, Any]:
    try:
        value = json.loads(action.get("value") or "")
    except ValueError:
        value = None
    if not isinstance(value, dict):
        raise DomainError(DAMAGED)
    return value


def _int(value: dict[str, Any], key: str) -> int:
    found = value.get(key)
    if not isinstance(found, int) or isinstance(found, bool):
        raise DomainError(DAMAGED)
    return found


def home_opened(event: dict[str, Any], body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    """Someone opened the app: their Home, fresh (unless published less than a minute ago)."""
    if event.get("tab") != "home":
        return
    rt = runtime_of(context)
    team_id = context.team_id or team_of(body)
    user_id = str(event.get("user") or "")
    if not user_id:
        return
    publish(rt, client, team_id, user_id, changed=False, chair_group=chair_group_lookup(rt, client, team_id))


def post_update(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    ack()
    with answering_errors(ModalAnswer(client, body["trigger_id"]), "Home's Post update button"):
        open_update_modal(
            runtime_of(context),
            client,
            body,
            trigger_id=body["trigger_id"],
            metadata={"src": UpdateSource.MODAL.value},
            selected_id=_int(_value(action), "p"),
        )


def no_change(ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    ack()
    respond = ModalAnswer(client, body["trigger_id"])
    with answering_errors(respond, "Home's No change button"):
        value = _value(action)
        rt = runtime_of(context)
        result = carry_forward(rt, body, _int(value, "p"), _int(value, "m"))
        answer(respond, f"{carried_forward(result)} Your Home shows it within a minute.")
        after_update(rt, client, team_of(body), result)


def more(ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    """A page of one of Home's lists: asked for, so published at once."""
    ack()
    with answering_errors(ModalAnswer(client, body["trigger_id"]), "Home's Show more button"):
        value = _value(action)
        section, page = value.get("s"), _int(value, "n")
        if section not in SECTIONS or not 0 <= page <= 100_000:
            raise DomainError(DAMAGED)
        rt = runtime_of(context)
        team_id = team_of(body)
        lookup = chair_group_lookup(rt, client, team_id)
        publish(rt, client, team_id, user_of(body), asked=True, pages={section: page}, chair_group=lookup)


def post_digest_now(ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    """A chair's Post digest: the digest of the period since the last meeting, in the governance channel."""
    ack()
    respond = ModalAnswer(client, body["trigger_id"], "Post digest")
    with answering_errors(respond, "Home's Post digest button"):
        rt = runtime_of(context)
        user_id, now, tz_name = user_of(body), rt.now(), rt.settings.ICTBOT_TIMEZONE
        with workspace_unit(rt, body) as (session, ws):
            require_chair(rt, client, session, ws, user_id, "post the digest")
            series = meetings.get_series(session, ws, now=now, default_timezone=tz_name)
            if not series.channel_id:
                raise DomainError(NO_CHANNEL)
            channel = series.channel_id
            meetings.materialise(session, ws, now=now, default_timezone=tz_name)
            start, end = digest_service.default_period(session, ws, now)
            digest = digest_service.build(session, ws, start=start, end=end, now=now, default_timezone=tz_name)
        people = SlackPeople(rt).names(client, ws.id, people_in(digest))
        try:
            posted = post_digest(client, channel, digest, people=people)
        except SlackApiError as exc:
            error = slack_error(exc)
            if error in NOT_IN_CHANNEL:
                raise DomainError(f"I am not in <#{channel}>: invite me with `/invite @ictbot` there.") from None
            raise DomainError(f"Slack refused the digest (`{literal(error)}`), so nothing was posted.") from None
        after_digest(rt, client, ws.external_id, user_id, posted.channel_id, posted.ts, digest)
        done = f":white_check_mark: The digest is posted in <#{channel}>."
        if posted.error is not None:
            stopped = literal(posted.error)
            done = f"The digest's summary is posted in <#{channel}>, but Slack stopped the rest (`{stopped}`)."
        answer(respond, done)


def preview_reminders(ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    """A chair's Preview reminders: who a reconcile pass now would remind, and of what; nothing is sent."""
    ack()
    respond = ModalAnswer(client, body["trigger_id"], "Reminders preview")
    with answering_errors(respond, "Home's Preview reminders button"):
        rt = runtime_of(context)
        user_id, now = user_of(body), rt.now()
        with workspace_unit(rt, body) as (session, ws):
            require_chair(rt, client, session, ws, user_id, "preview the reminders")
            tz = meetings.workspace_timezone(session, ws, rt.settings.ICTBOT_TIMEZONE)
            # The calendar brought up to date, as /ict-digest and every reconcile pass do; nothing else is written.
            meetings.materialise(session, ws, now=now, default_timezone=rt.settings.ICTBOT_TIMEZONE)
            admins = rt.settings.admins_for(ws.external_id)
            lookup = chair_group_lookup(rt, client, ws.external_id)
            due = reminders.due(session, ws, now=now, env_admins=admins, chair_group=lookup)
        if not due:
            answer(respond, f"Nothing is due at {local_time(now, tz)}: no reminder would be sent now.")
            return
        lines = [f"*Due at {local_time(now, tz)}* — nothing was sent or recorded."]
        for item in due:
            what = ", ".join(p.ref for p in item.projects) or "none: all updated"
            kind = "chairs' notice" if item.kind.value == "chair" else f"stage {item.stage}"
            lines.append(
                f"• <@{item.user_id}> ({kind}, meeting {local_time(item.meeting_starts_at, tz)}): {literal(what)}"
            )
        answer(respond, "\n".join(lines))


def register(app: App) -> None:
    app.event("app_home_opened")(home_opened)
    app.action(HOME_POST_UPDATE)(post_update)
    app.action(HOME_NO_CHANGE)(no_change)
    app.action(HOME_MORE)(more)
    app.action(HOME_FIRST)(more)
    app.action(HOME_POST_DIGEST)(post_digest_now)
    app.action(HOME_PREVIEW_REMINDERS)(preview_reminders)
