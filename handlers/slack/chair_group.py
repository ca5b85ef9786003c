"""Who is in a workspace's chairs' user group, as Slack says (``usergroups.users.list``).

The role services never call Slack: the listeners and the reconciler hand them a lookup made here
(:data:`bot.services.roles.GroupMembers`). What Slack answered is kept per team for
:data:`~bot.services.roles.GROUP_CACHE_TTL` in the runtime's cache, so a burst of commands asks Slack
once. When Slack refuses or cannot be reached the lookup answers nobody and logs why: the chairs and
admins granted one by one still count, and nothing crashes. A failure is not cached, so the group
counts again as soon as Slack answers.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from sqlalchemy.orm import Session

from bot.runtime import Runtime
from bot.services import roles
from bot.services.roles import GROUP_CACHE_TTL, GroupCache, GroupMembers
from models import Workspace

__all__ = ["GroupRead", "ScheduledChairGroups", "chair_group_lookup", "read_group", "require_chair"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class GroupRead:
    members: frozenset[str]
    error: str | None = None  # Slack's error (``no_such_subteam``, ``missing_scope``…) when it could not be read


def _error(exc: Exception) -> str:
    if isinstance(exc, SlackApiError):
        return str(exc.response.get("error") or f"http_{exc.response.status_code}")
    return type(exc).__name__


def read_group(
    client: WebClient,
    cache: GroupCache,
    team_id: str,
    group_id: str,
    now: datetime,
    *,
    token: str | None = None,
    fresh: bool = False,
) -> GroupRead:
    """The members of ``group_id`` in ``team_id``: from the cache while it is fresh (unless ``fresh``),
    otherwise from Slack, then cached. ``token``: the team's bot token, when ``client`` has none."""
    if not fresh:
        cached = cache.get(team_id, group_id, now)
        if cached is not None:
            return GroupRead(cached)
    try:
        if token is None:
            response = client.usergroups_users_list(usergroup=group_id)
        else:
            response = client.usergroups_users_list(usergroup=group_id, token=token)
    except (SlackClientError, OSError) as exc:
        error = _error(exc)
        log.warning(
            "could not read the members of user group %s in team %s (%s): only chairs granted one by one count",
            group_id,
            team_id,
            error,
        )
        return GroupRead(frozenset(), error)
    users = response.get("users") or []
    members = cache.put(team_id, group_id, (str(u) for u in users), until=now + GROUP_CACHE_TTL)
    return GroupRead(members)


def chair_group_lookup(rt: Runtime, client: WebClient, team_id: str) -> GroupMembers:
    """For a listener: the lookup the role services take, through the request's own client, at ``rt.now()``."""
    now = rt.now()

    def members(group_id: str) -> frozenset[str]:
        return read_group(client, rt.chair_groups, team_id, group_id, now).members

    return members


class ScheduledChairGroups:
    """For the reconciler (no request, so no client of the team's own): ``(team ID, group ID, now)`` →
    the members. ``bot_token`` gives each team's token (multi-workspace); without it, ``client``'s own."""

    def __init__(
        self, client: WebClient, cache: GroupCache, *, bot_token: Callable[[str], str | None] | None = None
    ) -> None:
        self.client = client
        self.cache = cache
        self.bot_token = bot_token

    def __call__(self, team_id: str, group_id: str, now: datetime) -> frozenset[str]:
        token = None
        if self.bot_token is not None:
            token = self.bot_token(team_id)
            if token is None:  # not installed there (any more): nobody to ask
                log.warning(
                    "no bot token for team %s: the members of its chairs' group %s are unknown", team_id, group_id
                )
                return frozenset()
        return read_group(self.client, self.cache, team_id, group_id, now, token=token).members


def require_chair(rt: Runtime, client: WebClient, session: Session, ws: Workspace, user_id: str, action: str) -> None:
    """Refuse (:class:`bot.errors.NotAllowed`) unless ``user_id`` is a chair (one by one or in the chairs'
    user group) or an ICT admin of ``ws``."""
    roles.require_chair_or_admin(
        session,
        ws,
        user_id,
        rt.settings.admins_for(ws.external_id),
        action,
        chair_group=chair_group_lookup(rt, client, ws.external_id),
    )
