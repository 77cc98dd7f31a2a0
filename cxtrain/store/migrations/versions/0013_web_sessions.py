"""A browser's login is kept on the server: web_sessions.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-08

Sessions live in signed cookies; until now logging out only told that browser to forget its
cookie, and a copy of it stayed good until the password changed. Each login now has a row (a
hash of the id its cookie carries): logout deletes it, and a session idle or old past the
configured days ends. Sessions from before the upgrade have no row: everyone logs in once more.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "web_sessions",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_web_sessions_user_id", "web_sessions", ["user_id"])


def downgrade() -> None:
    op.drop_index("ix_web_sessions_user_id", "web_sessions")
    op.drop_table("web_sessions")
