"""strategy aims

The aims a strategy sets out to deliver (seed 000's nine), one row each in the strategy file's order.
A strategy loaded before this revision has none.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 17:23:02.477003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "strategy_aim",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("strategy_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["strategy_id"], ["strategy.id"], name=op.f("fk_strategy_aim_strategy_id_strategy")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_strategy_aim")),
        sa.UniqueConstraint("strategy_id", "position", name=op.f("uq_strategy_aim_strategy_id_position")),
    )
    with op.batch_alter_table("strategy_aim", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_strategy_aim_strategy_id"), ["strategy_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("strategy_aim", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_strategy_aim_strategy_id"))
    op.drop_table("strategy_aim")
