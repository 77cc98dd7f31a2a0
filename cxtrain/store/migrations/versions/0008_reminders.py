"""Daily reminder emails: users.reminders (the learner's choice) and users.reminded_on.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-24

``reminders`` stays NULL until the learner chooses, so that the administrator's default
(CXTRAIN_REMINDERS_DEFAULT) applies to everybody who never did, and a change of that default
reaches them. ``reminded_on`` is the learner's local date of the last reminder sent: the
sending command claims it with a conditional UPDATE, so two runs never both send.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("reminders", sa.Boolean, nullable=True))
        batch.add_column(sa.Column("reminded_on", sa.Date, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_column("reminded_on")
        batch.drop_column("reminders")
