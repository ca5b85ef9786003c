"""The people directory: the name (title, e-mail) each workspace's chat platform gives a user id."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, UTCDateTime


class Person(Base):
    """A user id's name as Slack or Teams last gave it, or as a Work Plan CSV's ``owner_name`` gave it.

    ``refreshed_at`` is when the platform last said it; None for a name only a CSV gave, which the
    platform's next answer replaces.
    """

    __tablename__ = "person"
    __table_args__ = (UniqueConstraint("workspace_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id"))
    user_id: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(200), default="")
    # The e-mail address the platform gave (lower case; "" where it gave none): how a file names a person.
    email: Mapped[str] = mapped_column(String(254), default="", server_default="")
    refreshed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
