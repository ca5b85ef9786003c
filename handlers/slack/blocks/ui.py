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

from bot.literal import Span, literal, typed, visible
from bot.render.jinja import RAG_EMOJI, RAG_LABEL
from bot.services.projects import ProjectView
from bot.services.quickform import LIMITS, UpdateText
from bot.services.updates import UpdateResult
from handlers.slack.blocks.rich_text import (
    MAX_BLOCK_SIZE,
    element_size,
    fallback_of,
    notification_escaped,
    rich_block_dicts,
    rich_blocks,
    rich_blocks_of,
    rich_dicts_of,
)
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
    built = _saved_directly(result)
    if built is None:  # a typed piece is empty, or the whole is too long for one block: from its runs
        runs = _saved(result)
        built = fallback_of(runs), rich_dicts_of(runs)
    text, rich = built
    return text, [*rich, correct_button(result.update_id)]


_BOLD, _PLAIN = frozenset({"bold"}), frozenset[str]()


def _saved_directly(u: UpdateResult) -> tuple[str, list[dict[str, Any]]] | None:
    """:func:`_saved`'s notification text and block built straight from the update, when every typed piece
    is there and the whole fits in one block: nearly every update's answer. Each of its runs is then an
    element, none left out and none joined to its neighbour but a correction's note to the line break after
    it (tests/slack/blocks/test_ui.py checks that the two ways agree). None otherwise."""
    corrected = u.revision > 1
    ref, title = typed(u.project_ref), typed(u.project_title)
    sections = [(label, typed(text)) for label, text in _sections(u)]
    if not (ref and title and all(text for _label, text in sections)):
        return None
    emoji, rag, rag_label = (
        "pencil2" if corrected else "white_check_mark",
        RAG_EMOJI[u.rag].strip(":"),
        RAG_LABEL[u.rag],
    )
    saved = " Correction saved for " if corrected else " Update saved for "
    note = f" (revision {u.revision}; the earlier text is kept)" if corrected else ""
    pieces = [("emoji", emoji, _PLAIN), ("text", saved, _PLAIN), ("text", ref, _BOLD), ("text", " ", _BOLD)]
    pieces += [("text", title, _BOLD), ("text", ": ", _PLAIN), ("emoji", rag, _PLAIN), ("text", " ", _PLAIN)]
    pieces.append(("text", rag_label, _BOLD))
    for i, (label, text) in enumerate(sections):
        line_break = note + "\n" if i == 0 else "\n"
        pieces += [("text", line_break, _PLAIN), ("text", label, _BOLD), ("text", " ", _PLAIN), ("text", text, _PLAIN)]
    if sum(element_size(*piece) for piece in pieces) > MAX_BLOCK_SIZE:
        return None
    elements = [
        {"type": "emoji", "name": value}
        if kind == "emoji"
        else {"type": "text", "text": value, "style": {"bold": True}}
        if style
        else {"type": "text", "text": value}
        for kind, value, style in pieces
    ]
    head = f":{emoji}:{saved}{notification_escaped(ref)} {notification_escaped(title)}: :{rag}: {rag_label}{note}"
    block = {"type": "rich_text", "elements": [{"type": "rich_text_section", "elements": elements}]}
    return head.split("\n", 1)[0], [block]


def _sections(u: UpdateResult) -> list[tuple[str, str]]:
    """The confirmation's sections: the progress, and the next steps and the risks when given."""
    sections = (("Progress:", u.progress), ("Next steps:", u.next_steps), ("Risks/issues:", u.risks))
    return [(label, text) for label, text in sections if text or label == "Progress:"]


def _saved(u: UpdateResult) -> list[Span]:
    """The confirmation's runs, built as :func:`bot.literal.spans` reads the bot's mrkdwn (neighbouring
    pieces of the bot's text of one style in one run; what was typed in runs of its own), without the
    template engine and the reading: this is every update's answer. In mrkdwn it would be::

        :white_check_mark: Update saved for *REF Title*: :large_orange_circle: *Amber*
        *Progress:* … (then *Next steps:* … and *Risks/issues:* … when given)

    and a correction says ":pencil2: Correction saved" and "(revision N; the earlier text is kept)".
    """
    corrected = u.revision > 1
    runs: list[Span] = []
    _add(runs, Span("emoji", "pencil2" if corrected else "white_check_mark"))
    _add(runs, Span("text", " Correction saved for " if corrected else " Update saved for "))
    _add(runs, _typed(u.project_ref, _BOLD), Span("text", " ", _BOLD), _typed(u.project_title, _BOLD))
    _add(runs, Span("text", ": "), Span("emoji", RAG_EMOJI[u.rag].strip(":")), Span("text", " "))
    _add(runs, Span("text", RAG_LABEL[u.rag], _BOLD))
    if corrected:
        _add(runs, Span("text", f" (revision {u.revision}; the earlier text is kept)"))
    for label, text in _sections(u):
        _add(runs, Span("text", "\n"), Span("text", label, _BOLD), Span("text", " "), _typed(text))
    return runs


def _typed(text: str, style: frozenset[str] = frozenset()) -> Span:
    return Span("text", typed(text), style, literal=True)


def _add(runs: list[Span], *more: Span) -> None:
    """Append runs, the bot's text joined to the bot's text of the same style before it, and typed text
    that is empty left out, as the reading does."""
    for s in more:
        last = runs[-1] if runs else None
        if s.literal and not s.value:
            continue
        if last and s.kind == last.kind == "text" and not (s.literal or last.literal) and s.style == last.style:
            runs[-1] = Span("text", last.value + s.value, s.style)
        else:
            runs.append(s)


def correct_button(update_id: int) -> dict[str, Any]:
    """The confirmation's "Correct this update" button as slack_sdk's ``ActionsBlock`` of a ``ButtonElement``
    sends it (tests/slack/blocks/test_ui.py checks): built directly, as it is on every update's path."""
    label = {"type": "plain_text", "text": "Correct this update", "emoji": True}
    button = {"type": "button", "text": label, "action_id": EDIT_UPDATE_ACTION, "value": str(update_id)}
    return {"type": "actions", "elements": [button]}


def update_saved_view(result: UpdateResult) -> dict[str, Any]:
    blocks = rich_blocks_of(_saved(result))
    return View(type="modal", title="ICT progress update", close="Done", blocks=blocks).to_dict()


def message_blocks(marked: str) -> list[dict[str, Any]]:
    """The blocks of a message in the bot's mrkdwn with typed text marked (:func:`bot.literal.literal`)."""
    return rich_block_dicts(marked)
