"""Two figures of one cluster, related in the order a fact-checker reasons.

1. ``agrees`` — the intervals overlap within rounding, hedges and stated bounds (``Claim.interval``);
   a tiny relative epsilon keeps figures whose rounding intervals touch (4% and 5%: 3.5–4.5 and 4.5–5.5)
   from being split by floating-point error; two figures of one page agree only when one restates the
   other (``pipelines.relations.one_page.restated``: 198 ms and 198.3 ms, not 260 h and 259 h);
2. ``different_scope`` — the populations differ, or one lies inside the other: figures of two populations
   are not one series, whatever their dates;
3. ``trend`` — the same (or unstated) population, periods established different (one wholly later): the
   later supersedes;
4. ``conflicts`` — only when the same period and scope are established (``pipelines.relations.established``);
5. one page giving both figures, not established alike — or compatible figures of one page that do not
   restate each other, established alike or not: ``trend`` when a sentence tells of a change from one to
   the other, else ``different_scope`` (``pipelines.relations.one_page``);
6. two benchmark measurements from two pages, not established alike: ``different_scope``, two setups; a
   benchmark does not age, so page dates alone make no ``trend`` (``pipelines.relations.measurements``);
7. ``unresolved`` — anything else: kept and shown, never listed as a contradiction.
"""

from __future__ import annotations

import math

from pipelines.claims import Claim, Relation, RelationKind
from pipelines.relations.established import context_of, same_page
from pipelines.relations.intervals import EPSILON, overlap
from pipelines.relations.measurements import ages
from pipelines.relations.one_page import ONE_PAGE, ONE_SENTENCE, change_between, restated, settings_apart
from pipelines.relations.periods import DIFFERENT as DIFFERENT_PERIODS
from pipelines.relations.periods import PeriodRelation, claim_period, period_label
from pipelines.relations.scopes import DIFFERENT as DIFFERENT_SCOPES
from pipelines.relations.scopes import ScopeRelation
from pipelines.relations.wording import described, missing

TOLERANCE = 0.05
"""Relative half-width of a hedged figure ("about 80%"), as ``Claim.interval`` takes it."""


OPEN = 4.0
"""An open end ("over 70%", "before 2015") stands this many epsilons beyond its value: clear of float error,
so "before 2015" and "2015" stay apart while 4% and 5% (3.5–4.5 and 4.5–5.5) touch."""


def figure_interval(claim: Claim, tolerance: float = TOLERANCE) -> tuple[float, float]:
    """``Claim.interval`` with open ends moved clear of the epsilon ``below`` allows for float error."""
    lo, hi = claim.interval(tolerance)
    v = claim.value
    if v is None or math.isnan(v):
        return lo, hi
    step = OPEN * EPSILON * max(abs(v), 1e-12)
    if str(claim.comparator) == ">" and not math.isinf(lo):
        lo = v + step
    elif str(claim.comparator) == "<" and not math.isinf(hi):
        hi = v - step
    return lo, hi


def comparable(a: Claim, b: Claim) -> bool:
    """Two numeric claims of one unit dimension (claims of different dimensions are never related)."""
    if not (a.numeric and b.numeric):
        return False
    if a.dimension and b.dimension and a.dimension != b.dimension:
        return False
    return a.unit == b.unit


def relate_figures(a: Claim, b: Claim, tolerance: float = TOLERANCE) -> Relation | None:
    """The relation of two figures and why; None when they are not two comparable figures."""
    if not comparable(a, b):
        return None
    return relate_figure_intervals(a, b, figure_interval(a, tolerance), figure_interval(b, tolerance))


def relate_figure_intervals(
    a: Claim, b: Claim, interval_a: tuple[float, float], interval_b: tuple[float, float]
) -> Relation:
    """``relate_figures`` with each claim's interval computed once by the caller (a cluster relates a
    claim with many others)."""
    compatible = overlap(interval_a, interval_b)
    if compatible and (not same_page(a, b) or restated(a, b, interval_a, interval_b)):
        return Relation(a.id, b.id, RelationKind.AGREES, f"{a.value_text} vs {b.value_text}: {_agreement(a, b)}")
    # From here on, compatible figures are two figures of one page: a change or two settings, never a conflict.
    context = context_of(a, b)
    if context.scope in DIFFERENT_SCOPES:
        how = "different populations"
        if context.scope is ScopeRelation.SUBSET:
            how = f"{a.scope} are only part of {b.scope}"
        elif context.scope is ScopeRelation.SUPERSET:
            how = f"{b.scope} are only part of {a.scope}"
        return Relation(
            a.id,
            b.id,
            RelationKind.DIFFERENT_SCOPE,
            f"{a.value_text} of {a.scope} vs {b.value_text} of {b.scope}: {how}",
        )
    if context.period in DIFFERENT_PERIODS and ages(a, b, same_document=context.same_document):
        later, earlier = (a, b) if context.period is PeriodRelation.AFTER else (b, a)
        return Relation(a.id, b.id, RelationKind.TREND, f"{described(later)} vs {described(earlier)}: a later figure")
    if context.established and not compatible:
        return Relation(
            a.id, b.id, RelationKind.CONFLICTS, f"{_pair(a, b)}, {_where(a, b, context)}: they cannot both be true"
        )
    if context.same_document:
        return _one_page(a, b, context)
    apart = settings_apart(a, [b], same_document=False)
    if apart is not None:
        return Relation(a.id, b.id, RelationKind.DIFFERENT_SCOPE, f"{_pair(a, b)}: {apart}")
    return Relation(
        a.id,
        b.id,
        RelationKind.UNRESOLVED,
        f"{_pair(a, b)}: {_why_open(a, b, context)}, so it cannot be told whether they disagree",
    )


def _one_page(a: Claim, b: Claim, context) -> Relation:  # noqa: ANN001 - Context, kept private
    """Two different figures of one page, not established alike: a change it tells of, else two settings."""
    change = change_between(a, b)
    if change is not None:
        earlier, later = change
        return Relation(
            a.id,
            b.id,
            RelationKind.TREND,
            f"{later.value_text} vs {earlier.value_text}: one sentence tells of a change from the one to the other",
        )
    why = ONE_SENTENCE if context.same_sentence else ONE_PAGE
    return Relation(a.id, b.id, RelationKind.DIFFERENT_SCOPE, f"{_pair(a, b)}: {why}")


def _agreement(a: Claim, b: Claim) -> str:
    if a.value == b.value and a.comparator == b.comparator:
        return "the same figure"
    return "compatible within rounding, hedges and stated bounds"


def _pair(a: Claim, b: Claim) -> str:
    return f"{a.value_text} vs {b.value_text}"


def _where(a: Claim, b: Claim, context) -> str:  # noqa: ANN001 - Context, kept private
    label = period_label(claim_period(a))
    when = f"both {label}" if label and not label.startswith("page of") else "both as of the same page"
    if context.same_document:
        return f"{when} in the same article"
    scope = f" for {a.scope}" if a.scope else ""
    if context.same_source:
        return f"{when}{scope}, both from {a.source}"
    return f"{when}{scope}"


def _why_open(a: Claim, b: Claim, context) -> str:  # noqa: ANN001
    if context.same_sentence:
        return "stated side by side in one sentence, which speaks of a change or of different settings"
    if context.period in (PeriodRelation.CONTAINS, PeriodRelation.WITHIN, PeriodRelation.OVERLAPS):
        return (
            f"{period_label(claim_period(a))} and {period_label(claim_period(b))} overlap without being the same period"
        )
    return missing(a, b)
