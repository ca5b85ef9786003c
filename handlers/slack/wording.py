"""The bot's words on Slack: its slash commands, and people as mentions."""

from __future__ import annotations

from bot.wording import Wording

__all__ = ["SLACK"]

SLACK = Wording(
    "Slack",
    {
        "update": "/ict-update",
        "meeting": "/ict-meeting",
        "digest": "/ict-digest",
        "project": "/ict-project",
        "role": "/ict-role",
        "who_admins": "`/ict-role list` shows who",
        "all_projects": "`/ict-project list` for all of them",
        "set_channel": "`/ict-meeting channel #channel`",
        "reopen_project": "an ICT admin can reopen it with `/ict-project reopen REF`",
    },
    people=lambda ids: f" ({', '.join(f'<@{user}>' for user in ids)})",
)
