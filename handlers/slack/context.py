"""Who is asking, in which workspace, and the runtime a listener works with: read from a Bolt request.

The runtime is put in the Bolt context by :func:`attach_runtime`, the app's second middleware
(:mod:`handlers.slack.middleware`); everything after it reads it with :func:`runtime_of`.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

from slack_bolt import BoltContext
from sqlalchemy.orm import Session

from bot.errors import NoTeam
from bot.render.jinja import unescape_slack
from bot.runtime import Runtime
from bot.settings import ConfigError
from models import Workspace

__all__ = [
    "RUNTIME_KEY",
    "attach_runtime",
    "runtime_of",
    "subcommand",
    "team_name_of",
    "team_of",
    "user_of",
    "workspace_unit",
]

RUNTIME_KEY = "ictbot_runtime"


def attach_runtime(runtime: Runtime) -> Callable[[BoltContext, Callable[[], Any]], Any]:
    """The global middleware that puts ``runtime`` in every request's context."""

    def attach_runtime(context: BoltContext, next: Callable[[], Any]) -> Any:
        context[RUNTIME_KEY] = runtime
        return next()

    return attach_runtime


def runtime_of(context: BoltContext) -> Runtime:
    runtime = context.get(RUNTIME_KEY)
    if not isinstance(runtime, Runtime):
        raise ConfigError("the Bolt app was built without ictbot's runtime; use handlers.slack.app.create_app")
    return runtime


def team_of(body: dict[str, Any]) -> str:
    """The workspace a request comes from, where Slack puts it: ``team.id`` (interactions), ``team_id``
    (commands, events) or ``user.team_id`` (an org-wide install's interactions). Raises :class:`NoTeam`
    when there is none: a workspace must never be looked up, nor created, as "None" or "".
    """
    team, user = body.get("team"), body.get("user")
    for found in (
        team.get("id") if isinstance(team, dict) else None,
        body.get("team_id"),
        user.get("team_id") if isinstance(user, dict) else None,
    ):
        if isinstance(found, str) and found.strip():
            return found
    raise NoTeam()


def team_name_of(body: dict[str, Any]) -> str:
    team = body.get("team")
    if isinstance(team, dict):
        return str(team.get("domain") or "")
    return str(body.get("team_domain") or "")


def user_of(body: dict[str, Any]) -> str:
    user = body.get("user")
    if isinstance(user, dict):
        return str(user["id"])
    return str(body.get("user_id"))


def subcommand(command: dict[str, Any], *, default: str) -> tuple[str, list[str]]:
    """A slash command's first word in lower case (``default`` when it has none), and the words after it."""
    words = unescape_slack(command.get("text", "")).split()
    return (words[0].lower() if words else default), words[1:]


def workspace_unit(rt: Runtime, body: dict[str, Any]) -> AbstractContextManager[tuple[Session, Workspace]]:
    """One transaction on the workspace a request comes from (made on first use, named as Slack names it)."""
    return rt.unit(team_of(body), team_name=team_name_of(body))
