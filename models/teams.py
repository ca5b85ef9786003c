"""Where the bot can reach someone in Microsoft Teams: the conversation references it has seen.

Teams lets a bot message a person or a channel only in a conversation it already knows, at the
service URL Teams gave with it. So the Teams front end keeps, per workspace (a Teams tenant), one
reference for each person it has met (``kind`` ``user``, keyed by their identity: the Entra object
id when Teams sends one, else their channel account id) and for each channel it was installed in or
spoken to from (``kind`` ``channel``, keyed by the channel's conversation id). They are written at
install (``conversationUpdate``) and refreshed at every contact; the reminders and the scheduled
digest are sent with them.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, UTCDateTime
from models.entities import _enum


class ReferenceKind(enum.StrEnum):
    USER = "user"  # a person: their personal (1:1) conversation with the bot, once there is one
    CHANNEL = "channel"  # a team's channel (the governance channel the digest is posted in)


class TeamsConversationRef(Base):
    """A Bot Framework conversation reference, kept so the bot can send without being spoken to."""

    __tablename__ = "teams_conversation_ref"
    __table_args__ = (UniqueConstraint("workspace_id", "kind", "subject_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id"), index=True)
    kind: Mapped[ReferenceKind] = mapped_column(_enum(ReferenceKind, "teams_reference_kind"))
    subject_id: Mapped[str] = mapped_column(String(255))  # the person's identity, or the channel's conversation id
    account_id: Mapped[str | None] = mapped_column(String(255), default=None)  # a person's channel account id (29:…)
    # The personal conversation with a person (None until there is one: met only in a channel so far).
    conversation_id: Mapped[str | None] = mapped_column(String(255), default=None)
    service_url: Mapped[str] = mapped_column(String(500))
    bot_id: Mapped[str] = mapped_column(String(255))  # the bot's channel account id in that conversation (28:…)
    tenant_id: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
