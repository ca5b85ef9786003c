"""Pictures where they say more than a table: RAG by priority now (from a Digest), and the RAG mix by
priority over the last meetings (from Trends), drawn with matplotlib."""

from __future__ import annotations

import base64
import functools
import io
import textwrap
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

from bot.literal import visible
from bot.services.digest import Digest, GroupKind, RagCounts
from bot.services.trends import Trends

if TYPE_CHECKING:  # matplotlib is imported on the first picture (see rag_by_priority_png)
    from matplotlib.figure import Figure

COLOURS = {"red": "#c62828", "amber": "#f39c12", "green": "#2e7d32", "none": "#b0b0b0"}
LABELS = {"red": "Red", "amber": "Amber", "green": "Green", "none": "No RAG yet"}
INK = {"red": "white", "amber": "black", "green": "white", "none": "black"}  # readable on each colour


def _label(name: str) -> str:
    """A priority's name as a label: shortened and wrapped, without invisible characters, and with its
    ``$`` escaped, which matplotlib would otherwise read as the start of mathematical notation."""
    lines = textwrap.wrap(textwrap.shorten(visible(name), 56, placeholder="…"), 28)
    return "\n".join(line.replace("$", r"\$") for line in lines) or "—"


def rag_by_priority_png(digest: Digest, *, dpi: int = 120) -> bytes:
    """A horizontal stacked bar per priority (in strategy order) counting projects by RAG now.

    Every priority of the strategy has a row, even an empty one, as in the report's list; the other
    groups (a retired strategy's priorities, "No priority") appear when they hold projects.
    """
    groups = [g for g in digest.priorities if g.kind is GroupKind.PRIORITY or g.projects]
    rows = tuple(
        _Bar(_label(g.name), g.rag.red, g.rag.amber, g.rag.green, g.rag.none, bool(g.projects)) for g in groups
    )
    return _rag_bars_png(f"RAG status by priority — {digest.strategy.name}", rows, dpi)


class _Bar(NamedTuple):
    """One priority's row of the chart: all of it that is drawn."""

    label: str
    red: int
    amber: int
    green: int
    none: int
    held: bool  # the group held projects (the chart says "No projects" when none did)


# What is drawn is all that decides the picture: a digest posted again with the same counts (by hand after
# the scheduled one, or its report and its thread) is not drawn again. 16 pictures of ~40 kB at most.
@functools.lru_cache(maxsize=16)
def _rag_bars_png(title: str, rows: tuple[_Bar, ...], dpi: int) -> bytes:
    # Imported here, on the first picture: matplotlib (and numpy, PIL) is a third of a server's memory
    # at rest and a third of a second of its start-up, and a server draws only when it posts a digest.
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    names = [row.label for row in rows]
    lines = sum(n.count("\n") + 1 for n in names)
    # A Figure of its own, not pyplot's global state: safe from the scheduler's and the server's threads.
    fig = Figure(figsize=(7.5, 0.32 * max(lines, 2) + 1.6), dpi=dpi, layout="constrained")
    ax = fig.subplots()
    ax.set_title(title, fontsize=11)
    if not any(row.held for row in rows):
        ax.axis("off")
        ax.text(0.5, 0.5, "No projects in this period", ha="center", va="center", transform=ax.transAxes)
    else:
        positions = list(range(len(rows)))  # not names: two priorities may share a (shortened) name
        left = [0] * len(rows)
        for key in ("red", "amber", "green", "none"):
            values: list[int] = [getattr(row, key) for row in rows]
            ax.barh(positions, values, left=left, color=COLOURS[key], label=LABELS[key], edgecolor="white")
            for i, v in enumerate(values):
                if v:
                    ax.text(left[i] + v / 2, i, str(v), ha="center", va="center", color=INK[key], fontsize=9)
            left = [a + b for a, b in zip(left, values, strict=True)]
        ax.set_yticks(positions, names)
        ax.invert_yaxis()  # the first priority on top, as in the report
        ax.set_xlabel("Projects")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.spines[["top", "right"]].set_visible(False)
        fig.legend(ncol=4, loc="outside lower center", frameon=False)
    out = io.BytesIO()
    fig.savefig(out, format="png")
    return out.getvalue()


@dataclass(frozen=True, slots=True)
class Chart:
    """A drawn chart as the reports carry it: the PNG, its alternative text, and its caption."""

    png: bytes
    alt: str
    caption: str

    @property
    def src(self) -> str:
        return data_uri(self.png)


def trends_chart(trends: Trends) -> Chart | None:
    """The trends chart with its words; None when no meeting has been held to draw."""
    if not trends.cycles:
        return None
    tz = trends.tz
    first, last = (trends.cycles[i].meeting_at.astimezone(tz) for i in (0, -1))
    n = len(trends.cycles)
    span = f"on {first.day} {first:%B %Y}" if n == 1 else f"from {first.day} {first:%B %Y} to {last.day} {last:%B %Y}"
    caption = f"RAG mix by priority at {_the_last(n)}, {span}."
    return Chart(rag_trends_png(trends), trends_alt(trends), caption)


def _the_last(n: int) -> str:
    return "the last meeting" if n == 1 else f"each of the last {n} meetings"


def trends_groups(trends: Trends) -> list[tuple[str, list[RagCounts]]]:
    """The priorities the trends chart draws, each with its RAG mix at each meeting: those that held an
    open project at any of the meetings, in the strategy's order."""
    out = []
    for i, (_code, name) in enumerate(trends.priorities):
        mixes = [c.rag_by_priority[i].rag for c in trends.cycles]
        if any(m.total for m in mixes):
            out.append((name, mixes))
    return out


def _meeting_label(trends: Trends, i: int) -> str:
    at = trends.cycles[i].meeting_at.astimezone(trends.tz)
    return (
        f"{at.day} {at:%b}\n{at:%Y}"
        if i == 0 or at.year != trends.cycles[i - 1].meeting_at.year
        else f"{at.day} {at:%b}"
    )


def rag_trends_png(trends: Trends, *, dpi: int = 120) -> bytes:
    """:func:`trends_figure` as a PNG."""
    return _trends_png(_drawing(trends), dpi)


def trends_figure(trends: Trends, *, dpi: int = 120) -> Figure:
    """Small multiples, one per priority (:func:`trends_groups`): a stacked bar of its open projects by RAG
    at each meeting of ``trends``, oldest on the left, on a shared scale."""
    return _trends_figure(_drawing(trends), dpi)


class _Trends(NamedTuple):
    """All of the trends chart that is drawn."""

    meetings: int
    labels: tuple[str, ...]  # each meeting's
    groups: tuple[tuple[str, tuple[RagCounts, ...]], ...]  # each priority's label and mix at each meeting


def _drawing(trends: Trends) -> _Trends:
    n = len(trends.cycles)
    groups = tuple((_label(name), tuple(mixes)) for name, mixes in trends_groups(trends))
    return _Trends(n, tuple(_meeting_label(trends, i) for i in range(n)), groups)


# As for the bars (_rag_bars_png): the digest, its report and its HTML draw the same trends in a period.
@functools.lru_cache(maxsize=16)
def _trends_png(drawing: _Trends, dpi: int) -> bytes:
    out = io.BytesIO()
    _trends_figure(drawing, dpi).savefig(out, format="png")
    return out.getvalue()


def _trends_figure(drawing: _Trends, dpi: int) -> Figure:
    from matplotlib.figure import Figure  # see _rag_bars_png
    from matplotlib.ticker import MaxNLocator

    groups = drawing.groups
    columns = 2 if len(groups) > 1 else 1
    rows = max(1, -(-len(groups) // columns))
    fig = Figure(figsize=(7.5, 2.3 * rows + 1.0), dpi=dpi, layout="constrained")
    n = drawing.meetings
    fig.suptitle(f"RAG mix by priority at {_the_last(n)}", fontsize=11)
    axes = fig.subplots(rows, columns, squeeze=False, sharey=True)
    flat = [ax for row in axes for ax in row]
    if not groups:
        flat[0].axis("off")
        flat[0].text(0.5, 0.5, "No projects at these meetings", ha="center", va="center", transform=flat[0].transAxes)
    xs = list(range(n))
    for ax, (label, mixes) in zip(flat, groups, strict=False):
        bottom = [0] * n
        for key in ("red", "amber", "green", "none"):
            values = [getattr(m, key) for m in mixes]
            ax.bar(xs, values, bottom=bottom, color=COLOURS[key], label=LABELS[key], edgecolor="white", width=0.8)
            bottom = [a + b for a, b in zip(bottom, values, strict=True)]
        ax.set_title(label, fontsize=9)
        ax.set_xticks(xs, drawing.labels, fontsize=7)
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.spines[["top", "right"]].set_visible(False)
    for ax in flat[len(groups) :] if groups else flat[1:]:
        ax.axis("off")
    if groups:
        handles, names = flat[0].get_legend_handles_labels()
        fig.legend(handles, names, ncol=4, loc="outside lower center", frameon=False)
    return fig


def trends_alt(trends: Trends) -> str:
    """The trends chart in words, for its alternative text: each priority's mix at the first and last meeting."""
    if not trends.cycles:
        return "RAG mix by priority: no meeting held yet."
    tz = trends.tz
    first, last = (trends.cycles[i].meeting_at.astimezone(tz) for i in (0, -1))
    span = f"{first.day} {first:%b %Y}" + (f" to {last.day} {last:%b %Y}" if len(trends.cycles) > 1 else "")
    n = len(trends.cycles)
    head = f"Bar charts, one per priority, of the open projects by RAG status at {_the_last(n)} ({span})."

    def mix(m: RagCounts) -> str:
        return f"{m.red} red, {m.amber} amber, {m.green} green, {m.none} with no RAG yet"

    parts = [
        f"{name}: {mix(mixes[-1])}" + (f", from {mix(mixes[0])}" if len(mixes) > 1 and mixes[0] != mixes[-1] else "")
        for name, mixes in trends_groups(trends)
    ]
    return visible(" ".join([head, *(p + "." for p in parts)]) if parts else head + " No projects.")


def data_uri(png: bytes) -> str:
    """The PNG as a ``data:`` URI, so an HTML report carries its picture inside it."""
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")
