"""Text a person typed, made safe to show: invisible characters removed, and marked as literal for the renderers.

:func:`visible` is the one function every output applies to officer-written text (Slack, Teams, Markdown,
HTML, Word, CSV, calendar), where it leaves the bot. It removes bidirectional controls, invisible format
characters and control characters but tab and line feed (line breaks become a line feed), and nothing else.
:func:`literal` marks cleaned text inside a string of the bot's own markup with two Unicode noncharacters,
so renderers show it as text, never as markup; it removes noncharacters from the text it marks, so typed
text can never open or close a mark. :func:`spans` reads such a string: the bot's markup (Slack's mrkdwn)
read, the marked pieces left as they are.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

__all__ = ["CLOSE", "OPEN", "Span", "literal", "segments", "spans", "typed", "unmarked", "visible"]

OPEN = "\ufdd0"
CLOSE = "\ufdd1"

_EMOJI = "[\u2190-\u2bff\ufe0f\U0001f000-\U0001faff]"
_INVISIBLE = re.compile(
    # kept: a subdivision flag's tag sequence, and a zero-width joiner between two emoji
    "(\U0001f3f4[\U000e0020-\U000e007e]+\U000e007f)"
    f"|((?<={_EMOJI})\u200d(?={_EMOJI}))"
    # removed: bidi controls, zero-width and invisible format characters, tags, controls but \t and \n
    "|[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
    "\u200b-\u200d\u2060-\u2064\ufeff\u180e\u00ad\u034f\u115f\u1160\u3164\uffa0\ufff9-\ufffb"
    "\U000e0000-\U000e007f"
    "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]"
)
_NEWLINE = re.compile("\r\n?|[\u2028\u2029]")
_NONCHARACTER = re.compile("[\ufdd0-\ufdef\ufffe\uffff]")
_SEGMENT = re.compile(f"{OPEN}([^{OPEN}{CLOSE}]*){CLOSE}")


# What the three patterns above can change in ASCII text: controls but tab and line feed (CR among them).
_ASCII_CHANGED = re.compile("[\x00-\x08\x0b-\x1f\x7f]")


def _left_as_it_is(text: str) -> bool:
    """Whether none of the patterns above would change ``text``, seen without running them: ASCII with none
    of :data:`_ASCII_CHANGED` in it (most typed text, and on every update's answer)."""
    return text.isascii() and _ASCII_CHANGED.search(text) is None


def visible(text: str) -> str:
    """``text`` without the characters a reader cannot see but a renderer obeys (see the module's doc)."""
    if _left_as_it_is(text):
        return text
    return _INVISIBLE.sub(_keep, _NEWLINE.sub("\n", text))


def _keep(m: re.Match[str]) -> str:
    return m.group(1) or m.group(2) or ""


def literal(text: str) -> str:
    """``text``, cleaned by :func:`visible`, between the marks that say "show this as it is"."""
    return f"{OPEN}{typed(text)}{CLOSE}"


def typed(text: str) -> str:
    """What :func:`literal` marks of ``text``: cleaned by :func:`visible`, without noncharacters."""
    if _left_as_it_is(text):
        return text
    return _NONCHARACTER.sub("", visible(text))


def segments(marked: str) -> Iterator[tuple[str, bool]]:
    """``(text, is_literal)`` pieces of a string holding :func:`literal` marks, in order.

    A stray mark (one without its partner) is dropped: it cannot come from :func:`literal`."""
    pos = 0
    for m in _SEGMENT.finditer(marked):
        if m.start() > pos:
            yield _NONCHARACTER.sub("", marked[pos : m.start()]), False
        yield m.group(1), True
        pos = m.end()
    if pos < len(marked):
        yield _NONCHARACTER.sub("", marked[pos:]), False


def unmarked(marked: str) -> str:
    """The string as a reader would see it with the marks taken out (the literal text as it is)."""
    return "".join(text for text, _ in segments(marked))


# -- reading marked text -------------------------------------------------------------------------

# A literal piece stands in the bot's markup as one character of the Supplementary Private Use Area-B,
# so the markup around it is read with the piece out of the way; nothing else there is ever markup.
_PLACEHOLDER_BASE = 0x100000
_PLACEHOLDERS = re.compile("[\U00100000-\U0010fffd]")
# One token of the bot's mrkdwn: as Slack reads it (emphasis only at word boundaries), so that
# ICTBOT_ADMINS or FREQ=MONTHLY;BYDAY=+2TU stay text. An emoji name has a letter, so 10:00:00 is a time.
_TOKEN = re.compile(
    r"(?P<code>`[^`\n]+`)"
    r"|<(?P<control>[@#!][^<>\s]*)>"
    r"|(?<![\w*])\*(?!\s)(?P<bold>[^*\n]+?)(?<!\s)\*(?![\w*])"
    r"|(?<![\w_])_(?!\s)(?P<italic>[^_\n]+?)(?<!\s)_(?![\w_])"
    r"|(?<![\w~])~(?!\s)(?P<strike>[^~\n]+?)(?<!\s)~(?![\w~])"
    r"|:(?P<emoji>[a-z0-9_+-]*[a-z][a-z0-9_+-]*):"
)
_USER = re.compile(r"@([UW][A-Z0-9]+)(?:\|[^<>]*)?")
_CHANNEL = re.compile(r"#([CGD][A-Z0-9]+)(?:\|[^<>]*)?")
_USERGROUP = re.compile(r"!subteam\^(S[A-Z0-9]+)(?:\|[^<>]*)?")


@dataclass(frozen=True, slots=True)
class Span:
    """A run of the message: ``text`` (for ``kind`` "text"), an emoji's name, or a user, channel or group ID."""

    kind: str  # text, emoji, user, channel, usergroup
    value: str
    style: frozenset[str] = frozenset()
    literal: bool = False  # typed by a person: shown as it is, never read as markup


def spans(marked: str) -> list[Span]:
    """The runs of a marked mrkdwn string, in order: the bot's markup read, the literal pieces as they are."""
    return list(_spans(marked))


@functools.lru_cache(maxsize=32)  # a message is read for its blocks and again for its notification text
def _spans(marked: str) -> tuple[Span, ...]:
    pieces: list[str] = []
    skeleton = []
    for text, is_literal in segments(marked):
        if is_literal:
            skeleton.append(chr(_PLACEHOLDER_BASE + len(pieces)))
            pieces.append(text)
        else:
            skeleton.append(_PLACEHOLDERS.sub("", text))
    out: list[Span] = []
    _read("".join(skeleton), frozenset(), pieces, out)
    return tuple(out)


def _read(source: str, style: frozenset[str], pieces: Sequence[str], out: list[Span]) -> None:
    pos = 0
    for m in _TOKEN.finditer(source):
        _text(source[pos : m.start()], style, pieces, out)
        pos = m.end()
        if m["code"] is not None:
            _text(m["code"][1:-1], style | {"code"}, pieces, out)
        elif m["control"] is not None:
            out.append(_control(m["control"], m[0], style))
        elif m["emoji"] is not None:
            out.append(Span("emoji", m["emoji"], style))
        else:
            name = next(s for s in ("bold", "italic", "strike") if m[s] is not None)
            _read(m[name], style | {name}, pieces, out)
    _text(source[pos:], style, pieces, out)


def _text(source: str, style: frozenset[str], pieces: Sequence[str], out: list[Span]) -> None:
    pos = 0
    for m in _PLACEHOLDERS.finditer(source):
        if m.start() > pos:
            out.append(Span("text", source[pos : m.start()], style))
        if piece := pieces[ord(m[0]) - _PLACEHOLDER_BASE]:
            out.append(Span("text", piece, style, literal=True))
        pos = m.end()
    if pos < len(source):
        out.append(Span("text", source[pos:], style))


def _control(inner: str, whole: str, style: frozenset[str]) -> Span:
    for kind, pattern in (("user", _USER), ("channel", _CHANNEL), ("usergroup", _USERGROUP)):
        m = pattern.fullmatch(inner)
        if m:
            return Span(kind, m.group(1), style)
    return Span("text", whole, style)  # the bot writes no other control sequence: shown as text
