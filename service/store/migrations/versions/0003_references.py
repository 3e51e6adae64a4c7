"""reference values for fact-checking

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-21
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "references",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("subject", sa.String(64), nullable=False),
        sa.Column("metric", sa.String(64), nullable=False),
        sa.Column("value_text", sa.Text(), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("value_high", sa.Float()),
        sa.Column("unit", sa.String(16), nullable=False),
        sa.Column("comparator", sa.String(8), nullable=False),
        sa.Column("time", sa.String(64)),
        sa.Column("source_url", sa.Text(), nullable=False),
    )
    op.create_index("ix_references_subject_metric", "references", ["subject", "metric"])


def downgrade() -> None:
    op.drop_table("references")
