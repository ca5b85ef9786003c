"""Jinja2 rendering with escaping for each target. Officer-written text goes through a filter per target."""

from __future__ import annotations

import re
from datetime import datetime, tzinfo
from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from models import Rag

RAG_EMOJI = {Rag.RED: ":red_circle:", Rag.AMBER: ":large_orange_circle:", Rag.GREEN: ":large_green_circle:"}
RAG_LABEL = {Rag.RED: "Red", Rag.AMBER: "Amber", Rag.GREEN: "Green"}
_MENTION = re.compile(r"&lt;@([UW][A-Z0-9]{2,})&gt;")
# Markdown's inline control characters, escaped wherever they appear.
_MD_INLINE = re.compile(r"([\\`*_\[\]~|])")
# Block markers that only mean something at the start of a line: headings, list items, setext underlines.
_MD_LINE_START = re.compile(r"^(?:([#+=-])|(\d{1,9})([.)]))")
# Teams: characters followed by a zero-width space, those backslash-escaped, and block markers at a line's start.
_TEAMS_BREAK = re.compile(r"[\\<&{]")
_TEAMS_INLINE = re.compile(r"([*_\[\]])")
_TEAMS_LINE_START = re.compile(r"^(?:[#>+\-*=|]|\d{1,9}[.)])")


def escape_mrkdwn(text: str) -> str:
    """Make text inert in Slack mrkdwn: no mention, channel ping or link can survive.

    Slack's control sequences all start with ``<``; escaping ``&``, ``<`` and ``>`` as Slack asks turns
    ``<!channel>``, ``<@U…>`` and ``<https://x|y>`` into plain text.
    """
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def escape_md(text: str) -> str:
    """Make text inert in Markdown (CommonMark and GitHub's): no emphasis, link, image, code, heading,
    list, table cell or HTML can come out of it, and Slack's ``<!channel>``/``<@U…>`` stay plain text.

    ``&``, ``<`` and ``>`` become character references (so no HTML, autolink or block quote);
    ``\\ ` * _ [ ] ~ |`` are backslash-escaped; a line that starts with ``# + - =`` or ``1.``/``1)`` has
    that marker escaped, and leading spaces (an indented code block) are dropped. Blank lines are
    dropped and the remaining lines joined by hard line breaks, so the text stays inside the list
    item or paragraph the template put it in. A bare URL is left as text: it shows where it goes.
    """
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    lines = [_MD_INLINE.sub(r"\\\1", line.strip()) for line in text.splitlines()]
    return "\\\n".join(_MD_LINE_START.sub(_escape_marker, line) for line in lines if line)


def escape_teams(text: str) -> str:
    """Make text inert in Microsoft Teams: an Adaptive Card TextBlock's markdown subset, and a message's text.

    Teams renders bold, italic, lists and ``[text](url)`` links in a TextBlock (the web client through a
    CommonMark parser, the mobile clients through Adaptive Cards' own), HTML and ``<at>`` mentions in a
    message, and ``{{DATE(…)}}``/``{{TIME(…)}}`` in a TextBlock. Escapes both parsers honour are used, and
    where one would show a stray backslash, a zero-width space breaks the syntax instead, invisibly:

    - ``* _ [ ]`` are backslash-escaped (no emphasis, no link); a backslash is followed by a zero-width
      space, so it stays a backslash and escapes nothing;
    - ``<`` and ``&`` are followed by a zero-width space: no HTML tag, no ``<at>`` mention, no autolink,
      no character reference; ``{`` likewise, so no ``{{DATE()}}``;
    - a line that starts with a block marker (``# > + - * = |`` or ``1.``/``1)``) gets a zero-width space
      in front, so it is no heading, quote, list or table; leading spaces (a code block) are dropped.

    Blank lines are dropped and the lines joined by blank lines, which both parsers show as line breaks.
    A bare URL is left as text: it shows where it goes.
    """
    text = _TEAMS_BREAK.sub("\\g<0>\u200b", text)
    lines = [_TEAMS_INLINE.sub(r"\\\1", line.strip()) for line in text.splitlines()]
    return "\n\n".join(_TEAMS_LINE_START.sub("\u200b\\g<0>", line) for line in lines if line)


def _escape_marker(m: re.Match[str]) -> str:
    if m.group(1):
        return "\\" + m.group(1)
    return m.group(2) + "\\" + m.group(3)


def rag_label(rag: Rag | str | None) -> str:
    """``Red``, ``Amber``, ``Green``, or ``No RAG yet`` for a project with no update yet."""
    return RAG_LABEL[Rag(rag)] if rag else "No RAG yet"


def mrkdwn_message(text: str) -> str:
    """Escape a message for mrkdwn, keeping only well-formed user mentions the bot itself wrote."""
    return _MENTION.sub(r"<@\1>", escape_mrkdwn(text))


def unescape_slack(text: str) -> str:
    """Undo Slack's escaping of ``&``, ``<`` and ``>`` in text it sends us, to store what was typed."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def local_time(value: datetime, tz: tzinfo | None = None) -> str:
    """``24 Nov 2026 09:30`` in ``tz`` (by default the time zone ``value`` carries)."""
    return value.astimezone(tz or value.tzinfo).strftime("%-d %b %Y %H:%M")


def ago(value: datetime, now: datetime) -> str:
    days = (now - value).days
    if days <= 0:
        return "today"
    if days == 1:
        return "yesterday"
    if days < 14:
        return f"{days} days ago"
    if days < 60:
        return f"{days // 7} weeks ago"
    return f"{days // 30} months ago"


@cache
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("bot", "templates"),
        # HTML templates (name.html or name.html.j2) are autoescaped; the others escape with a filter per target.
        autoescape=select_autoescape(enabled_extensions=("html", "html.j2"), default_for_string=False),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )
    env.filters["mrkdwn"] = escape_mrkdwn
    env.filters["rag_emoji"] = lambda rag: RAG_EMOJI[Rag(rag)]
    env.filters["title"] = lambda s: str(s).replace("_", " ").capitalize()
    env.filters["local_time"] = local_time
    env.filters["ago"] = ago
    env.filters["md"] = escape_md
    env.filters["teams"] = escape_teams
    env.filters["rag_label"] = rag_label
    return env


def render(template: str, **context: Any) -> str:
    return environment().get_template(template).render(**context).strip()
