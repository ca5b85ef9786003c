"""Pictures where they say more than a table: RAG by priority, drawn with matplotlib from a Digest."""

from __future__ import annotations

import base64
import io
import textwrap

from bot.literal import visible
from bot.services.digest import Digest, GroupKind

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
    # Imported here, on the first picture: matplotlib (and numpy, PIL) is a third of a server's memory
    # at rest and a third of a second of its start-up, and a server draws only when it posts a digest.
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    groups = [g for g in digest.priorities if g.kind is GroupKind.PRIORITY or g.projects]
    names = [_label(g.name) for g in groups]
    lines = sum(n.count("\n") + 1 for n in names)
    # A Figure of its own, not pyplot's global state: safe from the scheduler's and the server's threads.
    fig = Figure(figsize=(7.5, 0.32 * max(lines, 2) + 1.6), dpi=dpi, layout="constrained")
    ax = fig.subplots()
    ax.set_title(f"RAG status by priority — {digest.strategy.name}", fontsize=11)
    if not any(g.projects for g in groups):
        ax.axis("off")
        ax.text(0.5, 0.5, "No projects in this period", ha="center", va="center", transform=ax.transAxes)
    else:
        rows = list(range(len(groups)))  # positions, not names: two priorities may share a (shortened) name
        left = [0] * len(groups)
        for key in ("red", "amber", "green", "none"):
            values = [getattr(g.rag, key) for g in groups]
            ax.barh(rows, values, left=left, color=COLOURS[key], label=LABELS[key], edgecolor="white")
            for i, v in enumerate(values):
                if v:
                    ax.text(left[i] + v / 2, i, str(v), ha="center", va="center", color=INK[key], fontsize=9)
            left = [a + b for a, b in zip(left, values, strict=True)]
        ax.set_yticks(rows, names)
        ax.invert_yaxis()  # the first priority on top, as in the report
        ax.set_xlabel("Projects")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.spines[["top", "right"]].set_visible(False)
        fig.legend(ncol=4, loc="outside lower center", frameon=False)
    out = io.BytesIO()
    fig.savefig(out, format="png")
    return out.getvalue()


def data_uri(png: bytes) -> str:
    """The PNG as a ``data:`` URI, so an HTML report carries its picture inside it."""
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")
