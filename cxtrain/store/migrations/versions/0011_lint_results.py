"""Lint findings kept per module text: lint_results.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-08

The trainers' module list shows every module's lint status, and linting explores each module's
whole state space: seconds for the bundled library. The findings are stored under the text's
content hash and the fingerprint of the checks and roles, so they are computed once (at
`cxtrain serve` start-up or on upload) for every worker and host, and survive restarts. The
table is a cache: it starts empty and may be emptied at any time.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "lint_results",
        sa.Column("version", sa.String(64), primary_key=True),
        sa.Column("context", sa.String(64), primary_key=True),
        sa.Column("findings_json", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("lint_results")
