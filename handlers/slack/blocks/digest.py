"""The progress digest as Slack messages: a summary to post in the channel, and its detail for the thread.

Block Kit is built with slack_sdk's models; the text inside comes from the ``digest_*.mrkdwn.j2``
templates, where every piece of officer- or admin-written text goes through the ``literal`` filter and
becomes a rich text ``text`` element (:mod:`handlers.slack.blocks.rich_text`), shown exactly as typed.
Slack's limits on blocks, messages and headers are kept by splitting, never by cutting text off.
The summary is one message; the detail is a message per priority that has projects (more when it is
long), each project followed by its History button, then one with the missing, completed and started
projects. Posted, the summary is the parent and the rest its thread.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from slack_sdk.models.blocks import ActionsBlock, Block, ButtonElement, ContextBlock, HeaderBlock, MarkdownTextObject

from bot.literal import literal
from bot.render import exceptions as exceptions_text
from bot.render.digest import trend_text
from bot.render.jinja import render
from bot.services.digest import Digest
from bot.services.exceptions import ExceptionEntry
from handlers.slack.blocks.rich_text import MAX_BLOCKS, fallback_text, joined, pages, rich_blocks
from handlers.slack.blocks.ui import HISTORY_ACTION

__all__ = [
    "MAX_BLOCKS",
    "MAX_HEADER_TEXT",
    "POSTED_FOOTER",
    "PREVIEW_FOOTER",
    "DigestMessage",
    "detail_messages",
    "digest_messages",
    "exceptions_messages",
    "history_button",
    "people_in",
    "summary_messages",
]

MAX_HEADER_TEXT = 150
POSTED_FOOTER = "The detail for each priority is in the thread, with the full report and a chart of RAG by priority."
PREVIEW_FOOTER = (
    "A preview only you can see. A chair or an ICT admin can post the digest in a channel with `/ict-digest`."
)


@dataclass(frozen=True, slots=True)
class DigestMessage:
    """One message: the notification text (plain text, nothing typed live in it) and its blocks."""

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
    """The summary: a header, the exceptions, the headline, RAG counts per priority, missing and completed counts.

    One message unless there are very many exceptions or priorities; then the rest follows, marked as continued.
    """
    context = _context(digest, people)
    title = _header(digest)
    blocks: list[Block] = [
        HeaderBlock(text=title),
        *rich_blocks(render("digest_exceptions.mrkdwn.j2", **context)),
        *rich_blocks(render("digest_summary.mrkdwn.j2", **context)),
    ]
    found = pages(
        blocks,
        continued=rich_blocks("_The summary, continued._"),
        tail=[_context_block(footer)] if footer else [],
    )
    return [
        DigestMessage(text=_numbered(f"{title}. {digest.headline}", i, len(found)), blocks=page)
        for i, page in enumerate(found, 1)
    ]


def exceptions_messages(
    digest: Digest, *, people: Mapping[str, str] | None = None, footer: str = ""
) -> list[DigestMessage]:
    """The Exceptions section alone (``/ict-digest exceptions``): a header and the section, in as many
    messages as it needs."""
    context = _context(digest, people)
    day = digest.generated_at.astimezone(digest.tz)
    title = f"Exceptions, {day.day} {day:%b %Y}"
    found = pages(
        [HeaderBlock(text=title), *rich_blocks(render("digest_exceptions.mrkdwn.j2", **context))],
        continued=rich_blocks("_The exceptions, continued._"),
        tail=[_context_block(footer)] if footer else [],
    )
    n = len(digest.exceptions)
    text = f"{title}: {n} exception{'' if n == 1 else 's'}" if n else f"{title}: {exceptions_text.NONE}"
    return [DigestMessage(text=_numbered(text, i, len(found)), blocks=page) for i, page in enumerate(found, 1)]


def detail_messages(digest: Digest, *, people: Mapping[str, str] | None = None) -> list[DigestMessage]:
    """The thread: each priority with projects, its projects in full, then the missing/completed/started lists."""
    context = _context(digest, people)
    messages: list[DigestMessage] = []
    for group in digest.priorities:
        if not group.projects:
            continue  # the summary says so; an empty reply would only add noise
        blocks: list[Block | list[Block]] = [*_blocks([render("digest_priority.mrkdwn.j2", g=group, **context)])]
        for p in group.projects:  # each project with its History button, in one message
            blocks.append([*_blocks([render("digest_project.mrkdwn.j2", p=p, **context)]), history_button(p.ref)])
        name = literal(group.name)
        found = pages(blocks, continued=rich_blocks(f"_{name}, continued._"))
        text = fallback_text(f"ICT progress digest: {name}")
        messages += [DigestMessage(text=_numbered(text, i, len(found)), blocks=page) for i, page in enumerate(found, 1)]
    found = pages(_blocks([render("digest_lists.mrkdwn.j2", **context)]), continued=rich_blocks("_Continued._"))
    messages += [
        DigestMessage(
            text=_numbered("ICT progress digest: missing, completed and started projects", i, len(found)), blocks=page
        )
        for i, page in enumerate(found, 1)
    ]
    return messages


def people_in(digest: Digest) -> list[str]:
    """Every user the digest names (owners, delegates, authors, exceptions' owners), for looking their names up once."""
    seen: dict[str, None] = {}
    for p in digest.projects:
        seen.update(dict.fromkeys((p.owner, *p.delegates)))
        if p.update is not None:
            seen[p.update.author] = None
    seen.update(dict.fromkeys(e.owner_user_id for e in digest.exceptions))
    return list(seen)


# -- building ----------------------------------------------------------------------------------------


def _blocks(texts: list[str]) -> list[Block]:
    """Marked texts as rich text blocks, neighbours sharing a block (a blank line between) while they fit."""
    return [block for text in joined(texts) for block in rich_blocks(text)]


def history_button(ref: str) -> ActionsBlock:
    """A project's History button: its update history in a modal (``handlers.slack.actions.history_button``)."""
    return ActionsBlock(elements=[ButtonElement(text="History", action_id=HISTORY_ACTION, value=ref)])


def _context_block(text: str) -> ContextBlock:
    """A footnote in the bot's own words (never typed text)."""
    return ContextBlock(elements=[MarkdownTextObject(text=text, verbatim=True)])


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

    def owner(e: ExceptionEntry) -> str:
        return names.get(e.owner_user_id) or e.owner_name

    period = f"{day(digest.start)} to {day(digest.end)}" if digest.start else f"up to {day(digest.end)}"
    return {
        "ex": exceptions_text,
        "owner": owner,
        "d": digest,
        "tz": tz,
        "period": period,
        "person": person,
        "day": day,
        "trend_text": trend_text,
    }
