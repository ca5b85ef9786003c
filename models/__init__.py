"""Storage for ictbot: SQLAlchemy 2 models, sessions and migrations. Knows nothing of Slack."""

from models.base import Base, UTCDateTime
from models.db import make_engine, make_sessionmaker, transaction, upgrade
from models.entities import (
    ClosureDay,
    Meeting,
    MeetingSeries,
    MeetingStatus,
    Priority,
    ProgressUpdate,
    Project,
    ProjectDelegate,
    ProjectStatus,
    Rag,
    Role,
    RoleGrant,
    Strategy,
    StrategyAim,
    UpdateRevision,
    UpdateSource,
    Workspace,
)
from models.history import ChangeVia, ProjectEvent, ProjectField
from models.home import HomeView
from models.install import DeliveryStatus, InboundDelivery, PurgeRecord
from models.paper import NarrativeRevision, ReportSettings, Signoff
from models.people import Person
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
from models.scheduling import DigestPost, Lease, Reminder
from models.teams import ReferenceKind, TeamsConversationRef

__all__ = [
    "ActionItem",
    "AssuranceObligation",
    "AssuranceOutcome",
    "AssuranceReminder",
    "AssuranceResult",
    "Base",
    "ChangeVia",
    "ClosureDay",
    "Decision",
    "DeliveryStatus",
    "DigestPost",
    "HomeView",
    "InboundDelivery",
    "ItemStatus",
    "Lease",
    "Meeting",
    "MeetingSeries",
    "MeetingStatus",
    "NarrativeRevision",
    "Person",
    "Priority",
    "ProgressUpdate",
    "Project",
    "ProjectDelegate",
    "ProjectEvent",
    "ProjectField",
    "ProjectStatus",
    "PurgeRecord",
    "Rag",
    "RaidItem",
    "RaidKind",
    "RaidRevision",
    "ReferenceKind",
    "Reminder",
    "ReportSettings",
    "Role",
    "RoleGrant",
    "Signoff",
    "Strategy",
    "StrategyAim",
    "TeamsConversationRef",
    "UTCDateTime",
    "UpdateRevision",
    "UpdateSource",
    "Workspace",
    "make_engine",
    "make_sessionmaker",
    "transaction",
    "upgrade",
]
