"""When each person last logged in: users.last_login_at.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-15

Admins see it on the account page, and it is part of the mark of password links, so that logging
in ends any reset link still waiting in a mailbox. Nullable: nobody's last login is known before
this column exists, and a link of an account with none keeps the mark it was sent with, so the
invitations and resets outstanding at the upgrade keep working.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("last_login_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_column("last_login_at")
