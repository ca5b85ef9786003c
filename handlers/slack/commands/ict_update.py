"""`/ict-update`: the quick form, the modal, `help`, `mine`, `edit` and `history`."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from slack_bolt import Ack, BoltContext, Respond
from slack_sdk import WebClient

from bot.render.jinja import render, unescape_slack
from bot.runtime import Runtime
from bot.services import projects, quickform, updates
from handlers.slack import dedupe
from handlers.slack.ack_answer import AnswerInAck, answer_in_ack
from handlers.slack.blocks.ui import update_saved_blocks
from handlers.slack.context import runtime_of, team_of, workspace_unit
from handlers.slack.errors import answering_errors
from handlers.slack.home_publish import publish_taken, taken_after_update
from handlers.slack.modal import open_update_modal
from handlers.slack.replies import answer
from handlers.slack.timeline import answer_history
from models import UpdateSource
from models.driver import driver_connection

COMMAND = "/ict-update"


def records_its_delivery(body: dict[str, Any]) -> bool:
    """A one-line update (or correction) records its Slack delivery in the transaction that stores it
    (``handlers.slack.dedupe.act_on``): one transaction a request, and a retry acts exactly when nothing was stored.
    Without text the command opens the modal, and the delivery is recorded before that, as for others."""
    return body.get("command") == COMMAND and bool(unescape_slack(str(body.get("text") or "")).strip())


def handle_ict_update(
    ack: Ack, command: dict[str, Any], respond: Respond, client: WebClient, context: BoltContext
) -> None:
    # The answer goes in the ack when it is ready within two seconds, else through response_url.
    answer_now = answer_in_ack(ack, respond)
    try:
        with answering_errors(answer_now, "/ict-update"):
            _ict_update(command, answer_now, client, context)
    finally:
        answer_now.acknowledge()


def _ict_update(command: dict[str, Any], respond: AnswerInAck, client: WebClient, context: BoltContext) -> None:
    rt = runtime_of(context)
    user_id = command["user_id"]
    form = quickform.parse(unescape_slack(command.get("text", "")))
    if form.kind == "help":
        answer(respond, render("update_help.mrkdwn.j2", limits=quickform.LIMITS))
        return
    if form.kind == "modal":
        respond.acknowledge()  # at once, empty: Slack opens the modal, which is the answer
        open_update_modal(
            rt,
            client,
            command,
            trigger_id=command["trigger_id"],
            metadata={"src": UpdateSource.MODAL.value, "ch": command.get("channel_id")},
        )
        return
    if form.kind == "history":
        answer_history(rt, client, command, form, respond)
        return
    now = rt.now()
    if form.kind == "update" and _posted_directly(rt, command, form, respond, client, context, now=now):
        return
    with workspace_unit(rt, command) as (session, ws):
        if form.kind == "mine":
            mine = projects.list_projects(session, ws, user_id=user_id)
            answer(respond, render("mine.mrkdwn.j2", projects=mine, user_id=user_id, now=now, tz=rt.settings.timezone))
            return
        assert form.text is not None
        if not dedupe.act_on(session, context, now=now):
            return  # Slack's retry of an update already stored: acknowledged empty, nothing shown again
        project = projects.for_update(session, ws, form.ref)
        # Owners and delegates, who post nearly every update, need no look at the roles.
        is_admin = not updates.may_update(project, user_id, False) and rt.is_admin(session, ws, user_id)
        result = updates.apply_quick_form(session, ws, project, form, user_id=user_id, is_admin=is_admin, now=now)
        homes = taken_after_update(session, ws.id, result, now=now)  # in the update's own transaction
    _answer_saved(rt, client, command, respond, result, homes)


def _posted_directly(
    rt: Runtime,
    command: dict[str, Any],
    form: quickform.QuickForm,
    respond: AnswerInAck,
    client: WebClient,
    context: BoltContext,
    *,
    now: datetime,
) -> bool:
    """An owner's or a delegate's update to a project that takes it, on the driver's own connection
    (:mod:`models.driver`): the workspace and the project found, then the delivery, the update and Home's
    throttle stored together (:func:`updates.post_directly`: one statement on PostgreSQL, which then needs
    no transaction around it; one transaction on SQLite), with no ORM session. False, having written
    nothing, for anything else (an admin's update, an unknown project or workspace, a finished project): the
    general way then handles it and says why."""
    assert form.text is not None
    with driver_connection(rt.engine, autocommit=True) as connection:
        posted = updates.post_directly(
            connection,
            platform="slack",
            team_id=team_of(command),
            ref=form.ref,
            user_id=command["user_id"],
            delivery=dedupe.in_listener(context),
            text=form.text,
            source=UpdateSource.COMMAND,
            now=now,
        )
        if posted is None:
            return False
        stored = posted.stored
        if stored is None:
            dedupe.log_duplicate(context)
            return True  # Slack's retry of an update already stored: acknowledged empty, nothing shown again
        connection.commit()
    _answer_saved(rt, client, command, respond, stored.result, stored.homes)
    return True


def _answer_saved(
    rt: Runtime,
    client: WebClient,
    command: dict[str, Any],
    respond: AnswerInAck,
    result: updates.UpdateResult,
    homes: tuple[str, ...],
) -> None:
    text, blocks = update_saved_blocks(result)
    respond(text=text, blocks=blocks, response_type="ephemeral", replace_original=False)
    respond.acknowledge()  # the answer goes first; then the Home of the author and of the owner
    publish_taken(rt, client, team_of(command), homes)
