"""inbound_delivery without an index on received_at

Pruning old deliveries now finds the rows due by the primary key (``bot.services.deliveries.prune``): they
are the oldest ids. The index on ``received_at`` served nothing else, and cost every delivery recorded (every
update an officer posts) a B-tree insert and, on SQLite, a page of its own written to the write-ahead log.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-04 16:20:00
"""

from __future__ import annotations

from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_inbound_delivery_received_at", table_name="inbound_delivery")


def downgrade() -> None:
    op.create_index("ix_inbound_delivery_received_at", "inbound_delivery", ["received_at"], unique=False)
