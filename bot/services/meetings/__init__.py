"""The governance meetings: a recurrence rule per workspace, materialised as meeting rows.

The public surface of the meetings service, in one namespace (``from bot.services import meetings``):
reading what people type (:mod:`.parsing`), working days (:mod:`.workdays`), the series and
materialising it (:mod:`.series`), and single meetings and their queries (:mod:`.single`); the calendar
export is :mod:`bot.render.ics`. Plain values in and out; every function takes ``now`` where time matters, and no
platform is named here.
"""

from bot.services.meetings.parsing import (
    REGIONS,
    ReminderStage,
    parse_channel,
    parse_date,
    parse_region,
    parse_reminder_stages,
    parse_rrule,
    parse_time,
    parse_timezone,
)
from bot.services.meetings.series import (
    DEFAULT_REMINDER_STAGES,
    DEFAULT_RRULE,
    DEFAULT_TIME,
    MaterialiseResult,
    SeriesView,
    add_closure,
    closures,
    get_series,
    materialise,
    remove_closure,
    series_view,
    set_channel,
    set_channel_id,
    set_series,
)
from bot.services.meetings.single import (
    MeetingView,
    UnknownMeeting,
    cancel,
    find_meeting,
    held_after,
    meeting_after,
    meeting_for_records,
    meeting_on,
    move,
    next_meetings,
    previous_meeting,
    previous_start,
    reporting_period,
    upcoming,
    workspace_timezone,
)
from bot.services.meetings.workdays import holiday_name, is_working_day, next_working_day, working_days_before

__all__ = [
    "DEFAULT_REMINDER_STAGES",
    "DEFAULT_RRULE",
    "DEFAULT_TIME",
    "REGIONS",
    "MaterialiseResult",
    "MeetingView",
    "ReminderStage",
    "SeriesView",
    "UnknownMeeting",
    "add_closure",
    "cancel",
    "closures",
    "find_meeting",
    "get_series",
    "held_after",
    "holiday_name",
    "is_working_day",
    "materialise",
    "meeting_after",
    "meeting_for_records",
    "meeting_on",
    "move",
    "next_meetings",
    "next_working_day",
    "parse_channel",
    "parse_date",
    "parse_region",
    "parse_reminder_stages",
    "parse_rrule",
    "parse_time",
    "parse_timezone",
    "previous_meeting",
    "previous_start",
    "remove_closure",
    "reporting_period",
    "series_view",
    "set_channel",
    "set_channel_id",
    "set_series",
    "upcoming",
    "working_days_before",
    "workspace_timezone",
]
