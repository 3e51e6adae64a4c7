"""Score the claim graph against the gold groups: grouping, verdicts and, first of all, contradictions.

The system side is the product path itself. Every gold claim of every real excerpt (``gold`` mode), or
what the shipped extractor finds in the grouped excerpts (``extracted`` mode), is stored in a fresh
SQLite store through ``service.core.store_article``; the clusters, relations and verdicts are read back
with ``service.core.cluster_views``. System claims are mapped back to gold claims by where their mentions
stand: (document, value start) in gold mode, an overlapping value span in extracted mode.

Measures (``score``), over the gold groups of ``annotations/groups``:

- grouping recall: same-group gold claim pairs placed in one system cluster;
- verdict accuracy: each gold group against the verdict of the system cluster holding most of its claims;
- contradictions precision: system clusters with verdict ``conflicts`` that hold a grouped gold claim (in
  extracted mode also those that hold only claims matching no gold claim: false), the share whose
  majority gold group is a ``conflicts`` group; and per pair: system ``conflicts`` relations between two
  grouped claims, the share the gold labels ``conflicts`` (an unlabelled pair counts as not conflicting);
- contradictions recall: gold ``conflicts`` groups whose majority cluster says ``conflicts``;
- relation accuracy: labelled gold pairs whose two claims the system relates the same way (different
  clusters: no relation, wrong; one system claim for both: ``agrees``; a pair a summarised large cluster
  does not list is left out and counted apart);
- mixed-dimension clusters: system clusters whose claims have more than one unit dimension (must be 0).
"""

from __future__ import annotations

import tempfile
from collections import Counter, defaultdict
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from pipelines.annotations import GoldDocument
from pipelines.groups import GoldGroup, GoldKey, gold_claims, to_mention
from pipelines.types import Mention

Location = tuple[str, int]
"""Where a stored mention's value starts: (document name, value start in the original text)."""
MODES = ("gold", "extracted")


@dataclass(frozen=True)
class Ratio:
    hits: int
    total: int

    @property
    def value(self) -> float | None:
        return self.hits / self.total if self.total else None

    def __str__(self) -> str:
        return f"{self.value:.2f} ({self.hits}/{self.total})" if self.total else "- (0/0)"

    def as_dict(self) -> dict[str, Any]:
        return {"value": None if self.value is None else round(self.value, 4), "hits": self.hits, "total": self.total}


@dataclass
class GraphScore:
    mode: str
    grouping_recall: Ratio
    verdict_accuracy: Ratio
    contradictions_precision: Ratio
    contradictions_pair_precision: Ratio
    contradictions_recall: Ratio
    relation_accuracy: Ratio
    mixed_dimension_clusters: int
    groups: int = 0
    grouped_claims: int = 0
    grouped_claims_found: int = 0
    clusters: int = 0
    conflict_clusters: int = 0
    conflict_clusters_unjudged: int = 0
    """System ``conflicts`` clusters holding no grouped gold claim (nothing to judge them by; gold mode)."""
    pairs_unlisted: int = 0
    """Labelled pairs in one summarised cluster that its representative relations do not list."""
    false_conflicts: list[str] = field(default_factory=list)
    missed_conflicts: list[str] = field(default_factory=list)
    mixed: list[str] = field(default_factory=list)
    confusion: dict[str, int] = field(default_factory=dict)
    """``gold->system`` group verdict counts."""

    RATIOS = (
        ("contradictions precision", "contradictions_precision"),
        ("contradictions precision (pairs)", "contradictions_pair_precision"),
        ("contradictions recall", "contradictions_recall"),
        ("grouping recall", "grouping_recall"),
        ("verdict accuracy", "verdict_accuracy"),
        ("relation accuracy", "relation_accuracy"),
    )

    def rows(self) -> list[dict[str, Any]]:
        """One row per measure: ``measure``, ``score`` ("0.83 (5/6)"), and the numbers."""
        out = [
            {"measure": name, "score": str(getattr(self, attr)), **getattr(self, attr).as_dict()}
            for name, attr in self.RATIOS
        ]
        n = self.mixed_dimension_clusters
        out.append(
            {"measure": "mixed-dimension clusters", "score": str(n), "value": n, "hits": n, "total": self.clusters}
        )
        return out

    def as_dict(self) -> dict[str, Any]:
        return {
            "mode": self.mode,
            **{attr: getattr(self, attr).as_dict() for _, attr in self.RATIOS},
            "mixed_dimension_clusters": self.mixed_dimension_clusters,
            "groups": self.groups,
            "grouped_claims": self.grouped_claims,
            "grouped_claims_found": self.grouped_claims_found,
            "clusters": self.clusters,
            "conflict_clusters": self.conflict_clusters,
            "conflict_clusters_unjudged": self.conflict_clusters_unjudged,
            "pairs_unlisted": self.pairs_unlisted,
            "verdict_confusion": self.confusion,
            "false_conflicts": self.false_conflicts,
            "missed_conflicts": self.missed_conflicts,
            "mixed": self.mixed,
        }


K = TypeVar("K", bound=Hashable)


def _majority(keys: Sequence[K], order: Sequence[K | None]) -> K:
    """The most frequent of ``keys`` (not empty); ties go to the one first in ``order``."""
    counts = Counter(keys)
    rank = {k: i for i, k in enumerate(order)}
    return min(counts, key=lambda k: (-counts[k], rank.get(k, len(rank))))


def score(
    views: Sequence[dict],
    groups: Sequence[GoldGroup],
    located: dict[Location, GoldKey],
    dimensions: dict[Location, str | None] | None = None,
    *,
    mode: str = "gold",
) -> GraphScore:
    """The measures of ``cluster_views`` output against gold groups (see the module's docstring).

    Args:
        views: ``service.core.cluster_views(store)``.
        groups: the gold groups.
        located: the gold claim each stored mention stands for, by (document, value start); a mention
            missing here matches no gold claim.
        dimensions: the unit dimension of each stored mention (a view's claim may carry its own
            ``dimension``, which wins).
        mode: ``gold`` or ``extracted``: in extracted mode a ``conflicts`` cluster of claims that match no
            gold claim, and a ``conflicts`` relation with such a claim, count as false.
    """
    dimensions = dimensions or {}
    # Each system claim: its own cluster, the gold claims its mentions stand for, its dimension.
    cluster_of: dict[str, str] = {}
    gold_of: dict[str, list[GoldKey]] = {}
    claim_of_gold: dict[GoldKey, str] = {}
    dims_of_cluster: dict[str, set[str]] = defaultdict(set)
    own_claims: dict[str, list[str]] = defaultdict(list)
    view_of: dict[str, dict] = {}
    for view in views:
        cid = view["cluster_id"]
        view_of[cid] = view
        for c in view["claims"]:
            locs = [(m["document"], m["value_start"]) for m in c.get("mentions", [])]
            gold_of.setdefault(c["claim_id"], [located[loc] for loc in locs if loc in located])
            if c.get("counterpart") or c.get("cluster_id") != cid:
                continue
            cluster_of[c["claim_id"]] = cid
            own_claims[cid].append(c["claim_id"])
            for key in gold_of[c["claim_id"]]:
                claim_of_gold.setdefault(key, c["claim_id"])
            dim = c.get("dimension") or next((dimensions[loc] for loc in locs if dimensions.get(loc)), None)
            if c.get("kind", "numeric") != "comparative" and dim:
                dims_of_cluster[cid].add(dim)

    group_of: dict[GoldKey, list[GoldGroup]] = defaultdict(list)
    for g in groups:
        for key in g.keys:
            group_of[key].append(g)
    order = [g.id for g in groups]
    by_id = {g.id: g for g in groups}

    def cluster_of_gold(key: GoldKey) -> str | None:
        claim = claim_of_gold.get(key)
        return cluster_of.get(claim) if claim else None

    # Grouping recall, verdicts, contradictions recall: per gold group.
    together = pairs = 0
    verdict_hits = conflict_groups = conflict_found = 0
    confusion: Counter[str] = Counter()
    missed: list[str] = []
    majority_cluster: dict[str, str | None] = {}
    found_claims = set()
    for g in groups:
        where = [cluster_of_gold(k) for k in g.keys]
        found_claims |= {k for k, c in zip(g.keys, where, strict=True) if c is not None}
        for i in range(len(where)):
            for j in range(i + 1, len(where)):
                pairs += 1
                together += where[i] is not None and where[i] == where[j]
        found = [c for c in where if c is not None]
        top = _majority(found, where) if found else None
        majority_cluster[g.id] = top
        system = view_of[top]["verdict"] if top is not None else "missing"
        confusion[f"{g.verdict}->{system}"] += 1
        verdict_hits += system == g.verdict
        if g.verdict == "conflicts":
            conflict_groups += 1
            conflict_found += system == "conflicts"
            if system != "conflicts":
                missed.append(f"{g.id}: gold conflicts, system {system}")

    # Contradictions precision, per cluster: its majority gold group.
    judged = right = unjudged = 0
    false_conflicts: list[str] = []
    conflict_clusters = [cid for cid, v in view_of.items() if v["verdict"] == "conflicts"]
    for cid in conflict_clusters:
        keys = [k for claim in own_claims[cid] for k in gold_of.get(claim, [])]
        grouped = [g.id for k in keys for g in group_of.get(k, [])]
        unmatched = [claim for claim in own_claims[cid] if not gold_of.get(claim)]
        if not grouped:
            if mode == "extracted" and unmatched:
                judged += 1
                false_conflicts.append(f"{cid}: {len(unmatched)} claim(s) match no gold claim")
            else:
                unjudged += 1
            continue
        judged += 1
        top = _majority(grouped, order)
        if by_id[top].verdict == "conflicts":
            right += 1
        else:
            false_conflicts.append(f"{cid}: majority gold group {top} is {by_id[top].verdict}")

    # Contradictions precision, per pair of the system's conflicts relations.
    pair_judged = pair_right = 0
    seen_pairs: set[frozenset[str]] = set()
    for view in view_of.values():
        for r in view.get("relations", []):
            if r["relation"] != "conflicts" or frozenset((r["a"], r["b"])) in seen_pairs:
                continue
            seen_pairs.add(frozenset((r["a"], r["b"])))
            ga, gb = gold_of.get(r["a"], []), gold_of.get(r["b"], [])
            a_grouped = [k for k in ga if k in group_of]
            b_grouped = [k for k in gb if k in group_of]
            if a_grouped and b_grouped:
                pair_judged += 1
                pair_right += any(
                    g.label(a, b) == "conflicts" for a in a_grouped for b in b_grouped if a != b for g in group_of[a]
                )
            elif mode == "extracted" and (not ga or not gb):
                pair_judged += 1

    # Relation accuracy over labelled gold pairs.
    rel_of: dict[frozenset[str], str] = {}
    for view in views:
        for r in view.get("relations", []):
            rel_of.setdefault(frozenset((r["a"], r["b"])), r["relation"])
    rel_hits = rel_total = unlisted = 0
    for g in groups:
        for p in g.pairs:
            a, b = claim_of_gold.get(g.keys[p.a]), claim_of_gold.get(g.keys[p.b])
            if a is not None and a == b:
                system = "agrees"
            elif a is None or b is None or cluster_of.get(a) != cluster_of.get(b):
                system = "none"
            else:
                system = rel_of.get(frozenset((a, b)))
                if system is None and not view_of[cluster_of[a]].get("relations_exhaustive", True):
                    unlisted += 1
                    continue
            rel_total += 1
            rel_hits += system == p.relation

    mixed = [f"{cid}: {', '.join(sorted(d))}" for cid, d in dims_of_cluster.items() if len(d) > 1]
    return GraphScore(
        mode=mode,
        grouping_recall=Ratio(together, pairs),
        verdict_accuracy=Ratio(verdict_hits, len(groups)),
        contradictions_precision=Ratio(right, judged),
        contradictions_pair_precision=Ratio(pair_right, pair_judged),
        contradictions_recall=Ratio(conflict_found, conflict_groups),
        relation_accuracy=Ratio(rel_hits, rel_total),
        mixed_dimension_clusters=len(mixed),
        groups=len(groups),
        grouped_claims=len(group_of),
        grouped_claims_found=len(found_claims),
        clusters=len(views),
        conflict_clusters=len(conflict_clusters),
        conflict_clusters_unjudged=unjudged,
        pairs_unlisted=unlisted,
        false_conflicts=false_conflicts,
        missed_conflicts=missed,
        mixed=mixed,
        confusion=dict(sorted(confusion.items())),
    )


# --- the system side: the product's store path ------------------------------------------------------------------


def article_for(doc: GoldDocument):
    """The excerpt as ingest builds an article from text: named by its gold id, with its page's URL and date."""
    from pipelines.ingest import article_from_text

    return article_from_text(
        doc.text,
        name=doc.id,
        fmt="text",
        title=doc.meta.get("title") or None,
        url=doc.meta.get("url") or None,
        published=doc.meta.get("published") or None,
    )


def match_extracted(doc: GoldDocument, mentions: Sequence[Mention]) -> dict[Location, GoldKey]:
    """Each extracted mention's gold claim: the claim or comparative whose value span overlaps it most."""
    claims = gold_claims(doc)
    out: dict[Location, GoldKey] = {}
    for m in mentions:
        best, best_overlap = None, 0
        for i, c in enumerate(claims):
            overlap = min(c.end, m.value_end) - max(c.start, m.value_start)
            if overlap > best_overlap:
                best, best_overlap = i, overlap
        if best is not None:
            out[(doc.id, m.value_start)] = (doc.id, best)
    return out


def run(
    documents: dict[str, GoldDocument],
    groups: Sequence[GoldGroup],
    *,
    mode: str = "gold",
    extractor: Any = None,
    progress: Callable[[int, int], None] | None = None,
    workdir: Path | None = None,
) -> GraphScore:
    """Store the system's claims in a fresh SQLite store, read the clusters back and score them.

    ``gold``: every gold claim of every real excerpt. ``extracted``: what ``extractor`` finds in the
    excerpts the groups refer to. ``progress(done, total)`` hears of each document stored.
    """
    from pipelines.extract.pipeline import Extractor
    from service.core import cluster_views, extract_each, store_article
    from service.store.repository import Store

    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}")
    extractor = extractor or Extractor()
    if mode == "gold":
        docs = list(documents.values())
    else:
        wanted = {k[0] for g in groups for k in g.keys}
        docs = [documents[d] for d in sorted(wanted)]
    located: dict[Location, GoldKey] = {}
    dimensions: dict[Location, str | None] = {}
    with tempfile.TemporaryDirectory(prefix="claimgraph-graph-eval-", dir=workdir) as tmp:
        store = Store(f"sqlite:///{Path(tmp) / 'graph.db'}")
        store.migrate()
        done = 0
        if mode == "gold":
            for doc in docs:
                mentions = [to_mention(doc, c, extractor.catalogue) for c in gold_claims(doc)]
                for i, m in enumerate(mentions):
                    located[(doc.id, m.value_start)] = (doc.id, i)
                    dimensions[(doc.id, m.value_start)] = m.dimension
                store_article(store, extractor, article_for(doc), mentions)
                done += 1
                if progress:
                    progress(done, len(docs))
        else:
            batch = 8
            for lo in range(0, len(docs), batch):
                chunk = docs[lo : lo + batch]
                articles = [article_for(d) for d in chunk]
                # What service.core.process_batch does, keeping the mentions to match them to gold.
                for doc, article, extracted in zip(chunk, articles, extract_each(extractor, articles), strict=True):
                    if isinstance(extracted, Exception):
                        raise extracted
                    located.update(match_extracted(doc, extracted))
                    dimensions.update({(doc.id, m.value_start): m.dimension for m in extracted})
                    store_article(store, extractor, article, extracted)
                done += len(chunk)
                if progress:
                    progress(done, len(docs))
        views = cluster_views(store)
        store.engine.dispose()
    return score(views, groups, located, dimensions, mode=mode)


# --- the one learned number of clustering, checked by site ------------------------------------------------------

THRESHOLDS = tuple(round(0.40 + 0.05 * i, 2) for i in range(12))
"""Candidate cosines for joining ``other`` metric phrases (0.40 … 0.95)."""
MAX_FALSE_JOINS = 0.01
"""The share of kept-apart pairs a threshold may join, on the folds it is chosen on."""
MIN_APART = 100
"""Kept-apart pairs the folds a threshold is chosen on must hold (fewer: 1% of them is no join at all, and
the choice would only be the first cosine above the highest of a handful)."""


@dataclass(frozen=True)
class ThresholdFold:
    fold: int
    chosen: float | None
    """None when the other folds hold fewer than ``MIN_APART`` kept-apart pairs to choose on."""
    joined: Ratio
    """Held-out pairs the annotators grouped that reach the chosen cosine."""
    false_joins: Ratio
    """Held-out pairs the annotators kept apart that reach it."""


def other_pairs(
    documents: dict[str, GoldDocument], groups: Sequence[GoldGroup], embedder: Any, catalogue: Any
) -> list[tuple[str, str, float, bool]]:
    """Every pair of grouped gold ``other`` claims of one subject key and unit dimension — the pairs the
    ``other`` threshold decides — as (document, document, cosine of their name-free metric phrases,
    whether one group holds both)."""
    import numpy as np

    from pipelines.cluster import ClaimFrame, dimension_of, metric_text, subject_key

    group_ids: dict[GoldKey, set[str]] = defaultdict(set)
    for g in groups:
        for key in g.keys:
            group_ids[key].add(g.id)
    claims: list[tuple[GoldKey, tuple[str, str | None], str]] = []
    for key in sorted(group_ids):
        doc = documents[key[0]]
        gold = gold_claims(doc)[key[1]]
        frame = ClaimFrame.from_mention(to_mention(doc, gold, catalogue))
        if frame.metric == "other":
            claims.append((key, (subject_key(frame), dimension_of(catalogue, frame)), metric_text(catalogue, frame)))
    if not claims:
        return []
    vectors = np.asarray(embedder.embed([text for _, _, text in claims]), dtype=np.float32)
    vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
    out = []
    for i in range(len(claims)):
        for j in range(i + 1, len(claims)):
            (a, where_a, _), (b, where_b, _) = claims[i], claims[j]
            if where_a == where_b:
                out.append((a[0], b[0], float(vectors[i] @ vectors[j]), bool(group_ids[a] & group_ids[b])))
    return out


def other_threshold_folds(
    pairs: Sequence[tuple[str, str, float, bool]], fold_of: dict[str, int], folds: int, min_apart: int = MIN_APART
) -> list[ThresholdFold]:
    """Choose the ``other`` threshold on all folds but one and measure it on that one, by site: a pair is
    held out when both its pages are of the held-out fold's sites and chosen on when neither is. The
    choice: the lowest cosine of ``THRESHOLDS`` that joins at most ``MAX_FALSE_JOINS`` of the kept-apart
    pairs (the highest when none does); no choice, and nothing measured, when those are fewer than
    ``min_apart``. The choices of different folds share most of their pairs: they are not independent."""
    out = []
    for fold in range(folds):
        train = [(s, same) for a, b, s, same in pairs if fold_of[a] != fold and fold_of[b] != fold]
        test = [(s, same) for a, b, s, same in pairs if fold_of[a] == fold and fold_of[b] == fold]
        apart = [s for s, same in train if not same]
        if len(apart) < min_apart:
            out.append(ThresholdFold(fold=fold, chosen=None, joined=Ratio(0, 0), false_joins=Ratio(0, 0)))
            continue
        chosen = next(
            (t for t in THRESHOLDS if sum(s >= t for s in apart) <= MAX_FALSE_JOINS * len(apart)), THRESHOLDS[-1]
        )
        joined, false_joins = joined_at(test, chosen)
        out.append(ThresholdFold(fold=fold, chosen=chosen, joined=joined, false_joins=false_joins))
    return out


def joined_at(pairs: Sequence[tuple[float, bool]], threshold: float) -> tuple[Ratio, Ratio]:
    """Of (cosine, grouped) pairs, the grouped ones and the kept-apart ones that reach ``threshold``."""
    grouped = [s for s, same in pairs if same]
    apart = [s for s, same in pairs if not same]
    return Ratio(sum(s >= threshold for s in grouped), len(grouped)), Ratio(
        sum(s >= threshold for s in apart), len(apart)
    )
