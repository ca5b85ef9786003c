"""The export document's schema, declared once: a pydantic model per section, used in both directions.

The export builds the sections from database rows (:meth:`Section.of`) and dumps them as JSON; the restore
validates a document into the same models (strict: no text where a number belongs) and writes rows from
them (:meth:`Section.row`). Text lengths are the columns' (``models/``). Format version 1 held the
workspace, strategies, projects and updates; 2 adds roles, the meeting calendar, reminders and digest
posts; keys added since (the chair group, aims, history, the committee paper, people, the registers) may
be absent. Reminders name their meeting by ``occurrence``, history its project by ``ref``, assurance its
obligation by ``code``; no database id is exported but the updates'. The lease and installations never are.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, time
from typing import Annotated, Any, ClassVar, Final, Literal, Self, TypeVar, cast

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, PlainSerializer, StringConstraints
from sqlalchemy import inspect

from bot.services.paper import PaperSettings
from bot.timefmt import iso
from models import (
    ClosureDay,
    Meeting,
    MeetingSeries,
    NarrativeRevision,
    Person,
    Priority,
    ProgressUpdate,
    Project,
    ProjectDelegate,
    ProjectEvent,
    RoleGrant,
    Signoff,
    Strategy,
    UpdateRevision,
    Workspace,
)
from models.base import Base
from models.db import column_length
from models.entities import MeetingStatus, ProjectStatus, Rag, Role, UpdateSource
from models.history import ChangeVia, ProjectField
from models.registers import (
    ActionItem,
    AssuranceObligation,
    AssuranceOutcome,
    AssuranceReminder,
    AssuranceResult,
    Decision,
    ItemStatus,
    RaidItem,
    RaidKind,
    RaidRevision,
)
from models.scheduling import DigestPost, DigestSent, Reminder, ReminderKind, ReminderStatus

__all__ = [
    "DOCUMENTS",
    "FORMAT",
    "FORMAT_VERSION",
    "ActionDoc",
    "AssuranceObligationDoc",
    "AssuranceReminderDoc",
    "AssuranceResultDoc",
    "Claim",
    "ClosureDoc",
    "DecisionDoc",
    "DigestPostDoc",
    "DigestSentDoc",
    "Document",
    "DocumentV1",
    "DocumentV2",
    "MeetingDoc",
    "NarrativeDoc",
    "PersonDoc",
    "PriorityDoc",
    "ProjectDoc",
    "ProjectEventDoc",
    "RaidDoc",
    "RaidRevisionDoc",
    "ReminderDoc",
    "RevisionDoc",
    "RoleDoc",
    "Section",
    "SeriesDoc",
    "SignoffDoc",
    "StrategyDoc",
    "UpdateDoc",
    "WorkspaceDoc",
]

FORMAT: Final = "ictbot-export"
FORMAT_VERSION: Final = 2

Row = TypeVar("Row", bound=Base)


def key(*columns: object) -> StringConstraints:
    """Text that may not be empty and fits each of ``columns`` (``String(n)``)."""
    return StringConstraints(min_length=1, max_length=min(column_length(c) for c in columns))


def fits(*columns: object) -> StringConstraints:
    """Text, perhaps empty, that fits each of ``columns``. PostgreSQL would refuse a longer value and SQLite
    would not: the document is refused on both, with the path."""
    return StringConstraints(max_length=min(column_length(c) for c in columns))


Moment = Annotated[AwareDatetime, PlainSerializer(iso, return_type=str, when_used="json")]
Count = Annotated[int, Field(ge=0)]


class Section(BaseModel):
    """One record of the document. Its fields are the row's columns of the same name, or of the name in
    ``renamed``; a field with no column (a reference by key, a list of children) is given by the caller."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)
    renamed: ClassVar[Mapping[str, str]] = {}  # field → column, where the names differ

    @classmethod
    def of(cls, row: object, **given: Any) -> Self:
        """The section of a database row: ``given`` fields as given, the others read from their columns.
        Not validated: what the database holds is exported as it is."""
        values = {name: getattr(row, cls.renamed.get(name, name)) for name in cls.model_fields if name not in given}
        return cast(Self, cls.model_construct(**values, **given))  # pydantic's mypy plugin says Section

    def row(self, model: type[Row], **given: Any) -> Row:
        """A new row of ``model``: each field that is one of its columns, but the primary key (the database
        gives ids anew), then the ``given`` columns."""
        mapper = inspect(model)
        columns = set(mapper.attrs.keys()) - {c.key for c in mapper.primary_key} - given.keys()
        names = ((name, self.renamed.get(name, name)) for name in type(self).model_fields)
        return model(**{column: getattr(self, name) for name, column in names if column in columns}, **given)


class WorkspaceDoc(Section):
    renamed = {"team_id": "external_id"}
    team_id: Annotated[str, key(Workspace.external_id)]
    platform: Annotated[str, key(Workspace.platform)]
    name: Annotated[str, fits(Workspace.name)]
    created_at: Moment
    # The Slack user group whose members are chairs; exports written before it lack it.
    chair_usergroup_id: Annotated[str, key(Workspace.chair_usergroup_id)] | None = None


class PriorityDoc(Section):
    position: int
    code: Annotated[str, key(Priority.code)]
    name: Annotated[str, key(Priority.name)]
    description: str


class StrategyDoc(Section):
    name: Annotated[str, key(Strategy.name)]
    period: Annotated[str, fits(Strategy.period)]
    description: str
    active: bool
    created_at: Moment
    priorities: list[PriorityDoc]
    # The strategy's aims in order (models.StrategyAim); exports written before them lack the key.
    aims: list[Annotated[str, StringConstraints(min_length=1)]] = Field(default_factory=list)


class ProjectDoc(Section):
    renamed = {"owner": "owner_user_id"}
    ref: Annotated[str, key(Project.ref)]
    title: Annotated[str, key(Project.title)]
    strategy: Annotated[str, fits(Strategy.name)] | None  # the project's priority, by its strategy and code
    priority_code: Annotated[str, fits(Priority.code)] | None
    priority_name: Annotated[str, fits(Priority.name)] | None
    owner: Annotated[str, key(Project.owner_user_id)]
    delegates: list[Annotated[str, key(ProjectDelegate.user_id)]]
    service_area: Annotated[str, fits(Project.service_area)]
    status: ProjectStatus
    target_date: date | None
    completed_on: date | None
    created_at: Moment


class ProjectEventDoc(Section):
    """One change in a project's history (``models.ProjectEvent``), naming its project by ref."""

    project_ref: Annotated[str, key(Project.ref)]
    at: Moment
    actor: Annotated[str, fits(ProjectEvent.actor)]
    via: ChangeVia
    field: ProjectField
    old: str
    new: str


class RevisionDoc(Section):
    renamed = {"editor": "editor_user_id"}
    number: int
    rag: Rag
    progress: str
    next_steps: str
    risks: str
    editor: Annotated[str, key(UpdateRevision.editor_user_id)]
    created_at: Moment


class UpdateDoc(Section):
    renamed = {"author": "author_user_id"}
    id: int  # the exporting database's, kept for the CSV; the restore gives a new one
    project_ref: Annotated[str, key(Project.ref)]
    author: Annotated[str, key(ProgressUpdate.author_user_id)]
    source: UpdateSource
    created_at: Moment
    revisions: Annotated[list[RevisionDoc], Field(min_length=1)]


class RoleDoc(Section):
    user_id: Annotated[str, key(RoleGrant.user_id)]
    role: Role
    granted_by: Annotated[str, fits(RoleGrant.granted_by)]
    created_at: Moment


class PersonDoc(Section):
    """A name in the people directory (``models.Person``): what the ids elsewhere in the document stand for."""

    user_id: Annotated[str, key(Person.user_id)]
    name: Annotated[str, key(Person.name)]
    title: Annotated[str, fits(Person.title)]
    refreshed_at: Moment | None  # when the platform said it; none for a name a Work Plan CSV gave
    # The address the platform gave ("" where none), how an assurance file names a person; added since.
    email: Annotated[str, fits(Person.email)] = ""


class SeriesDoc(Section):
    rrule: Annotated[str, key(MeetingSeries.rrule)]
    anchor: date
    local_time: time
    duration_minutes: Annotated[int, Field(ge=1)]
    timezone: Annotated[str, key(MeetingSeries.timezone)]
    holiday_region: Annotated[str, key(MeetingSeries.holiday_region)]
    channel_id: Annotated[str, fits(MeetingSeries.channel_id)] | None
    reminder_stages: Annotated[str, key(MeetingSeries.reminder_stages)]
    digest_stage: Annotated[str, key(MeetingSeries.digest_stage)]
    updated_by: Annotated[str, fits(MeetingSeries.updated_by)]
    updated_at: Moment


class ClosureDoc(Section):
    day: date
    reason: Annotated[str, fits(ClosureDay.reason)]
    created_by: Annotated[str, fits(ClosureDay.created_by)]
    created_at: Moment


class MeetingDoc(Section):
    occurrence: date
    starts_at: Moment
    status: MeetingStatus
    moved: bool
    note: Annotated[str, fits(Meeting.note)]
    revision: Count
    changed_by: Annotated[str, fits(Meeting.changed_by)] | None
    updated_at: Moment


# Reminders and digest posts: what is sent for which meeting, then the claim they share, then where it went.
# A model's fields come in the order of its bases from the last to the first, then its own: that order
# is the document's.


class _ForMeeting(Section):
    meeting: date  # the occurrence of one of the document's meetings


class Claim(Section):
    """How far a send has gone, and who claimed it when (``models.scheduling``): its state is restored
    with it, so that the restored bot does not send again what was sent."""

    status: ReminderStatus
    due_at: Moment
    attempts: Count
    claimed_by: Annotated[str, fits(Reminder.claimed_by, DigestPost.claimed_by)] | None
    claimed_at: Moment | None
    sent_at: Moment | None
    error: Annotated[str, fits(Reminder.error, DigestPost.error)]


class _ReminderFor(_ForMeeting):
    user_id: Annotated[str, key(Reminder.user_id)]
    kind: ReminderKind
    stage: Annotated[str, key(Reminder.stage)]


class ReminderDoc(Claim, _ReminderFor):
    project_refs: list[Annotated[str, key(Project.ref)]]  # what the message listed
    channel_id: Annotated[str, fits(Reminder.channel_id)] | None
    message_ts: Annotated[str, fits(Reminder.message_ts)] | None


class _DigestPostFor(_ForMeeting):
    channel_id: Annotated[str, key(DigestPost.channel_id)]


class DigestPostDoc(Claim, _DigestPostFor):
    message_ts: Annotated[str, fits(DigestPost.message_ts)] | None


class DigestSentDoc(Section):
    """A digest a chair posted by hand (``models.DigestSent``): where, for what period, by whom and when."""

    channel_id: Annotated[str, key(DigestSent.channel_id)]
    message_ts: Annotated[str, key(DigestSent.message_ts)]
    period_start: Moment | None  # none: from the beginning
    period_end: Moment
    posted_by: Annotated[str, key(DigestSent.posted_by)]
    posted_at: Moment


class NarrativeDoc(Section):
    renamed = {"author": "author_user_id"}
    period_start: date
    section: Annotated[str, key(NarrativeRevision.section)]
    number: Annotated[int, Field(ge=1)]
    text: str
    author: Annotated[str, key(NarrativeRevision.author_user_id)]
    created_at: Moment


class SignoffDoc(Section):
    period_start: date
    period_end: date
    user_id: Annotated[str, key(Signoff.user_id)]
    signed_at: Moment
    fingerprint: Annotated[str, key(Signoff.fingerprint)]


class RaidRevisionDoc(Section):
    """A risk's or issue's state after one change (``models.registers.RaidRevision``)."""

    renamed = {"owner": "owner_user_id"}
    at: Moment
    actor: Annotated[str, key(RaidRevision.actor)]
    change: Literal["raised", "updated", "closed"]
    text: str
    owner: Annotated[str, key(RaidRevision.owner_user_id)]
    likelihood: Annotated[int, Field(ge=1, le=5)] | None
    impact: Annotated[int, Field(ge=1, le=5)] | None
    review_on: date | None
    status: ItemStatus
    note: str


class RaidDoc(Section):
    """A risk or an issue (``models.registers.RaidItem``) on a project (by ref) or a priority (by strategy and
    code), with every revision, oldest first. Its id (R12, I7) is the database's: a restore numbers anew."""

    renamed = {"owner": "owner_user_id"}
    kind: RaidKind
    project_ref: Annotated[str, key(Project.ref)] | None
    strategy: Annotated[str, fits(Strategy.name)] | None
    priority_code: Annotated[str, fits(Priority.code)] | None
    text: Annotated[str, StringConstraints(min_length=1)]
    owner: Annotated[str, key(RaidItem.owner_user_id)]
    likelihood: Annotated[int, Field(ge=1, le=5)] | None
    impact: Annotated[int, Field(ge=1, le=5)] | None
    review_on: date | None
    status: ItemStatus
    raised_by: Annotated[str, key(RaidItem.raised_by)]
    raised_at: Moment
    closed_by: Annotated[str, key(RaidItem.closed_by)] | None
    closed_at: Moment | None
    close_note: str
    revisions: Annotated[list[RaidRevisionDoc], Field(min_length=1)]


# The meetings' decisions and actions: each names its meeting by occurrence and its project (if any) by ref.


class DecisionDoc(Section):
    meeting: date
    project_ref: Annotated[str, key(Project.ref)] | None
    text: Annotated[str, StringConstraints(min_length=1)]
    recorded_by: Annotated[str, key(Decision.recorded_by)]
    recorded_at: Moment


class ActionDoc(Section):
    renamed = {"owner": "owner_user_id"}
    meeting: date
    project_ref: Annotated[str, key(Project.ref)] | None
    owner: Annotated[str, key(ActionItem.owner_user_id)]
    due_on: date
    text: Annotated[str, StringConstraints(min_length=1)]
    status: ItemStatus
    given_by: Annotated[str, key(ActionItem.given_by)]
    given_at: Moment
    done_by: Annotated[str, key(ActionItem.done_by)] | None
    done_at: Moment | None
    done_note: str


# The assurance calendar: each obligation reports under a priority (by strategy and code, as a project's);
# its results and reminders name it by code, and each its occurrence (a due date).


class AssuranceObligationDoc(Section):
    """An assurance obligation (``models.registers.AssuranceObligation``), retired ones too: recurring
    (``rrule`` from ``start_on``) or once (``due_on``)."""

    renamed = {"owner": "owner_user_id"}
    code: Annotated[str, key(AssuranceObligation.code)]
    name: Annotated[str, key(AssuranceObligation.name)]
    owner: Annotated[str, key(AssuranceObligation.owner_user_id)]
    strategy: Annotated[str, key(Strategy.name)]
    priority_code: Annotated[str, key(Priority.code)]
    rrule: Annotated[str, fits(AssuranceObligation.rrule)]
    start_on: date | None
    due_on: date | None
    evidence: str
    remind_days: Annotated[int, Field(ge=0, le=30)]
    loaded_at: Moment
    retired_at: Moment | None


class AssuranceResultDoc(Section):
    """A result recorded for one occurrence of an obligation, in the order recorded (the latest counts)."""

    obligation_code: Annotated[str, key(AssuranceObligation.code)]
    occurrence: date
    outcome: AssuranceOutcome
    note: str
    evidence_url: Annotated[str, fits(AssuranceResult.evidence_url)]
    recorded_by: Annotated[str, key(AssuranceResult.recorded_by)]
    recorded_at: Moment


class _AssuranceReminderFor(Section):
    obligation_code: Annotated[str, key(AssuranceObligation.code)]
    occurrence: date
    user_id: Annotated[str, key(AssuranceReminder.user_id)]


class AssuranceReminderDoc(Claim, _AssuranceReminderFor):
    """The reminder before one occurrence, with its claim: the restored bot does not send it again."""

    channel_id: Annotated[str, fits(AssuranceReminder.channel_id)] | None
    message_ts: Annotated[str, fits(AssuranceReminder.message_ts)] | None


class _DocumentBase(Section):
    format: Literal["ictbot-export"]
    version: int
    exported_at: Moment
    workspace: WorkspaceDoc
    strategies: list[StrategyDoc]
    projects: list[ProjectDoc]
    updates: list[UpdateDoc]


class DocumentV1(_DocumentBase):
    """An export of format version 1: the workspace, strategies, projects and updates."""

    version: Literal[1]


class DocumentV2(_DocumentBase):
    """Version 1's sections, and the roles, the meeting calendar and the reminder and digest history."""

    version: Literal[2]
    roles: list[RoleDoc]
    meeting_series: SeriesDoc | None
    closures: list[ClosureDoc]
    meetings: list[MeetingDoc]
    reminders: list[ReminderDoc]
    digest_posts: list[DigestPostDoc]
    # Each project's history, oldest first; exports written before it lack the key, and a restore starts
    # the history of a project that has none in the document (bot.transfer.restore).
    history: list[ProjectEventDoc] = Field(default_factory=list)
    # The committee paper (added since; absent from older exports): its settings, narrative and sign-offs.
    report_settings: PaperSettings | None = None
    narrative: list[NarrativeDoc] = Field(default_factory=list)
    signoffs: list[SignoffDoc] = Field(default_factory=list)
    # The people directory's names, by user id; exports written before it lack the key.
    people: list[PersonDoc] = Field(default_factory=list)
    # The risks and issues with their revisions (added since; absent from older exports).
    raid: list[RaidDoc] = Field(default_factory=list)
    # The meetings' decisions and actions (added since; absent from older exports).
    decisions: list[DecisionDoc] = Field(default_factory=list)
    actions: list[ActionDoc] = Field(default_factory=list)
    # The assurance calendar: obligations by code, their results and reminders (absent from older exports).
    assurance_obligations: list[AssuranceObligationDoc] = Field(default_factory=list)
    assurance_results: list[AssuranceResultDoc] = Field(default_factory=list)
    assurance_reminders: list[AssuranceReminderDoc] = Field(default_factory=list)
    # The digests chairs posted by hand (added since; absent from older exports).
    digests_sent: list[DigestSentDoc] = Field(default_factory=list)


Document = DocumentV1 | DocumentV2
DOCUMENTS: dict[int, type[DocumentV1] | type[DocumentV2]] = {1: DocumentV1, 2: DocumentV2}
