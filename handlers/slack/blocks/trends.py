"""The offer of the trends to the chair who posted a digest: an ephemeral message with a button whose value
names the digest's summary (its ``ts``), under which the trends chart goes as a thread reply."""

from __future__ import annotations

import json
from typing import Any

from slack_sdk.models.blocks import ActionsBlock, ButtonElement, PlainTextObject, SectionBlock

__all__ = ["OFFER_TEXT", "TRENDS_ACTION", "trends_offer"]

TRENDS_ACTION = "digest_trends"
OFFER_TEXT = (
    "The digest is posted. Add the trends to its thread: the RAG mix by priority at each of the last 12 meetings?"
)


def trends_offer(ts: str) -> tuple[str, list[dict[str, Any]]]:
    """The offer's fallback text and blocks: the question, and a *Post the trends* button for the thread ``ts``."""
    button = ButtonElement(
        text=PlainTextObject(text="Post the trends", emoji=False),
        action_id=TRENDS_ACTION,
        value=json.dumps({"ts": ts}, separators=(",", ":")),
    )
    blocks = [SectionBlock(text=PlainTextObject(text=OFFER_TEXT, emoji=False)), ActionsBlock(elements=[button])]
    return OFFER_TEXT, [b.to_dict() for b in blocks]
