"""Publishing a person's App Home (views.publish), at most once a minute each (:mod:`bot.services.home_views`).

:func:`publish` is called when someone opens Home, after an update stored from Slack (for its author and the
project's owner), after a digest a chair posted by hand (:func:`after_digest`), and by the reconciler after
each pass (:class:`SlackHomeRefresh`, the ``RefreshHome`` port). views.publish is a Tier 4 method; the
client's retry handlers honour a 429's Retry-After (:mod:`handlers.slack.client`). A publish that fails
leaves the row stale: the next pass tries again.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackClientError
from sqlalchemy.orm import Session

from bot.runtime import Runtime
from bot.scheduling.ports import HomeRefresh
from bot.services import digest_posts, home_views, workspaces
from bot.services import home as home_service
from bot.services.digest import Digest
from bot.services.roles import GroupMembers
from bot.services.updates import UpdateResult
from handlers.slack.blocks.home import home_view
from handlers.slack.chair_group import ScheduledChairGroups, chair_group_lookup
from handlers.slack.client import slack_error
from handlers.slack.tokens import TokenSource, client_with
from models import Workspace
from models.driver import Executor

__all__ = ["SlackHomeRefresh", "after_digest", "after_update", "publish", "publish_taken", "taken_after_update"]

log = logging.getLogger(__name__)


def publish(
    rt: Runtime,
    client: WebClient,
    team_id: str,
    user_id: str,
    *,
    changed: bool = True,
    asked: bool = False,
    pages: Mapping[str, int] | None = None,
    chair_group: GroupMembers | None = None,
) -> bool:
    """Publish ``user_id``'s Home unless it was published less than a minute ago (then, when ``changed``, it
    is left stale for the next pass). ``asked``: the person asked for this view (a page of a list), which
    goes at once. True when it was published."""
    with rt.unit(team_id) as (session, ws):
        now = rt.now()
        if asked:
            home_views.record(session, ws, user_id, now=now)
        elif not home_views.take(session, ws, user_id, now=now, changed=changed):
            return False
        view = home_view(_build(rt, session, ws, user_id, now, chair_group), pages)
    return _send(rt, client, team_id, user_id, view)


def taken_after_update(
    connection: Executor, workspace_id: int, result: UpdateResult, *, now: datetime
) -> tuple[str, ...]:
    """In the transaction that stores an update: the people whose Home it changes (its author and the
    project's owner) whose publish the throttle lets go now; the others are left stale for the next pass.
    The update and these claims commit together: a request stays one transaction."""
    return home_views.taken_by(connection, workspace_id, result.homes_changed, now=now)


def publish_taken(rt: Runtime, client: WebClient, team_id: str, users: Sequence[str]) -> None:
    """After the update's transaction: publish the Homes :func:`taken_after_update` let go, built in a
    read-only session. Never raises: the update is stored and answered already."""
    if not users:
        return
    try:
        lookup = chair_group_lookup(rt, client, team_id)
        for user in users:
            with rt.sessions() as session:
                ws = workspaces.find(session, team_id)
                if ws is None:
                    return
                view = home_view(_build(rt, session, ws, user, rt.now(), lookup))
            _send(rt, client, team_id, user, view)
    except Exception as exc:  # noqa: BLE001  (Home is refreshed by the next pass anyway)
        log.warning("could not refresh Home after an update in team %s: %s", team_id, type(exc).__name__)


def after_update(rt: Runtime, client: WebClient, team_id: str, result: UpdateResult) -> None:
    """After an update stored from a button: the Home of its author and of the project's owner, each
    throttled. Never raises."""
    try:
        with rt.unit(team_id) as (session, ws):
            users = taken_after_update(session, ws.id, result, now=rt.now())
    except Exception as exc:  # noqa: BLE001  (Home is refreshed by the next pass anyway)
        log.warning("could not refresh Home after an update in team %s: %s", team_id, type(exc).__name__)
        return
    publish_taken(rt, client, team_id, users)


def after_digest(
    rt: Runtime, client: WebClient, team_id: str, user_id: str, channel_id: str, ts: str, digest: Digest
) -> None:
    """After Slack accepted the summary of a digest ``user_id`` posted by hand in ``channel_id``: the post
    recorded (what Home's "latest digest" reads) and their Home republished, throttled. Never raises: the
    digest is posted and answered already."""
    try:
        with rt.unit(team_id) as (session, ws):
            now = rt.now()
            digest_posts.record_sent(
                session,
                ws,
                channel_id=channel_id,
                message_ts=ts,
                start=digest.start,
                end=digest.end,
                user_id=user_id,
                now=now,
            )
            users = (user_id,) if home_views.take(session, ws, user_id, now=now) else ()
    except Exception as exc:  # noqa: BLE001  (the digest is in the channel whatever happens to its record)
        log.error("could not record the digest %s posted in team %s: %s", user_id, team_id, type(exc).__name__)
        return
    publish_taken(rt, client, team_id, users)


def _build(
    rt: Runtime, session: Session, ws: Workspace, user_id: str, now: datetime, chair_group: GroupMembers | None
) -> home_service.Home:
    return home_service.build(
        session,
        ws,
        user_id,
        now=now,
        env_admins=rt.settings.admins_for(ws.external_id),
        default_timezone=rt.settings.ICTBOT_TIMEZONE,
        chair_group=chair_group,
    )


def _send(rt: Runtime, client: WebClient, team_id: str, user_id: str, view: dict[str, Any]) -> bool:
    """views.publish; a failure leaves the person's Home stale, for the next pass after the minute."""
    try:
        client.views_publish(user_id=user_id, view=view)
    except (SlackClientError, OSError) as exc:
        log.warning("could not publish the Home of %s in team %s: %s", user_id, team_id, slack_error(exc))
        with rt.unit(team_id) as (session, ws):
            home_views.failed(session, ws, user_id)
        return False
    return True


class SlackHomeRefresh:
    """The reconciler's ``RefreshHome`` port for Slack workspaces: each affected person's Home, with the
    team's own token, throttled as any publish is."""

    def __init__(
        self,
        runtime: Runtime,
        client: WebClient,
        *,
        tokens: TokenSource,
        chair_groups: ScheduledChairGroups | None = None,
    ) -> None:
        self.runtime, self.client, self.tokens, self.chair_groups = runtime, client, tokens, chair_groups

    def __call__(self, refresh: HomeRefresh) -> None:
        if refresh.platform != "slack" or not refresh.users:
            return
        token = self.tokens.bot_token(refresh.team_id)
        if token is None:  # not installed there (any more)
            return
        client = client_with(self.client, token)
        for user in sorted(set(refresh.users)):
            try:
                publish(self.runtime, client, refresh.team_id, user, chair_group=self._chair_group(refresh.team_id))
            except Exception as exc:  # noqa: BLE001  (one person's Home never stops the others')
                log.warning("refreshing the Home of %s failed: %s", user, type(exc).__name__)

    def _chair_group(self, team_id: str) -> GroupMembers | None:
        lookup = self.chair_groups
        if lookup is None:
            return None
        now: datetime = self.runtime.now()
        return lambda group_id: lookup(team_id, group_id, now)
