"""Accounts can be closed: users.active.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23

Someone who leaves the organisation must stop being able to log in and drop off the boards,
while the choices they made stay in the insight counts; deleting the row would lose both.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()))


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_column("active")
