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
from models.install import DeliveryStatus, InboundDelivery, PurgeRecord
from models.paper import NarrativeRevision, ReportSettings, Signoff
from models.scheduling import DigestPost, Lease, Reminder
from models.teams import ReferenceKind, TeamsConversationRef

__all__ = [
    "Base",
    "ChangeVia",
    "ClosureDay",
    "DeliveryStatus",
    "DigestPost",
    "InboundDelivery",
    "Lease",
    "Meeting",
    "MeetingSeries",
    "MeetingStatus",
    "NarrativeRevision",
    "Priority",
    "ProgressUpdate",
    "Project",
    "ProjectDelegate",
    "ProjectEvent",
    "ProjectField",
    "ProjectStatus",
    "PurgeRecord",
    "Rag",
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
