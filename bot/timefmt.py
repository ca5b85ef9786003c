"""Time as machine-readable text, the one spelling every export shares (the JSON export, the digest's JSON).

A kernel module: it imports nothing of the bot, so the renderers and the export and restore can both use it.
"""

from __future__ import annotations

from datetime import UTC, datetime

__all__ = ["iso"]


def iso(value: datetime) -> str:
    """An aware datetime as an ISO-8601 UTC timestamp with a ``Z``, e.g. ``2026-11-24T09:30:00Z``."""
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
