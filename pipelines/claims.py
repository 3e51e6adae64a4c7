"""Typed records of the claim graph: a stored claim, a relation between two claims, a cluster and its verdict.

These are what clustering, relating, consensus and fact-checking work on (all in ``pipelines``); the store
turns its rows into them, and one serialiser (``pipelines.serialize``) turns them into the dictionaries the
CLI, the API, the web pages and the exports show. Kinds, comparators, units, time bases and verdicts are
enums (``StrEnum``: each member *is* its string, so JSON and the database keep plain strings).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from pipelines.context import Period
from pipelines.quantities import interval
from pipelines.types import Quantity


class Kind(StrEnum):
    NUMERIC = "numeric"
    """A figure: "70%", "74k stars", "released in 2016"."""
    COMPARATIVE = "comparative"
    """An order between two subjects without a number: "has surpassed TensorFlow in stars"."""


class Comparator(StrEnum):
    EQ = "="
    APPROX = "~"
    GT = ">"
    GE = ">="
    LT = "<"
    LE = "<="
    UP_TO = "up_to"
    RANGE = "range"


class Unit(StrEnum):
    """The unit a value is normalised to (a share is 0–1, a ratio is ×, a year is a calendar year)."""

    PERCENT = "percent"
    COUNT = "count"
    RATIO = "ratio"
    YEAR = "year"
    RANK = "rank"
    USD = "usd"
    OTHER = "other"


class TimeBasis(StrEnum):
    """Where a claim's period comes from."""

    SENTENCE = "sentence"
    """Stated in the claim's own sentence ("in 2024")."""
    CONTEXT = "context"
    """A heading, the title or an earlier sentence of the document."""
    DOCUMENT = "document"
    """The document's publication date: a present-tense figure is as of then."""
    NONE = "none"


class RelationKind(StrEnum):
    """How two claims of one cluster stand, in the order a fact-checker reasons."""

    AGREES = "agrees"
    """Compatible within rounding, hedges and stated bounds."""
    TREND = "trend"
    """Different values of different periods: the later supersedes the earlier."""
    DIFFERENT_SCOPE = "different_scope"
    """Different values of different populations or definitions."""
    CONFLICTS = "conflicts"
    """Incompatible values for a scope and period established to be the same."""
    UNRESOLVED = "unresolved"
    """Incompatible values, but whether they speak of the same scope and period cannot be told."""


class Verdict(StrEnum):
    """A cluster's verdict: ``conflicts`` when any established conflict, else what explains most."""

    AGREES = "agrees"
    TREND = "trend"
    DIFFERENT_SCOPE = "different_scope"
    CONFLICTS = "conflicts"
    UNRESOLVED = "unresolved"
    SINGLE = "single"
    """One distinct figure: nothing to compare."""


@dataclass(frozen=True, kw_only=True)
class Claim:
    """One distinct statement of one document, as the graph sees it."""

    id: str
    document_id: str
    kind: Kind
    subjects: tuple[str, ...]
    """The subject first; for a comparison (``form == "versus"``) the second is what it is compared with."""
    metric: str
    value_text: str
    value: float | None
    unit: Unit
    comparator: Comparator
    value_high: float | None = None
    form: str = "single"
    """How ``subjects`` combine (``pipelines.types.SUBJECT_FORMS``)."""
    version: str | None = None
    """The version of the subject ("TensorFlow 2.0" -> "2.0"); a version is its own subject."""
    version2: str | None = None
    """The version of the second subject, if any ("1.4x faster than 1.13")."""
    metric_phrase: str | None = None
    dimension: str | None = None
    """The value's unit dimension (``pipelines.catalogue.DIMENSIONS``): two dimensions never meet."""
    per: str | None = None
    """For a rate: the period it is counted per (day, week, month, year, second…)."""
    date: str | None = None
    """The full date when the value is one ("released on 9 November 2015" -> "2015-11-09")."""
    time: str | None = None
    """The period as written or normalised ("2024", "2015-11", "2023-06-20")."""
    time_basis: TimeBasis = TimeBasis.NONE
    period: Period | None = None
    """``time`` as an interval of days with its precision; the document's date when only that dates it."""
    scope: str | None = None
    source: str | None = None
    """Who the text attributes the figure to ("Papers With Code"), if anyone."""
    published: str | None = None
    """The document's publication date, if known."""
    cluster_id: str | None = None
    confidence: float = 1.0
    extra: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)
    """What the store or the caller carries along (mentions, fact-check) for the serialiser."""

    @property
    def subject(self) -> str:
        return self.subjects[0] if self.subjects else ""

    @property
    def other(self) -> str | None:
        """The second subject of a comparison or combined population, if any."""
        return self.subjects[1] if len(self.subjects) > 1 else None

    @property
    def numeric(self) -> bool:
        return self.kind is Kind.NUMERIC and self.value is not None and not math.isnan(self.value)

    def interval(self, tolerance: float = 0.05) -> tuple[float, float]:
        """The closed interval of values the figure is consistent with (rounding, hedges, bounds).

        Kept per claim and tolerance (the claim is frozen; ``dataclasses.replace`` makes a new one)."""
        cache = self.__dict__.setdefault("_intervals", {})
        found = cache.get(tolerance)
        if found is None:
            found = cache[tolerance] = self._interval(tolerance)
        return found

    def _interval(self, tolerance: float) -> tuple[float, float]:
        if not self.numeric:
            return (-math.inf, math.inf)
        assert self.value is not None
        q = Quantity(
            start=0,
            end=len(self.value_text),
            surface=self.value_text,
            value=self.value,
            value_high=self.value_high,
            unit=str(self.unit),
            comparator=str(self.comparator),
            # Years and ranks are exact: 2016 vs 2017, 2nd vs 3rd never overlap by rounding.
            kind=str(self.unit) if self.unit in (Unit.YEAR, Unit.RANK) else "number",
            dimension=self.dimension,
        )
        return interval(q, tolerance=tolerance)


@dataclass(frozen=True)
class Relation:
    """How two claims stand, with the reason in plain words."""

    a: str
    b: str
    kind: RelationKind
    reason: str


@dataclass
class Cluster:
    """Claims about one subject form, property and unit dimension, with their relations and verdict."""

    id: str
    subject: str
    metric: str
    key: str
    dimension: str | None = None
    claims: list[Claim] = field(default_factory=list)
    relations: list[Relation] = field(default_factory=list)
    verdict: Verdict = Verdict.SINGLE
    reason: str = ""
    consensus: dict[str, Any] = field(default_factory=dict)
    exhaustive: bool = True
    """Whether ``relations`` holds every pair (small clusters) or representative ones (large clusters)."""
