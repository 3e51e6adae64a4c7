"""Frozen records that flow between the pipeline's stages.

Every span is a half-open ``[start, end)`` pair of character offsets. Offsets held by records that
leave the pipeline (``Mention``) index the document's ORIGINAL text, so that
``original[start:end] == text`` always holds; offsets inside ``Quantity`` index whichever text it was
found in (the clean view during extraction).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

COMPARATORS = ("=", "~", ">", ">=", "<", "<=", "up_to", "range")
UNITS = ("percent", "count", "ratio", "year", "rank", "usd", "other")
"""Units of schema v1, still carried by quantities and mentions for older callers; see ``dimension``."""
SLOTS = ("subject", "metric", "scope", "time", "source")
SUBJECT_FORMS = ("single", "versus", "either", "sum", "migration")
"""How a claim's subjects combine: one subject; the first relative to the second (a ratio); one option
"A or B" / "A/B"; "A + B" summed; users moving from A to B."""
TIME_BASES = ("sentence", "context", "document", "none")
"""Where a claim's period comes from: its sentence; a heading, the title or an earlier sentence; the
document's date; nowhere."""


def content_id(*parts: object, prefix: str = "") -> str:
    """A short, stable id made from the content it names (re-running gives the same id)."""
    digest = hashlib.sha256("\x1f".join(str(p) for p in parts).encode("utf-8")).hexdigest()[:16]
    return f"{prefix}{digest}"


@dataclass(frozen=True, kw_only=True, slots=True)
class Quantity:
    """A number-like mention with its normalised value.

    ``value`` follows the annotation conventions (``annotations/README.md``): percentages as fractions
    (70% -> 0.7), "N% faster" as a speed ratio (1 + N/100), "Nx"/"N times" as ratios, "doubled" as a change
    (1.0), k/M/million expanded, years and dates as the year, durations in seconds, sizes in bytes, rates
    as the count per ``per``.
    """

    start: int
    end: int
    surface: str
    value: float
    value_high: float | None = None
    unit: str = "other"
    comparator: str = "="
    kind: str = "number"
    """What the rules think it is: percent, share, ratio, change, count, year, date, relative_date, duration,
    rate, size, rank, money, version, ordinal, number (``pipelines.quantities`` lists what each covers)."""
    date: str | None = None
    """The date at the precision written: ``2024-06-04``, ``2024-06``, ``2024-Q3``, ``2024-H1``."""
    dimension: str | None = None
    """The unit dimension the surface implies (one of ``catalogue.DIMENSIONS``); None for a bare number
    and for version and list numbers."""
    per: str | None = None
    """For a rate: the period it is counted per (``second`` … ``year``)."""
    time_unit: str | None = None
    """For a duration: the unit as written (``ms``, ``s``, ``min``, ``h``, ``day``, ``week``, ``month``, ``year``;
    ``value`` is in seconds); for a relative date: the step it counts in (``value`` the signed offset)."""
    size_unit: str | None = None
    """For a size: the unit as written (``MB``, ``GiB`` …; ``value`` is in bytes)."""


@dataclass(frozen=True, kw_only=True, slots=True)
class Span:
    """A slot filled from the text: offsets into the ORIGINAL text and the words found there."""

    start: int
    end: int
    text: str


@dataclass(frozen=True, kw_only=True, slots=True)
class Mention:
    """One quantity the tagger judged to be a claim about a framework, with provenance and slots."""

    document: str
    value_start: int
    value_end: int
    value_text: str
    sentence: str
    sentence_start: int
    sentence_end: int
    subject: str | None
    subjects: tuple[str, ...]
    metric: str
    metric_phrase: str | None
    value: float | None
    value_high: float | None
    unit: str
    comparator: str
    time: str | None
    time_from: str
    """Where ``time`` came from, as schema v1 said it: ``text``, ``published`` or ``none`` (see ``time_basis``)."""
    scope: str | None
    source: str | None
    confidence: float
    kind: str = "numeric"
    """``numeric`` for a figure, ``comparative`` for a claim without a number ("has surpassed")."""
    date: str | None = None
    """The full date when the value is one ("released on 9 November 2015" -> "2015-11-09"); value is its year."""
    version: str | None = None
    """The version of the subject when the claim is about one ("TensorFlow 2.0" -> "2.0")."""
    version2: str | None = None
    """The version of the second subject, if any ("1.4x faster than 1.13")."""
    form: str = "single"
    """How ``subjects`` combine: one of SUBJECT_FORMS."""
    dimension: str | None = None
    """The value's unit dimension (``pipelines.catalogue.DIMENSIONS``); claims of two dimensions never meet."""
    per: str | None = None
    """For a rate: the period it is counted per (day, week, month, year, second…)."""
    time_basis: str = "none"
    """Where ``time`` comes from: one of TIME_BASES."""
    spans: dict[str, list[Span]] = field(default_factory=dict, compare=False, hash=False)

    @property
    def id(self) -> str:
        # One comparative phrase may compare on several metrics ("surpassed it in stars and forks").
        extra = (self.metric,) if self.kind == "comparative" else ()
        return content_id(self.document, self.value_start, self.value_end, *extra, prefix="m_")
