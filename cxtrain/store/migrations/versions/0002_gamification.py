"""Gamification: XP ledger, learner stats, weekly XP, badges, practice; users.timezone.

Revision ID: 0002
Revises: 0001
Create Date: 2025-02-01

Leaderboards read the maintained aggregates (learner_stats, weekly_xp) through the
(listed, xp) indexes, never the ledger; see cxtrain/store/xp_ledger.py.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def _user_fk() -> sa.Column:
    return sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False)


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("timezone", sa.String(64), nullable=False, server_default="UTC"))
    op.create_table(
        "xp_ledger",
        sa.Column("id", sa.Integer, primary_key=True),
        _user_fk(),
        sa.Column("amount", sa.Integer, nullable=False),
        sa.Column("reason", sa.String(12), nullable=False),
        sa.Column("module_id", sa.String(100)),
        sa.Column("attempt_id", sa.Integer, sa.ForeignKey("attempts.id", ondelete="SET NULL"), unique=True),
        sa.Column("created_at", TZ, nullable=False),
    )
    op.create_index("ix_xp_ledger_user_module", "xp_ledger", ["user_id", "module_id"])
    op.create_index("ix_xp_ledger_created_at", "xp_ledger", ["created_at"])
    op.create_table(
        "learner_stats",
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("xp_total", sa.Integer, nullable=False, server_default="0"),
        sa.Column("visibility", sa.String(12), nullable=False, server_default="anonymous"),
        sa.Column("listed", sa.Boolean, nullable=False, server_default=sa.true()),
    )
    op.create_index("ix_learner_stats_listed_xp", "learner_stats", ["listed", "xp_total", "user_id"])
    op.create_table(
        "weekly_xp",
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("week_start", sa.Date, primary_key=True),
        sa.Column("xp", sa.Integer, nullable=False, server_default="0"),
        sa.Column("listed", sa.Boolean, nullable=False, server_default=sa.true()),
    )
    op.create_index("ix_weekly_xp_week_listed_xp", "weekly_xp", ["week_start", "listed", "xp", "user_id"])
    op.create_table(
        "user_badges",
        sa.Column("id", sa.Integer, primary_key=True),
        _user_fk(),
        sa.Column("badge_id", sa.String(100), nullable=False),
        sa.Column("awarded_at", TZ, nullable=False),
        sa.Column("attempt_id", sa.Integer, sa.ForeignKey("attempts.id", ondelete="SET NULL")),
        sa.Column("assertion_id", sa.String(64), nullable=False, unique=True),
        sa.Column("salt", sa.String(64), nullable=False),
        sa.UniqueConstraint("user_id", "badge_id", name="uq_user_badges_user_badge"),
    )
    op.create_index("ix_user_badges_attempt_id", "user_badges", ["attempt_id"])
    op.create_table(
        "practice_items",
        sa.Column("id", sa.Integer, primary_key=True),
        _user_fk(),
        sa.Column("module_id", sa.String(100), nullable=False),
        sa.Column("node_id", sa.String(100), nullable=False),
        sa.Column("best", sa.String(100), nullable=False),
        sa.Column("chosen", sa.String(100), nullable=False),
        sa.Column("options_json", sa.Text, nullable=False),
        sa.Column("due_at", TZ, nullable=False),
        sa.Column("interval_index", sa.Integer, nullable=False),
        sa.Column("learned", sa.Boolean, nullable=False),
        sa.Column("correct_count", sa.Integer, nullable=False),
        sa.Column("wrong_count", sa.Integer, nullable=False),
        sa.UniqueConstraint("user_id", "module_id", "node_id", name="uq_practice_items_user_node"),
    )
    op.create_index("ix_practice_items_user_due", "practice_items", ["user_id", "learned", "due_at"])
    op.create_table(
        "practice_answers",
        sa.Column("id", sa.Integer, primary_key=True),
        _user_fk(),
        sa.Column("item_id", sa.Integer, sa.ForeignKey("practice_items.id", ondelete="SET NULL")),
        sa.Column("choice", sa.String(100), nullable=False),
        sa.Column("correct", sa.Boolean, nullable=False),
        sa.Column("xp", sa.Integer, nullable=False),
        sa.Column("created_at", TZ, nullable=False),
    )
    op.create_index("ix_practice_answers_user_created", "practice_answers", ["user_id", "created_at"])


def downgrade() -> None:
    for table in ("practice_answers", "practice_items", "user_badges", "weekly_xp", "learner_stats", "xp_ledger"):
        op.drop_table(table)
    with op.batch_alter_table("users") as batch:
        batch.drop_column("timezone")
