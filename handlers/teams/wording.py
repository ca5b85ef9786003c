"""The bot's words on Teams: commands typed after the @mention; people are left out (they are not
mentioned from a card)."""

from __future__ import annotations

from bot.wording import Wording

__all__ = ["TEAMS"]

TEAMS = Wording(
    "Teams",
    {
        "update": "update",
        "meeting": "meeting",
        "digest": "digest",
        "project": "project",
        "role": "role",
        "who_admins": "`role list` shows who",
        "all_projects": "`update` for the form, which lists all of them",
        "set_channel": "`meeting channel` typed in that channel (mention me there)",
        "reopen_project": "an ICT admin can reopen it with `project reopen REF`",
    },
    people=lambda ids: "",
)
