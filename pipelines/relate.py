"""Relations between two claims about the same subject and metric, with the reason in words.

Values are intervals (``pipelines.quantities.interval``), so one rule covers every comparator:

* ``trend`` — both claims name a period and the periods differ (62% in 2022 → 70% in 2025);
* ``different_scope`` — both name a population and the populations share no content word
  ("NeurIPS papers" vs "Kaggle respondents");
* ``conflicts`` — same or unknown period, overlapping scope, and disjoint intervals;
* ``agrees`` — otherwise.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from pipelines.quantities import interval
from pipelines.types import Quantity

RELATIONS = ("agrees", "conflicts", "trend", "different_scope")
_WORD = re.compile(r"[a-z0-9]+")
_STOP = frozenset(
    "a an the of in on at for to by and or all any every new newly top major more most over about some among "
    "with from as its their this that these those published".split()
)


@dataclass(frozen=True, kw_only=True, slots=True)
class ClaimValue:
    """What relating needs of a claim: its value as written and normalised, period and scope."""

    surface: str
    value: float
    value_high: float | None = None
    unit: str = "other"
    comparator: str = "="
    period: str | None = None
    scope: str | None = None

    def interval(self, tolerance: float = 0.05) -> tuple[float, float]:
        q = Quantity(
            start=0,
            end=len(self.surface),
            surface=self.surface,
            value=self.value,
            value_high=self.value_high,
            unit=self.unit,
            comparator=self.comparator,
            # Years and ranks are exact: 2016 vs 2017, 2nd vs 3rd never overlap by rounding.
            kind=self.unit if self.unit in ("year", "rank") else "number",
        )
        return interval(q, tolerance=tolerance)


@dataclass(frozen=True, slots=True)
class Relation:
    relation: str
    reason: str


def scope_words(scope: str | None) -> frozenset[str]:
    """Content words of a scope ("NeurIPS 2024 papers" -> {"neurips", "papers"}); years are periods."""
    if not scope:
        return frozenset()
    return frozenset(w for w in _WORD.findall(scope.lower()) if w not in _STOP and not re.fullmatch(r"\d{4}", w))


def _fmt(bound: float, unit: str) -> str:
    if math.isinf(bound):
        return "∞" if bound > 0 else "-∞"
    if abs(bound) < 1e-300:  # an open lower end just above zero
        bound = 0.0
    if unit == "percent":
        return f"{bound * 100:.4g}%"
    return f"{bound:.4g}"


def relate(a: ClaimValue, b: ClaimValue, *, tolerance: float = 0.05) -> Relation:
    """The relation between two claims of one cluster, and why."""
    return relate_prepared(
        a, b, a.interval(tolerance), b.interval(tolerance), scope_words(a.scope), scope_words(b.scope)
    )


def relate_prepared(
    a: ClaimValue,
    b: ClaimValue,
    interval_a: tuple[float, float],
    interval_b: tuple[float, float],
    words_a: frozenset[str],
    words_b: frozenset[str],
) -> Relation:
    """``relate`` with each claim's interval and scope words computed once by the caller (a cluster
    relates every claim with many others: ``pipelines.cluster_relations``)."""
    pair = f"{a.surface} vs {b.surface}"
    if a.period and b.period and a.period != b.period:
        first, second = sorted([a, b], key=lambda c: c.period or "")
        return Relation(
            "trend", f"{first.surface} ({first.period}) → {second.surface} ({second.period}): different periods"
        )
    if words_a and words_b and not words_a & words_b:
        return Relation("different_scope", f"{pair}: different populations ({a.scope!r} vs {b.scope!r})")
    lo_a, hi_a = interval_a
    lo_b, hi_b = interval_b
    period = f"same period ({a.period})" if a.period and a.period == b.period else "period unknown or shared"
    scope = "overlapping scope" if words_a & words_b else "scope not distinguished"
    spans = f"[{_fmt(lo_a, a.unit)}, {_fmt(hi_a, a.unit)}] and [{_fmt(lo_b, b.unit)}, {_fmt(hi_b, b.unit)}]"
    if hi_a < lo_b or hi_b < lo_a:
        return Relation("conflicts", f"{pair}: intervals {spans} are disjoint, {period}, {scope}")
    return Relation("agrees", f"{pair}: intervals {spans} overlap, {period}, {scope}")
