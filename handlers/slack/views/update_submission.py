"""The update modal's submission: read the form, store it once, answer within Slack's three seconds.

The form is read and checked first, without the database; one that fails is answered at once
(``response_action: errors`` on the field at fault) and nothing is written. The update is stored in one
transaction that also records the submission (``handlers.slack.dedupe.act_on``), so the same form sent
again is never stored twice. The answer goes in the ack when it is ready within
``handlers.slack.ack_answer.ACK_WITHIN``; otherwise the modal is closed and the answer follows as a
message, a refusal or an apology carrying everything the officer typed, shown literally.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from typing import Any

from slack_bolt import Ack, BoltContext
from slack_sdk import WebClient
from slack_sdk.models.blocks import MarkdownTextObject, SectionBlock
from slack_sdk.models.views import View
from sqlalchemy.exc import SQLAlchemyError

from bot.errors import DomainError, InvalidInput
from bot.literal import literal
from bot.runtime import Runtime
from bot.services import projects, quickform, updates
from bot.services.updates import UpdateResult
from handlers.slack import dedupe
from handlers.slack.ack_answer import AnswerInViewAck, answer_view_in_ack
from handlers.slack.blocks.ui import UPDATE_MODAL, message_blocks, update_saved_blocks, update_saved_view
from handlers.slack.context import runtime_of, team_name_of, team_of, user_of
from handlers.slack.home_publish import publish_taken, taken_after_update
from handlers.slack.replies import APOLOGY, post_ephemeral, tell
from handlers.slack.request_log import mark_outcome
from handlers.slack.wording import SLACK
from models import Rag, UpdateSource
from models.db import row_id

__all__ = ["handle_update_submission", "plain_text", "records_its_delivery"]

log = logging.getLogger(__name__)

FIELDS = ("project", "rag", "progress", "next_steps", "risks")
_CHANNEL = re.compile(r"[CDG][A-Z0-9]{1,30}")
DAMAGED = (
    "This form came back damaged (or is from an older version of the bot), so nothing was saved. "
    "Close it and open a new one with /ict-update."
)
ALREADY_SAVED = (
    "This form was already saved: its update was stored the first time you pressed *Post update*, and only "
    "once. To change it, use *Correct this update* on its confirmation."
)
NOT_SAVED = ":warning: Your ICT update was not saved"


def records_its_delivery(body: dict[str, Any]) -> bool:
    """The update modal's submission records its delivery in the transaction that stores the update."""
    view = body.get("view")
    return body.get("type") == "view_submission" and isinstance(view, dict) and view.get("callback_id") == UPDATE_MODAL


def plain_text(message: str) -> str:
    """A domain message for a form's error line, which Slack shows as plain text: no code marks, and
    the mentions (which would show as raw ``<@U…>``) left out."""
    message = re.sub(r"\s*\((?:<@[UW][A-Z0-9]+>(?:, )?)+\)", "", message)
    return message.replace("`", "")


# -- the form as it came back ------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Submission:
    """What a submission carries, read without trusting its shape: never raises."""

    user_id: str
    team_id: str
    team_name: str
    typed: dict[str, str]  # every field as typed or chosen ("" when absent or malformed)
    inputs: tuple[str, ...]  # the view's input blocks: where an error can be shown
    metadata: object  # ``private_metadata`` as sent

    @classmethod
    def of(cls, body: dict[str, Any], view: dict[str, Any]) -> Submission:
        state = view.get("state")
        values = state.get("values") if isinstance(state, dict) else None
        blocks = view.get("blocks")
        inputs = tuple(
            str(b["block_id"])
            for b in (blocks if isinstance(blocks, list) else [])
            if isinstance(b, dict) and b.get("type") == "input" and isinstance(b.get("block_id"), str)
        )
        return cls(
            user_id=user_of(body),
            team_id=team_of(body),
            team_name=team_name_of(body),
            typed={name: _value(values if isinstance(values, dict) else {}, name) for name in FIELDS},
            inputs=inputs,
            metadata=view.get("private_metadata"),
        )

    def field_for(self, field: str | None) -> str | None:
        """The input block an error about ``field`` is shown on: its own, else progress, else any."""
        for candidate in (field, "progress", *self.inputs):
            if candidate in self.inputs:
                return candidate
        return None


def _value(values: dict[str, Any], block: str) -> str:
    """The text typed or the option chosen in ``block`` (whose element's action_id is the block's id)."""
    block_state = values.get(block)
    element = block_state.get(block) if isinstance(block_state, dict) else None
    if not isinstance(element, dict):
        return ""
    if "selected_option" in element:
        option = element["selected_option"]
        value = option.get("value") if isinstance(option, dict) else None
    else:
        value = element.get("value")
    return value if isinstance(value, str) else ""


@dataclass(frozen=True, slots=True)
class Form:
    """A submission checked as far as it can be without the database."""

    text: quickform.UpdateText
    project_id: int | None  # a new update's project
    update_id: int | None  # the update a correction adds a revision to
    source: UpdateSource
    channel: str | None  # where the form was opened from, for the confirmation


def read_form(submission: Submission) -> Form:
    """The form, or InvalidInput naming the field at fault (``None`` for a damaged form)."""
    meta = _metadata(submission.metadata)
    typed = submission.typed
    if typed["rag"] not in {r.value for r in Rag}:
        raise InvalidInput("Choose red, amber or green.", field="rag")
    text = quickform.validate(Rag(typed["rag"]), typed["progress"], typed["next_steps"], typed["risks"])
    update_id = meta.get("update_id")
    project_id = None
    if update_id is None:
        project_id = row_id(typed["project"])
        if project_id is None:
            raise InvalidInput("Choose the project this update is for.", field="project")
    return Form(
        text=text,
        project_id=project_id,
        update_id=update_id,
        source=UpdateSource(meta.get("src", UpdateSource.MODAL.value)),
        channel=meta.get("ch") or None,
    )


def _metadata(raw: object) -> dict[str, Any]:
    """The ``private_metadata`` the bot wrote when it opened the form (``handlers.slack.modal``), checked."""
    try:
        meta = json.loads(raw) if isinstance(raw, str) and raw else {}
    except ValueError:
        meta = None
    if not isinstance(meta, dict):
        raise InvalidInput(DAMAGED)
    update_id = meta.get("update_id")
    if "update_id" in meta and (not isinstance(update_id, int) or row_id(update_id) is None):
        raise InvalidInput(DAMAGED)
    if "src" in meta and meta["src"] not in {s.value for s in UpdateSource}:
        raise InvalidInput(DAMAGED)
    channel = meta.get("ch")
    if channel not in (None, "") and not (isinstance(channel, str) and _CHANNEL.fullmatch(channel)):
        raise InvalidInput(DAMAGED)
    return meta


# -- the listener --------------------------------------------------------------------------------------
def handle_update_submission(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    answer = answer_view_in_ack(ack)  # the modal closes at the deadline if nothing has answered by then
    submission = Submission.of(body, view)
    try:
        form = read_form(submission)
        stored = _store(runtime_of(context), submission, form, context)
    except DomainError as exc:
        _refuse(answer, client, submission, exc)
        return
    except SQLAlchemyError as exc:
        log.error("database error while saving a modal update: %s", exc.__class__.__name__, exc_info=exc)
        mark_outcome("error")  # an apology, but a failure in the request log
        _refuse(answer, client, submission, DomainError(APOLOGY))
        return
    if stored is None:  # stored by an earlier submission of this very form
        if not answer.answer(response_action="update", view=_notice_view(ALREADY_SAVED)):
            log.info("a repeated submission of an update form was answered after its modal closed")
        return
    result, homes = stored
    text, blocks = update_saved_blocks(result)
    if answer.answer(response_action="update", view=update_saved_view(result)):
        post_ephemeral(client, form.channel, submission.user_id, text, blocks)  # also where they started
    else:
        tell(client, submission.user_id, text, blocks, channel=form.channel)
    publish_taken(runtime_of(context), client, submission.team_id, homes)


def _store(
    rt: Runtime, submission: Submission, form: Form, context: BoltContext
) -> tuple[UpdateResult, tuple[str, ...]] | None:
    """Store the update or the correction, with the submission's record, and take the publish of the Homes it
    changes (``handlers.slack.home_publish``); None when it was stored before."""
    now = rt.now()
    user_id = submission.user_id
    with rt.unit(submission.team_id, team_name=submission.team_name) as (session, ws):
        if not dedupe.act_on(session, context, now=now):
            return None
        is_admin = rt.is_admin(session, ws, user_id)
        if form.update_id is not None:
            update = updates.get(session, ws, form.update_id)
            result = updates.correct(session, ws, update, user_id=user_id, is_admin=is_admin, text=form.text, now=now)
        else:
            assert form.project_id is not None
            project = projects.get_by_id(session, ws, form.project_id)
            result = updates.post(
                session, ws, project, user_id=user_id, is_admin=is_admin, text=form.text, source=form.source, now=now
            )
        return result, taken_after_update(session, ws.id, result, now=now)


def _refuse(answer: AnswerInViewAck, client: WebClient, submission: Submission, error: DomainError) -> None:
    """On the form while it is open; else a direct message with what was typed."""
    field = submission.field_for(error.field)
    if field is not None:
        if answer.answer(response_action="errors", errors={field: plain_text(SLACK(error.text))}):
            return
    elif answer.answer(response_action="update", view=_notice_view(DAMAGED)):  # no input: not our form
        mark_outcome("refused")
        return
    mark_outcome("refused")
    text, blocks = _not_saved(error, submission.typed)
    tell(client, submission.user_id, text, blocks)


# -- what the officer is shown --------------------------------------------------------------------------
def _notice_view(mrkdwn: str) -> dict[str, Any]:
    blocks = [SectionBlock(text=MarkdownTextObject(text=mrkdwn))]
    return View(type="modal", title="ICT progress update", close="Close", blocks=blocks).to_dict()


def _not_saved(error: DomainError, typed: dict[str, str]) -> tuple[str, list[dict[str, Any]]]:
    """Why the update was not saved, and everything that was typed, shown exactly as typed."""
    parts = [
        f"{NOT_SAVED}: {SLACK.marked(error.text)}",
        "_What you typed is below, so nothing is lost: copy it into a new form (`/ict-update`)._",
    ]
    if typed["rag"]:
        parts.append(f"*RAG:* {literal(typed['rag'])}")
    parts += [
        f"*{quickform.LABELS[name]}:*\n{literal(typed[name])}"
        for name in ("progress", "next_steps", "risks")
        if typed[name].strip()
    ]
    return f"{NOT_SAVED}.", message_blocks("\n\n".join(parts))
