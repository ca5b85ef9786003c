"""`/ict-search`'s answer: the updates found, best first, each with its project, RAG, day, author by name
and a snippet of the officer's words (shown literally), and a "More results" button for the next page."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import tzinfo
from typing import Any

from slack_sdk.models.blocks import ActionsBlock, Block, ButtonElement

from bot.literal import literal
from bot.render.jinja import RAG_EMOJI, rag_label
from bot.render.registers import who
from bot.services.search import MAX_OFFSET, Query, Results
from handlers.slack.blocks.rich_text import fallback_text, rich_blocks

__all__ = ["MORE_ACTION", "more_value", "read_more_value", "search_message"]

MORE_ACTION = "search_more"  # its value: the search as typed and where the next page starts (more_value)


def more_value(typed: str, offset: int) -> str:
    """The button's value: compact JSON (at most ~1,200 characters for the longest search one may type:
    Slack takes 2,000)."""
    return json.dumps({"q": typed, "o": offset}, ensure_ascii=False, separators=(",", ":"))


def read_more_value(value: object) -> tuple[str, int] | None:
    """The search and offset a button carries; None when it is not one of ours."""
    try:
        data = json.loads(value) if isinstance(value, str) else None
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    typed, offset = data.get("q"), data.get("o")
    if not isinstance(typed, str) or isinstance(offset, bool) or not isinstance(offset, int):
        return None
    return (typed, offset) if 0 <= offset <= MAX_OFFSET else None


def _scope(query: Query) -> str:
    parts = [f"in {literal(query.ref)}"] if query.ref else []
    if query.first:
        parts.append(f"from {query.first.isoformat()}")
    if query.last:
        parts.append(f"to {query.last.isoformat()}")
    return (" " + " ".join(parts)) if parts else ""


def search_text(query: Query, found: Results, names: Mapping[str, str], tz: tzinfo) -> str:
    """The answer in the bot's mrkdwn, typed text marked."""
    asked = f"“{literal(query.words)}”{_scope(query)}"
    if not found.total:
        return (
            f"No update matches {asked}. Every word must be in an update's progress, next steps or risks "
            "(other forms of a word count: _switch_ finds “switches”); try fewer words, or widen the dates."
        )
    if not found.hits:
        return f"No more updates match {asked}: all {found.total} were shown."
    first, last = found.offset + 1, found.offset + len(found.hits)
    noun = "update matches" if found.total == 1 else "updates match"
    lines = [f"*{found.total} {noun}* {asked}" + (f" — {first} to {last}, best first" if found.total > 1 else "")]
    for hit in found.hits:
        corrected = " (corrected)" if hit.revision > 1 else ""
        lines.append(
            f"• *{literal(hit.project_ref)}* {literal(hit.project_title)} · {RAG_EMOJI[hit.rag]} {rag_label(hit.rag)}"
            f" · {hit.created_at.astimezone(tz).strftime('%-d %b %Y')} · {who(names, hit.author)}{corrected}"
        )
        if hit.snippet:
            lines.append(f"      {literal(hit.snippet)}")
    return "\n".join(lines)


def search_message(query: Query, found: Results, names: Mapping[str, str], tz: tzinfo) -> dict[str, Any]:
    """``text`` and ``blocks`` of the ephemeral answer (validated by slack_sdk's models)."""
    marked = search_text(query, found, names, tz)
    blocks: list[Block] = list(rich_blocks(marked))
    if found.has_more:
        button = ButtonElement(
            text="More results", action_id=MORE_ACTION, value=more_value(query.typed, found.next_offset)
        )
        blocks.append(ActionsBlock(block_id="search_more", elements=[button]))
    return {"text": fallback_text(marked), "blocks": [b.to_dict() for b in blocks]}
