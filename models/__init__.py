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
    UpdateRevision,
    UpdateSource,
    Workspace,
)

__all__ = [
    "Base",
    "ClosureDay",
    "Meeting",
    "MeetingSeries",
    "MeetingStatus",
    "Priority",
    "ProgressUpdate",
    "Project",
    "ProjectDelegate",
    "ProjectStatus",
    "Rag",
    "Role",
    "RoleGrant",
    "Strategy",
    "UTCDateTime",
    "UpdateRevision",
    "UpdateSource",
    "Workspace",
    "make_engine",
    "make_sessionmaker",
    "transaction",
    "upgrade",
]
