"""The digest and the committee report as text: Markdown, printable HTML and JSON, all from one :class:`Digest`.

Markdown and HTML come from Jinja2 templates (``digest.md.j2``, ``digest.html.j2``, ``report.md.j2``,
``report.html.j2``); officer-written text goes through the ``md`` or ``md_line`` filter in Markdown
(backslash escapes: :func:`bot.render.jinja.escape_md`) and is autoescaped in HTML, and every value shown
loses its bidi controls and zero-width characters, so nothing typed into an update can ping, link,
format or run. JSON is the dataclasses as they are (data, kept exactly as typed), with ISO-8601
timestamps (UTC, ``Z``), ISO dates and enum values.

People are chat user IDs in the digest; pass ``people`` (user ID → display name) to show names.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Mapping
from datetime import date, datetime
from enum import Enum
from typing import Any, Literal

from bot.errors import InvalidInput
from bot.render import exceptions as exceptions_text
from bot.render import paper as paper_text
from bot.render import prose
from bot.render.charts import Chart
from bot.render.jinja import local_time, rag_label, render
from bot.services.digest import Digest, ProjectEntry, Trend
from bot.services.paper import POSITION, Paper
from bot.timefmt import iso

__all__ = [
    "DIGEST_FORMATS",
    "FORMAT_VERSION",
    "REPORT_FORMATS",
    "render_digest",
    "render_report",
    "to_document",
    "to_json",
    "trend_text",
]

DigestFormat = Literal["md", "html", "json"]
ReportFormat = Literal["md", "html"]
DIGEST_FORMATS: tuple[DigestFormat, ...] = ("md", "html", "json")
REPORT_FORMATS: tuple[ReportFormat, ...] = ("md", "html")
FORMAT_VERSION = 1


def render_digest(
    digest: Digest,
    fmt: str,
    *,
    people: Mapping[str, str] | None = None,
    chart_src: str | None = None,
    trends: Chart | None = None,
) -> str:
    """The digest as Markdown, HTML (``chart_src``: an image, e.g. a data: URI, shown above the table, and
    ``trends``, the RAG mix over the last meetings, after it) or JSON."""
    if fmt == "json":
        return to_json(digest, people=people)
    if fmt not in DIGEST_FORMATS:
        raise InvalidInput(f"`{fmt}` is not a digest format; use one of {', '.join(DIGEST_FORMATS)}.")
    return render(f"digest.{fmt}.j2", **_context(digest, people, chart_src, trends)) + "\n"


def render_report(
    digest: Digest,
    fmt: str,
    *,
    people: Mapping[str, str] | None = None,
    chart_src: str | None = None,
    paper: Paper | None = None,
    trends: Chart | None = None,
) -> str:
    """The six-monthly committee report in the shape of seed 001, as Markdown or printable HTML, with the
    report settings, narrative and sign-off of ``paper`` (the defaults without it)."""
    if fmt not in REPORT_FORMATS:
        raise InvalidInput(f"`{fmt}` is not a report format here; use one of {', '.join(REPORT_FORMATS)}.")
    context = _context(digest, people, chart_src, trends)
    paper = paper or Paper()
    names = people or {}
    context |= {"paper": paper, "paper_text": paper_text, "position": POSITION, "name_of": lambda u: names.get(u, "")}
    return render(f"report.{fmt}.j2", **context) + "\n"


def to_document(digest: Digest, *, people: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The digest as one mapping of JSON types, with its derived ``projects`` left out (they are in groups).
    People stay user IDs; ``people`` adds a ``people`` mapping of the IDs it names to their names."""
    body = _plain(digest)
    assert isinstance(body, dict)
    named = {i: people[i] for i in sorted(_user_ids(body)) if people and people.get(i)}
    return {
        "format": "ictbot-digest",
        "version": FORMAT_VERSION,
        **body,
        **({"people": named} if people is not None else {}),
    }


def to_json(digest: Digest, *, people: Mapping[str, str] | None = None) -> str:
    return json.dumps(to_document(digest, people=people), ensure_ascii=False, indent=2) + "\n"


_PERSON_KEYS = frozenset({"owner", "delegates", "author", "owner_user_id"})  # where a digest's document holds user IDs


def _user_ids(node: Any, key: str = "") -> set[str]:
    """The user IDs in a digest's document: the values under its person keys, at any depth."""
    if isinstance(node, dict):
        return set().union(*(_user_ids(v, k) for k, v in node.items()))
    if isinstance(node, list):
        return set().union(*(_user_ids(v, key) for v in node))
    return {node} if key in _PERSON_KEYS and isinstance(node, str) else set()


def trend_text(p: ProjectEntry) -> str:
    """``improved from Amber``, ``worse: was Green``, ``unchanged``, ``new``, or empty (no RAG yet)."""
    if p.trend is None:
        return ""
    if p.trend is Trend.IMPROVED:
        return f"improved from {rag_label(p.previous_rag)}"
    if p.trend is Trend.WORSE:
        return f"worse: was {rag_label(p.previous_rag)}"
    if p.trend is Trend.NEW:
        return "new this period" if p.update is not None else "new"
    return "unchanged"


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        return iso(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    return value


def _context(
    digest: Digest, people: Mapping[str, str] | None, chart_src: str | None, trends: Chart | None
) -> dict[str, Any]:
    tz = digest.tz
    names = people or {}

    def person(user_id: str) -> str:
        return names.get(user_id, user_id)

    def day(value: date | datetime | None, long: bool = False) -> str:
        if value is None:
            return ""
        if isinstance(value, datetime):
            value = value.astimezone(tz).date()
        return value.strftime("%-d %B %Y" if long else "%-d %b %Y")

    return {
        "d": digest,
        "tz": tz,
        "person": person,
        "day": day,
        "words": prose.words,
        "prose": prose,
        "ex": exceptions_text,
        "letter": _letter,
        "trend_text": trend_text,
        "sentence": _sentence,
        "chart_src": chart_src,
        "trends": trends,
        "period": _period(digest, day),
        "period_times": _period_times(digest),
        "iso": iso,
    }


def _period(digest: Digest, day: Callable[..., str]) -> str:
    if digest.start is None:
        return f"up to {day(digest.end, True)}"
    return f"from {day(digest.start, True)} to {day(digest.end, True)}"


def _period_times(digest: Digest) -> str:
    """``9 Jun 2026 10:00 to 8 Dec 2026 10:00``, or ``up to 8 Dec 2026 10:00`` from the beginning."""
    end = local_time(digest.end, digest.tz)
    return f"{local_time(digest.start, digest.tz)} to {end}" if digest.start else f"up to {end}"


def _sentence(text: str) -> str:
    """Text ending as a sentence does, so that another can follow it."""
    text = text.rstrip()
    return text if not text or text[-1] in ".!?:;" else text + "."


def _letter(i: int) -> str:
    """0 → a, 25 → z, 26 → aa: the (a), (b)… of a committee report."""
    out = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        out = chr(ord("a") + r) + out
    return out
