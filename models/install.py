"""A workspace's life with the app: Slack's installation records, requests already handled, purges.

- ``slack_installations``, ``slack_bots`` and ``slack_oauth_states`` are slack_sdk's own tables, built
  here with slack_sdk's table builders on this project's metadata so that Alembic creates them and the
  drift test watches them like any other table. Their timestamps are slack_sdk's: naive UTC.
- :class:`InboundDelivery` records each event or interaction Slack (or Teams) delivered, keyed by what
  stays the same across its retries, so a retry is not acted on twice, whichever process receives it.
- :class:`PurgeRecord` is what is left of a workspace whose data was deleted after it uninstalled the
  app: who, when, and how many rows of each kind went. It holds no officer text.
"""

from __future__ import annotations

import enum
from datetime import datetime

from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlalchemy import JSON, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, UTCDateTime
from models.entities import _enum

INSTALLATIONS_TABLE = "slack_installations"
BOTS_TABLE = "slack_bots"
OAUTH_STATES_TABLE = "slack_oauth_states"

slack_installations = SQLAlchemyInstallationStore.build_installations_table(Base.metadata, INSTALLATIONS_TABLE)
slack_bots = SQLAlchemyInstallationStore.build_bots_table(Base.metadata, BOTS_TABLE)
slack_oauth_states = SQLAlchemyOAuthStateStore.build_oauth_states_table(Base.metadata, OAUTH_STATES_TABLE)


class DeliveryStatus(enum.StrEnum):
    HANDLING = "handling"  # a process is acting on it
    DONE = "done"
    FAILED = "failed"  # the handler raised: Slack's next retry may try again


class InboundDelivery(Base):
    """One event or interaction from Slack, recorded before it is acted on.

    ``key`` is what Slack repeats on every retry of the same delivery: ``event:<event_id>`` for the
    Events API, ``trigger:<trigger_id>`` for commands and shortcuts, ``view:<view id>:<view hash>``
    for modal submissions, ``action:<container>:<action_ts>`` for button presses. The unique
    constraint makes "first one wins" hold across processes. Microsoft Teams activities are recorded
    here too, with the tenant id as ``team_id``: ``teams-activity:<activity id>``, and
    ``teams-form:<card id>:<digest of what was submitted>`` for a form card's submission
    (see :mod:`handlers.slack.dedupe`).
    """

    __tablename__ = "inbound_delivery"
    __table_args__ = (UniqueConstraint("team_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(64))
    key: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(32))  # event, command, shortcut, view, action; teams, teams-form
    status: Mapped[DeliveryStatus] = mapped_column(_enum(DeliveryStatus, "delivery_status"))
    attempts: Mapped[int] = mapped_column(Integer, default=1)
    # No index of its own (migration 0020): pruning finds the rows due by the primary key
    # (bot.services.deliveries.prune), and every delivery recorded is one B-tree insert fewer.
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())


class PurgeRecord(Base):
    """A workspace's data deleted after it uninstalled the app, and what went."""

    __tablename__ = "purge_record"

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    team_id: Mapped[str] = mapped_column(String(64), index=True)
    name: Mapped[str] = mapped_column(String(200))
    uninstalled_at: Mapped[datetime] = mapped_column(UTCDateTime())
    purged_at: Mapped[datetime] = mapped_column(UTCDateTime())
    reason: Mapped[str] = mapped_column(String(64))  # "retention: 30 days after uninstall", "admin"
    deleted: Mapped[dict[str, int]] = mapped_column(JSON)  # table name -> rows deleted
