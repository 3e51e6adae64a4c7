"""Relations inside one cluster, at any size.

A cluster of k claims has k·(k-1)/2 pairs: fine for a handful, impossible for the thousands of claims a
popular subject and metric gather in a large store. ``relate_cluster`` keeps every pair up to
``all_pairs_up_to`` claims (exactly what relating each pair with ``pipelines.relate.relate`` gives) and
above that summarises the cluster in O(k·s + k log k) (s: content words of a scope, a handful):

* the verdict is the one all pairs would give (conflicts > trend > different_scope > agrees), found from
  per-group extremes instead of pairs: two claims conflict when they may be compared (same or unknown
  period, scopes sharing a word or not given) and one interval ends below where the other starts — so
  within any set of comparable claims it is enough to look at the two smallest upper ends and the two
  largest lower ends;
* a bounded number of representative pairs of each kind found, each related by ``relate`` itself, so
  their relation and reason are exactly what the pair would get;
* per period, the claims' intervals sorted and swept into bands of overlapping values (a cluster with
  two bands in one period holds disagreeing figures).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TypeVar

from pipelines.relate import ClaimValue, relate_prepared, scope_words

VERDICT_ORDER = ("conflicts", "trend", "different_scope", "agrees")
ALL_PAIRS_UP_TO = 50
"""Clusters up to this many claims get every pair; larger ones a summary with representative pairs."""
REPRESENTATIVES = 10
"""At most this many representative pairs of each relation kind for a summarised cluster."""
BANDS = 10
K = TypeVar("K")


@dataclass(frozen=True, slots=True)
class PairRelation:
    a: str
    b: str
    relation: str
    reason: str

    def as_dict(self) -> dict[str, str]:
        return {"a": self.a, "b": self.b, "relation": self.relation, "reason": self.reason}


@dataclass(frozen=True, slots=True)
class ClusterRelations:
    """The verdict of a cluster, why, and its relations (every pair, or representatives when summarised)."""

    verdict: str
    reason: str
    relations: tuple[PairRelation, ...]
    exhaustive: bool
    """True when ``relations`` holds every pair; False when it holds representative pairs only."""
    claims: int
    summary: dict = field(default_factory=dict)
    """For a summarised cluster: pair count, periods (claims, median) and value bands per period."""


def verdict_of(relations: Iterable[PairRelation]) -> tuple[str, str]:
    """The strongest relation present and the reason of its first pair ("a single claim" when none)."""
    first: dict[str, str] = {}
    for r in relations:
        first.setdefault(r.relation, r.reason)
    verdict = next((v for v in VERDICT_ORDER if v in first), "agrees")
    return verdict, first.get(verdict, "a single claim")


def relate_cluster(
    values: Mapping[str, ClaimValue],
    *,
    all_pairs_up_to: int = ALL_PAIRS_UP_TO,
    representatives: int = REPRESENTATIVES,
    tolerance: float = 0.05,
) -> ClusterRelations:
    """Relate the claims of one cluster (claim id -> value).

    Args:
        values: The cluster's claims by id.
        all_pairs_up_to: Clusters with at most this many claims get every pair, in the order of their
            sorted ids (as ``service.core.cluster_views`` lists them); larger ones are summarised.
        representatives: Bound on representative pairs per relation kind when summarised.
        tolerance: Relative half-width of approximate values, as in ``relate``.

    Returns:
        The verdict (the same as relating every pair would give), its reason, and the relations.
    """
    ids = sorted(values)
    claims = [values[i] for i in ids]
    intervals = [c.interval(tolerance) for c in claims]
    words = [scope_words(c.scope) for c in claims]

    def pair(i: int, j: int) -> PairRelation:
        r = relate_prepared(claims[i], claims[j], intervals[i], intervals[j], words[i], words[j])
        return PairRelation(ids[i], ids[j], r.relation, r.reason)

    k = len(ids)
    if k <= all_pairs_up_to:
        relations = tuple(pair(i, j) for i in range(k) for j in range(i + 1, k))
        verdict, reason = verdict_of(relations)
        return ClusterRelations(verdict, reason, relations, True, k)
    return _summarise(ids, claims, intervals, words, pair, representatives)


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
    """Some claim a of the union of ``x`` and some other b of the union of ``y`` with a's interval
    entirely below b's, the widest such gap; None when no such pair exists.

    Exact: the best a is among the two smallest upper ends, the best b among the two largest lower
    ends (two, so that a claim is never paired with itself)."""
    his = sorted(item for e in x for item in e.hi.items())[:2]
    los = sorted(item for e in y for item in e.neg_lo.items())[:2]
    best: tuple[float, int, int] | None = None
    for hi, a in his:
        for neg_lo, b in los:
            gap = -neg_lo - hi
            if a != b and gap > 0 and (best is None or gap > best[0]):
                best = (gap, a, b)
    return (best[1], best[2]) if best else None


Pair = Callable[[int, int], PairRelation]


def _summarise(
    ids: list[str],
    claims: list[ClaimValue],
    intervals: list[tuple[float, float]],
    words: list[frozenset[str]],
    pair: Pair,
    representatives: int,
) -> ClusterRelations:
    k = len(ids)
    periods = [c.period or None for c in claims]
    # Extremes of every set of claims that may be compared (see _conflicts).
    cell: dict[tuple[str, str], _Extremes] = {}  # period p, scope word w
    word_any: dict[str, _Extremes] = {}  # scope word w, any period
    word_none: dict[str, _Extremes] = {}  # scope word w, no period
    period_any: dict[str, _Extremes] = {}  # period p, any scope
    period_empty: dict[str, _Extremes] = {}  # period p, no scope
    empty_any, none_empty, everything = _Extremes(), _Extremes(), _Extremes()
    for i in range(k):
        lo, hi = intervals[i]
        p, ws = periods[i], words[i]
        everything.push(lo, hi, i)
        if p is not None:
            _get(period_any, p).push(lo, hi, i)
        if not ws:
            empty_any.push(lo, hi, i)
            (none_empty if p is None else _get(period_empty, p)).push(lo, hi, i)
        for w in ws:
            _get(word_any, w).push(lo, hi, i)
            if p is None:
                _get(word_none, w).push(lo, hi, i)
            else:
                _get(cell, (p, w)).push(lo, hi, i)

    # Comparable pairs (same or unknown period; scopes sharing a word, or one not given) all lie in one
    # of these (X, Y) set pairs, and every pair drawn from one of them is comparable:
    candidates: list[tuple[list[_Extremes], list[_Extremes]]] = []
    for key in sorted(cell):  # same period, a shared scope word
        candidates.append(([cell[key]], [cell[key]]))
    for w in sorted(word_none):  # no period, scope word w: anything with w, or with no scope
        candidates += [([word_none[w]], [word_any[w], empty_any]), ([word_any[w], empty_any], [word_none[w]])]
    candidates += [([none_empty], [everything]), ([everything], [none_empty])]  # no period, no scope
    for p in sorted(period_empty):  # period p, no scope: anything of period p
        candidates += [([period_empty[p]], [period_any[p]]), ([period_any[p]], [period_empty[p]])]
    conflicts: list[PairRelation] = []
    seen: set[tuple[int, int]] = set()
    conflicting_sets = 0
    for x, y in candidates:
        found = _disjoint(x, y)
        if found is None:
            continue
        conflicting_sets += 1
        a, b = sorted(found)
        if (a, b) not in seen and len(conflicts) < representatives:
            seen.add((a, b))
            conflicts.append(pair(a, b))

    # Trends: claims of each period by value; one representative (the median claim) per period.
    by_period: dict[str, list[int]] = {}
    for i, p in enumerate(periods):
        if p is not None:
            by_period.setdefault(p, []).append(i)
    order = sorted(by_period)
    medians = {p: _median_claim(by_period[p], claims) for p in order}
    trends = [pair(medians[p], medians[q]) for p, q in zip(order, order[1:], strict=False)][:representatives]

    scopes = _different_scopes(periods, words, order, pair, representatives)

    relations = (*conflicts, *trends, *scopes)
    if not relations:
        relations = (pair(0, 1),)  # nothing but agreement: any pair says why, the first as all-pairs would
    verdict, reason = verdict_of(relations)
    period_summary = {p: {"claims": len(by_period[p]), "median": claims[medians[p]].surface} for p in order}
    undated = k - sum(len(m) for m in by_period.values())
    if undated:
        period_summary["unknown"] = {"claims": undated, "median": None}
    summary = {
        "pairs": k * (k - 1) // 2,
        "conflicting_sets": conflicting_sets,
        "periods": period_summary,
        "bands": _bands(periods, intervals, claims),
    }
    return ClusterRelations(verdict, reason, relations, False, k, summary)


def _get(d: dict[K, _Extremes], key: K) -> _Extremes:
    e = d.get(key)
    if e is None:
        e = d[key] = _Extremes()
    return e


def _median_claim(members: list[int], claims: list[ClaimValue]) -> int:
    numbered = sorted((claims[i].value, i) for i in members if not math.isnan(claims[i].value))
    return numbered[(len(numbered) - 1) // 2][1] if numbered else members[0]


def _different_scopes(
    periods: list[str | None], words: list[frozenset[str]], order: list[str], pair: Pair, representatives: int
) -> list[PairRelation]:
    """Pairs of comparable claims (same or unknown period) whose scopes are given and share no word.

    Per period, the distinct scope word sets are indexed by word as bitsets over the sets: a set whose
    words' bitsets do not cover every set is disjoint from one that is left out."""
    first_of: dict[str | None, dict[frozenset[str], int]] = {}
    for i, (p, ws) in enumerate(zip(periods, words, strict=True)):
        if ws:
            first_of.setdefault(p, {}).setdefault(ws, i)
    unknown = first_of.get(None, {})
    out: list[PairRelation] = []
    seen: set[tuple[int, int]] = set()
    classes: list[str | None] = [*order] if order else [None]
    for p in classes:
        # Claims of period p and claims with no period are comparable with each other.
        sets = dict(first_of.get(p, {})) if p is not None else {}
        for ws, i in unknown.items():
            sets.setdefault(ws, i)
        keys = list(sets)
        if len(keys) < 2:
            continue
        bits: dict[str, int] = {}
        for n, ws in enumerate(keys):
            for w in ws:
                bits[w] = bits.get(w, 0) | (1 << n)
        full = (1 << len(keys)) - 1
        for ws in keys:
            covered = 0
            for w in ws:
                covered |= bits[w]
            left = full & ~covered
            if left:
                m = (left & -left).bit_length() - 1
                a, b = sorted((sets[ws], sets[keys[m]]))
                if (a, b) not in seen:
                    seen.add((a, b))
                    out.append(pair(a, b))
                    if len(out) >= representatives:
                        return out
    return out


def _bands(
    periods: list[str | None], intervals: list[tuple[float, float]], claims: list[ClaimValue]
) -> dict[str, list[dict]]:
    """Per period, the claims' intervals sorted by lower end and swept into bands of overlapping values;
    the largest bands, with their claim counts and the values written at their ends."""
    by_period: dict[str, list[int]] = {}
    for i, p in enumerate(periods):
        lo, hi = intervals[i]
        if not (math.isnan(lo) or math.isnan(hi)):
            by_period.setdefault(p or "unknown", []).append(i)
    out: dict[str, list[dict]] = {}
    for p in sorted(by_period):
        members = sorted(by_period[p], key=lambda i: intervals[i][0])
        bands: list[list[int]] = []
        reach = -math.inf
        for i in members:
            lo, hi = intervals[i]
            if not bands or lo > reach:
                bands.append([i])
                reach = hi
            else:
                bands[-1].append(i)
                reach = max(reach, hi)
        top = sorted(bands, key=len, reverse=True)[:BANDS]
        out[p] = [
            {
                "claims": len(b),
                "low": min(intervals[i][0] for i in b),
                "high": max(intervals[i][1] for i in b),
                "median": claims[_median_claim(b, claims)].surface,
            }
            for b in top
        ]
    return out
