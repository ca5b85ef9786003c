"""Jinja2 rendering with escaping for each target. Officer-written text goes through a filter per target.

- ``literal`` (Slack mrkdwn templates): marks the text for :mod:`handlers.slack.blocks.rich_text`, which shows it as
  a rich text ``text`` element, exactly as typed;
- ``md`` and ``md_line`` (Markdown): backslash escapes (:func:`escape_md`);
- HTML templates are autoescaped.

Every value a template shows is passed through :func:`bot.literal.visible` on its way out (the
environment's ``finalize``), so no bidi control or zero-width character reaches any of them.
"""

from __future__ import annotations

import re
from datetime import datetime, tzinfo
from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from bot.literal import literal, visible
from models import Rag

RAG_EMOJI = {Rag.RED: ":red_circle:", Rag.AMBER: ":large_orange_circle:", Rag.GREEN: ":large_green_circle:"}
RAG_LABEL = {Rag.RED: "Red", Rag.AMBER: "Amber", Rag.GREEN: "Green"}
# Backslash-escaped wherever they appear: what CommonMark and GFM read as markup inline (code, emphasis,
# strikethrough, links and images, raw HTML, autolinks, character references, table cells), and what
# common renderers add to it (GitHub's #123 references, @mentions and $math$). Every one of them may be
# backslash-escaped in CommonMark, and shows as itself.
_MD_ANYWHERE = re.compile(r"([\\`*_\[\]<>&~|#@$])")
# GFM's extended autolinks (https://x, www.x) and GitHub's :emoji: shortcodes: the ':' and the '.' escaped.
_MD_LINKISH = re.compile(r":(?=//|[A-Za-z0-9_+-]+:)|(?i:(?<![A-Za-z0-9])www)\.")
# An e-mail address, as GitHub's renderer finds one in text after it has undone every escape: only a code
# span keeps it from becoming a mailto: link.
_MD_EMAIL = re.compile(r"[A-Za-z0-9.+_-]+@[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)+")
# Block markers that only mean something at the start of a line: list items, setext underlines.
_MD_LINE_START = re.compile(r"^(?:[-+=]|\d{1,9}[.)])")


def escape_md(text: str) -> str:
    """Officer text that shows as typed in any CommonMark or GFM renderer, as a paragraph or a list item's.

    After :func:`bot.literal.visible`: the markup characters are backslash-escaped wherever they appear
    (``\\ ` * _ [ ] < > & ~ | # @ $``, so no emphasis, code, link, image, HTML, autolink, entity, heading,
    quote, table cell, mention or math); the ``:`` of ``https://`` or of an ``:emoji:`` and the ``.`` of
    ``www.`` likewise (no extended autolink), and an e-mail address goes in a code span (GitHub links one
    whatever its escapes); a line starting with ``- + =`` or ``1.``/``1)`` has that
    marker escaped (no list, no setext heading), and leading spaces (an indented code block) are dropped.
    Blank lines are dropped and the other lines joined by hard line breaks, so the text stays inside the
    paragraph or list item the template put it in.
    """
    return "\\\n".join(_md_lines(text))


def escape_md_line(text: str) -> str:
    """As :func:`escape_md`, on one line (its lines joined by spaces): for a heading or a table cell."""
    return " ".join(_md_lines(text))


def _md_lines(text: str) -> list[str]:
    lines = []
    for line in visible(text).split("\n"):
        line = line.strip()
        if not line:
            continue
        marker = _MD_LINE_START.match(line)
        pos = marker.end() if marker else 0
        out = [marker[0][:-1] + "\\" + marker[0][-1]] if marker else []
        for m in _MD_EMAIL.finditer(line, pos):
            out += [_md_escape(line[pos : m.start()]), f"`{m[0]}`"]
            pos = m.end()
        lines.append("".join([*out, _md_escape(line[pos:])]))
    return lines


def _md_escape(text: str) -> str:
    text = _MD_ANYWHERE.sub(r"\\\1", text)
    return _MD_LINKISH.sub(lambda m: "\\" + m[0] if m[0] == ":" else m[0][:-1] + "\\.", text)


def rag_label(rag: Rag | str | None) -> str:
    """``Red``, ``Amber``, ``Green``, or ``No RAG yet`` for a project with no update yet."""
    return RAG_LABEL[Rag(rag)] if rag else "No RAG yet"


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
        finalize=_visible,
        # The templates ship with the package and do not change under a running process: no look at each
        # file's modification time on every render (two stats a render, on every update's confirmation).
        auto_reload=False,
    )
    env.filters["literal"] = literal
    env.filters["rag_emoji"] = lambda rag: RAG_EMOJI[Rag(rag)]
    env.filters["title"] = lambda s: str(s).replace("_", " ").capitalize()
    env.filters["local_time"] = local_time
    env.filters["ago"] = ago
    env.filters["md"] = escape_md
    env.filters["md_line"] = escape_md_line
    env.filters["rag_label"] = rag_label
    return env


def _visible(value: Any) -> Any:
    """Each shown value without invisible characters (markup the bot made safe stays markup)."""
    if isinstance(value, Markup):
        return Markup(visible(str(value)))  # noqa: S704  (already escaped; removing characters adds no markup)
    return visible(value) if isinstance(value, str) else value


def render(template: str, **context: Any) -> str:
    return environment().get_template(template).render(**context).strip()
