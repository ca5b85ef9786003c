"""The progress digest as Slack messages: a summary to post in the channel, and its detail for the thread.

Block Kit is built with slack_sdk's models (``to_dict()`` checks Slack's field limits); the text inside
comes from the ``digest_*.mrkdwn.j2`` templates, where every piece of officer-written text goes through
the ``mrkdwn`` filter, and every text object is ``verbatim`` so Slack does not turn typed words into
links or mentions either.

Slack's limits are kept, never by cutting text off:

- a section's text is at most 3,000 characters: a project whose text is longer is split across
  sections (on a line, else a space, never inside ``&amp;``/``&lt;``/``&gt;``);
- a message holds at most 50 blocks, and at most :data:`MAX_MESSAGE_TEXT` characters of text in all
  (chat.postMessage refuses more with ``msg_blocks_too_long``; Slack does not document the figure,
  which is about 12,000 characters less some room for the blocks' own structure: see
  slackapi/bolt-js#2509 and #2867). A long priority goes on in a further message, marked as continued;
- a header is at most 150 characters, and only ever holds the bot's own words.

The summary is one message (it only grows with the number of priorities); the detail is a message
per priority that has projects (more when it is long), then one with the missing, completed and
started projects. Posted, the summary is the parent and the rest its thread.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from slack_sdk.models.blocks import Block, ContextBlock, HeaderBlock, MarkdownTextObject, SectionBlock

from bot.digest_render import trend_text
from bot.render import escape_mrkdwn, render
from bot.services.digest import Digest

__all__ = [
    "MAX_BLOCKS",
    "MAX_HEADER_TEXT",
    "MAX_MESSAGE_TEXT",
    "MAX_SECTION_TEXT",
    "POSTED_FOOTER",
    "PREVIEW_FOOTER",
    "DigestMessage",
    "detail_messages",
    "digest_messages",
    "people_in",
    "split_text",
    "summary_messages",
]

MAX_BLOCKS = 50
MAX_SECTION_TEXT = 3000
MAX_HEADER_TEXT = 150
MAX_MESSAGE_TEXT = 10_000
POSTED_FOOTER = "The detail for each priority is in the thread, with the full report and a chart of RAG by priority."
PREVIEW_FOOTER = (
    "A preview only you can see. A chair or an ICT admin can post the digest in a channel with `/ict-digest`."
)


@dataclass(frozen=True, slots=True)
class DigestMessage:
    """One message: the notification text (the bot's own words) and its blocks, as Slack takes them."""

    text: str
    blocks: list[dict[str, Any]]


def digest_messages(
    digest: Digest, *, people: Mapping[str, str] | None = None, footer: str = POSTED_FOOTER
) -> list[DigestMessage]:
    """Everything to post: the summary first (the parent), then the thread's replies."""
    return [*summary_messages(digest, people=people, footer=footer), *detail_messages(digest, people=people)]


def summary_messages(
    digest: Digest, *, people: Mapping[str, str] | None = None, footer: str = POSTED_FOOTER
) -> list[DigestMessage]:
    """The summary: a header, the headline, RAG counts per priority, missing and completed counts.

    One message unless there are very many priorities; then the rest follows, marked as continued.
    """
    context = _context(digest, people)
    title = _header(digest)
    pages = _pages(
        split_text(render("digest_summary.mrkdwn.j2", **context)),
        head=[HeaderBlock(text=title)],
        tail=[_context_block(footer)] if footer else [],
        continued="_The summary, continued._",
    )
    return [
        DigestMessage(text=_numbered(f"{title}. {digest.headline}", i, len(pages)), blocks=page)
        for i, page in enumerate(pages, 1)
    ]


def detail_messages(digest: Digest, *, people: Mapping[str, str] | None = None) -> list[DigestMessage]:
    """The thread: each priority with projects, its projects in full, then the missing/completed/started lists."""
    context = _context(digest, people)
    messages: list[DigestMessage] = []
    for group in digest.priorities:
        if not group.projects:
            continue  # the summary says so; an empty reply would only add noise
        chunks = split_text(render("digest_priority.mrkdwn.j2", g=group, **context))
        for p in group.projects:
            chunks += split_text(render("digest_project.mrkdwn.j2", p=p, **context))
        name = escape_mrkdwn(group.name)
        pages = _pages(_merge(chunks), continued=f"_{name}, continued._")
        messages += [
            DigestMessage(text=_numbered(f"ICT progress digest: {name}", i, len(pages)), blocks=page)
            for i, page in enumerate(pages, 1)
        ]
    pages = _pages(_merge(split_text(render("digest_lists.mrkdwn.j2", **context))), continued="_Continued._")
    messages += [
        DigestMessage(
            text=_numbered("ICT progress digest: missing, completed and started projects", i, len(pages)), blocks=page
        )
        for i, page in enumerate(pages, 1)
    ]
    return messages


def people_in(digest: Digest) -> list[str]:
    """Every user the digest names (owners, delegates, authors), for looking their names up once."""
    seen: dict[str, None] = {}
    for p in digest.projects:
        seen.update(dict.fromkeys((p.owner, *p.delegates)))
        if p.update is not None:
            seen[p.update.author] = None
    return list(seen)


def split_text(text: str, limit: int = MAX_SECTION_TEXT) -> list[str]:
    """Mrkdwn text in pieces of at most ``limit`` characters, split between lines where it can.

    A line longer than ``limit`` is cut at its last space before the limit (or, with no space in its
    second half, at the limit itself, moved back so that no ``&amp;``/``&lt;``/``&gt;`` is cut in two).
    Only the whitespace at a cut is dropped; every other character is kept, in order.
    """
    chunks: list[str] = []
    current = ""
    for line in text.split("\n"):
        while len(line) > limit:
            cut = _cut(line, limit)
            if current.strip():
                chunks.append(current)
            current = ""
            chunks.append(line[:cut].rstrip())
            line = line[cut:].lstrip()
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            chunks.append(current)
            current = line
        else:
            current = candidate
    chunks.append(current)
    return [c.strip("\n") for c in chunks if c.strip()]


# -- building ----------------------------------------------------------------------------------------


def _cut(line: str, limit: int) -> int:
    cut = line.rfind(" ", 0, limit + 1)
    if cut >= limit // 2:
        return cut
    cut = limit
    entity = line.rfind("&", cut - 4, cut)  # "&amp;" is five characters: one starting here would be cut
    if entity != -1 and ";" not in line[entity:cut]:
        cut = entity
    return cut


def _merge(chunks: Sequence[str], limit: int = MAX_SECTION_TEXT) -> list[str]:
    """Neighbouring pieces in one section while they fit, a blank line between them: fewer blocks."""
    merged: list[str] = []
    for chunk in chunks:
        if merged and len(merged[-1]) + 2 + len(chunk) <= limit:
            merged[-1] = f"{merged[-1]}\n\n{chunk}"
        else:
            merged.append(chunk)
    return merged


def _section(text: str) -> SectionBlock:
    return SectionBlock(text=MarkdownTextObject(text=text, verbatim=True))


def _context_block(text: str) -> ContextBlock:
    return ContextBlock(elements=[MarkdownTextObject(text=text, verbatim=True)])


def _size(block: Block) -> int:
    """The characters of text a block carries, as Slack counts them against a message."""
    if isinstance(block, SectionBlock | HeaderBlock) and block.text is not None:
        return len(block.text.text)
    if isinstance(block, ContextBlock):
        return sum(len(getattr(e, "text", "") or "") for e in block.elements)
    return 0


def _pages(
    texts: Sequence[str], *, continued: str, head: Sequence[Block] = (), tail: Sequence[Block] = ()
) -> list[list[dict[str, Any]]]:
    """Sections in messages within Slack's limits: ``head`` opens the first, ``tail`` closes the last,
    and every further message opens with a ``continued`` note."""
    pages: list[list[Block]] = []
    blocks: list[Block] = list(head)
    size = sum(_size(b) for b in blocks)

    def fits(extra: Sequence[Block]) -> bool:
        return len(blocks) + len(extra) <= MAX_BLOCKS and size + sum(_size(b) for b in extra) <= MAX_MESSAGE_TEXT

    def turn_page() -> None:
        nonlocal blocks, size
        pages.append(blocks)
        blocks = [_context_block(continued)]
        size = _size(blocks[0])

    for text in texts:
        section = _section(text)
        if not fits([section]):
            turn_page()
        blocks.append(section)
        size += _size(section)
    if tail:
        if not fits(tail):
            turn_page()
        blocks.extend(tail)
    pages.append(blocks)
    return [[b.to_dict() for b in page] for page in pages]  # to_dict() validates each block


def _header(digest: Digest) -> str:
    day = digest.end.astimezone(digest.tz)
    title = f"ICT progress digest, {day.day} {day:%b %Y}"
    return title if len(title) <= MAX_HEADER_TEXT else title[: MAX_HEADER_TEXT - 1] + "…"  # bot text: a date


def _numbered(text: str, i: int, n: int) -> str:
    return f"{text} (part {i} of {n})" if n > 1 else text


def _context(digest: Digest, people: Mapping[str, str] | None) -> dict[str, Any]:
    tz = digest.tz
    names = people or {}

    def person(user_id: str) -> str:
        return names.get(user_id) or user_id

    def day(value: date | datetime | None) -> str:
        if value is None:
            return ""
        if isinstance(value, datetime):
            value = value.astimezone(tz).date()
        return f"{value.day} {value:%b %Y}"

    period = f"{day(digest.start)} to {day(digest.end)}" if digest.start else f"up to {day(digest.end)}"
    return {
        "d": digest,
        "tz": tz,
        "period": period,
        "person": person,
        "day": day,
        "trend_text": trend_text,
    }
