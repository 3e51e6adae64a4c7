"""The cluster listings: every cluster's claims side by side, related and judged (``cluster_views``).

What ``claimgraph clusters`` / ``contradictions``, ``GET /clusters`` / ``/contradictions``, the web pages and
the graph exports show. Members are loaded from the store, converted to ``Claim``s (with their mentions and
fact-check), judged by ``pipelines.relations.judge.judge_cluster`` and serialised by
``pipelines.serialize.cluster_dict``. ``service.core`` re-exports the public names.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import replace

from pipelines.catalogue import default_catalogue
from pipelines.claims import Claim, Cluster, Comparator, Kind, Unit
from pipelines.relations.comparative_figures import FigureIndex
from pipelines.relations.judge import judge_cluster
from pipelines.relations.numeric_pair import overlap
from pipelines.relations.periods import claim_period
from pipelines.serialize import cluster_dict
from service.store.records import as_enum, to_claim
from service.store.repository import Store
from service.store.tables import ClaimRow, DocumentRow, MentionRow, ReferenceRow


def mention_view(doc: DocumentRow, m: MentionRow) -> dict:
    """Where a stored mention stands: document path, offsets into its original text, sentence."""
    return {
        "document": doc.path,
        "value_start": m.value_start,
        "value_end": m.value_end,
        "value_text": m.value_text,
        "sentence": m.sentence,
    }


# Metrics whose figures are themselves comparisons between two frameworks ("3x faster").
RATIO_METRICS = frozenset(m.id for m in default_catalogue().metrics.values() if m.unit_kind == "ratio")
Member = tuple[ClaimRow, DocumentRow, list[MentionRow]]


def _member_claim(member: Member, refs: Sequence[ReferenceRow]) -> Claim:
    claim, doc, mentions = member
    extra: dict[str, object] = {
        "mentions": [mention_view(doc, m) for m in mentions],
        "sentences": frozenset(m.sentence for m in mentions if m.sentence),
    }
    converted = to_claim(claim, doc)
    converted.extra.update(extra)  # a fresh claim: its extra is its own
    extra = converted.extra
    if converted.kind is Kind.NUMERIC:
        # The claim's extra is this dict: the fact-check travels with it to the serialiser.
        extra["fact_check"] = fact_check(converted, refs)
    return converted


def cluster_views(
    store: Store,
    subject: str | None = None,
    metric: str | None = None,
    *,
    only: Collection[tuple[str, str]] | None = None,
    memo: dict[str, dict] | None = None,
) -> list[dict]:
    """Every cluster with its claims side by side, the pairwise relations and the cluster's verdict.

    Orchestration only: members are loaded from the store, converted to ``Claim``s, judged by
    ``pipelines.relations.judge.judge_cluster`` and serialised by ``pipelines.serialize.cluster_dict``. A
    comparative claim ("PyTorch has surpassed TensorFlow in stars") is shown in the clusters of both its
    subjects, with the figures of the other subject it is checked against (marked ``counterpart``).

    ``only``: the clusters of these (subject, metric) pairs alone (each view the same as in the whole
    listing), for a cache that recomputes what a write touched. ``memo``: per cluster id, the comparatives'
    figure relations of the last computation, keyed by the counts of the figures they were checked against;
    only for a caller that has made sure the store only grew since (``service.api.views``).
    """
    references: dict[tuple[str, str], list[ReferenceRow]] = {}
    for ref in store.references():
        references.setdefault((ref.subject, ref.metric), []).append(ref)
    if only is None:
        loaded = store.cluster_members(subject, metric)
        wanted_metrics: list[str | None] = [metric]
    else:
        loaded = store.cluster_members(pairs=only) if only else []
        wanted_metrics = [*sorted({m for _, m in only})]
    comparatives: dict[tuple[str, str], list[Member]] = {}  # by (metric, either of the first two subjects)
    for member in (c for m in wanted_metrics for c in store.comparatives(m)):
        for named in dict.fromkeys(member[0].subjects[:2]):
            comparatives.setdefault((member[0].metric, named), []).append(member)
    figures_of: dict[tuple[str, str], list[Member]] = {}
    for cluster, members in loaded:
        figures_of.setdefault((cluster.subject, cluster.metric), []).extend(
            m for m in members if m[0].kind != "comparative"
        )

    if only is not None:
        # The other subjects whose figures the clusters' comparatives are checked against, in one read.
        counterparts = {
            (other, m[0].metric)
            for _, members in loaded
            for m in members
            if m[0].kind == "comparative" and m[0].metric != "other"
            for other in m[0].subjects[:2]
        }
        counterparts |= {
            (other, row.metric)
            for row, _ in loaded
            if row.metric != "other"
            for member in comparatives.get((row.metric, row.subject), [])
            for other in member[0].subjects[:2]
        }
        missing = counterparts - set(figures_of)
        fetched: dict[tuple[str, str], list[Member]] = {pair: [] for pair in missing}
        for cluster, members in store.cluster_members(pairs=missing) if missing else []:
            fetched[(cluster.subject, cluster.metric)].extend(m for m in members if m[0].kind != "comparative")
        figures_of.update(fetched)
    converted: dict[tuple[str, str, str], Claim] = {}
    indexed: dict[tuple[str, ...], tuple[list[Claim], FigureIndex, bool]] = {}

    def other_claim(member: Member, other: str, metric_id: str) -> Claim:
        """Another subject's figure as a claim, converted once for every cluster it is a counterpart in."""
        key = (member[0].id, other, metric_id)
        if key not in converted:
            converted[key] = _member_claim(member, references.get((other, metric_id), []))
        return converted[key]

    def figures(subject_id: str, metric_id: str) -> list[Member]:
        if (subject_id, metric_id) not in figures_of:
            fetched = store.cluster_members(subject_id, metric_id) if metric_id != "other" else []
            figures_of[(subject_id, metric_id)] = [m for _, ms in fetched for m in ms if m[0].kind != "comparative"]
        return figures_of[(subject_id, metric_id)]

    views = []
    for row, members in loaded:
        refs = references.get((row.subject, row.metric), [])
        own = [_member_claim(m, refs) for m in members if m[0].kind != "comparative"]
        own_ids = {c.id for c in own}
        comps = [_member_claim(m, refs) for m in members if m[0].kind == "comparative"]
        if row.metric != "other":
            shown = own_ids | {c.id for c in comps}
            for member in comparatives.get((row.metric, row.subject), []):
                claim = member[0]
                if claim.id not in shown:
                    other = _member_claim(member, refs)  # the other subject's comparative, seen from this one
                    comps.append(replace(other, extra={**other.extra, "counterpart": True}))
        pair_subjects = {s for c in comps for s in c.subjects[:2]} - {row.subject}
        key = (row.metric, *sorted(pair_subjects))
        if key not in indexed:  # the other subjects' figures, converted and bucketed once per listing
            others = [other_claim(m, other, row.metric) for other in key[1:] for m in figures(other, row.metric)]
            # Counts stand for the figures only where each is its cluster's subject's.
            plain = all(
                other_claim(m, other, row.metric).subject == other
                for other in key[1:]
                for m in figures(other, row.metric)
            )
            indexed[key] = (others, FigureIndex(others), plain)
        others, other_index, plain = indexed[key]
        fingerprint = None
        if memo is not None and plain and all(c.subject == row.subject for c in own):
            counts = {other: len(figures(other, row.metric)) for other in key[1:]}

            def fingerprint(
                comp: Claim, counts: dict[str, int] = counts, n_own: int = len(own), subject: str = row.subject
            ) -> tuple:
                named = sorted(set(comp.subjects[:2]) - {subject})
                return (comp.id, "counterpart" in comp.extra, n_own, tuple((s, counts.get(s)) for s in named))

        kept: dict = {}
        judged = judge_cluster(
            Cluster(id=row.id, subject=row.subject, metric=row.metric, key=row.key),
            own,
            comps,
            others,
            ratio=row.metric in RATIO_METRICS,
            other_index=other_index,
            memo=(memo.get(row.id, {}), kept) if memo is not None else None,
            fingerprint=fingerprint,
        )
        if memo is not None:
            memo[row.id] = kept
        views.append(cluster_dict(judged))
    return views


def _reference_claim(ref: ReferenceRow) -> Claim:
    return Claim(
        id=ref.id,
        document_id="",
        kind=Kind.NUMERIC,
        subjects=(ref.subject,),
        metric=ref.metric,
        value_text=ref.value_text,
        value=ref.value,
        value_high=ref.value_high,
        unit=as_enum(Unit, ref.unit, Unit.OTHER),
        comparator=as_enum(Comparator, ref.comparator, Comparator.EQ),
    )


def fact_check(claim: Claim, refs: Sequence[ReferenceRow]) -> dict:
    """``supported`` / ``refuted`` against the references of the same subject, metric and period, citing
    the reference; ``unverifiable`` when there is none."""
    period = claim_period(claim)
    year = str(period.start.year) if period is not None else None
    usable = [r for r in refs if not (year and r.time and r.time[:4] != year)]
    if not usable or not claim.numeric:
        return {"verdict": "unverifiable", "reference": None}
    mine = claim.interval()
    for r in usable:
        verdict = "supported" if overlap(mine, _reference_claim(r).interval()) else "refuted"
        if verdict == "supported" or r is usable[-1]:
            return {
                "verdict": verdict,
                "reference": {"value_text": r.value_text, "time": r.time, "source_url": r.source_url},
            }
    return {"verdict": "unverifiable", "reference": None}


def cluster_view(store: Store, cluster_id: str) -> dict | None:
    """One cluster as ``cluster_views`` shows it (claims, relations, verdict, consensus); None when unknown."""
    row = store.cluster(cluster_id)
    if row is None:
        return None
    return next((v for v in cluster_views(store, row.subject, row.metric) if v["cluster_id"] == cluster_id), None)
