"""The Slack stand-in's members: a user object as users.info and users.list give it, and users.list's pages."""

from __future__ import annotations

import base64
import binascii
import time
from typing import Any

__all__ = ["slack_user", "users_page"]

USERS_LIMIT = 1000  # users.list's largest page
USERS_DEFAULT = 100  # a page when no limit is given (Slack chooses its own; fewer than all of a large team)


def slack_user(
    team_id: str,
    user_id: str,
    name: str,
    *,
    email: str = "",
    tz: str = "Europe/London",
    display_name: str | None = None,
    title: str = "",
) -> dict[str, Any]:
    """A user object in Slack's shape: ``display_name`` defaults to ``name`` (Slack's is empty for a person
    who never set one, and then clients show the real name)."""
    shown = name if display_name is None else display_name
    return {
        "id": user_id,
        "team_id": team_id,
        "name": name,
        "real_name": name,
        "tz": tz,
        "deleted": False,
        "is_bot": False,
        "updated": int(time.time()),
        "profile": {
            "email": email,
            "title": title,
            "real_name": name,
            "real_name_normalized": name,
            "display_name": shown,
            "display_name_normalized": shown,
        },
    }


def users_page(members: list[dict[str, Any]], params: dict[str, Any]) -> dict[str, Any]:
    """One page of ``members`` as users.list answers it: ``limit`` of them from the opaque ``cursor``, and
    ``response_metadata.next_cursor`` empty on the last page. A cursor it never gave is ``invalid_cursor``."""
    limit = str(params.get("limit") or "")
    size = min(int(limit), USERS_LIMIT) if limit.isdigit() and int(limit) > 0 else USERS_DEFAULT
    start = 0
    cursor = str(params.get("cursor") or "")
    if cursor:
        try:
            start = int(base64.b64decode(cursor.encode(), validate=True).decode().removeprefix("user:"))
        except (binascii.Error, ValueError):
            return {"ok": False, "error": "invalid_cursor"}
    more = start + size < len(members)
    next_cursor = base64.b64encode(f"user:{start + size}".encode()).decode() if more else ""
    return {
        "ok": True,
        "members": members[start : start + size],
        "cache_ts": int(time.time()),
        "response_metadata": {"next_cursor": next_cursor},
    }
