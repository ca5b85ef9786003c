"""The terminal side of the local shells: Slack's text (mrkdwn, ``rich_text`` blocks, text objects) as
styled terminal text, and the lines a person types (from the terminal, or from a stream for a transcript).

It only reads and prints; it sends nothing to the app.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TextIO

from rich.console import Console
from rich.emoji import Emoji
from rich.style import Style
from rich.text import Text

__all__ = [
    "CANCEL",
    "QUIT",
    "Lines",
    "emojize",
    "mrkdwn_text",
    "option_label",
    "plain",
    "quiet",
    "rich_text",
    "text_object",
    "unescape",
]

CANCEL = ":cancel"
QUIT = (":quit", ":q", ":exit")

# Slack emoji names the bot uses that rich does not know.
_SLACK_EMOJI = {
    "large_orange_circle": "🟠",
    "large_green_circle": "🟢",
    "large_yellow_circle": "🟡",
    "large_blue_circle": "🔵",
    "large_purple_circle": "🟣",
    "white_circle": "⚪",
    "black_circle": "⚫",
}
_EMOJI = re.compile(r":([a-z0-9_+-]+):")
# One mrkdwn token: `code`, a <control sequence>, *bold*, _italic_ or ~strike~.
_TOKEN = re.compile(
    r"(?P<code>`[^`\n]+`)"
    r"|<(?P<control>[^<>\s][^<>]*)>"
    r"|(?<![\w*])\*(?!\s)(?P<bold>[^*\n]+?)(?<!\s)\*(?![\w*])"
    r"|(?<![\w_])_(?!\s)(?P<italic>[^_\n]+?)(?<!\s)_(?![\w_])"
    r"|(?<![\w~])~(?!\s)(?P<strike>[^~\n]+?)(?<!\s)~(?![\w~])"
)


def unescape(text: str) -> str:
    """Undo Slack's escaping of ``&``, ``<`` and ``>`` for display."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def emojize(text: str) -> str:
    """``:white_check_mark:`` → ✅, leaving unknown names as they are."""
    return _EMOJI.sub(lambda m: _SLACK_EMOJI.get(m[1]) or Emoji.replace(m[0]), text)


def mrkdwn_text(
    source: str, *, users: Mapping[str, str] | None = None, channels: Mapping[str, str] | None = None
) -> Text:
    """Slack mrkdwn as styled terminal text: *bold*, _italic_, `code`, mentions by name, emoji."""
    out = Text()
    _append_mrkdwn(out, source, Style(), users or {}, channels or {})
    return out


def _append_mrkdwn(out: Text, source: str, style: Style, users: Mapping[str, str], channels: Mapping[str, str]) -> None:
    pos = 0
    for m in _TOKEN.finditer(source):
        if m.start() > pos:
            out.append(emojize(unescape(source[pos : m.start()])), style)
        pos = m.end()
        if m["code"] is not None:
            out.append(unescape(m["code"][1:-1]), style + Style(color="cyan"))
        elif m["control"] is not None:
            out.append(_control(m["control"], users, channels), style + Style(color="blue"))
        elif m["bold"] is not None:
            _append_mrkdwn(out, m["bold"], style + Style(bold=True), users, channels)
        elif m["italic"] is not None:
            _append_mrkdwn(out, m["italic"], style + Style(italic=True), users, channels)
        else:
            _append_mrkdwn(out, m["strike"], style + Style(strike=True), users, channels)
    if pos < len(source):
        out.append(emojize(unescape(source[pos:])), style)


def _control(inner: str, users: Mapping[str, str], channels: Mapping[str, str]) -> str:
    """A Slack control sequence (``<@U1>``, ``<#C1|name>``, ``<!here>``, ``<url|label>``) as a reader sees it."""
    target, _, label = inner.partition("|")
    label = unescape(label)
    if target.startswith("@"):
        return "@" + (label or users.get(target[1:]) or target[1:])
    if target.startswith("#"):
        return "#" + (label or channels.get(target[1:]) or target[1:])
    if target.startswith("!subteam^") or target.startswith("!date^"):
        return label or target[1:]
    if target.startswith("!"):
        return "@" + target[1:]
    target = unescape(target)
    return f"{label} ({target})" if label else target


# The styles of a rich text element, for a terminal.
_RICH_STYLES = {
    "bold": Style(bold=True),
    "italic": Style(italic=True),
    "strike": Style(strike=True),
    "code": Style(color="cyan"),
}


def rich_text(
    block: Mapping[str, Any], *, users: Mapping[str, str] | None = None, channels: Mapping[str, str] | None = None
) -> Text:
    """A ``rich_text`` block as styled terminal text, as Slack shows it: a ``text`` element exactly as it
    is (no mrkdwn, no emoji codes, no links read in it), emoji, mentions and channels by name."""
    out = Text()
    for section in block.get("elements") or []:
        if out and section.get("type") != "rich_text_section":
            out.append("\n")
        for e in section.get("elements") or []:
            style = Style()
            for name, on in (e.get("style") or {}).items():
                if on and name in _RICH_STYLES:
                    style += _RICH_STYLES[name]
            out.append_text(_rich_element(e, style, users or {}, channels or {}))
    return out


def _rich_element(e: Mapping[str, Any], style: Style, users: Mapping[str, str], channels: Mapping[str, str]) -> Text:
    kind = e.get("type")
    if kind == "text":
        return Text(str(e.get("text", "")), style=style)
    if kind == "emoji":
        return Text(emojize(f":{e.get('name', '')}:"), style=style)
    blue = style + Style(color="blue")
    if kind == "user":
        uid = str(e.get("user_id", ""))
        return Text("@" + users.get(uid, uid), style=blue)
    if kind == "channel":
        cid = str(e.get("channel_id", ""))
        return Text("#" + channels.get(cid, cid), style=blue)
    if kind == "usergroup":
        return Text("@" + str(e.get("usergroup_id", "")), style=blue)
    if kind == "link":
        return Text(str(e.get("text") or e.get("url", "")), style=blue)
    return Text(f"[{kind}]", style="dim")


def text_object(obj: Mapping[str, Any] | None, users: Mapping[str, str], channels: Mapping[str, str]) -> Text:
    if not obj:
        return Text()
    if obj.get("type") == "mrkdwn":
        return mrkdwn_text(str(obj.get("text", "")), users=users, channels=channels)
    text = str(obj.get("text", ""))
    return Text(emojize(text) if obj.get("emoji", True) else text)


def plain(obj: Mapping[str, Any] | None, default: str = "") -> str:
    """A text object's text as a reader sees it (for labels, titles, buttons)."""
    if not obj:
        return default
    text = str(obj.get("text", default))
    return unescape(text) if obj.get("type") == "mrkdwn" else emojize(text)


def option_label(option: Mapping[str, Any]) -> str:
    return plain(option.get("text"), str(option.get("value", "")))


@dataclass
class Lines:
    """Where typed lines come from: the terminal (with line editing) or a stream (echoed, for a transcript)."""

    console: Console
    stream: TextIO | None

    def __post_init__(self) -> None:
        self.interactive = self.stream is None and sys.stdin.isatty() and self.console.is_terminal
        self.ended = False
        if self.interactive:
            try:
                import readline  # noqa: F401  (line editing and history for input())
            except ImportError:  # pragma: no cover  (not on every platform)
                pass

    def read(self, prompt: Text) -> str | None:
        """One line without its newline; None at the end of input. Ctrl-C reads as ``:cancel``."""
        if self.ended:
            return None
        if self.interactive:
            try:
                return self.console.input(prompt)
            except EOFError:
                self.console.print()
                self.ended = True
                return None
            except KeyboardInterrupt:
                self.console.print()
                return CANCEL
        stream = self.stream if self.stream is not None else sys.stdin
        self.console.print(prompt, end="")
        line = stream.readline()
        if not line:
            self.console.print()
            self.ended = True
            return None
        line = line.rstrip("\r\n")
        self.console.print(Text(line), soft_wrap=True)  # echo, so a piped session reads as a transcript
        return line


class _AtLeast(logging.Filter):
    """Lets through only records at ``level`` or above, whatever level the logger is later set to."""

    def __init__(self, level: int) -> None:
        super().__init__()
        self.level = level

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno >= self.level


@contextmanager
def quiet(levels: Mapping[str, int]) -> Iterator[None]:
    """The loggers named in ``levels`` at those levels while a shell runs (it shows what happened itself).

    Each also gets a filter at its level, since a library may set its logger's level again: the Teams SDK
    sets httpx's to its own on every HTTP client it builds, one per activity."""
    loggers = {name: logging.getLogger(name) for name in levels}
    previous = {name: logger.level for name, logger in loggers.items()}
    filters = {name: _AtLeast(level) for name, level in levels.items()}
    for name, level in levels.items():
        loggers[name].setLevel(level)
        loggers[name].addFilter(filters[name])
    try:
        yield
    finally:
        for name, level in previous.items():
            loggers[name].removeFilter(filters[name])
            loggers[name].setLevel(level)
