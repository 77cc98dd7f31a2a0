"""Insight: a rollup of finished attempts per module, version, score bin and pass.

Revision ID: 0004
Revises: 0003
Create Date: 2025-02-03

Counting a popular module's attempts on every visit (tens of thousands of index entries)
cost about 40 ms on PostgreSQL. A finished attempt never changes, so finished attempts up
to a moment (``insight_clock``) are kept as counts in ``insight_scores``; attempts finished
since then and unfinished ones are counted live through ix_attempts_module_finished, and
ix_attempts_finished_at lets the rollup pick up newly finished attempts by time.
ix_attempts_module_stats (0003) is no longer used.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "insight_scores",
        sa.Column("module_id", sa.String(100), primary_key=True),
        sa.Column("module_version", sa.String(64), primary_key=True),
        sa.Column("bucket", sa.Integer, primary_key=True),
        sa.Column("passed", sa.Boolean, primary_key=True),
        sa.Column("count", sa.Integer, nullable=False),
    )
    op.create_table(
        "insight_clock",
        sa.Column("name", sa.String(50), primary_key=True),
        sa.Column("upto", sa.DateTime(timezone=True), nullable=False),
    )
    op.drop_index("ix_attempts_module_stats", table_name="attempts")
    op.create_index("ix_attempts_module_finished", "attempts", ["module_id", "finished_at", "module_version"])
    op.create_index("ix_attempts_finished_at", "attempts", ["finished_at"])


def downgrade() -> None:
    op.drop_index("ix_attempts_finished_at", table_name="attempts")
    op.drop_index("ix_attempts_module_finished", table_name="attempts")
    op.create_index(
        "ix_attempts_module_stats", "attempts", ["module_id", "module_version", "finished_at", "passed", "score"]
    )
    op.drop_table("insight_clock")
    op.drop_table("insight_scores")
