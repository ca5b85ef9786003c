"""Opening the update modal, shared by the command, the message shortcut and the edit button.

A ``trigger_id`` lets the app open a modal for three seconds only; past that Slack answers views.open with
``expired_trigger_id`` (or ``exchanged_trigger_id`` once it was used). That is no fault of the bot's or the
officer's, so it is not an error with an apology and a traceback: the officer is told in one line to try
again (a :class:`bot.errors.DomainError`, answered like any refusal), and it is logged once as a warning.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.errors import DomainError
from bot.runtime import Runtime
from bot.services import projects
from bot.services.quickform import UpdateText
from bot.services.updates import UpdateResult
from handlers.slack.blocks.ui import update_modal
from handlers.slack.context import user_of, workspace_unit

log = logging.getLogger(__name__)
TOO_SLOW = "That took too long for Slack to open the form; nothing was lost. Please try again."
TRIGGER_GONE = frozenset({"expired_trigger_id", "exchanged_trigger_id"})


def open_update_modal(
    rt: Runtime,
    client: WebClient,
    body: dict[str, Any],
    *,
    trigger_id: str,
    metadata: dict[str, Any],
    initial: UpdateText | None = None,
    editing: UpdateResult | None = None,
    notice: str | None = None,
    preselect_rag: bool = True,
    selected_id: int | None = None,
) -> None:
    user_id = user_of(body)
    with workspace_unit(rt, body) as (session, ws):
        views = projects.list_projects(session, ws)
    if not views and editing is None:
        raise DomainError(
            "The Work Plan has no open projects yet, so there is nothing to update. An ICT admin can add one "
            "with `/ict-project add` or import the Work Plan with `ictbot projects import FILE.csv`."
        )
    mine = [v for v in views if v.owner == user_id or user_id in v.delegates]
    selected = next((v for v in views if v.id == selected_id), None) if selected_id else None
    if selected is None and len(mine) == 1:
        selected = mine[0]
    view = update_modal(
        projects=views,
        user_id=user_id,
        metadata=metadata,
        selected=selected,
        initial=initial,
        editing=editing,
        notice=notice,
        preselect_rag=preselect_rag,
    )
    try:
        client.views_open(trigger_id=trigger_id, view=view)
    except SlackApiError as exc:
        error = exc.response.get("error")
        if error not in TRIGGER_GONE:
            raise
        log.warning("Slack did not open the update form for %s: %s", user_id, error)
        raise DomainError(TOO_SLOW) from None
