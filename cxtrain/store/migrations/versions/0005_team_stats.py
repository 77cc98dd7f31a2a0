"""Team leaderboards: team_stats and weekly_team_xp, maintained aggregates backfilled from users.

Revision ID: 0005
Revises: 0004
Create Date: 2025-02-04

The team board used to group every user with a team on each (cached) refresh: a full scan
of users joined to learner_stats or weekly_xp, 200-300 ms at 100,000 learners. These two
tables keep per team its members and all-time XP, and per team and week its XP; they are
updated with every award and every change of users.team (cxtrain/store/xp_ledger.py), so
the board reads one row per team. An empty team name is no team, as in gamify.team_board.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "team_stats",
        sa.Column("team", sa.String(100), primary_key=True),
        sa.Column("members", sa.Integer, nullable=False, server_default="0"),
        sa.Column("xp_total", sa.Integer, nullable=False, server_default="0"),
    )
    # The weekly board reads one week: a range of the primary key.
    op.create_table(
        "weekly_team_xp",
        sa.Column("week_start", sa.Date, primary_key=True),
        sa.Column("team", sa.String(100), primary_key=True),
        sa.Column("xp", sa.Integer, nullable=False, server_default="0"),
    )
    op.execute(
        """INSERT INTO team_stats (team, members, xp_total)
           SELECT u.team, count(*), coalesce(sum(s.xp_total), 0)
           FROM users u LEFT JOIN learner_stats s ON s.user_id = u.id
           WHERE u.team IS NOT NULL AND u.team <> ''
           GROUP BY u.team"""
    )
    op.execute(
        """INSERT INTO weekly_team_xp (week_start, team, xp)
           SELECT w.week_start, u.team, sum(w.xp)
           FROM weekly_xp w JOIN users u ON u.id = w.user_id
           WHERE u.team IS NOT NULL AND u.team <> ''
           GROUP BY w.week_start, u.team"""
    )


def downgrade() -> None:
    op.drop_table("weekly_team_xp")
    op.drop_table("team_stats")
