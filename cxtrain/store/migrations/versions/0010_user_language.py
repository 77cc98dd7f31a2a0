"""Learners choose the language of the pages: users.language.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01

Nullable: an account without a choice follows its browser's Accept-Language, then the
service's default language, so existing rows need no value.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("language", sa.String(16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_column("language")
