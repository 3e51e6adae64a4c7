"""clusters, claims.cluster_id

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "clusters",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("subject", sa.String(64), nullable=False),
        sa.Column("metric", sa.String(64), nullable=False),
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("embedding", sa.JSON()),
    )
    op.create_index("ix_clusters_subject_metric", "clusters", ["subject", "metric"])
    with op.batch_alter_table("claims") as batch:
        batch.add_column(sa.Column("cluster_id", sa.String(40)))
        batch.create_index("ix_claims_cluster_id", ["cluster_id"])


def downgrade() -> None:
    with op.batch_alter_table("claims") as batch:
        batch.drop_index("ix_claims_cluster_id")
        batch.drop_column("cluster_id")
    op.drop_table("clusters")
