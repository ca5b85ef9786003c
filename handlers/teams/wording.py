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
        "who_admins": "whoever runs the bot can list them with `ictbot roles list`",
        "all_projects": "`update` for the form, which lists all of them",
        "set_channel": "`meeting channel` typed in that channel (mention me there)",
        "reopen_project": "whoever runs the bot can reopen it by importing it with status active "
        "(`ictbot projects import`)",
    },
    people=lambda ids: "",
)
