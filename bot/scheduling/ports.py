"""The ports of the reconciler: what a platform's delivery implements, and what it reports back.

Slack (``handlers.slack.delivery``) and Teams (``handlers.teams.delivery``) each provide a :data:`Deliver`
for reminders, a :data:`PostDigest` for scheduled digests and a :data:`RemindAssurance` for assurance
reminders, and may provide a :data:`RefreshHome`; the reconciler knows no platform.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import datetime

from bot.services.assurance.reminders import AssuranceDue
from bot.services.digest_posts import DigestDue
from bot.services.reminders import Due

__all__ = ["ChairGroupMembers", "Deliver", "HomeRefresh", "Outcome", "PostDigest", "RefreshHome", "RemindAssurance"]


@dataclass(frozen=True, slots=True)
class Outcome:
    """What delivery made of one reminder. ``permanent`` errors are recorded; others retried once.

    ``settled``: how a retry whose earlier attempt's outcome was unknown was settled ("found in
    history", "resent: …"), recorded on the row. ``deferred``: nothing was sent, and the failure
    (the conversation's history could not be read just now) does not use up the claim's one retry:
    it is tried again after the claim timeout, until its meeting starts.
    """

    error: str | None = None
    permanent: bool = True
    channel_id: str | None = None
    message_ts: str | None = None
    settled: str = ""
    deferred: bool = False


@dataclass(frozen=True, slots=True)
class HomeRefresh:
    """The people of one workspace whose Home a pass affected: those reminded, the chairs when a digest went
    out, and those whose Home was left stale within its minute."""

    workspace_id: int
    team_id: str
    platform: str  # the workspace's chat platform: only its front end has a Home to publish
    users: tuple[str, ...]


Deliver = Callable[[Due], Outcome]
PostDigest = Callable[[DigestDue], Outcome]  # posts ``item.digest`` (set) in ``item.channel_id``
RemindAssurance = Callable[[AssuranceDue], Outcome]  # reminds an obligation's owner of one occurrence
# (team ID, user group ID, now) → the group's members, so that the chairs' notice reaches the chairs'
# user group too; empty when they cannot be found (the granted chairs still get it).
ChairGroupMembers = Callable[[str, str, datetime], Collection[str]]
RefreshHome = Callable[[HomeRefresh], None]  # publishes the affected people's Home (throttled per person)
