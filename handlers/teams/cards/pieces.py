"""The pieces every Teams card is built from: the card, text blocks, text runs, buttons, its size.

Typed text (project titles, update text, priority names, notes, names, what was typed in a command)
goes only in a ``RichTextBlock``'s ``TextRun``, after :func:`bot.literal.visible`, cut between the two
braces of ``{{`` (:func:`typed_runs`). The bot's own words use ``TextBlock``'s markdown subset
(``**bold**``, ``_italic_``) where no typed text is among them. Choice titles and input values are
plain text to Teams (invisible characters removed).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from bot.literal import segments, spans, visible
from bot.render.jinja import rag_label
from bot.services.digest import RagCounts
from models import Rag

__all__ = [
    "ACTION_NO_CHANGE",
    "ACTION_OPEN_FORM",
    "ACTION_SNOOZE",
    "ACTION_UPDATE_SUBMIT",
    "BOLD",
    "MAX_CARD_BYTES",
    "NO_RAG_ICON",
    "RAG_ICON",
    "UPDATE_EXAMPLE",
    "Card",
    "Element",
    "Inline",
    "card_size",
    "fallback_text",
    "make_card",
    "marked_blocks",
    "notice_card",
    "officer_blocks",
    "plain_message",
    "rag_counts",
    "rag_text",
    "ref_title",
    "rich_block",
    "short_label",
    "submit_button",
    "text_block",
    "text_run",
    "typed_blocks",
    "typed_runs",
]

SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
VERSION = "1.5"
MAX_CARD_BYTES = 24_000  # Teams' limit is about 28 KB for the whole activity: room for its envelope
MAX_TEXT_PIECE = 1_000  # characters of officer text in one block (at most ~6 KB of JSON, non-ASCII escaped)
MAX_CHOICE_TITLE = 75

ACTION_UPDATE_SUBMIT = "update_submit"
ACTION_OPEN_FORM = "open_update_form"
ACTION_NO_CHANGE = "reminder_no_change"
ACTION_SNOOZE = "reminder_snooze"

RAG_ICON = {Rag.RED: "🔴", Rag.AMBER: "🟠", Rag.GREEN: "🟢"}
NO_RAG_ICON = "⚪"
UPDATE_EXAMPLE = "update NET-01 amber Core links upgrade delayed by supplier | next: chase supplier | risks: budget"

Card = dict[str, Any]
Element = dict[str, Any]
Inline = dict[str, Any]
# Teams' TextRun properties for the styles of the bot's markup (bot.literal.spans).
RUN_STYLES = {"bold": ("weight", "bolder"), "italic": ("italic", True), "strike": ("strikethrough", True)}
RUN_STYLES["code"] = ("fontType", "monospace")
_DOUBLE_BRACE = re.compile(r"(?<=\{)(?=\{)")
BOLD = {"weight": "bolder"}


def card_size(card: Card) -> int:
    """Bytes of the card as JSON with every non-ASCII character escaped: at least its size as sent."""
    return len(json.dumps(card, separators=(",", ":")))


def make_card(body: list[Element], actions: list[Element] | None = None, *, fallback: str = "") -> Card:
    card: Card = {"type": "AdaptiveCard", "$schema": SCHEMA, "version": VERSION, "body": body}
    if actions:
        card["actions"] = actions
    if fallback:
        card["fallbackText"] = fallback
    return card


def text_block(text: str, **props: Any) -> Element:
    return {"type": "TextBlock", "text": text, "wrap": True, **props}


def submit_button(title: str, data: dict[str, Any], **props: Any) -> Element:
    return {"type": "Action.Submit", "title": title, "data": data, **props}


def plain_message(message: str) -> str:
    """A domain message for Teams as plain text (an error shown on a card): no code marks. Messages arrive
    worded for Teams (``handlers.teams.wording.TEAMS``), which names no one by a mention."""
    return visible(message.replace("`", ""))


def text_run(text: str, **props: Any) -> Inline:
    return {"type": "TextRun", "text": text, **props}


# Teams does not read markdown in a TextRun ("Markdown is not supported": the Adaptive Cards schema of
# TextRun; "RichTextBlock doesn't support Markdown": Microsoft's text features guide).
def typed_runs(text: str, **props: Any) -> list[Inline]:
    """Typed text as text runs, shown as it is: invisible characters removed, and cut between the braces of
    every ``{{`` (Teams formats ``{{DATE(…)}}`` in a run; in two runs it is text)."""
    return [text_run(part, **props) for part in _DOUBLE_BRACE.split(visible(text)) if part]


def rich_block(inlines: list[Inline], **props: Any) -> Element:
    return {"type": "RichTextBlock", "inlines": inlines, **props}


def _lines(text: str) -> list[str]:
    """Typed text in lines of at most :data:`MAX_TEXT_PIECE` characters (a long line cut at a space)."""
    return [piece for line in visible(text).split("\n") for piece in _pieces(line)]


def typed_blocks(
    head: list[Inline], text: str, *, style: Mapping[str, Any] | None = None, **props: Any
) -> list[Element]:
    """``head`` (the bot's runs) then typed text (its runs in ``style``), a block per line of it, so that its
    line breaks show."""
    lines = _lines(text)
    runs = dict(style or {})
    blocks = [rich_block([*head, *typed_runs(lines[0], **runs)] if lines else head, **props)] if head or lines else []
    blocks += [rich_block(typed_runs(line, **runs), spacing="none") for line in lines[1:]]
    return blocks


def notice_card(marked: str, *, attention: bool = False) -> Card:
    """A message in the bot's words with what was typed in it marked (``TEAMS.marked``, or
    :func:`bot.literal.literal`): a card, so that the typed part is shown as it is."""
    return make_card(marked_blocks(marked, attention=attention), fallback=fallback_text(marked))


def marked_blocks(marked: str, *, attention: bool = False) -> list[Element]:
    """A marked message as rich text blocks, a block per line: the bot's markup read (``*bold*``, ``_italic_``,
    `` `code` ``), the typed pieces as they are."""
    props: dict[str, Any] = {"color": "attention"} if attention else {}
    lines: list[list[Inline]] = [[]]
    for s in spans(marked):
        style = dict(RUN_STYLES[name] for name in s.style) | props
        value = s.value if s.kind == "text" else (f":{s.value}:" if s.kind == "emoji" else s.value)
        for i, line in enumerate(value.split("\n")):
            if i:
                lines.append([])
            lines[-1] += typed_runs(line, **style) if s.literal else ([text_run(line, **style)] if line else [])
    return [rich_block(line, spacing="none" if i else "default") for i, line in enumerate(lines) if line]


def fallback_text(marked: str) -> str:
    """A card's fallback text: the first line, plain."""
    plain = "".join(text for text, _ in segments(marked))
    return visible(plain.replace("`", "")).strip().split("\n", 1)[0][:200]


def _pieces(text: str, limit: int = MAX_TEXT_PIECE) -> list[str]:
    """Officer text in pieces of at most ``limit`` characters, cut at a line break or a space where there
    is one in the second half; only the whitespace at a cut is dropped."""
    pieces: list[str] = []
    rest = text.strip()
    while len(rest) > limit:
        cut = rest.rfind("\n", limit // 2, limit + 1)
        if cut == -1:
            cut = rest.rfind(" ", limit // 2, limit + 1)
        if cut == -1:
            cut = limit
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        pieces.append(rest)
    return pieces


def officer_blocks(label: list[Inline], text: str, **props: Any) -> list[Element]:
    """A labelled piece of officer text: the label (the bot's runs, bold) and the text as it is, in blocks
    small enough to pack into cards."""
    return typed_blocks([*label, text_run(" ")], text, **props)


def short_label(text: str, limit: int = MAX_CHOICE_TITLE) -> str:
    text = visible(text).replace("\n", " ")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def rag_text(rag: Rag | None) -> str:
    return f"{RAG_ICON[rag]} {rag_label(rag)}" if rag else f"{NO_RAG_ICON} {rag_label(None)}"


def rag_counts(r: RagCounts) -> str:
    icons = (RAG_ICON[Rag.RED], RAG_ICON[Rag.AMBER], RAG_ICON[Rag.GREEN], NO_RAG_ICON)
    return " · ".join(f"{icon} {n}" for icon, n in zip(icons, (r.red, r.amber, r.green, r.none), strict=True))


def ref_title(ref: str, title: str) -> list[Inline]:
    """A project as the bot names it: its reference in bold, then its title; both as typed."""
    return [*typed_runs(ref, weight="bolder"), text_run(" "), *typed_runs(title)]
