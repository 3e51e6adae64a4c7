"""A cluster judged: its figures related, its comparatives checked against both subjects' figures, the
verdict set and the consensus computed. What ``service.core.cluster_views`` calls once per cluster."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import replace

from pipelines.claims import Claim, Cluster, Relation, RelationKind
from pipelines.consensus import consensus
from pipelines.relations.cluster_verdict import ALL_PAIRS_UP_TO, relate_cluster, verdict_of
from pipelines.relations.comparative_figures import MAX_COUNTERPARTS, relate_comparative_to_figures
from pipelines.relations.comparative_pair import relate_comparatives


def judge_cluster(
    cluster: Cluster,
    own: Sequence[Claim],
    comparatives: Sequence[Claim] = (),
    other_figures: Sequence[Claim] = (),
    *,
    ratio: bool = False,
    all_pairs_up_to: int = ALL_PAIRS_UP_TO,
    max_counterparts: int = MAX_COUNTERPARTS,
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
    """
    related = relate_cluster(own, all_pairs_up_to=all_pairs_up_to)
    relations: list[Relation] = list(related.relations)
    comps = sorted(comparatives, key=lambda c: c.id)
    figures = [*own, *other_figures]
    by_id = {c.id: c for c in other_figures}
    cited: dict[str, list[str]] = {}
    seen: set[tuple[str, str]] = set()
    comp_relations: list[Relation] = []
    for comp in comps:
        for r in relate_comparative_to_figures(comp, figures, ratio=ratio):
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
    bounded = comps[:ALL_PAIRS_UP_TO]
    for i, first in enumerate(bounded):
        for second in bounded[i + 1 :]:
            between = relate_comparatives(first, second)
            if between is not None:
                comp_relations.append(between)
    relations += comp_relations
    counterparts = [
        replace(by_id[i], extra={**by_id[i].extra, "counterpart": True}) for ids in cited.values() for i in ids
    ]
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
