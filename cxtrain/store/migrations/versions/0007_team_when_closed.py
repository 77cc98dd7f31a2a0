"""Closing an account remembers the team: users.team_when_closed.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23

Closing takes the person out of their team (so the team's board and the manager's view stop
counting them); someone who comes back (a season's staff, a long leave) usually rejoins that
team, and the admin reopening the account should not have to know which it was.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("team_when_closed", sa.String(100), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_column("team_when_closed")
