"""The progress digest: one plain data structure that every digest and committee report is rendered from.

:func:`build` reads a workspace's Work Plan and updates for a reporting period and returns a
:class:`Digest` of frozen dataclasses (:mod:`.model`), by the rules written above it (:mod:`.build`),
chosen there once so that every rendering agrees; :mod:`.queries` reads in a fixed number of statements.
:func:`default_period` gives the usual period: from the previous governance meeting held before ``now``
up to ``now``. Nothing here knows about Slack, Markdown or HTML, and nothing reads the clock.
"""

from bot.services.digest.build import build, default_period
from bot.services.digest.model import (
    NO_PRIORITY,
    RAG_ORDER,
    Digest,
    GroupKind,
    PriorityGroup,
    ProjectEntry,
    RagCounts,
    StatusCounts,
    StrategyInfo,
    Totals,
    Trend,
    UpdateEntry,
    headline,
    trend,
)

__all__ = [
    "NO_PRIORITY",
    "RAG_ORDER",
    "Digest",
    "GroupKind",
    "PriorityGroup",
    "ProjectEntry",
    "RagCounts",
    "StatusCounts",
    "StrategyInfo",
    "Totals",
    "Trend",
    "UpdateEntry",
    "build",
    "default_period",
    "headline",
    "trend",
]
