"""People's names from Slack, kept in the directory (:mod:`bot.services.people`).

A digest asks :class:`SlackPeople` for the names it shows: the directory answers, and ``users.info`` is
called only for those it has no fresh entry for, whose answers are written back. The ``user_change``
event updates a person as soon as they change their profile; ``ictbot people refresh`` reads the whole
workspace with ``users.list`` (:func:`every_member`). A name is the profile's display name, else the
real name; the title is the profile's title.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from slack_bolt import App, BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.runtime import Runtime
from bot.services import people
from bot.services.people import Entry
from handlers.slack.client import slack_error
from handlers.slack.context import runtime_of, workspace_unit
from models import Workspace

__all__ = ["USERS_PAGE", "SlackPeople", "ask_each", "entry_of", "every_member", "register"]

log = logging.getLogger(__name__)

USERS_PAGE = 200  # users.list's page: Slack advises no more than 200 for a reliable answer


def entry_of(user: Mapping[str, Any]) -> Entry | None:
    """A Slack user object as a directory entry, or None when it has no id or no name at all."""
    profile = user.get("profile")
    profile = profile if isinstance(profile, dict) else {}
    name = next(
        (str(n).strip() for n in (profile.get("display_name"), profile.get("real_name"), user.get("real_name")) if n),
        "",
    )
    user_id = str(user.get("id") or "")
    if not user_id or not name:
        return None
    return Entry(user_id, name, str(profile.get("title") or "").strip(), str(profile.get("email") or "").strip())


def ask_each(client: WebClient, user_ids: Iterable[str]) -> list[Entry]:
    """``users.info`` for each of ``user_ids``; one Slack cannot answer is left out (shown by its id)."""
    found: list[Entry] = []
    for user_id in dict.fromkeys(user_ids):
        try:
            user = client.users_info(user=user_id).get("user") or {}
        except (SlackApiError, SlackClientError, OSError) as exc:
            log.info("no name for %s (%s); it is shown by its ID", user_id, slack_error(exc))
            continue
        entry = entry_of(user) if isinstance(user, dict) else None
        if entry is not None:
            found.append(entry)
    return found


def every_member(client: WebClient) -> Iterator[Entry]:
    """Everyone ``users.list`` gives, page by page (it raises what Slack refuses)."""
    cursor = ""
    while True:
        response = client.users_list(limit=USERS_PAGE, cursor=cursor or None)
        for user in response.get("members") or []:
            entry = entry_of(user) if isinstance(user, dict) else None
            if entry is not None:
                yield entry
        cursor = str((response.get("response_metadata") or {}).get("next_cursor") or "")
        if not cursor:
            return


class SlackPeople:
    """The names a digest shows, from the directory, asking Slack only about people it has no fresh entry for."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    def names(self, client: WebClient, workspace_id: int, user_ids: Iterable[str]) -> dict[str, str]:
        """User id → name for ``user_ids``. No transaction is open while Slack is asked."""
        rt, wanted = self.runtime, list(dict.fromkeys(user_ids))
        now = rt.now()
        with rt.sessions.begin() as session:
            ws = session.get(Workspace, workspace_id)
            if ws is None:
                return {}
            known = people.names(session, ws, wanted)
            asking = people.stale(session, ws, wanted, now)
        fetched = ask_each(client, asking)
        if fetched:
            with rt.sessions.begin() as session:
                ws = session.get(Workspace, workspace_id)
                if ws is not None:
                    people.record(session, ws, fetched, now=now)
        return {**known, **{e.user_id: e.name for e in fetched}}


def register(app: App) -> None:
    @app.event("user_change")
    def user_change(context: BoltContext, body: dict[str, Any], event: dict[str, Any]) -> None:
        user = event.get("user")
        entry = entry_of(user) if isinstance(user, dict) else None
        if entry is None:
            return
        rt = runtime_of(context)
        with workspace_unit(rt, body) as (session, ws):
            people.record(session, ws, [entry], now=rt.now())
