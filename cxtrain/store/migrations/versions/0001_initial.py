"""Initial tables: users, API tokens, module versions, attempts, choice events.

Revision ID: 0001
Revises:
Create Date: 2025-01-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("email", sa.String(320), nullable=False, unique=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("password_hash", sa.String(200), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("job_role", sa.String(100)),
        sa.Column("team", sa.String(100)),
        sa.Column("created_at", TZ, nullable=False),
    )
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
    )
    op.create_index("ix_api_tokens_user_id", "api_tokens", ["user_id"])
    op.create_table(
        "module_versions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("module_id", sa.String(100), nullable=False),
        sa.Column("version", sa.String(64), nullable=False),
        sa.Column("source", sa.String(20), nullable=False),
        sa.Column("yaml_text", sa.Text, nullable=False),
        sa.Column("author_id", sa.Integer, sa.ForeignKey("users.id", ondelete="SET NULL")),
        sa.Column("created_at", TZ, nullable=False),
        sa.UniqueConstraint("module_id", "version", "source"),
    )
    op.create_index("ix_module_versions_module_id", "module_versions", ["module_id"])
    op.create_table(
        "attempts",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("module_id", sa.String(100), nullable=False),
        sa.Column("module_version", sa.String(64), nullable=False),
        sa.Column("started_at", TZ, nullable=False),
        sa.Column("finished_at", TZ),
        sa.Column("state_json", sa.Text, nullable=False),
        sa.Column("score", sa.Float),
        sa.Column("passed", sa.Boolean),
    )
    op.create_index("ix_attempts_user_module", "attempts", ["user_id", "module_id"])
    op.create_table(
        "choice_events",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("attempt_id", sa.Integer, sa.ForeignKey("attempts.id", ondelete="CASCADE"), nullable=False),
        sa.Column("step", sa.Integer, nullable=False),
        sa.Column("node", sa.String(100), nullable=False),
        sa.Column("choice", sa.String(100), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.UniqueConstraint("attempt_id", "step", name="uq_choice_events_attempt_step"),
    )


def downgrade() -> None:
    for table in ("choice_events", "attempts", "module_versions", "api_tokens", "users"):
        op.drop_table(table)
