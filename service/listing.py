"""The cluster listings: every cluster's claims side by side, related and judged (``cluster_views``).

What ``claimgraph clusters`` / ``contradictions``, ``GET /clusters`` / ``/contradictions``, the web pages and
the graph exports show. Members are loaded from the store, converted to ``Claim``s (with their mentions and
fact-check), judged by ``pipelines.relations.judge.judge_cluster`` and serialised by
``pipelines.serialize.cluster_dict``. ``service.core`` re-exports the public names.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Hashable, Sequence
from dataclasses import replace
from typing import Any, Literal, TypeVar

from pipelines.catalogue import default_catalogue
from pipelines.claims import Claim, Cluster, Comparator, Kind, Unit
from pipelines.relations.comparative_figures import FigureIndex
from pipelines.relations.intervals import overlap
from pipelines.relations.judge import judge_cluster
from pipelines.relations.periods import claim_period
from pipelines.serialize import claim_dict, cluster_dict
from service.store.records import as_enum, to_claim
from service.store.repository import ClaimKey, Store
from service.store.tables import ClaimRow, ClusterRow, DocumentRow, MentionRow, ReferenceRow


def mention_view(doc: DocumentRow, m: MentionRow, *, full: bool = False) -> dict:
    """Where a stored mention stands: document path, offsets into its original text, sentence; ``full`` adds
    its id, the sentence's offsets, its confidence and the slot spans (one claim or one document shown)."""
    view = {
        "document": doc.path,
        "value_start": m.value_start,
        "value_end": m.value_end,
        "value_text": m.value_text,
        "sentence": m.sentence,
    }
    if full:
        view |= {
            "mention_id": m.id,
            "sentence_start": m.sentence_start,
            "sentence_end": m.sentence_end,
            "confidence": m.confidence,
            "spans": m.spans,
        }
    return view


# Metrics whose figures are themselves comparisons between two frameworks ("3x faster").
T = TypeVar("T")
RATIO_METRICS = frozenset(m.id for m in default_catalogue().metrics.values() if m.unit_kind == "ratio")
Member = tuple[ClaimRow, DocumentRow, list[MentionRow]]


def claim_record(member: Member, *, mentions: Literal["place", "full", "none"] = "place") -> dict:
    """A stored claim (with its document and mentions) as every claim list shows it: ``claim_dict`` of the
    converted claim, so its time is the period its cluster's relations are judged on.

    ``mentions``: ``place`` (document, offsets, sentence), ``full`` (also ids, sentence offsets, confidence
    and slot spans: one claim or one document shown) or ``none`` (a list of claims)."""
    record = claim_dict(_member_claim(member, None, full_mentions=mentions == "full"))
    for listing_only in ("fact_check", "counterpart"):  # a cluster listing's, not the stored claim's
        del record[listing_only]
    if mentions == "none":
        del record["mentions"]
    return record


def _member_claim(member: Member, refs: Sequence[ReferenceRow] | None, *, full_mentions: bool = False) -> Claim:
    """A stored claim as a listing shows it; fact-checked against ``refs`` (not when None)."""
    claim, doc, mentions = member
    extra: dict[str, object] = {
        "mentions": [mention_view(doc, m, full=full_mentions) for m in mentions],
        "sentences": frozenset(m.sentence for m in mentions if m.sentence),
    }
    converted = to_claim(claim, doc)
    converted.extra.update(extra)  # a fresh claim: its extra is its own
    extra = converted.extra
    if converted.kind is Kind.NUMERIC and refs is not None:
        # The claim's extra is this dict: the fact-check travels with it to the serialiser.
        extra["fact_check"] = fact_check(converted, refs)
    return converted


class ListingMemo:
    """What ``cluster_views`` keeps from one call to the next, for a caller that has made sure the store only
    grew since the memo was made: no claim, document or reference changed or went (``service.api.views``
    starts a new memo otherwise). All of it follows from rows that never change once stored, so a listing
    computed with it is the listing computed without it:

    * ``claims``: each claim converted once (shown time, mentions), and per (subject, metric) whose references
      fact-check it; its rows are read only the first time (``Store.claim_members``), the listing's shape from
      ids and columns (``Store.cluster_member_keys``);
    * ``subject_indexes``, ``indexes``, ``own_indexes``: the figures a cluster checks its comparatives against
      (each other subject's, those of the subjects a cluster pairs with, the cluster's own), bucketed, while
      they are the same figures;
    * ``judged``: per cluster id, what ``judge_cluster`` reused or computed (its ``memo``, kept by id);
    * ``dicts``: each claim serialised once.
    """

    def __init__(self) -> None:
        self.claims: dict[tuple[str, ...], Claim] = {}
        self.subject_indexes: dict[tuple[str, str], tuple[list[Claim], FigureIndex]] = {}
        self.indexes: dict[tuple[str, ...], tuple[list[FigureIndex], FigureIndex]] = {}
        self.own_indexes: dict[str, tuple[list[Claim], FigureIndex]] = {}
        self.judged: dict[str, dict] = {}
        self.dicts: dict[int, tuple[Claim, dict]] = {}

    def claim_dict(self, claim: Claim) -> dict:
        """``claim_dict(claim)``, once per claim (the claim is held with it, so its id is never reused here)."""
        found = self.dicts.get(id(claim))
        if found is None or found[0] is not claim:
            found = self.dicts[id(claim)] = (claim, claim_dict(claim))
        return found[1]


def _kept(kept: dict[Any, tuple[list, T]] | None, key: Hashable, made_of: list, make: Callable[[list], T]) -> T:
    """``make(made_of)``, or what it made before under ``key`` from the same objects (with a memo)."""
    found = kept.get(key) if kept is not None else None
    if found is not None and len(found[0]) == len(made_of):
        if all(a is b for a, b in zip(found[0], made_of, strict=True)):
            return found[1]
    made = make(made_of)
    if kept is not None:
        kept[key] = (made_of, made)
    return made


class _Claims:
    """The claims of one ``cluster_views`` call, as the store holds them: from their rows (read with the
    listing's shape), or, given a ``ListingMemo``, from the memo, reading rows only for the claims it lacks."""

    def __init__(self, store: Store, memo: ListingMemo | None) -> None:
        self.store = store
        self.memo = memo
        self.references: dict[tuple[str, str], list[ReferenceRow]] = {}
        for ref in store.references():
            self.references.setdefault((ref.subject, ref.metric), []).append(ref)
        self.converted: dict[tuple[str, ...], Claim] = memo.claims if memo is not None else {}
        self._rows: dict[str, Member] = {}

    def cluster_members(
        self, subject: str | None = None, metric: str | None = None, *, pairs: Collection[tuple[str, str]] | None = None
    ) -> list[tuple[ClusterRow, list[ClaimRow | ClaimKey]]]:
        """``Store.cluster_members``, each member as its claim row (or its key, with a memo)."""
        if self.memo is None:
            found = self.store.cluster_members(subject, metric, pairs=pairs)
            self._rows.update((m[0].id, m) for _, members in found for m in members)
            return [(cluster, [m[0] for m in members]) for cluster, members in found]
        keyed = self.store.cluster_member_keys(subject, metric, pairs=pairs)
        self._read([k for _, keys in keyed for k in keys])
        return [(cluster, list(keys)) for cluster, keys in keyed]

    def comparatives(self, metric: str | None) -> list[ClaimRow | ClaimKey]:
        """``Store.comparatives(metric)``, each as its claim row (or its key, with a memo)."""
        if self.memo is None:
            found = self.store.comparatives(metric)
            self._rows.update((m[0].id, m) for m in found)
            return [m[0] for m in found]
        keys = self.store.comparative_keys(metric)
        self._read(keys)
        return list(keys)

    def _read(self, keys: Sequence[ClaimKey]) -> None:
        """The rows of the claims the memo has not converted yet (new since it was made), in one read."""
        missing = [k.id for k in keys if (k.id,) not in self.converted and k.id not in self._rows]
        if missing:
            self._rows.update(self.store.claim_members(missing))

    def claim(self, row: ClaimRow | ClaimKey, subject: str, metric: str, *, shared: bool = True) -> Claim:
        """The claim as a listing shows it, fact-checked against the references of (``subject``, ``metric``).
        ``shared``: shown in other clusters too (another subject's figure), so kept for them even without a
        memo; a cluster's own members are not, so that a listing holds only the claims it is judging."""
        key = (row.id, subject, metric)
        found = self.converted.get(key)
        if found is not None:
            return found
        if self.memo is None:
            found = _member_claim(self._rows[row.id], self.references.get((subject, metric), []))
            if not shared:
                return found
        else:
            base = self.converted.get((row.id,))
            if base is None:  # converted without its fact-check, once; rows read are let go
                base = self.converted[(row.id,)] = _member_claim(self._rows.pop(row.id), None)
            found = base
            if base.kind is Kind.NUMERIC:
                checked = fact_check(base, self.references.get((subject, metric), []))
                found = replace(base, extra={**base.extra, "fact_check": checked})
        self.converted[key] = found
        return found

    def counterpart(self, row: ClaimRow | ClaimKey, subject: str, metric: str) -> Claim:
        """Another subject's comparative, seen from a cluster of ``subject`` (marked ``counterpart``)."""
        key = (row.id, subject, metric, "counterpart")
        found = self.converted.get(key)
        if found is None:
            other = self.claim(row, subject, metric, shared=self.memo is not None)
            found = replace(other, extra={**other.extra, "counterpart": True})
            if self.memo is not None:
                self.converted[key] = found
        return found


def cluster_views(
    store: Store,
    subject: str | None = None,
    metric: str | None = None,
    *,
    only: Collection[tuple[str, str]] | None = None,
    memo: ListingMemo | None = None,
) -> list[dict]:
    """Every cluster with its claims side by side, the pairwise relations and the cluster's verdict.

    Orchestration only: members are loaded from the store, converted to ``Claim``s, judged by
    ``pipelines.relations.judge.judge_cluster`` and serialised by ``pipelines.serialize.cluster_dict``. A
    comparative claim ("PyTorch has surpassed TensorFlow in stars") is shown in the clusters of both its
    subjects, with the figures of the other subject it is checked against (marked ``counterpart``).

    ``only``: the clusters of these (subject, metric) pairs alone (each view the same as in the whole
    listing), for a cache that recomputes what a write touched. ``memo``: what the last calls converted,
    indexed and judged (``ListingMemo``), reused; only for a caller that has made sure the store only grew
    since (``service.api.views``). The views are the same with or without it; with it, they share their
    claims' dictionaries with earlier views, and must not be modified.
    """
    claims = _Claims(store, memo)
    if only is None:
        loaded = claims.cluster_members(subject, metric)
        wanted_metrics: list[str | None] = [metric]
    else:
        loaded = claims.cluster_members(pairs=only) if only else []
        wanted_metrics = [*sorted({m for _, m in only})]
    comparatives: dict[tuple[str, str], list[ClaimRow | ClaimKey]] = {}  # by (metric, either of the first two subjects)
    for member in (c for m in wanted_metrics for c in claims.comparatives(m)):
        for named in dict.fromkeys((member.subjects or [])[:2]):
            comparatives.setdefault((member.metric, named), []).append(member)
    figures_of: dict[tuple[str, str], list[ClaimRow | ClaimKey]] = {}
    for cluster, members in loaded:
        figures_of.setdefault((cluster.subject, cluster.metric), []).extend(
            m for m in members if m.kind != "comparative"
        )

    if only is not None:
        # The other subjects whose figures the clusters' comparatives are checked against, in one read.
        counterparts = {
            (other, m.metric)
            for _, members in loaded
            for m in members
            if m.kind == "comparative" and m.metric != "other"
            for other in (m.subjects or [])[:2]
        }
        counterparts |= {
            (other, row.metric)
            for row, _ in loaded
            if row.metric != "other"
            for member in comparatives.get((row.metric, row.subject), [])
            for other in (member.subjects or [])[:2]
        }
        missing = counterparts - set(figures_of)
        fetched: dict[tuple[str, str], list[ClaimRow | ClaimKey]] = {pair: [] for pair in missing}
        for cluster, members in claims.cluster_members(pairs=missing) if missing else []:
            fetched[(cluster.subject, cluster.metric)].extend(m for m in members if m.kind != "comparative")
        figures_of.update(fetched)
    indexed: dict[tuple[str, ...], FigureIndex] = {}

    def figures(subject_id: str, metric_id: str) -> list[ClaimRow | ClaimKey]:
        if (subject_id, metric_id) not in figures_of:
            fetched = claims.cluster_members(subject_id, metric_id) if metric_id != "other" else []
            figures_of[(subject_id, metric_id)] = [m for _, ms in fetched for m in ms if m.kind != "comparative"]
        return figures_of[(subject_id, metric_id)]

    subject_indexes: dict[tuple[str, str], tuple[list[Claim], FigureIndex]] = memo.subject_indexes if memo else {}

    def subject_index(subject_id: str, metric_id: str) -> FigureIndex:
        """One other subject's figures, converted and bucketed once for every cluster they are counterparts
        in (with a memo, kept while they are the same figures)."""
        others = [claims.claim(m, subject_id, metric_id) for m in figures(subject_id, metric_id)]
        return _kept(subject_indexes, (subject_id, metric_id), others, FigureIndex)

    def other_index(key: tuple[str, ...]) -> FigureIndex:
        """The figures of the other subjects in ``key`` (metric, subjects...), bucketed once per listing: the
        subjects' indexes joined."""
        parts = [subject_index(other, key[0]) for other in key[1:]]
        return _kept(memo.indexes if memo else None, key, parts, lambda ps: FigureIndex.combine(*ps))

    views = []
    for row, members in loaded:
        own = [claims.claim(m, row.subject, row.metric, shared=False) for m in members if m.kind != "comparative"]
        own_ids = {c.id for c in own}
        comps = [claims.claim(m, row.subject, row.metric, shared=False) for m in members if m.kind == "comparative"]
        if row.metric != "other":
            shown = own_ids | {c.id for c in comps}
            for member in comparatives.get((row.metric, row.subject), []):
                if member.id not in shown:  # the other subject's comparative, seen from this one
                    comps.append(claims.counterpart(member, row.subject, row.metric))
        pair_subjects = {s for c in comps for s in c.subjects[:2]} - {row.subject}
        key = (row.metric, *sorted(pair_subjects))
        if key not in indexed:
            indexed[key] = other_index(key)
        others = indexed[key]
        kept: dict = {}
        judged = judge_cluster(
            Cluster(id=row.id, subject=row.subject, metric=row.metric, key=row.key),
            own,
            comps,
            ratio=row.metric in RATIO_METRICS,
            other_index=others,
            own_index=_kept(memo.own_indexes if memo else None, row.id, own, FigureIndex) if comps else None,
            memo=(memo.judged.get(row.id, {}), kept) if memo is not None else None,
        )
        if memo is not None:
            memo.judged[row.id] = kept
        views.append(cluster_dict(judged, memo.claim_dict if memo is not None else claim_dict))
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
