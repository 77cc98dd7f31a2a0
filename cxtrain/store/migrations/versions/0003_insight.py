"""Insight: the edge-traffic rollup and the indexes behind the team view and module insight.

Revision ID: 0003
Revises: 0002
Create Date: 2025-02-02

- insight_edges / insight_progress: per (module, version, node, choice) counts of
  choice_events up to a watermark (see cxtrain/store/insight_rollup.py), so a module's insight
  page never counts its events one by one.
- ix_users_team: a team's members without scanning every user.
- ix_attempts_module_stats: attempts, completions, passes and the score histogram of one
  module from the index alone.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "insight_edges",
        sa.Column("module_id", sa.String(100), primary_key=True),
        sa.Column("module_version", sa.String(64), primary_key=True),
        sa.Column("node", sa.String(100), primary_key=True),
        sa.Column("choice", sa.String(100), primary_key=True),
        sa.Column("count", sa.Integer, nullable=False),
    )
    op.create_table(
        "insight_progress",
        sa.Column("name", sa.String(50), primary_key=True),
        sa.Column("last_event_id", sa.Integer, nullable=False),
    )
    op.create_index("ix_users_team", "users", ["team", "id"])
    op.create_index(
        "ix_attempts_module_stats", "attempts", ["module_id", "module_version", "finished_at", "passed", "score"]
    )


def downgrade() -> None:
    op.drop_index("ix_attempts_module_stats", table_name="attempts")
    op.drop_index("ix_users_team", table_name="users")
    op.drop_table("insight_progress")
    op.drop_table("insight_edges")
