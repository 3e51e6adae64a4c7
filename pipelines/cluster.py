"""Which cluster a claim belongs to: its subject and catalogue metric, or — for ``other`` metrics — the
nearest existing cluster of the same subject by the embedding of its value-free key.

Assignment is incremental and ids are stable: a catalogue-metric cluster's id is a hash of
(subject, metric); an ``other`` cluster's id is the hash of the key that opened it.

The ``other`` clusters are searched through an :class:`OtherIndex` — one matrix of unit vectors per
subject, grown in place — so placing an article's claims costs one matrix product per subject, not a
Python loop over every cluster ever stored.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from pipelines.catalogue import Catalogue
from pipelines.embed import Embedder
from pipelines.types import content_id

OTHER_SIMILARITY = 0.75


@dataclass(frozen=True, slots=True)
class ClusterRef:
    id: str
    subject: str
    metric: str
    key: str
    embedding: tuple[float, ...] | None = None


def claim_key(catalogue: Catalogue, subject: str, metric: str, phrase: str | None) -> str:
    """The value-free key of a claim: "PyTorch — share of research papers …" or the kept phrase."""
    name = catalogue.frameworks[subject].name if subject in catalogue.frameworks else subject
    what = phrase if metric == "other" else catalogue.metrics[metric].description
    return f"{name} — {what or metric}"


class _SubjectMatrix:
    """The unit vectors of one subject's ``other`` clusters, rows in insertion order; capacity doubles."""

    __slots__ = ("refs", "matrix")

    def __init__(self, dim: int) -> None:
        self.refs: list[ClusterRef] = []
        self.matrix = np.zeros((8, dim), dtype=np.float32)

    def add(self, ref: ClusterRef, vector: np.ndarray) -> None:
        n = len(self.refs)
        if n == self.matrix.shape[0]:
            grown = np.zeros((2 * n, self.matrix.shape[1]), dtype=np.float32)
            grown[:n] = self.matrix
            self.matrix = grown
        self.matrix[n] = vector
        self.refs.append(ref)

    def best(self, vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """For each row of ``vectors``: the index of the most similar cluster and that cosine (-inf if
        there is none). Ties go to the cluster added last, as the linear scan this replaces did."""
        n = len(self.refs)
        if n == 0:
            return np.full(len(vectors), -1), np.full(len(vectors), -np.inf, dtype=np.float32)
        sims = self.matrix[:n] @ vectors.T  # (clusters, claims): one BLAS call
        last = n - 1 - sims[::-1].argmax(axis=0)
        return last, sims[last, np.arange(len(vectors))]


class OtherIndex:
    """Nearest-cluster index over ``other`` clusters, per subject, kept up to date incrementally.

    ``add`` is O(dim) amortised; ``nearest`` is one matrix-vector product over the subject's clusters
    (numpy, no Python loop). Clusters without an embedding are ignored, as before.
    """

    def __init__(self, refs: Iterable[ClusterRef] = ()) -> None:
        self._subjects: dict[str, _SubjectMatrix] = {}
        self._ids: set[str] = set()
        for ref in refs:
            self.add(ref)

    def __len__(self) -> int:
        return len(self._ids)

    def __contains__(self, cluster_id: object) -> bool:
        return cluster_id in self._ids

    def subjects(self) -> list[str]:
        return list(self._subjects)

    def count(self, subject: str) -> int:
        m = self._subjects.get(subject)
        return len(m.refs) if m else 0

    def refs(self, subject: str) -> list[ClusterRef]:
        m = self._subjects.get(subject)
        return list(m.refs) if m else []

    def add(self, ref: ClusterRef) -> bool:
        """Index a cluster; False when it is already indexed or has no embedding."""
        if ref.id in self._ids or ref.embedding is None or ref.metric != "other":
            return False
        vector = np.asarray(ref.embedding, dtype=np.float32)
        m = self._subjects.get(ref.subject)
        if m is None:
            m = self._subjects[ref.subject] = _SubjectMatrix(len(vector))
        m.add(ref, vector)
        self._ids.add(ref.id)
        return True

    def nearest(self, subject: str, vectors: np.ndarray) -> list[tuple[ClusterRef | None, float]]:
        """The most similar indexed cluster of ``subject`` for each row of ``vectors``, with the cosine."""
        m = self._subjects.get(subject)
        if m is None or not m.refs:
            return [(None, float("-inf"))] * len(vectors)
        idx, sims = m.best(np.asarray(vectors, dtype=np.float32))
        return [(m.refs[int(i)], float(s)) for i, s in zip(idx, sims, strict=True)]


@lru_cache(maxsize=4096)
def _catalogue_cluster(catalogue: Catalogue, subject: str, metric: str) -> ClusterRef:
    """The cluster of a catalogue metric: a pure function of (subject, metric), so made once."""
    return ClusterRef(
        content_id(subject, metric, prefix="k_"), subject, metric, claim_key(catalogue, subject, metric, None)
    )


def assign(
    catalogue: Catalogue,
    embedder: Embedder,
    claims: Sequence[tuple[str, str, str | None]],
    existing_other: Sequence[ClusterRef] | OtherIndex,
) -> list[ClusterRef]:
    """A cluster for each (subject, metric, metric phrase); new ``other`` clusters are returned with
    their embedding so that later claims can join them.

    ``existing_other`` is an :class:`OtherIndex` (the scalable path: the store keeps one) or a plain
    sequence of clusters, indexed here. The index is only read: clusters opened by these claims are
    kept aside until the caller stores them, so a failed write leaves no phantom cluster behind.
    """
    index = existing_other if isinstance(existing_other, OtherIndex) else OtherIndex(existing_other)
    out: list[ClusterRef | None] = [None] * len(claims)
    others: list[int] = []
    for i, (subject, metric, _phrase) in enumerate(claims):
        if metric != "other":
            out[i] = _catalogue_cluster(catalogue, subject, metric)
        else:
            others.append(i)
    if not others:
        return [ref for ref in out if ref is not None]
    keys = [claim_key(catalogue, claims[i][0], "other", claims[i][2]) for i in others]
    vectors = np.asarray(embedder.embed(keys), dtype=np.float32)
    by_subject: dict[str, list[int]] = {}
    for j, i in enumerate(others):
        by_subject.setdefault(claims[i][0], []).append(j)
    for subject, rows in by_subject.items():
        stored = index.nearest(subject, vectors[rows])
        opened: _SubjectMatrix | None = None  # clusters opened by this call, searched after the stored ones
        for j, (best, best_sim) in zip(rows, stored, strict=True):
            if opened is not None:
                k, sim = opened.best(vectors[j : j + 1])
                if sim[0] >= OTHER_SIMILARITY and sim[0] >= best_sim:
                    best, best_sim = opened.refs[int(k[0])], float(sim[0])
            if best is None or best_sim < OTHER_SIMILARITY:
                key = keys[j]
                best = ClusterRef(
                    content_id(subject, "other", key, prefix="k_"),
                    subject,
                    "other",
                    key,
                    tuple(vectors[j].tolist()),
                )
                opened = opened or _SubjectMatrix(vectors.shape[1])
                opened.add(best, vectors[j])
            out[others[j]] = best
    return [ref for ref in out if ref is not None]
