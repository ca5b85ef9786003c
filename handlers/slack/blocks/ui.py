"""Block Kit for the Slack front end, built with slack_sdk's models so Slack's limits are checked.

Text inside the blocks comes from the Jinja2 templates in ``bot/templates``, as rich text
(:mod:`handlers.slack.blocks.rich_text`): what a person typed is shown exactly as typed. Option labels are
``plain_text`` with ``emoji`` off, which Slack shows as it is.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from slack_sdk.models.blocks import (
    Block,
    ContextBlock,
    ExternalDataSelectElement,
    InputBlock,
    MarkdownTextObject,
    Option,
    OptionGroup,
    PlainTextInputElement,
    PlainTextObject,
    RadioButtonsElement,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from bot.literal import literal, visible
from bot.render.jinja import render
from bot.services.projects import ProjectView
from bot.services.quickform import LIMITS, UpdateText
from bot.services.updates import UpdateResult
from handlers.slack.blocks.rich_text import fallback_text, rich_block_dicts, rich_blocks
from models import Rag

UPDATE_MODAL = "ict_update_modal"
EDIT_UPDATE_ACTION = "edit_update"
PROJECT_ACTION = "project"
# A project's History button (in Home and in the digest): its value is the project's ref; it opens the
# project's update history in a modal.
HISTORY_ACTION = "project_history"
MAX_STATIC_OPTIONS = 100  # Slack's limit for a static select; past it the menu is searched instead
MAX_OPTION_TEXT = 75
RAG_LABELS = {Rag.RED: "🔴 Red", Rag.AMBER: "🟠 Amber", Rag.GREEN: "🟢 Green"}


def short_label(text: str, limit: int = MAX_OPTION_TEXT) -> str:
    """A label for a menu, from typed text: invisible characters removed, cut with an ellipsis to fit."""
    text = visible(text).replace("\n", " ")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _option(v: ProjectView) -> Option:
    return Option(value=str(v.id), text=PlainTextObject(text=short_label(f"{v.ref} — {v.title}"), emoji=False))


def project_option_groups(
    projects: Sequence[ProjectView], user_id: str, query: str = "", limit: int = MAX_STATIC_OPTIONS
) -> list[OptionGroup]:
    """The user's own projects first, then the rest grouped by priority, filtered by ``query``."""
    key = query.strip().casefold()
    chosen = [p for p in projects if not key or key in p.ref.casefold() or key in p.title.casefold()][:limit]
    mine = [p for p in chosen if p.owner == user_id or user_id in p.delegates]
    groups: list[tuple[str, list[ProjectView]]] = [("Your projects", mine)] if mine else []
    by_priority: dict[str, list[ProjectView]] = {}
    for p in chosen:
        if p not in mine:
            by_priority.setdefault(p.priority_name or "No priority", []).append(p)
    groups += list(by_priority.items())
    return [
        OptionGroup(label=PlainTextObject(text=short_label(name), emoji=False), options=[_option(p) for p in items])
        for name, items in groups
    ]


def update_modal(
    *,
    projects: Sequence[ProjectView],
    user_id: str,
    metadata: dict[str, Any],
    selected: ProjectView | None = None,
    initial: UpdateText | None = None,
    editing: UpdateResult | None = None,
    notice: str | None = None,
    preselect_rag: bool = True,
) -> dict[str, Any]:
    """The update form. When ``editing``, the project is fixed and the submission adds a revision."""
    blocks: list[Block] = []
    if notice:
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=notice)]))  # the bot's words only
    if editing is not None:
        project = literal(f"{editing.project_ref} {editing.project_title}")
        blocks += rich_blocks(f"Correcting your update on *{project}*. The earlier text is kept as a revision.")
    else:
        blocks.append(_project_input(projects, user_id, selected))
    blocks.append(_rag_input(initial if preselect_rag else None))
    blocks += _text_inputs(initial)
    view = View(
        type="modal",
        callback_id=UPDATE_MODAL,
        title="Correct ICT update" if editing else "ICT progress update",
        submit="Save correction" if editing else "Post update",
        close="Cancel",
        private_metadata=json.dumps(metadata, separators=(",", ":")),
        blocks=blocks,
    )
    return view.to_dict()


def _project_input(projects: Sequence[ProjectView], user_id: str, selected: ProjectView | None) -> InputBlock:
    """The project menu: the projects listed by group, or searched when there are too many for a menu."""
    initial_option = _option(selected) if selected else None
    element: StaticSelectElement | ExternalDataSelectElement
    if len(projects) > MAX_STATIC_OPTIONS:
        element = ExternalDataSelectElement(
            action_id=PROJECT_ACTION,
            placeholder="Type a reference or title",
            min_query_length=0,
            initial_option=initial_option,
        )
    else:
        element = StaticSelectElement(
            action_id=PROJECT_ACTION,
            placeholder="Choose a project",
            option_groups=project_option_groups(projects, user_id),
            initial_option=initial_option,
        )
    return InputBlock(block_id="project", label="Project", element=element)


def _rag_input(initial: UpdateText | None) -> InputBlock:
    """The RAG buttons, ``initial``'s chosen."""
    rag_options = [Option(value=r.value, text=PlainTextObject(text=RAG_LABELS[r])) for r in Rag]
    rag_initial = next((o for o in rag_options if initial and o.value == initial.rag.value), None)
    return InputBlock(
        block_id="rag",
        label="RAG status",
        element=RadioButtonsElement(action_id="rag", options=rag_options, initial_option=rag_initial),
    )


def _text_inputs(initial: UpdateText | None) -> list[InputBlock]:
    """The three texts, with their length limits, ``initial``'s filled in."""
    inputs: list[InputBlock] = []
    for name, label, optional, hint in (
        ("progress", "Progress: what was done", False, None),
        ("next_steps", "Next steps", True, None),
        ("risks", "Risks and issues", True, "Anything the governance group should know about."),
    ):
        value = getattr(initial, name) if initial else ""
        inputs.append(
            InputBlock(
                block_id=name,
                label=label,
                optional=optional,
                hint=hint,
                element=PlainTextInputElement(
                    action_id=name, multiline=True, max_length=LIMITS[name], initial_value=value or None
                ),
            )
        )
    return inputs


def update_saved_blocks(result: UpdateResult) -> tuple[str, list[dict[str, Any]]]:
    """The ephemeral confirmation: text fallback and blocks, with a button to correct the update."""
    text = render("update_saved.mrkdwn.j2", u=result)
    return fallback_text(text), [*rich_block_dicts(text), correct_button(result.update_id)]


def correct_button(update_id: int) -> dict[str, Any]:
    """The confirmation's "Correct this update" button as slack_sdk's ``ActionsBlock`` of a ``ButtonElement``
    sends it (tests/slack/blocks/test_ui.py checks): built directly, as it is on every update's path."""
    label = {"type": "plain_text", "text": "Correct this update", "emoji": True}
    button = {"type": "button", "text": label, "action_id": EDIT_UPDATE_ACTION, "value": str(update_id)}
    return {"type": "actions", "elements": [button]}


def update_saved_view(result: UpdateResult) -> dict[str, Any]:
    text = render("update_saved.mrkdwn.j2", u=result)
    return View(type="modal", title="ICT progress update", close="Done", blocks=rich_blocks(text)).to_dict()


def message_blocks(marked: str) -> list[dict[str, Any]]:
    """The blocks of a message in the bot's mrkdwn with typed text marked (:func:`bot.literal.literal`)."""
    return rich_block_dicts(marked)
