"""The tables (SQLAlchemy 2 declarative). Ids are content hashes, so re-running is idempotent."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class DocumentRow(Base):
    __tablename__ = "documents"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    """SHA-256 of the original text: the same article is stored once, whatever its path."""
    path: Mapped[str] = mapped_column(Text)
    title: Mapped[str | None] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(Text)
    published: Mapped[str | None] = mapped_column(String(32))
    publisher: Mapped[str | None] = mapped_column(Text)
    format: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
    ingested_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ClaimRow(Base):
    """One distinct statement of a document; its mentions are the places it is written."""

    __tablename__ = "claims"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    document_id: Mapped[str] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    subject: Mapped[str] = mapped_column(String(64))
    subjects: Mapped[list[str]] = mapped_column(JSON)
    metric: Mapped[str] = mapped_column(String(64))
    metric_phrase: Mapped[str | None] = mapped_column(Text)
    value_text: Mapped[str] = mapped_column(Text)
    value: Mapped[float | None] = mapped_column(Float)
    value_high: Mapped[float | None] = mapped_column(Float)
    unit: Mapped[str] = mapped_column(String(16))
    comparator: Mapped[str] = mapped_column(String(8))
    time: Mapped[str | None] = mapped_column(String(64))
    time_from: Mapped[str] = mapped_column(String(16))
    scope: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str | None] = mapped_column(Text)
    confidence: Mapped[float] = mapped_column(Float)
    cluster_id: Mapped[str | None] = mapped_column(String(40), index=True)
    kind: Mapped[str] = mapped_column(String(16), default="numeric", server_default="numeric")
    """``numeric`` (a figure) or ``comparative`` ("has surpassed": subjects[0] vs subjects[1], no value)."""
    form: Mapped[str | None] = mapped_column(String(16), default="single", server_default="single")
    """How ``subjects`` combine (``pipelines.types.SUBJECT_FORMS``)."""
    version: Mapped[str | None] = mapped_column(String(32))
    version2: Mapped[str | None] = mapped_column(String(32))
    dimension: Mapped[str | None] = mapped_column(String(16))
    """The value's unit dimension; NULL on rows stored before it was kept (the metric's catalogue dimension)."""
    per: Mapped[str | None] = mapped_column(String(16))
    time_basis: Mapped[str | None] = mapped_column(String(16), default="none", server_default="none")
    date: Mapped[str | None] = mapped_column(String(32))

    __table_args__ = (
        Index("ix_claims_subject_metric", "subject", "metric"),
        Index("ix_claims_kind_metric", "kind", "metric"),
    )


class ClusterRow(Base):
    """Claims about one subject and metric; ``other`` metrics meet by the embedding of their key."""

    __tablename__ = "clusters"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    subject: Mapped[str] = mapped_column(String(64))
    metric: Mapped[str] = mapped_column(String(64))
    key: Mapped[str] = mapped_column(Text)
    embedding: Mapped[list[float] | None] = mapped_column(JSON)
    """For ``other``: the vector of the metric phrase (framework names left out) that opened the cluster."""
    dimension: Mapped[str | None] = mapped_column(String(16))
    """The unit dimension of its claims (NULL on clusters stored before it was kept)."""
    subject_key: Mapped[str | None] = mapped_column(String(200))
    """The subject with its version and form ("tensorflow@2.0", "pytorch|versus|tensorflow"); NULL: ``subject``."""

    __table_args__ = (Index("ix_clusters_subject_metric", "subject", "metric"),)


class ClusterVectorRow(Base):
    """The phrase vector of a claim that joined an ``other`` cluster (the opener's is ``ClusterRow.embedding``)."""

    __tablename__ = "cluster_vectors"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    cluster_id: Mapped[str] = mapped_column(ForeignKey("clusters.id", ondelete="CASCADE"), index=True)
    subject: Mapped[str] = mapped_column(String(64), index=True)
    embedding: Mapped[list[float]] = mapped_column(JSON)


class MentionRow(Base):
    __tablename__ = "mentions"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    claim_id: Mapped[str] = mapped_column(ForeignKey("claims.id", ondelete="CASCADE"), index=True)
    document_id: Mapped[str] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    value_start: Mapped[int] = mapped_column(Integer)
    value_end: Mapped[int] = mapped_column(Integer)
    value_text: Mapped[str] = mapped_column(Text)
    sentence: Mapped[str] = mapped_column(Text)
    sentence_start: Mapped[int] = mapped_column(Integer)
    sentence_end: Mapped[int] = mapped_column(Integer)
    confidence: Mapped[float] = mapped_column(Float)
    spans: Mapped[dict[str, list[list[int]]]] = mapped_column(JSON)


class ReferenceRow(Base):
    """A trusted figure claims are checked against (loaded from CSV)."""

    __tablename__ = "references"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    subject: Mapped[str] = mapped_column(String(64))
    metric: Mapped[str] = mapped_column(String(64))
    value_text: Mapped[str] = mapped_column(Text)
    value: Mapped[float] = mapped_column(Float)
    value_high: Mapped[float | None] = mapped_column(Float)
    unit: Mapped[str] = mapped_column(String(16))
    comparator: Mapped[str] = mapped_column(String(8))
    time: Mapped[str | None] = mapped_column(String(64))
    source_url: Mapped[str] = mapped_column(Text)

    __table_args__ = (Index("ix_references_subject_metric", "subject", "metric"),)
