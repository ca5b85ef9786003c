"""The sample Work Plan (``bot/data/sample_workplan.csv``) that the local shells load into an empty workspace.

Its owners and delegates are the local people below, by their Slack-style ids; a shell for another
platform passes the ids its people have there. Only the shells use it.
"""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import AbstractContextManager
from datetime import datetime
from importlib.resources import files

from rich.console import Console
from rich.text import Text
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.errors import DomainError
from bot.services import projects
from models import Project, Workspace

__all__ = ["LOCAL_USERS", "SAMPLE_WORKPLAN", "load_sample"]

SAMPLE_WORKPLAN = "data/sample_workplan.csv"
# The people of the sample Work Plan: two officers and a chair.
LOCAL_USERS = {"U0LOCAL01": "Alex Officer", "U0LOCAL02": "Bea Officer", "U0LOCAL03": "Chris Chair"}


def load_sample(
    console: Console,
    unit: AbstractContextManager[tuple[Session, Workspace]],
    *,
    now: datetime,
    people: Mapping[str, str] | None = None,
) -> tuple[int, bool]:
    """The number of projects in the workspace ``unit`` opens, and whether they are the sample Work Plan,
    loaded just now because it had none. ``people`` maps the local ids of :data:`LOCAL_USERS` to the ids
    the platform gives them. A Work Plan that cannot be loaded is said on ``console`` (and counts 0)."""
    try:
        with unit as (session, ws):
            count = int(session.scalar(select(func.count(Project.id)).where(Project.workspace_id == ws.id)) or 0)
            if count:
                return count, False
            text = files("bot").joinpath(SAMPLE_WORKPLAN).read_text(encoding="utf-8")
            for local_id, platform_id in (people or {}).items():
                text = text.replace(local_id, platform_id)
            return projects.import_csv(session, ws, text, resolve_emails=None, now=now).created, True
    except DomainError as exc:
        console.print(Text(f"Could not load the sample Work Plan: {exc.message}", style="red"))
        return 0, False
