"""comparative claims: a claim's kind (numeric or comparative)

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-21
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Existing rows are all figures: comparatives did not exist before this revision.
    with op.batch_alter_table("claims") as batch:
        batch.add_column(sa.Column("kind", sa.String(16), nullable=False, server_default="numeric"))


def downgrade() -> None:
    with op.batch_alter_table("claims") as batch:
        batch.drop_column("kind")
