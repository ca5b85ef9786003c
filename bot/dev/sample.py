"""The sample council the local shells load into an empty workspace: the Work Plan
(``bot/data/sample_workplan.csv``), who chairs and who administers, a monthly meeting series and last
month's updates, so that a newcomer can play every role through a whole monthly cycle.

Its people are the local people below, by their Slack-style ids; a shell for another platform passes the
ids its people have there. Everything is written through the product's own services, as the sample's
doing (``granted_by``/``updated_by`` :data:`SAMPLE_BY`). Only the shells use it.
"""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import AbstractContextManager
from datetime import UTC, date, datetime, time, timedelta
from importlib.resources import files
from zoneinfo import ZoneInfo

from rich.console import Console
from rich.text import Text
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.errors import DomainError
from bot.services import meetings, projects, roles, updates
from bot.services.quickform import UpdateText
from models import Project, Rag, Role, UpdateSource, Workspace

__all__ = ["LOCAL_ROLES", "LOCAL_USERS", "SAMPLE_BY", "SAMPLE_WORKPLAN", "load_sample", "sample_meeting_day"]

SAMPLE_WORKPLAN = "data/sample_workplan.csv"
SAMPLE_BY = "sample"  # who granted the sample's roles and set its meeting series
# The people of the sample: two officers, the chair of the governance group and an ICT admin.
LOCAL_USERS = {
    "U0LOCAL01": "Alex Officer",
    "U0LOCAL02": "Bea Officer",
    "U0LOCAL03": "Chris Chair",
    "U0LOCAL04": "Dana Admin",
}
LOCAL_ROLES: dict[str, tuple[Role, ...]] = {"U0LOCAL03": (Role.CHAIR,), "U0LOCAL04": (Role.ADMIN,)}
MEETING_AT = time(10, 0)
# The next meeting is 10 to 19 days after the sample loads (a day of the month every month has), so
# that both reminder stages (5 and 1 working days before) are still ahead; the previous one was held
# about a month before it, and last month's updates are older than that, so they are due again.
FIRST_MEETING_IN = 10
HISTORY_DAYS_AGO = 45
# Last month's updates: each project's owner said where it stood, before the previous meeting.
HISTORY = (
    ("NET-01", Rag.GREEN, "Core switch replacement on plan; link upgrades ordered."),
    ("GIS-01", Rag.AMBER, "Upgrade testing slipped a week: the test server arrived late."),
    ("MOB-01", Rag.GREEN, "Carrier contract signed; cut-across planned by site."),
    ("PCI-01", Rag.GREEN, "Quarterly scan passed."),
)


def sample_meeting_day(today: date) -> int:
    """The day of the month of the sample's monthly meeting: the first day 10 or more days after ``today``
    that every month has (1 to 28)."""
    day = today + timedelta(days=FIRST_MEETING_IN)
    while day.day > 28:
        day += timedelta(days=1)
    return day.day


def load_sample(
    console: Console,
    unit: AbstractContextManager[tuple[Session, Workspace]],
    *,
    now: datetime,
    people: Mapping[str, str] | None = None,
    channel_id: str | None = None,
    default_timezone: str = "Europe/London",
) -> tuple[int, bool]:
    """The number of projects in the workspace ``unit`` opens, and whether they are the sample, loaded just
    now because it had none. ``people`` maps the local ids of :data:`LOCAL_USERS` to the ids the platform
    gives them; ``channel_id`` is the governance channel, where the scheduled digest is posted. A sample
    that cannot be loaded is said on ``console`` (and counts 0)."""
    ids = {local: (people or {}).get(local, local) for local in LOCAL_USERS}
    try:
        with unit as (session, ws):
            count = int(session.scalar(select(func.count(Project.id)).where(Project.workspace_id == ws.id)) or 0)
            if count:
                return count, False
            text = files("bot").joinpath(SAMPLE_WORKPLAN).read_text(encoding="utf-8")
            for local_id, platform_id in ids.items():
                text = text.replace(local_id, platform_id)
            created = projects.import_csv(session, ws, text, resolve_emails=None, now=now).created
            for local_id, held in LOCAL_ROLES.items():
                for role in held:
                    roles.grant(session, ws, ids[local_id], role, by=SAMPLE_BY, now=now)
            _calendar(session, ws, now=now, channel_id=channel_id, default_timezone=default_timezone)
            return created, True
    except DomainError as exc:
        console.print(Text(f"Could not load the sample: {exc.message}", style="red"))
        return 0, False


def _calendar(session: Session, ws: Workspace, *, now: datetime, channel_id: str | None, default_timezone: str) -> None:
    """A monthly series whose next meeting is 10 to 19 days ahead and whose previous one was held about a
    month ago, and last month's updates, written before it."""
    tz = ZoneInfo(default_timezone)
    today = now.astimezone(tz).date()
    # Set a little over a month back, so that the previous meeting is on the calendar (a series only
    # materialises meetings after the moment it is set): it starts this reporting period.
    since = datetime.combine(today - timedelta(days=HISTORY_DAYS_AGO - 5), MEETING_AT, tzinfo=tz).astimezone(UTC)
    meetings.set_series(
        session,
        ws,
        now=since,
        by=SAMPLE_BY,
        default_timezone=default_timezone,
        rrule=f"FREQ=MONTHLY;BYMONTHDAY={sample_meeting_day(today)}",
        local_time=MEETING_AT,
    )
    if channel_id is not None:
        meetings.set_channel_id(session, ws, channel_id, now=now, by=SAMPLE_BY, default_timezone=default_timezone)
    written = since - timedelta(days=5)
    for ref, rag, progress in HISTORY:
        project = projects.get(session, ws, ref)
        updates.post(
            session,
            ws,
            project,
            user_id=project.owner_user_id,
            is_admin=False,
            text=UpdateText(rag=rag, progress=progress),
            source=UpdateSource.IMPORT,
            now=written,
        )
