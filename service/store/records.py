"""Stored rows as the graph's typed records (``pipelines.claims``): the one place a row becomes a ``Claim``.

Rows stored before the claim frame was kept (migration 0006) read back with what can be told: one
subject, no version, the metric's catalogue dimension, the time basis its ``time_from`` implies.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TypeVar

from pipelines.catalogue import Catalogue, default_catalogue
from pipelines.claims import Claim, Comparator, Kind, TimeBasis, Unit
from pipelines.context import Period, parse_published, period_of_time
from pipelines.errors import InvalidDate
from service.store.tables import ClaimRow, DocumentRow

# Schema v1's ``time_from`` said only whether the time was written or was the document's date.
_BASIS_OF_TIME_FROM = {"text": TimeBasis.SENTENCE, "published": TimeBasis.DOCUMENT}


E = TypeVar("E", bound=StrEnum)


def as_enum(kind: type[E], value: str, default: E) -> E:
    """``value`` as a member of ``kind``; ``default`` for what older or foreign rows hold instead."""
    try:
        return kind(value)
    except ValueError:
        return default


def published_period(document: DocumentRow) -> Period | None:
    """The document's date as a period (None when it has none, or none that reads as a date)."""
    if not document.published:
        return None
    try:
        return parse_published(document.published)
    except InvalidDate:
        return None


def claim_dimension(row: ClaimRow, catalogue: Catalogue) -> str | None:
    """The stored dimension, else the metric's catalogue dimension (``other`` has none of its own)."""
    if row.dimension:
        return row.dimension
    metric = catalogue.metrics.get(row.metric)
    if metric is None or metric.dimension == "any":
        return None
    return metric.dimension


def time_basis(row: ClaimRow) -> TimeBasis:
    """Where the row's time comes from; older rows (basis ``none`` with a time) from ``time_from``."""
    basis = as_enum(TimeBasis, row.time_basis or "none", TimeBasis.NONE)
    if basis is TimeBasis.NONE and row.time:
        return _BASIS_OF_TIME_FROM.get(row.time_from, TimeBasis.SENTENCE)
    return basis


def to_claim(row: ClaimRow, document: DocumentRow, catalogue: Catalogue | None = None) -> Claim:
    """A stored claim as a :class:`pipelines.claims.Claim`, its period read from its ``time`` (with its
    basis) or, when it has none, the document's date (basis ``document``).

    A date claim ("released in 2016") and a comparative are their own time: the document's date does
    not date them, as extraction never gives them one either.

    Args:
        row: The claim row.
        document: The row of its document (for its date).
        catalogue: Where a row without a dimension finds its metric's (the shipped one by default).
    """
    catalogue = catalogue or default_catalogue()
    kind = as_enum(Kind, row.kind or "numeric", Kind.NUMERIC)
    dimension = claim_dimension(row, catalogue)
    published = published_period(document)
    basis = time_basis(row)
    period = period_of_time(row.time, str(basis), published) if row.time else None
    if period is None:
        basis = TimeBasis.NONE
        if published is not None and kind is Kind.NUMERIC and dimension != "date":
            period, basis = published.anchored(str(TimeBasis.DOCUMENT)), TimeBasis.DOCUMENT
    subjects = tuple(row.subjects or ([row.subject] if row.subject else []))
    return Claim(
        id=row.id,
        document_id=row.document_id,
        kind=kind,
        subjects=subjects,
        metric=row.metric,
        value_text=row.value_text,
        value=row.value,
        value_high=row.value_high,
        unit=as_enum(Unit, row.unit, Unit.OTHER),
        comparator=as_enum(Comparator, row.comparator, Comparator.EQ),
        form=row.form or "single",
        version=row.version,
        version2=row.version2,
        metric_phrase=row.metric_phrase,
        dimension=dimension,
        per=row.per,
        date=row.date,
        time=row.time,
        time_basis=basis,
        period=period,
        scope=row.scope,
        source=row.source,
        published=document.published,
        cluster_id=row.cluster_id,
        confidence=row.confidence,
    )
