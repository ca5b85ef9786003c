"""A project's update history (``/ict-update history REF [N]``, the History button) as Slack messages and as
a modal. Typed text (the ref, the title, the progress, people's names) is marked literal and becomes rich
text ``text`` elements (:mod:`handlers.slack.blocks.rich_text`): shown exactly as typed. A message keeps
Slack's block and size limits by splitting into further messages; the modal holds at most 51 blocks."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import tzinfo
from typing import Any

from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

from bot.literal import literal
from bot.render.jinja import RAG_EMOJI, local_time, rag_label
from bot.render.registers import who
from bot.render.timeline import corrections, shown_words, status_words
from bot.services.timeline import Entry, Timeline
from handlers.slack.blocks.rich_text import fallback_text, joined, pages, rich_blocks

__all__ = ["MAX_VIEW_BLOCKS", "MODAL_TITLE", "timeline_messages", "timeline_modal", "timeline_texts"]

MAX_VIEW_BLOCKS = 100  # Slack's limit for a modal
MODAL_TITLE = "Project history"  # a modal's title: at most 24 characters, the bot's words only


def timeline_texts(t: Timeline, names: Mapping[str, str], tz: tzinfo) -> list[str]:
    """The heading, then each update: marked mrkdwn, typed text marked literal."""
    head = f"*History of {literal(t.ref)}* {literal(t.title)}{status_words(t)}\n{shown_words(t)}"
    return [head, *(_entry(e, names, tz) for e in t.entries)]


def _entry(e: Entry, names: Mapping[str, str], tz: tzinfo) -> str:
    line = (
        f"{RAG_EMOJI[e.rag]} *{rag_label(e.rag)}* · {local_time(e.created_at, tz)} · {who(names, e.author)}\n"
        f"{literal(e.progress)}"
    )
    if e.revised and e.corrected_at is not None and e.corrected_by is not None:
        line += (
            f"\n:pencil2: _{corrections(e)}, last on {local_time(e.corrected_at, tz)} by_ {who(names, e.corrected_by)}"
        )
    return line


def _blocks(t: Timeline, names: Mapping[str, str], tz: tzinfo) -> list[Block]:
    return [b for text in joined(timeline_texts(t, names, tz)) for b in rich_blocks(text)]


def timeline_messages(t: Timeline, names: Mapping[str, str], tz: tzinfo) -> list[tuple[str, list[dict[str, Any]]]]:
    """(notification text, blocks) for each message: one unless the history is long."""
    found = pages(_blocks(t, names, tz), continued=rich_blocks(f"_History of {literal(t.ref)}, continued._"))
    text = fallback_text(f"History of {literal(t.ref)}")
    return [(f"{text} (part {i} of {len(found)})" if len(found) > 1 else text, page) for i, page in enumerate(found, 1)]


def timeline_modal(t: Timeline, names: Mapping[str, str], tz: tzinfo) -> dict[str, Any]:
    """The same history in a modal (the History button)."""
    blocks = _blocks(t, names, tz)
    if len(blocks) > MAX_VIEW_BLOCKS:  # never with at most 50 short updates, each well under a block's size
        raise ValueError(f"a history of {len(blocks)} blocks does not fit in a modal")
    return View(type="modal", title=MODAL_TITLE, close="Close", blocks=blocks).to_dict()
