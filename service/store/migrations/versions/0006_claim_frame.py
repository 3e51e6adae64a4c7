"""the claim frame in the store: subject form, versions, unit dimension, rate period, time basis, date;
a cluster's unit dimension and subject key; the member vectors of ``other`` clusters

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Every column is nullable or has a server default: rows stored before this revision keep their data and
    # read as what they were, one subject (form 'single') with no stated time basis.
    with op.batch_alter_table("claims") as batch:
        batch.add_column(sa.Column("form", sa.String(16), nullable=True, server_default="single"))
        batch.add_column(sa.Column("version", sa.String(32), nullable=True))
        batch.add_column(sa.Column("version2", sa.String(32), nullable=True))
        batch.add_column(sa.Column("dimension", sa.String(16), nullable=True))
        batch.add_column(sa.Column("per", sa.String(16), nullable=True))
        batch.add_column(sa.Column("time_basis", sa.String(16), nullable=True, server_default="none"))
        batch.add_column(sa.Column("date", sa.String(32), nullable=True))
    with op.batch_alter_table("clusters") as batch:
        batch.add_column(sa.Column("dimension", sa.String(16), nullable=True))
        # NULL: the subject itself (one framework, no version), as every cluster before this revision.
        batch.add_column(sa.Column("subject_key", sa.String(200), nullable=True))
    # The phrases that joined an `other` cluster after the one that opened it (at most a few dozen per
    # cluster): a claim joins only when it is close to every one of them. Insert-only, so concurrent
    # writers never update one row.
    op.create_table(
        "cluster_vectors",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("cluster_id", sa.String(40), sa.ForeignKey("clusters.id", ondelete="CASCADE"), nullable=False),
        sa.Column("subject", sa.String(64), nullable=False),
        sa.Column("embedding", sa.JSON(), nullable=False),
    )
    op.create_index("ix_cluster_vectors_cluster_id", "cluster_vectors", ["cluster_id"])
    op.create_index("ix_cluster_vectors_subject", "cluster_vectors", ["subject"])


def downgrade() -> None:
    op.drop_index("ix_cluster_vectors_subject", table_name="cluster_vectors")
    op.drop_index("ix_cluster_vectors_cluster_id", table_name="cluster_vectors")
    op.drop_table("cluster_vectors")
    with op.batch_alter_table("clusters") as batch:
        batch.drop_column("subject_key")
        batch.drop_column("dimension")
    with op.batch_alter_table("claims") as batch:
        for name in ("date", "time_basis", "per", "dimension", "version2", "version", "form"):
            batch.drop_column(name)
