"""The relations and verdict of one cluster, at any size.

A cluster of k claims has k·(k-1)/2 pairs: fine for a handful, impossible for the thousands of claims a
popular subject and metric gather. ``relate_cluster`` relates every pair up to ``all_pairs_up_to`` claims
(with the registered pair relaters, ``pipelines.relations.relate``) and above that works in O(k log k):

* **established conflicts** are found exactly from per-group extremes: two figures can only conflict when
  their period and scope are established the same (``pipelines.relations.established``) — one stated
  period and one stated scope, or one source and one stated period — and within such a group it is enough
  to look at the two smallest upper ends and the two largest lower ends; two pages dating one framework's
  first release apart (``pipelines.relations.first_release``) are found from the earliest and latest such
  dates;
* **all agree** is exact too: intervals on a line overlap pairwise exactly when the largest lower end is at
  most the smallest upper end;
* otherwise what explains the disagreeing pairs is counted on a deterministic sample of O(k) pairs
  (each claim with its neighbours in value order and a few strides away), each related by the pair
  relaters themselves, so their kinds and reasons are exactly what the pair would get.

The verdict (``verdict_of``): ``conflicts`` when any established conflict; ``single`` for one distinct
figure; ``agrees`` when every pair agrees; else the kind that explains most disagreeing pairs (trend,
different_scope, unresolved) — one odd pair never decides a large cluster unless it is an established
conflict.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from pipelines.claims import Claim, Relation, RelationKind, Verdict
from pipelines.relations import first_release
from pipelines.relations.established import source_key
from pipelines.relations.intervals import below
from pipelines.relations.numeric_pair import TOLERANCE, figure_interval
from pipelines.relations.periods import claim_period, period_key, stated
from pipelines.relations.scopes import Scope, ScopeRelation, normalise_scope, relate_scope_records

ALL_PAIRS_UP_TO = 50
"""Clusters up to this many claims get every pair; larger ones a summary with representative pairs."""
REPRESENTATIVES = 10
"""At most this many representative pairs of each relation kind for a summarised cluster."""
DISAGREEING = (RelationKind.TREND, RelationKind.DIFFERENT_SCOPE, RelationKind.UNRESOLVED)
"""What may explain disagreeing figures, in the order ties are broken."""

PairRelater = Callable[[Claim, Claim], "Relation | None"]


@dataclass(frozen=True, slots=True)
class ClusterRelations:
    """The verdict of a cluster, why, and its relations (every pair, or representatives when summarised)."""

    verdict: Verdict
    reason: str
    relations: tuple[Relation, ...]
    exhaustive: bool
    """True when ``relations`` holds every pair; False when it holds representative pairs only."""
    claims: int
    summary: dict = field(default_factory=dict)
    """For a summarised cluster: pairs in all, conflicting groups, and kinds counted on the sampled pairs."""


def distinct_figures(claims: Iterable[Claim]) -> int:
    """How many different figures the claims state (two "70%" are one figure)."""
    return len({(c.value, c.value_high, str(c.comparator), str(c.unit)) for c in claims})


def verdict_of(
    relations: Sequence[Relation], claims: Sequence[Claim], counts: Counter | None = None
) -> tuple[Verdict, str]:
    """The cluster's verdict and its reason in words.

    Args:
        relations: The relations found (every pair, or representatives).
        claims: The cluster's claims.
        counts: Kinds counted over the pairs (default: over ``relations``); a summary passes its sample's.
    """
    if len(claims) <= 1:
        return Verdict.SINGLE, "one claim: nothing to compare" if claims else "no claims"
    if distinct_figures(claims) <= 1 and all(r.kind is RelationKind.AGREES for r in relations):
        return Verdict.AGREES, f"all {len(claims)} claims state the same figure"
    first: dict[RelationKind, str] = {}
    for r in relations:
        first.setdefault(r.kind, r.reason)
    if RelationKind.CONFLICTS in first:
        return Verdict.CONFLICTS, first[RelationKind.CONFLICTS]
    counts = counts if counts is not None else Counter(r.kind for r in relations)
    disagreeing = {k: counts.get(k, 0) for k in DISAGREEING if counts.get(k, 0) and k in first}
    if not disagreeing:
        return Verdict.AGREES, first.get(RelationKind.AGREES, "every figure compatible with every other")
    kind = max(DISAGREEING, key=lambda k: (disagreeing.get(k, 0), -DISAGREEING.index(k)))
    total = sum(disagreeing.values())
    reason = first[kind]
    if total > 1:
        reason = f"{disagreeing[kind]} of {total} disagreeing pairs are like this one: {reason}"
    return Verdict(str(kind)), reason


def relate_cluster(
    claims: Sequence[Claim],
    *,
    relate: PairRelater | None = None,
    all_pairs_up_to: int = ALL_PAIRS_UP_TO,
    representatives: int = REPRESENTATIVES,
    tolerance: float = TOLERANCE,
) -> ClusterRelations:
    """Relate the claims of one cluster.

    Args:
        claims: The cluster's own claims (figures and comparatives); related in the order of their ids.
        relate: The pair relater (default: the registry, ``pipelines.relations.relate``).
        all_pairs_up_to: Clusters with at most this many claims get every pair; larger ones are summarised.
        representatives: Bound on representative pairs per relation kind when summarised.
        tolerance: Relative half-width of hedged figures.

    Returns:
        The verdict, its reason, and the relations.
    """
    if relate is None:
        from pipelines.relations import relate as registered

        relate = registered
    ordered = sorted(claims, key=lambda c: c.id)
    k = len(ordered)
    if k <= all_pairs_up_to:
        pairs = [relate(ordered[i], ordered[j]) for i in range(k) for j in range(i + 1, k)]
        relations = tuple(r for r in pairs if r is not None)
        verdict, reason = verdict_of(relations, ordered)
        return ClusterRelations(verdict, reason, relations, True, k)
    return _summarise(ordered, relate, representatives, tolerance)


class _Low2:
    """The two smallest (value, claim index) pushed; NaN never enters (NaN < x is false)."""

    __slots__ = ("v1", "i1", "v2", "i2")

    def __init__(self) -> None:
        self.v1 = self.v2 = math.inf
        self.i1 = self.i2 = -1

    def push(self, v: float, i: int) -> None:
        if v < self.v1:
            self.v2, self.i2, self.v1, self.i1 = self.v1, self.i1, v, i
        elif v < self.v2:
            self.v2, self.i2 = v, i

    def items(self) -> list[tuple[float, int]]:
        return [(v, i) for v, i in ((self.v1, self.i1), (self.v2, self.i2)) if i >= 0]


class _Extremes:
    """Two smallest upper ends and two largest lower ends of a set of claims."""

    __slots__ = ("hi", "neg_lo")

    def __init__(self) -> None:
        self.hi = _Low2()
        self.neg_lo = _Low2()

    def push(self, lo: float, hi: float, i: int) -> None:
        self.hi.push(hi, i)
        self.neg_lo.push(-lo, i)


def _disjoint(x: list[_Extremes], y: list[_Extremes]) -> tuple[int, int] | None:
    """Some claim a of the union of ``x`` and some other b of the union of ``y`` with a's interval wholly
    below b's, the widest such gap; None when there is none. Exact: the best a is among the two smallest
    upper ends, the best b among the two largest lower ends (two, so a claim is never paired with itself)."""
    his = sorted(item for e in x for item in e.hi.items())[:2]
    los = sorted(item for e in y for item in e.neg_lo.items())[:2]
    best: tuple[float, int, int] | None = None
    for hi, a in his:
        for neg_lo, b in los:
            if a != b and below(hi, -neg_lo) and (best is None or -neg_lo - hi > best[0]):
                best = (-neg_lo - hi, a, b)
    return (best[1], best[2]) if best else None


MAX_SCOPES_PAIRED = 32
"""Within one group, distinct scopes up to this many are also paired when their relation is unknown."""


def _group_candidates(
    groups: dict[tuple, dict[object, _Extremes]], scopes: dict[object, Scope]
) -> list[tuple[list[_Extremes], list[_Extremes]]]:
    """Within each group, sets of claims whose scopes are the same or cannot be told apart: (S, S),
    (none, all), (all, none), and (S, T) for two stated scopes whose relation is unknown."""
    out: list[tuple[list[_Extremes], list[_Extremes]]] = []
    for key in sorted(groups, key=repr):
        by_scope = groups[key]
        every = list(by_scope.values())
        stated_scopes = sorted((s for s in by_scope if s is not None), key=repr)
        for scope in stated_scopes:
            out.append(([by_scope[scope]], [by_scope[scope]]))
        if None in by_scope:
            out += [([by_scope[None]], every), (every, [by_scope[None]])]
        if 1 < len(stated_scopes) <= MAX_SCOPES_PAIRED:
            for n, s in enumerate(stated_scopes):
                for t in stated_scopes[n + 1 :]:
                    if relate_scope_records(scopes[s], scopes[t]) is ScopeRelation.UNKNOWN:
                        out += [([by_scope[s]], [by_scope[t]]), ([by_scope[t]], [by_scope[s]])]
    return out


def _first_release_pair(claims: list[Claim]) -> tuple[int, int] | None:
    """The earliest and the latest first-release dates of two different pages, if the claims hold any."""
    dated = []
    for i, c in enumerate(claims):
        if c.metric in first_release.METRICS and first_release.dated_as_first_release(c):
            period = first_release.dated(c)
            if period is not None:
                dated.append((period, i))
    if len(dated) < 2:
        return None
    earliest = min(dated, key=lambda d: (d[0].end, d[1]))
    latest = max(dated, key=lambda d: (d[0].start, -d[1]))
    if claims[earliest[1]].document_id == claims[latest[1]].document_id:
        others = [d for d in dated if claims[d[1]].document_id != claims[earliest[1]].document_id]
        if not others:
            return None
        late_other = max(others, key=lambda d: (d[0].start, -d[1]))
        early_other = min(others, key=lambda d: (d[0].end, d[1]))
        gap_late = late_other[0].start - earliest[0].end
        gap_early = latest[0].start - early_other[0].end
        earliest, latest = (earliest, late_other) if gap_late >= gap_early else (early_other, latest)
    a, b = sorted((earliest[1], latest[1]))
    return (a, b) if a != b else None


def _summarise(claims: list[Claim], relate: PairRelater, representatives: int, tolerance: float) -> ClusterRelations:
    k = len(claims)
    intervals = [figure_interval(c, tolerance) if c.numeric else (math.nan, math.nan) for c in claims]
    by_stated: dict[tuple, dict[object, _Extremes]] = {}
    by_source: dict[tuple, dict[object, _Extremes]] = {}
    scopes: dict[object, Scope] = {}
    for i, c in enumerate(claims):
        lo, hi = intervals[i]
        if math.isnan(lo):
            continue
        period = claim_period(c)
        scope = normalise_scope(c.scope)
        skey = scope.key if scope else None
        if scope is not None:
            scopes.setdefault(skey, scope)
        pkey = period_key(period)
        unit = (str(c.unit), c.dimension)  # figures of different units or dimensions are never related
        if stated(period) and skey is not None:
            by_stated.setdefault((unit, pkey, skey), {}).setdefault(skey, _Extremes()).push(lo, hi, i)
        source = source_key(c)
        if stated(period) and source is not None:
            by_source.setdefault((unit, source, pkey), {}).setdefault(skey, _Extremes()).push(lo, hi, i)

    conflicts: list[Relation] = []
    seen: set[tuple[int, int]] = set()
    conflicting_groups = 0
    for x, y in _group_candidates(by_stated, scopes) + _group_candidates(by_source, scopes):
        found = _disjoint(x, y)
        if found is None:
            continue
        a, b = sorted(found)
        if (a, b) in seen:
            continue
        r = relate(claims[a], claims[b])
        if r is not None and r.kind is RelationKind.CONFLICTS:
            seen.add((a, b))  # a pair found not to conflict is still counted with the sample below
            conflicting_groups += 1
            if len(conflicts) < representatives:
                conflicts.append(r)

    # Two pages dating one framework's first release apart (pipelines.relations.first_release): the pages'
    # earliest and latest such dates are the pair that can conflict.
    pair = _first_release_pair(claims)
    if pair is not None and pair not in seen:
        r = relate(claims[pair[0]], claims[pair[1]])
        if r is not None and r.kind is RelationKind.CONFLICTS:
            seen.add(pair)
            conflicting_groups += 1
            if len(conflicts) < representatives:
                conflicts.append(r)

    # Do all agree? Pairwise overlap on a line is one common point: max lower end <= min upper end (per unit).
    numeric = [i for i in range(k) if not math.isnan(intervals[i][0])]
    by_unit: dict[tuple, list[int]] = {}
    for i in numeric:
        by_unit.setdefault((str(claims[i].unit), claims[i].dimension), []).append(i)
    widest: list[tuple[int, int]] = []
    for members in by_unit.values():
        top = max(members, key=lambda i: intervals[i][0])
        bottom = min(members, key=lambda i: intervals[i][1])
        if below(intervals[bottom][1], intervals[top][0]):
            widest.append((min(top, bottom), max(top, bottom)))
    all_agree = not widest

    # A deterministic sample: each claim with its neighbours in value order and a few strides away.
    order = sorted(numeric, key=lambda i: (str(claims[i].unit), intervals[i][0], claims[i].id))
    n = len(order)
    strides = sorted({s for s in (1, 2, n // 4, n // 2) if 0 < s < n})
    sample: list[tuple[int, int]] = list(widest)  # the widest disagreement of each unit is always looked at
    for s in strides:
        for p in range(n):
            first, second = order[p], order[(p + s) % n]
            sample.append((first, second) if first < second else (second, first))
    counts: Counter[RelationKind] = Counter()
    kept: dict[RelationKind, list[Relation]] = {}
    for a, b in dict.fromkeys(sample):
        if (a, b) in seen or a == b:
            continue
        r = relate(claims[a], claims[b])
        if r is None:
            continue
        counts[r.kind] += 1
        bucket = kept.setdefault(r.kind, [])
        if len(bucket) < representatives:
            bucket.append(r)
    for r in kept.get(RelationKind.CONFLICTS, []):  # a sampled pair found in conflict is one too
        if len(conflicts) < representatives and r not in conflicts:
            conflicts.append(r)
    # Overlapping intervals are not enough when a sampled pair of one page gives two figures (one_page.restated).
    all_agree = all_agree and set(counts) <= {RelationKind.AGREES}
    if all_agree:
        counts = Counter({RelationKind.AGREES: counts.get(RelationKind.AGREES, 0) or 1})
        kept = {RelationKind.AGREES: kept.get(RelationKind.AGREES, [])}
    relations = (
        *conflicts,
        *(r for kind in RelationKind for r in kept.get(kind, []) if kind is not RelationKind.CONFLICTS),
    )
    if not relations and k >= 2:
        any_pair = relate(claims[0], claims[1])
        relations = (any_pair,) if any_pair is not None else ()
    verdict, reason = verdict_of(relations, claims, counts)
    summary = {
        "pairs": k * (k - 1) // 2,
        "conflicting_groups": conflicting_groups,
        "sampled_pairs": sum(counts.values()),
        "sampled_kinds": {str(kind): n for kind, n in counts.items()},
    }
    return ClusterRelations(verdict, reason, relations, False, k, summary)
