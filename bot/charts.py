"""Pictures where they say more than a table: RAG by priority, drawn with matplotlib from a Digest."""

from __future__ import annotations

import base64
import io
import textwrap

from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from bot.services.digest import Digest

COLOURS = {"red": "#c62828", "amber": "#f39c12", "green": "#2e7d32", "none": "#b0b0b0"}
LABELS = {"red": "Red", "amber": "Amber", "green": "Green", "none": "No RAG yet"}


def rag_by_priority_png(digest: Digest, *, dpi: int = 120) -> bytes:
    """A horizontal stacked bar per priority (in strategy order) counting projects by RAG now."""
    groups = [g for g in digest.priorities if g.projects]
    names = ["\n".join(textwrap.wrap(g.name, 28)) or "—" for g in groups]
    # A Figure of its own, not pyplot's global state: safe from the scheduler's and the server's threads.
    fig = Figure(figsize=(7.5, 0.6 * max(len(groups), 1) + 1.4), dpi=dpi)
    ax = fig.subplots()
    left = [0] * len(groups)
    for key in ("red", "amber", "green", "none"):
        values = [getattr(g.rag, key) for g in groups]
        ax.barh(names, values, left=left, color=COLOURS[key], label=LABELS[key], edgecolor="white")
        for i, v in enumerate(values):
            if v:
                ax.text(left[i] + v / 2, i, str(v), ha="center", va="center", color="white", fontsize=9)
        left = [a + b for a, b in zip(left, values, strict=True)]
    ax.invert_yaxis()  # the first priority on top, as in the report
    ax.set_xlabel("Projects")
    ax.set_title(f"RAG status by priority — {digest.strategy.name}", fontsize=11)
    ax.legend(ncol=4, loc="upper center", bbox_to_anchor=(0.5, -0.18 if groups else -0.1), frameon=False)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    out = io.BytesIO()
    fig.savefig(out, format="png")
    return out.getvalue()


def data_uri(png: bytes) -> str:
    """The PNG as a ``data:`` URI, so an HTML report carries its picture inside it."""
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")
