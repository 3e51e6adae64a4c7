"""documents, claims, mentions

Revision ID: 0001
Revises:
Create Date: 2026-11-21
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "documents",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("title", sa.Text()),
        sa.Column("url", sa.Text()),
        sa.Column("published", sa.String(32)),
        sa.Column("publisher", sa.Text()),
        sa.Column("format", sa.String(16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("ingested_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "claims",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("document_id", sa.String(64), sa.ForeignKey("documents.id", ondelete="CASCADE"), nullable=False),
        sa.Column("subject", sa.String(64), nullable=False),
        sa.Column("subjects", sa.JSON(), nullable=False),
        sa.Column("metric", sa.String(64), nullable=False),
        sa.Column("metric_phrase", sa.Text()),
        sa.Column("value_text", sa.Text(), nullable=False),
        sa.Column("value", sa.Float()),
        sa.Column("value_high", sa.Float()),
        sa.Column("unit", sa.String(16), nullable=False),
        sa.Column("comparator", sa.String(8), nullable=False),
        sa.Column("time", sa.String(64)),
        sa.Column("time_from", sa.String(16), nullable=False),
        sa.Column("scope", sa.Text()),
        sa.Column("source", sa.Text()),
        sa.Column("confidence", sa.Float(), nullable=False),
    )
    op.create_index("ix_claims_document_id", "claims", ["document_id"])
    op.create_index("ix_claims_subject_metric", "claims", ["subject", "metric"])
    op.create_table(
        "mentions",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("claim_id", sa.String(40), sa.ForeignKey("claims.id", ondelete="CASCADE"), nullable=False),
        sa.Column("document_id", sa.String(64), sa.ForeignKey("documents.id", ondelete="CASCADE"), nullable=False),
        sa.Column("value_start", sa.Integer(), nullable=False),
        sa.Column("value_end", sa.Integer(), nullable=False),
        sa.Column("value_text", sa.Text(), nullable=False),
        sa.Column("sentence", sa.Text(), nullable=False),
        sa.Column("sentence_start", sa.Integer(), nullable=False),
        sa.Column("sentence_end", sa.Integer(), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("spans", sa.JSON(), nullable=False),
    )
    op.create_index("ix_mentions_claim_id", "mentions", ["claim_id"])
    op.create_index("ix_mentions_document_id", "mentions", ["document_id"])


def downgrade() -> None:
    op.drop_table("mentions")
    op.drop_table("claims")
    op.drop_table("documents")
