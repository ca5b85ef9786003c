"""The bot's messages as Slack ``rich_text`` blocks, so that what a person typed is shown exactly as typed.

The text comes from a Jinja2 template (or a domain message) in Slack's mrkdwn, with every piece of
officer-written text marked by :func:`bot.literal.literal`. The bot's own markup is read and turned into
rich text elements; the marked text is never read as markup: it becomes ``text`` elements, which Slack
shows as they are (they format, mention, link and emoji-fy nothing). Sizes are counted as JSON, never
less than what Slack counts; a block takes at most :data:`MAX_BLOCK_SIZE`, split between lines (else at
a space) with nothing dropped, and :func:`pages` puts blocks in messages within Slack's limits.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable, Sequence
from json.encoder import encode_basestring_ascii
from typing import Any

from slack_sdk.models.blocks import Block, BlockElement, RichTextBlock, TextObject

from bot.literal import Span, spans

__all__ = [
    "MAX_BLOCKS",
    "MAX_BLOCK_SIZE",
    "MAX_MESSAGE_SIZE",
    "Span",
    "block_size",
    "element_size",
    "fallback_of",
    "fallback_text",
    "joined",
    "notification_escaped",
    "pages",
    "rich_block_dicts",
    "rich_blocks",
    "rich_blocks_of",
    "rich_dicts_of",
    "spans",
    "text_size",
]

MAX_BLOCKS = 50
MAX_BLOCK_SIZE = 3000
MAX_MESSAGE_SIZE = 11_000  # characters of blocks' JSON in one message: under the ~12,000 Slack takes
STYLES = ("bold", "italic", "strike", "code")

# -- fallback text ---------------------------------------------------------------------------------


def fallback_text(marked: str) -> str:
    """The message's first line as the ``text`` Slack shows in notifications and reads to screen readers:
    plain text, so without the bot's markup, and with ``&``, ``<`` and ``>`` escaped as Slack asks, so that
    nothing typed can mention or link there either."""
    return fallback_of(spans(marked))


def fallback_of(runs: Iterable[Span]) -> str:
    """:func:`fallback_text` of runs built directly (as :func:`bot.literal.spans` would read them). Reading
    stops once the first line is sure: text has followed a line break after it."""
    out: list[str] = []
    broken = False  # a line break has been read
    for s in runs:
        if s.kind == "text":
            piece = notification_escaped(s.value)
        elif s.kind == "emoji":
            piece = f":{s.value}:"
        else:
            piece = {"user": "<@{}>", "channel": "<#{}>", "usergroup": "<!subteam^{}>"}[s.kind].format(s.value)
        out.append(piece)
        if broken and piece.strip():
            first, line_break, after = "".join(out).lstrip().partition("\n")
            if line_break and after.strip():  # what strip() takes off the end cannot reach the first line
                return first
        broken = broken or "\n" in piece
    return "".join(out).strip().split("\n", 1)[0]


def notification_escaped(text: str) -> str:
    """``text`` with ``&``, ``<`` and ``>`` escaped, as Slack asks of a message's ``text``: nothing in it can
    mention or link."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# -- blocks ----------------------------------------------------------------------------------------


def rich_blocks(marked: str, limit: int = MAX_BLOCK_SIZE) -> list[RichTextBlock]:
    """A marked mrkdwn string as rich text blocks whose elements take at most ``limit`` each; nothing dropped.

    slack_sdk's models, to sit among other blocks; :func:`rich_block_dicts` gives the same as Slack takes it."""
    return [_Built(block) for block in rich_block_dicts(marked, limit)]


class _Built(RichTextBlock):
    """A ``rich_text`` block holding the JSON :func:`rich_block_dicts` built, which is what slack_sdk's model
    of it sends (tests/slack/blocks/test_rich_text.py checks). Not handed to the model to parse on the way
    in: slack_sdk's parse walks every BlockElement subclass for each element, which took a tenth of the
    time of a digest's or a reminder's messages. ``elements`` parses them when someone reads them."""

    def __init__(self, block: dict[str, Any]) -> None:
        Block.__init__(self, type=self.type)  # not RichTextBlock's: it would parse the elements
        self._block = block

    @property
    def elements(self) -> list[BlockElement | TextObject]:  # type: ignore[override]  # the model's attribute, read-only
        return BlockElement.parse_all(self._block["elements"])

    def to_dict(self) -> dict[str, Any]:
        return {**self._block, "elements": list(self._block["elements"])}


def rich_block_dicts(marked: str, limit: int = MAX_BLOCK_SIZE) -> list[dict[str, Any]]:
    """:func:`rich_blocks` as the JSON Slack takes (each equal to its model's ``to_dict()``, which
    tests/handlers/test_rich_text.py checks): built directly, as a confirmation is on every update's path."""
    return rich_dicts_of(spans(marked), limit)


def rich_dicts_of(runs: list[Span], limit: int = MAX_BLOCK_SIZE) -> list[dict[str, Any]]:
    """:func:`rich_block_dicts` of runs built directly (as :func:`bot.literal.spans` would read them)."""
    runs = _trimmed(runs)
    if _one_block(runs, limit):  # the usual case (every update's answer), without cutting anything into lines
        block = _block([s for s in runs if s.value])
        return [block] if block is not None else []
    return [block for chunk in _chunks(runs, limit) if (block := _block(chunk)) is not None]


def _one_block(runs: list[Span], limit: int) -> bool:
    """Whether ``runs`` make one block as they are: they fit in ``limit``, and no line of the bot's text
    ends inside a run (:func:`_lines` would cut it there, and :func:`_chunks` keep the pieces apart)."""
    if any(s.kind == "text" and not s.literal and "\n" in s.value[:-1] for s in runs):
        return False
    return sum(size(s) for s in runs) <= limit


def rich_blocks_of(runs: list[Span], limit: int = MAX_BLOCK_SIZE) -> list[RichTextBlock]:
    """:func:`rich_blocks` of runs built directly."""
    return [_Built(block) for block in rich_dicts_of(runs, limit)]


def text_size(marked: str) -> int:
    """What a marked string takes of a block (as :func:`rich_blocks` counts it)."""
    return sum(size(s) for s in spans(marked))


def joined(texts: Iterable[str], limit: int = MAX_BLOCK_SIZE, sep: str = "\n\n") -> list[str]:
    """Neighbouring marked texts joined by ``sep`` while they fit in ``limit``: fewer, fuller blocks, and a
    text that fits in a block kept in one."""
    out: list[str] = []
    for text in texts:
        if out and text_size(out[-1]) + len(sep) + text_size(text) <= limit:
            out[-1] = f"{out[-1]}{sep}{text}"
        else:
            out.append(text)
    return out


def block_size(block: Block | dict[str, Any]) -> int:
    """A block's size as JSON with non-ASCII escaped: at least what it takes of a message's allowance."""
    raw = block.to_dict() if isinstance(block, Block) else block
    return len(json.dumps(raw, separators=(",", ":")))


def pages(
    blocks: Sequence[Block | Sequence[Block]], *, continued: Sequence[Block] = (), tail: Sequence[Block] = ()
) -> list[list[dict[str, Any]]]:
    """Blocks in messages of at most :data:`MAX_BLOCKS` blocks and :data:`MAX_MESSAGE_SIZE` of JSON, in
    order; ``tail`` closes the last, and every further message opens with ``continued``. A sequence of
    blocks among ``blocks`` (a project and its button) stays in one message whenever it fits in one. Each
    block is validated by slack_sdk (``to_dict``)."""
    out: list[list[dict[str, Any]]] = []
    page: list[dict[str, Any]] = []
    used = 0
    opening = [b.to_dict() for b in continued]

    def fits(extra: Sequence[dict[str, Any]]) -> bool:
        size = used + sum(block_size(b) for b in extra)
        return len(page) + len(extra) <= MAX_BLOCKS and size <= MAX_MESSAGE_SIZE

    def turn() -> None:
        nonlocal page, used
        out.append(page)
        page = list(opening)
        used = sum(block_size(b) for b in page)

    for item in blocks:
        unit = [item.to_dict()] if isinstance(item, Block) else [b.to_dict() for b in item]
        if page and page != opening and not fits(unit):
            turn()  # the unit starts a message; one too big for any message is split below, block by block
        for block in unit:
            if page and page != opening and not fits([block]):
                turn()
            page.append(block)
            used += block_size(block)
    closing = [b.to_dict() for b in tail]
    if closing and not fits(closing):
        turn()
    page += closing
    out.append(page)
    return out


def _trimmed(runs: list[Span]) -> list[Span]:
    """Without the blank lines the template leaves at its start and end (the bot's, never typed text). A new
    list: the caller's (a confirmation's runs, built once for its blocks and its fallback) is left as it is."""
    runs = list(runs)
    while runs and runs[0].kind == "text" and not runs[0].literal and not runs[0].value.strip():
        runs = runs[1:]
    while runs and runs[-1].kind == "text" and not runs[-1].literal and not runs[-1].value.strip():
        runs = runs[:-1]
    if runs and runs[0].kind == "text" and not runs[0].literal:
        runs[0] = Span("text", runs[0].value.lstrip("\n"), runs[0].style)
    if runs and runs[-1].kind == "text" and not runs[-1].literal:
        runs[-1] = Span("text", runs[-1].value.rstrip("\n"), runs[-1].style)
    return runs


def size(span: Span) -> int:
    """What a run takes of a block: its element's JSON, non-ASCII escaped, and the comma after it. Its
    value is escaped by json.dumps' own (C) string encoder, the rest counted once for its kind and style."""
    return element_size(span.kind, span.value, span.style)


def element_size(kind: str, value: str, style: frozenset[str] = frozenset()) -> int:
    """:func:`size` of the element of a run of ``kind``, ``value`` and ``style``, for one built without its run."""
    return len(encode_basestring_ascii(value)) + _frame(kind, style)


@functools.cache
def _frame(kind: str, style: frozenset[str]) -> int:
    """The JSON of an element of ``kind`` and ``style`` around its value (``""``), and the comma after it."""
    return len(json.dumps(_element(Span(kind, "", style)), separators=(",", ":"))) - len('""') + 1


def _fits(text: str, room: int) -> int:
    """How many of ``text``'s first characters fit in ``room`` characters of JSON (escaped as json escapes)."""
    used = 0
    for i, c in enumerate(text):
        used += len(json.dumps(c)) - 2
        if used > room:
            return i
    return len(text)


def _chunks(runs: Iterable[Span], limit: int) -> list[list[Span]]:
    """Runs in groups of at most ``limit`` characters, each ending at the end of one of the bot's lines
    where it can; typed text is cut only when it does not fit in a group of its own (at a line break or a
    space where there is one in the second half)."""
    chunks: list[list[Span]] = []
    current: list[Span] = []
    used = 0

    def turn() -> None:
        nonlocal current, used
        if current:
            chunks.append(current)
        current, used = [], 0

    lines = _lines(runs)
    if sum(size(s) for line in lines for s in line) <= limit:  # the usual case: all of it in one group
        whole = [s for line in lines for s in line if s.value]
        return [whole] if whole else []
    for line in lines:
        if used + sum(size(s) for s in line) > limit:
            turn()
        for s in line:
            while size(s) > limit - used:
                room = limit - used
                if used and (size(s) <= limit or room < limit // 2 or s.kind != "text"):
                    turn()  # it fits in a group of its own, or too little is left here to be worth a cut
                    continue
                cut = _cut(s.value, max(1, _fits(s.value, room - size(Span("text", "", s.style)))))
                current.append(Span("text", s.value[:cut], s.style, s.literal))
                turn()
                s = Span("text", s.value[cut:], s.style, s.literal)
            if s.value:
                current.append(s)
                used += size(s)
    turn()
    return chunks


def _cut(text: str, room: int) -> int:
    """Where to cut ``text`` to keep at most ``room`` characters: after its last line break there, else
    after a space in the second half of the room, else at the room. Every character is kept on one side."""
    at = text.rfind("\n", 0, room)
    if at > 0:
        return at + 1
    at = text.rfind(" ", 0, room)
    return at + 1 if at + 1 >= room // 2 else room


def _lines(runs: Iterable[Span]) -> list[list[Span]]:
    """The runs cut after each of the bot's line feeds (typed text is kept whole here)."""
    lines: list[list[Span]] = [[]]
    for s in runs:
        if s.kind != "text" or s.literal or "\n" not in s.value:
            lines[-1].append(s)
            continue
        parts = s.value.split("\n")
        for i, part in enumerate(parts):
            text = part + ("\n" if i < len(parts) - 1 else "")
            if text:
                lines[-1].append(Span("text", text, s.style))
            if i < len(parts) - 1:
                lines.append([])
    return [line for line in lines if line]


def _block(runs: Sequence[Span]) -> dict[str, Any] | None:
    runs = list(runs)
    while runs and runs[-1].kind == "text" and not runs[-1].literal and runs[-1].value.endswith("\n"):
        last = runs.pop()  # the block itself ends the line
        if last.value.rstrip("\n"):
            runs.append(Span("text", last.value.rstrip("\n"), last.style))
            break
    if not runs:
        return None
    section = {"type": "rich_text_section", "elements": [_element(s) for s in runs]}
    return {"type": "rich_text", "elements": [section]}


# The field that carries each kind of element's value (slack_sdk's RichTextElementParts name them so).
_VALUE_FIELD = {
    "text": "text",
    "emoji": "name",
    "user": "user_id",
    "channel": "channel_id",
    "usergroup": "usergroup_id",
}


def _element(s: Span) -> dict[str, Any]:
    element: dict[str, Any] = {"type": s.kind, _VALUE_FIELD[s.kind]: s.value}
    style = {name: True for name in STYLES if name in s.style}
    if style:
        element["style"] = style
    return element
