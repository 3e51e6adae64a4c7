"""A cluster judged: its figures related, its comparatives checked against both subjects' figures, the
verdict set and the consensus computed. What ``service.core.cluster_views`` calls once per cluster."""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import replace
from typing import Any

from pipelines.claims import Claim, Cluster, Relation, RelationKind
from pipelines.consensus import consensus
from pipelines.relations.cluster_verdict import ALL_PAIRS_UP_TO, relate_cluster, verdict_of
from pipelines.relations.comparative_figures import (
    MAX_COUNTERPARTS,
    FigureIndex,
    figures_read,
    relate_comparative_to_figures,
)
from pipelines.relations.comparative_pair import direction_from, relate_comparatives
from pipelines.relations.established import source_key
from pipelines.relations.periods import claim_period, period_key, stated
from pipelines.relations.scopes import normalise_scope

COMPARATIVE_PAIRS_UP_TO = 16
"""Comparatives of a cluster up to this many get every pair related; above, a bounded set of pairs."""
PARTNERS = 3
"""Above ``COMPARATIVE_PAIRS_UP_TO``: per comparative, at most this many opposite ones of each kind of match."""


def comparative_pairs(comps: Sequence[Claim]) -> list[Relation]:
    """Relations between the comparatives of a cluster (sorted by id), each pair ordered by id.

    Up to ``COMPARATIVE_PAIRS_UP_TO``, every pair. Above, O(n) pairs: comparatives are grouped by their pair
    of subjects and direction (seen from the pair's first subject, alphabetically); agreeing ones are chained
    (each to the previous of its group, and each group's first to the first of every other agreeing group),
    and each comparative is related to at most ``PARTNERS`` opposite ones of its own document, of its stated
    period and scope, of its stated period and source, plus the first opposite one. Opposite orders are the
    only ones that can disagree, and an established disagreement needs one of those matches
    (``pipelines.relations.established``), so a comparative in an established conflict is shown in one.
    """
    if len(comps) <= COMPARATIVE_PAIRS_UP_TO:
        out = []
        for i, first in enumerate(comps):
            for second in comps[i + 1 :]:
                between = relate_comparatives(first, second)
                if between is not None:
                    out.append(between)
        return out
    groups: dict[tuple[str, str], dict[str, list[Claim]]] = {}
    for comp in comps:
        if comp.other is None:
            continue
        low, high = sorted((comp.subject, comp.other))
        pair = (low, high)
        groups.setdefault(pair, {}).setdefault(direction_from(comp, pair[0]), []).append(comp)
    pairs: set[tuple[str, str]] = set()
    chosen: list[tuple[Claim, Claim]] = []

    def add(a: Claim, b: Claim) -> None:
        first, second = (a, b) if a.id < b.id else (b, a)
        if first.id != second.id and (first.id, second.id) not in pairs:
            pairs.add((first.id, second.id))
            chosen.append((first, second))

    for by_direction in groups.values():
        for members in by_direction.values():
            for previous, comp in zip(members, members[1:], strict=False):
                add(previous, comp)
        heads = [members[0] for members in by_direction.values()]
        for i, head in enumerate(heads):
            for other in heads[i + 1 :]:
                add(head, other)
        if by_direction.get(">") and by_direction.get("<"):
            ours, theirs = by_direction[">"], by_direction["<"]
            index: dict[tuple, list[Claim]] = {}
            for comp in theirs:
                for key in _match_keys(comp):
                    index.setdefault(key, []).append(comp)
            for comp in ours:
                for key in _match_keys(comp):
                    for match in index.get(key, [])[:PARTNERS]:
                        add(comp, match)
                add(comp, theirs[0])
            for comp in theirs:
                add(comp, ours[0])
    chosen.sort(key=lambda ab: (ab[0].id, ab[1].id))
    return [r for a, b in chosen if (r := relate_comparatives(a, b)) is not None]


def _counterpart(fig: Claim) -> Claim:
    """The figure marked as another subject's (``extra["counterpart"]``), made once per figure: a listing
    shows one figure in many clusters. Its ``extra`` is shared; readers must not modify it."""
    found = fig.__dict__.get("_as_counterpart")
    if found is None:
        found = fig.__dict__["_as_counterpart"] = replace(fig, extra={**fig.extra, "counterpart": True})
    return found


def _match_keys(comp: Claim) -> list[tuple]:
    """Keys two comparatives share when they may be established to speak of one period and population."""
    period = claim_period(comp)
    keys: list[tuple] = [("document", comp.document_id)]
    if stated(period):
        scope = normalise_scope(comp.scope)
        keys.append(("scope", period_key(period), scope.key if scope else None))
        source = source_key(comp)
        if source is not None:
            keys.append(("source", period_key(period), source))
    return keys


def judge_cluster(
    cluster: Cluster,
    own: Sequence[Claim],
    comparatives: Sequence[Claim] = (),
    other_figures: Sequence[Claim] = (),
    *,
    ratio: bool = False,
    all_pairs_up_to: int = ALL_PAIRS_UP_TO,
    max_counterparts: int = MAX_COUNTERPARTS,
    other_index: FigureIndex | None = None,
    own_index: FigureIndex | None = None,
    memo: tuple[Mapping[Hashable, Any], dict[Hashable, Any]] | None = None,
) -> Cluster:
    """Fill ``cluster`` with its claims, relations, verdict, reason and consensus.

    Args:
        cluster: The cluster's identity (id, subject, metric, key, dimension).
        own: The cluster's own figures.
        comparatives: Comparatives naming the cluster's subject on its metric (its own and the other
            subject's, the latter with ``extra["counterpart"]``).
        other_figures: Figures of the comparatives' other subjects on the metric; at most
            ``max_counterparts`` per subject are shown, those the comparatives were checked against.
        ratio: Whether the metric's figures are ratios between two subjects (speed).
        all_pairs_up_to: Own figures up to this many get every pair related; above, a summary.
        max_counterparts: Bound on another subject's figures shown in this cluster.
        other_index: ``FigureIndex(other_figures)``, when the caller keeps one for several clusters (a
            listing indexes each other subject's figures once); built here otherwise.
        own_index: ``FigureIndex(own)``, when the caller keeps it (a listing, while the figures are the same).
        memo: (earlier, now), for a caller whose claims never change under their id (a listing of a store
            that only grows): what is found in ``earlier`` is reused, and all that was used is put in ``now``.
            Kept under everything it was computed from, by id: the own figures' relations under the own
            figures, a comparative's figure relations under the figures it is related to
            (``figures_read``), the comparatives' pairs under the comparatives. None: not kept.
    """
    own_key = ("own", tuple(c.id for c in own), all_pairs_up_to)
    related = memo[0].get(own_key) if memo is not None else None
    if related is None:
        related = relate_cluster(own, all_pairs_up_to=all_pairs_up_to)
    if memo is not None:
        memo[1][own_key] = related
    relations: list[Relation] = list(related.relations)
    comps = sorted(comparatives, key=lambda c: c.id)
    if other_index is None:
        other_index = FigureIndex(other_figures if comps else ())
    if own_index is None or not comps:
        own_index = FigureIndex(own if comps else ())
    figures = FigureIndex.combine(own_index, other_index)  # bucketed once per cluster
    by_id = other_index.by_id
    cited: dict[str, list[str]] = {}
    seen: set[tuple[str, str]] = set()
    comp_relations: list[Relation] = []
    for comp in comps:
        key = ("figures", comp.id, figures_read(comp, figures, ratio=ratio)) if memo is not None else None
        found = memo[0].get(key) if memo is not None else None
        if found is None:
            found = relate_comparative_to_figures(comp, figures, ratio=ratio)
        if memo is not None:
            memo[1][key] = found
        for r in found:
            if (r.a, r.b) in seen:
                continue
            fig = by_id.get(r.b)
            if fig is not None:
                shown = cited.setdefault(fig.subject, [])
                if fig.id not in shown:
                    if len(shown) >= max_counterparts:
                        continue
                    shown.append(fig.id)
            seen.add((r.a, r.b))
            comp_relations.append(r)
    pairs_key = ("pairs", tuple(c.id for c in comps))
    paired = memo[0].get(pairs_key) if memo is not None else None
    if paired is None:
        paired = comparative_pairs(comps)
    if memo is not None:
        memo[1][pairs_key] = paired
    comp_relations += paired
    relations += comp_relations
    counterparts = [_counterpart(by_id[i]) for ids in cited.values() for i in ids]
    shown_claims = [*own, *comps, *counterparts]
    if related.exhaustive:
        counts = Counter(r.kind for r in relations)
    else:
        sampled = related.summary.get("sampled_kinds", {})
        counts = Counter({RelationKind(k): v for k, v in sampled.items()}) + Counter(r.kind for r in comp_relations)
    verdict, reason = verdict_of(relations, shown_claims, counts)
    return replace(
        cluster,
        claims=shown_claims,
        relations=relations,
        verdict=verdict,
        reason=reason,
        consensus=consensus(own),
        exhaustive=related.exhaustive,
    )
