"""When each person's App Home was last published, and whether it is stale: the once-a-minute throttle.

One row per (workspace, user), made on first publish. A publish inside the minute marks it stale instead;
the next reconcile pass publishes the stale ones whose minute has passed (:mod:`bot.services.home_views`).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, UTCDateTime


class HomeView(Base):
    __tablename__ = "home_view"
    # The index finds the stale ones across workspaces, as every pass asks (bot.scheduling.reconciler).
    __table_args__ = (
        UniqueConstraint("workspace_id", "user_id"),
        Index("ix_home_view_stale_published_at", "stale", "published_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id"))  # in the unique (workspace_id, user_id)
    user_id: Mapped[str] = mapped_column(String(64))
    published_at: Mapped[datetime] = mapped_column(UTCDateTime())
    stale: Mapped[bool] = mapped_column(Boolean, default=False)
