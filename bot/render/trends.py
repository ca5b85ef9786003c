"""The trends of the meeting cycles (:mod:`bot.services.trends`) as Markdown tables, JSON or flat CSV rows.

Owners' and priorities' names are typed text: escaped in Markdown (:func:`bot.render.jinja.escape_md_line`),
kept as they are in JSON and in the CSV rows (which the command line makes safe for a spreadsheet).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

from bot.render.jinja import escape_md_line
from bot.services.digest import RagCounts
from bot.services.trends import NOT_COUNTED, Cycle, Rate, Trends
from bot.timefmt import iso

__all__ = ["CSV_COLUMNS", "FORMAT_VERSION", "TRENDS_FORMATS", "csv_rows", "to_json", "to_markdown"]

TRENDS_FORMATS = ("md", "json", "csv")
FORMAT_VERSION = 1
CSV_COLUMNS = (
    "meeting",
    "cycle_start",
    "measure",
    "scope",
    "key",
    "name",
    "due",
    "on_time",
    "rate",
    "red",
    "amber",
    "green",
    "no_update",
    "exceptions",
)


def _day(trends: Trends, cycle: Cycle) -> str:
    at = cycle.meeting_at.astimezone(trends.tz)
    return f"{at.day} {at:%b %Y}"


def _percent(rate: Rate) -> str:
    return "—" if rate.rate is None else f"{rate.on_time}/{rate.due} ({round(100 * rate.rate)}%)"


def _mix(m: RagCounts) -> str:
    return f"{m.red} R · {m.amber} A · {m.green} G · {m.none} none"


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    def line(cells: Sequence[str]) -> str:
        return "| " + " | ".join(cells) + " |"

    right = ["---"] + ["---:"] * (len(header) - 1)
    return [line(header), line(right), *(line(r) for r in rows)]


def _by(trends: Trends, pick: Callable[[Cycle], Sequence[Rate]], keys: Sequence[tuple[str, str]]) -> list[list[str]]:
    """A row per key (its name first), a column per meeting: the key's on-time rate there, — when none was due."""
    rows = []
    for key, name in keys:
        cells = [escape_md_line(name) or "—"]
        for c in trends.cycles:
            found = next((r for r in pick(c) if r.key == key), None)
            cells.append(_percent(found) if found is not None else "—")
        rows.append(cells)
    return rows


def to_markdown(trends: Trends, *, workspace: str = "") -> str:
    """A table of the cycles × the measures, then the on-time rate by priority and by owner and the RAG mix by
    priority, a column per meeting."""
    title = f"# Trends{': ' + escape_md_line(workspace) if workspace else ''}"
    if not trends.cycles:
        return f"{title}\n\nNo governance meeting was held in this range.\n"
    n = len(trends.cycles)
    first, last = _day(trends, trends.cycles[0]), _day(trends, trends.cycles[-1])
    out = [title, "", f"{n} meeting{'' if n == 1 else 's'}, {first} to {last} ({trends.timezone}).", ""]
    out += _table(
        ["Meeting", "Due", "On time", "Red", "Amber", "Green", "No update", "Exceptions"],
        [
            [_day(trends, c), str(c.on_time.due), _percent(c.on_time)]
            + [str(v) for v in (c.rag.red, c.rag.amber, c.rag.green, c.rag.none, c.exceptions)]
            for c in trends.cycles
        ],
    )
    meetings = [_day(trends, c) for c in trends.cycles]
    out += ["", "## On-time updates by priority", ""]
    out += _table(["Priority", *meetings], _by(trends, lambda c: c.by_priority, trends.priorities))
    owners = dict.fromkeys((r.key, r.name) for c in trends.cycles for r in c.by_owner)
    out += ["", "## On-time updates by owner", ""]
    ordered = sorted(owners, key=lambda k: (k[1].casefold(), k[0]))
    out += _table(["Owner", *meetings], _by(trends, lambda c: c.by_owner, ordered))
    out += ["", "## RAG mix by priority", ""]
    mixes = [
        [escape_md_line(name) or "—", *(_mix(c.rag_by_priority[i].rag) for c in trends.cycles)]
        for i, (_code, name) in enumerate(trends.priorities)
    ]
    out += _table(["Priority", *meetings], mixes)
    out += [
        "",
        "On time: an update in the cycle, before the meeting started, for each project active at the meeting. "
        "RAG: the open projects' latest update by the meeting. "
        f"Exceptions as the digest counts them, at each meeting; not counted: {NOT_COUNTED}.",
    ]
    return "\n".join(out) + "\n"


def _rate_doc(r: Rate, key: str) -> dict[str, Any]:
    return {key: r.key, "name": r.name, "due": r.due, "on_time": r.on_time, "rate": r.rate}


def _rag_doc(m: RagCounts) -> dict[str, int]:
    return {"red": m.red, "amber": m.amber, "green": m.green, "no_update": m.none}


def to_json(trends: Trends) -> str:
    cycles = [
        {
            "meeting_at": iso(c.meeting_at),
            "cycle_start": iso(c.since) if c.since else None,
            "on_time": {"due": c.on_time.due, "on_time": c.on_time.on_time, "rate": c.on_time.rate},
            "by_owner": [_rate_doc(r, "user_id") for r in c.by_owner],
            "by_priority": [_rate_doc(r, "code") for r in c.by_priority],
            "rag": _rag_doc(c.rag),
            "rag_by_priority": [{"code": m.code, "name": m.name, **_rag_doc(m.rag)} for m in c.rag_by_priority],
            "exceptions": c.exceptions,
        }
        for c in trends.cycles
    ]
    document = {
        "format": "ictbot-trends",
        "version": FORMAT_VERSION,
        "team_id": trends.team_id,
        "timezone": trends.timezone,
        "priorities": [{"code": code, "name": name} for code, name in trends.priorities],
        "exceptions_not_counted": NOT_COUNTED,
        "cycles": cycles,
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def csv_rows(trends: Trends) -> list[dict[str, str]]:
    """One row per cycle and measure: ``on_time`` (scope ``all``, ``owner`` or ``priority``), ``rag`` (``all``
    or ``priority``) and ``exceptions``; every value a string, empty where a column does not apply."""
    rows: list[dict[str, str]] = []
    for c in trends.cycles:
        base = {k: "" for k in CSV_COLUMNS} | {
            "meeting": iso(c.meeting_at),
            "cycle_start": iso(c.since) if c.since else "",
        }

        def rate(scope: str, r: Rate, base: dict[str, str] = base) -> dict[str, str]:
            value = "" if r.rate is None else f"{r.rate:.4f}"
            return (
                base
                | {"measure": "on_time", "scope": scope, "key": r.key, "name": r.name}
                | {"due": str(r.due), "on_time": str(r.on_time), "rate": value}
            )

        def rag(scope: str, key: str, name: str, m: RagCounts, base: dict[str, str] = base) -> dict[str, str]:
            counts = {"red": str(m.red), "amber": str(m.amber), "green": str(m.green), "no_update": str(m.none)}
            return base | {"measure": "rag", "scope": scope, "key": key, "name": name} | counts

        rows.append(rate("all", c.on_time))
        rows += [rate("owner", r) for r in c.by_owner]
        rows += [rate("priority", r) for r in c.by_priority]
        rows.append(rag("all", "", "All", c.rag))
        rows += [rag("priority", m.code, m.name, m.rag) for m in c.rag_by_priority]
        rows.append(base | {"measure": "exceptions", "scope": "all", "name": "All", "exceptions": str(c.exceptions)})
    return rows
