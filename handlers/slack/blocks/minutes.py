"""A meeting's minutes as Slack messages: a header, then each section (``minutes.mrkdwn.j2``) as rich text,
where every piece of typed text goes through ``literal`` and is shown exactly as typed. Slack's limits on
blocks and messages are kept by splitting into further messages marked as continued, never by cutting
text off; the header holds only the bot's words (a date).
"""

from __future__ import annotations

from slack_sdk.models.blocks import Block, HeaderBlock

from bot.render.jinja import render
from bot.render.minutes import context, title
from bot.services.minutes import Minutes
from handlers.slack.blocks.digest import MAX_HEADER_TEXT, DigestMessage
from handlers.slack.blocks.rich_text import joined, pages, rich_blocks

__all__ = ["PARTS", "minutes_messages"]

PARTS = ("exceptions", "decisions", "actions", "closed", "raid")


def minutes_messages(m: Minutes) -> list[DigestMessage]:
    """The minutes as one message, or several (each after the first marked as continued)."""
    shared = context(m)
    head = title(m)
    head = head if len(head) <= MAX_HEADER_TEXT else head[: MAX_HEADER_TEXT - 1] + "…"
    texts = [render("minutes.mrkdwn.j2", part=part, **shared) for part in PARTS]
    blocks: list[Block] = [HeaderBlock(text=head), *(b for text in joined(texts) for b in rich_blocks(text))]
    found = pages(blocks, continued=rich_blocks("_The minutes, continued._"))
    n = len(found)
    return [
        DigestMessage(text=f"{head} (part {i} of {n})" if n > 1 else head, blocks=page)
        for i, page in enumerate(found, 1)
    ]
