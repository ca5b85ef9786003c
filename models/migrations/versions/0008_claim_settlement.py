"""claim settlement

Where a retried reminder or scheduled digest looks for its earlier attempt, and what it found: the
time its first attempt was claimed (``first_claimed_at``: the retry reads the conversation's history
from then on) and how a send whose outcome was unknown was settled (``settlement``: "found in
history", or "resent: …" when the history could not be read and the message went again).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 13:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from models.base import UTCDateTime

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

TABLES = ("reminder", "digest_post")


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("first_claimed_at", UTCDateTime(), nullable=True))
            batch_op.add_column(sa.Column("settlement", sa.String(length=200), server_default="", nullable=False))
        # A claim made before this revision: its latest claim time is the best guess at its first.
        op.execute(sa.text(f"UPDATE {table} SET first_claimed_at = claimed_at"))  # noqa: S608  (fixed names)


def downgrade() -> None:
    for table in reversed(TABLES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("settlement")
            batch_op.drop_column("first_claimed_at")
