"""Jinja2 rendering with escaping for each target. Officer-written text goes through a filter per target."""

from __future__ import annotations

import re
from datetime import datetime, tzinfo
from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from models import Rag

RAG_EMOJI = {Rag.RED: ":red_circle:", Rag.AMBER: ":large_orange_circle:", Rag.GREEN: ":large_green_circle:"}
_MENTION = re.compile(r"&lt;@([UW][A-Z0-9]{2,})&gt;")


def escape_mrkdwn(text: str) -> str:
    """Make text inert in Slack mrkdwn: no mention, channel ping or link can survive.

    Slack's control sequences all start with ``<``; escaping ``&``, ``<`` and ``>`` as Slack asks turns
    ``<!channel>``, ``<@U…>`` and ``<https://x|y>`` into plain text.
    """
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


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
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
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
    return env


def render(template: str, **context: Any) -> str:
    return environment().get_template(template).render(**context).strip()
