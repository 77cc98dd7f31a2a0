"""An erased learner's attempts stay, owned by nobody: attempts.user_id may be NULL.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-24

Erasing a person (`cxtrain users erase`, the admin's Erase page) deletes their account and
everything tied to it, but keeps their attempts and choice events without an owner: the trainers'
and managers' insight counts are built from them, and a recount (`cxtrain insight rebuild`) must
find the same numbers afterwards. See docs/admin.md, "Personal data".
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("attempts") as batch:
        batch.alter_column("user_id", existing_type=sa.Integer(), nullable=True)


def downgrade() -> None:
    # Ownerless attempts cannot get their owner back: going down forgets them (and their events).
    op.execute("DELETE FROM choice_events WHERE attempt_id IN (SELECT id FROM attempts WHERE user_id IS NULL)")
    op.execute("DELETE FROM attempts WHERE user_id IS NULL")
    with op.batch_alter_table("attempts") as batch:
        batch.alter_column("user_id", existing_type=sa.Integer(), nullable=False)
