"""Which cluster a claim belongs to: claims meet only when they share their subject key (the subject with
its version, and for a comparison or a combination the other subjects), their property and their unit
dimension. A catalogue metric is the property itself; an ``other`` metric meets the stored ``other``
clusters of the same subject key and dimension by the embedding of its metric phrase, framework names
left out, and joins one only when it is close to *every* phrase that cluster holds (complete link), so a
chain of near neighbours never drifts from "lines of code" to "GitHub stars".

Assignment is incremental and ids are stable: a catalogue-metric cluster of one framework without a
version, in the metric's own dimension, keeps the id it always had, a hash of (subject, metric); any
other frame hashes the full key. An ``other`` cluster's id is the hash of the key that opened it.

The ``other`` clusters are searched through an :class:`OtherIndex` — per subject key and dimension, one
matrix of the unit vectors of every cluster's member phrases (at most ``MAX_MEMBER_VECTORS`` each),
grown in place — so placing an article's claims costs one matrix product per subject key, not a Python
loop over every cluster ever stored.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np

from pipelines.catalogue import Catalogue
from pipelines.embed import Embedder
from pipelines.types import content_id

if TYPE_CHECKING:
    from pipelines.types import Mention

OTHER_SIMILARITY = 0.70
"""Cosine two name-free metric phrases of ``other`` need to share a cluster (complete link): over the gold
groups' ``other`` claims, 443 of 506 pairs the annotators grouped reach it and 1 of 404 they kept apart.
Chosen on four site folds and measured on the fifth (``claimgraph annotations groups threshold``): 0.70
each of the four times there are kept-apart pairs enough to choose on, but those choices rest mostly on one
fold's negatives (366 of the 404), which cannot itself be held out; held out elsewhere 0.70 joins 0 of 14
kept-apart pairs. More kept-apart ``other`` pairs from other sites would test it better."""
MAX_MEMBER_VECTORS = 64
"""Member phrase vectors kept per ``other`` cluster: a join is checked against at most these."""
DUPLICATE_SIMILARITY = 0.98
"""A member phrase this close to one already kept adds no constraint and is not kept again."""
FORM_WORDS = {"versus": "vs", "either": "or", "sum": "+", "migration": "to"}
RELATIVE_DIMENSIONS = frozenset({"ratio", "change"})
"""Dimensions a value of one subject relative to another can have ("1.3x faster than TensorFlow")."""


@dataclass(frozen=True, slots=True)
class ClusterRef:
    id: str
    subject: str
    metric: str
    key: str
    embedding: tuple[float, ...] | None = None
    """For ``other``: the vector of the metric phrase that opened the cluster."""
    dimension: str | None = None
    """The unit dimension of the cluster's claims (None: not known, clusters stored before it was kept)."""
    subject_key: str | None = None
    """The subject with version and form (``subject_key``); None when it is ``subject`` alone."""
    member: tuple[float, ...] | None = None
    """Set on the ref returned for a claim that joins an ``other`` cluster: its phrase vector, to be kept
    with the cluster's members (None when the cluster holds enough or one just like it)."""
    member_id: str | None = None

    @property
    def group(self) -> tuple[str, str | None]:
        """What an ``other`` claim must share with the cluster to be compared at all."""
        return (self.subject_key or self.subject, self.dimension)


@dataclass(frozen=True, slots=True)
class ClaimFrame:
    """What places a claim: subject form, property and unit dimension."""

    subject: str
    metric: str
    phrase: str | None = None
    version: str | None = None
    form: str = "single"
    subjects: tuple[str, ...] = ()
    """Every subject, the claim's own first (as ``Mention.subjects``)."""
    version2: str | None = None
    dimension: str | None = None

    @classmethod
    def of(cls, claim: ClaimFrame | tuple[str, str, str | None]) -> ClaimFrame:
        """A frame from itself or from a plain (subject, metric, metric phrase)."""
        if isinstance(claim, ClaimFrame):
            return claim
        subject, metric, phrase = claim
        return cls(subject, metric, phrase)

    @classmethod
    def from_mention(cls, m: Mention) -> ClaimFrame:
        return cls(
            subject=m.subject or "",
            metric=m.metric,
            phrase=m.metric_phrase,
            version=m.version,
            form=m.form or "single",
            subjects=tuple(m.subjects),
            version2=m.version2,
            dimension=m.dimension,
        )

    @property
    def others(self) -> tuple[str, ...]:
        """The subjects besides the claim's own (none for a single subject)."""
        if self.form == "single":
            return ()
        if self.subjects and self.subjects[0] == self.subject:
            return self.subjects[1:]
        return tuple(s for s in self.subjects if s != self.subject)


def subject_key(frame: ClaimFrame) -> str:
    """``pytorch``, ``tensorflow@2.0``, ``pytorch|versus|tensorflow``, ``pytorch@1.4|versus|pytorch@1.13``."""
    head = f"{frame.subject}@{frame.version}" if frame.version else frame.subject
    if frame.form == "single":
        return head
    others = list(frame.others)
    if others and frame.version2:
        others[0] = f"{others[0]}@{frame.version2}"
    return "|".join([head, frame.form, *others])


def dimension_of(catalogue: Catalogue, frame: ClaimFrame) -> str | None:
    """The claim's unit dimension, else its catalogue metric's (None for ``other`` without one)."""
    if frame.dimension:
        return frame.dimension
    metric = catalogue.metrics.get(frame.metric)
    if metric is None or metric.dimension == "any":
        return None
    return metric.dimension


def framed(catalogue: Catalogue, frame: ClaimFrame) -> ClaimFrame:
    """The frame as clustering reads it: a comparison ("versus") is a ratio of one subject to another, so a
    figure of another dimension compared with nothing ("over 75% of papers use PyTorch, replacing
    TensorFlow") is its first subject's own figure."""
    dimension = dimension_of(catalogue, frame)
    if frame.form == "versus" and dimension is not None and dimension not in RELATIVE_DIMENSIONS:
        return replace(frame, form="single", subjects=(frame.subject,), version2=None)
    return frame


def _is_plain(catalogue: Catalogue, frame: ClaimFrame) -> bool:
    """One framework, no version, the metric's own dimension: the frame every cluster had before."""
    if frame.version or frame.form != "single":
        return False
    metric = catalogue.metrics.get(frame.metric)
    own = metric.dimension if metric is not None and metric.dimension != "any" else None
    return frame.dimension is None or frame.dimension == own


def _name(catalogue: Catalogue, subject: str, version: str | None = None) -> str:
    name = catalogue.frameworks[subject].name if subject in catalogue.frameworks else subject
    return f"{name} {version}" if version else name


def claim_key(
    catalogue: Catalogue, subject: str, metric: str, phrase: str | None, frame: ClaimFrame | None = None
) -> str:
    """The value-free key of a claim: "PyTorch — share of research papers …", "TensorFlow 2.0 — release
    date", "PyTorch vs TensorFlow — training speed ratio", or the kept phrase of an ``other`` metric."""
    what = phrase if metric == "other" else catalogue.metrics[metric].description
    if frame is None:
        return f"{_name(catalogue, subject)} — {what or metric}"
    names = _name(catalogue, subject, frame.version)
    others = list(frame.others)
    if others:
        joined = [_name(catalogue, s, frame.version2 if n == 0 else None) for n, s in enumerate(others)]
        names = f" {FORM_WORDS.get(frame.form, frame.form)} ".join([names, *joined])
    key = f"{names} — {what or metric}"
    dimension = frame.dimension
    metric_row = catalogue.metrics.get(metric)
    if dimension and metric != "other" and metric_row is not None and dimension != metric_row.dimension:
        key += f" ({dimension})"
    return key


_POSSESSIVE = r"(?:['’]s?\b)?"


def metric_text(catalogue: Catalogue, frame: ClaimFrame) -> str:
    """The metric phrase without the framework names in it ("PyTorch's monthly downloads" -> "monthly
    downloads"): what ``other`` clusters are matched on, so the name never dominates the comparison."""
    names = (frame.subject, *frame.subjects)
    return _metric_text(catalogue, frame.phrase or "", names, (frame.version, frame.version2)) or frame.metric


@lru_cache(maxsize=65536)
def _metric_text(catalogue: Catalogue, phrase: str, subjects: tuple[str, ...], versions: tuple[str | None, ...]) -> str:
    text = phrase
    names = {name for sid in subjects for name in catalogue.names_of(sid)}
    for name in sorted(names, key=len, reverse=True):
        text = re.sub(rf"(?i)(?<![\w.]){re.escape(name)}(?!\w){_POSSESSIVE}", " ", text)
    for hit in reversed(catalogue.find_frameworks(text)):
        tail = re.match(_POSSESSIVE, text[hit.end :])
        text = text[: hit.start] + " " + text[hit.end + (tail.end() if tail else 0) :]
    for version in versions:
        if version:
            text = re.sub(rf"(?<![\w.]){re.escape(version)}(?![\w.])", " ", text)
    text = " ".join(text.split()).strip(" -—–:;,.()")
    return text or phrase


class _Group:
    """The ``other`` clusters of one subject key and dimension: every kept member vector of every cluster
    is a row of one matrix (capacity doubles), ``owner`` says whose."""

    __slots__ = ("refs", "matrix", "owner", "rows", "members", "_order")

    def __init__(self, dim: int) -> None:
        self.refs: list[ClusterRef] = []
        self.matrix = np.zeros((8, dim), dtype=np.float32)
        self.owner = np.zeros(8, dtype=np.int64)
        self.rows = 0
        self.members: list[list[int]] = []
        self._order: tuple[np.ndarray, np.ndarray] | None = None

    def _row(self, vector: np.ndarray, owner: int) -> None:
        n = self.rows
        if n == self.matrix.shape[0]:
            grown = np.zeros((2 * n, self.matrix.shape[1]), dtype=np.float32)
            grown[:n] = self.matrix
            self.matrix = grown
            self.owner = np.concatenate([self.owner, np.zeros(n, dtype=np.int64)])
        self.matrix[n] = vector
        self.owner[n] = owner
        self.members[owner].append(n)
        self.rows += 1
        self._order = None

    def add(self, ref: ClusterRef, vector: np.ndarray) -> int:
        self.refs.append(ref)
        self.members.append([])
        self._row(vector, len(self.refs) - 1)
        return len(self.refs) - 1

    def add_member(self, cluster: int, vector: np.ndarray) -> bool:
        if len(self.members[cluster]) >= MAX_MEMBER_VECTORS:
            return False
        self._row(vector, cluster)
        return True

    def vectors(self, cluster: int) -> np.ndarray:
        return self.matrix[self.members[cluster]]

    def least(self, vectors: np.ndarray) -> np.ndarray:
        """(clusters, claims): each claim's lowest cosine to any member of each cluster (one BLAS call)."""
        if self._order is None:
            order = np.argsort(self.owner[: self.rows], kind="stable")
            owners = self.owner[order]
            starts = np.flatnonzero(np.r_[True, owners[1:] != owners[:-1]])
            self._order = (order, starts)
        order, starts = self._order
        sims = self.matrix[: self.rows] @ vectors.T  # (rows, claims); reordering that is cheap, the matrix is not
        return np.minimum.reduceat(sims[order], starts, axis=0)


def _last_best(sims: np.ndarray) -> tuple[int, float]:
    """The index of the highest value, the last one on ties (the cluster added last), and the value."""
    k = len(sims) - 1 - int(np.argmax(sims[::-1]))
    return k, float(sims[k])


class OtherIndex:
    """Complete-link index over ``other`` clusters, per subject key and dimension, kept up incrementally.

    ``add`` and ``add_member`` are O(dim) amortised; ``nearest`` is one matrix product over the member
    vectors of the clusters that share the claim's subject key and dimension (numpy, no Python loop).
    Clusters without an embedding are ignored, as before.
    """

    def __init__(self, refs: Iterable[ClusterRef] = ()) -> None:
        self._groups: dict[tuple[str, str | None], _Group] = {}
        self._subjects: dict[str, list[ClusterRef]] = {}
        self._where: dict[str, tuple[_Group, int]] = {}
        self._member_ids: set[str] = set()
        for ref in refs:
            self.add(ref)

    def __len__(self) -> int:
        return len(self._where)

    def __contains__(self, cluster_id: object) -> bool:
        return cluster_id in self._where

    def subjects(self) -> list[str]:
        return list(self._subjects)

    def count(self, subject: str) -> int:
        return len(self._subjects.get(subject, ()))

    def refs(self, subject: str) -> list[ClusterRef]:
        return list(self._subjects.get(subject, ()))

    def group(self, subject_key: str, dimension: str | None) -> _Group | None:
        return self._groups.get((subject_key, dimension))

    def has_member(self, member_id: str) -> bool:
        return member_id in self._member_ids

    def add(self, ref: ClusterRef) -> bool:
        """Index a cluster (and, when ``ref.member`` is set, that member); False when the cluster is
        already indexed or has no embedding."""
        if ref.id in self._where or ref.embedding is None or ref.metric != "other":
            if ref.id in self._where and ref.member is not None:
                self.add_member(ref.id, ref.member, ref.member_id)
            return False
        vector = np.asarray(ref.embedding, dtype=np.float32)
        opener = replace(ref, member=None, member_id=None)
        g = self._groups.get(ref.group)
        if g is None:
            g = self._groups[ref.group] = _Group(len(vector))
        self._where[ref.id] = (g, g.add(opener, vector))
        self._subjects.setdefault(ref.subject, []).append(opener)
        return True

    def add_member(self, cluster_id: str, vector: Sequence[float] | np.ndarray, member_id: str | None = None) -> bool:
        """Keep one more member phrase vector of an indexed cluster; False when the cluster is unknown, the
        member already kept or the cluster full."""
        where = self._where.get(cluster_id)
        if where is None or (member_id is not None and member_id in self._member_ids):
            return False
        if member_id is not None:
            self._member_ids.add(member_id)
        g, k = where
        return g.add_member(k, np.asarray(vector, dtype=np.float32))

    def nearest(self, subject: str, vectors: np.ndarray) -> list[tuple[ClusterRef | None, float]]:
        """For each row of ``vectors``: the indexed cluster of ``subject`` (any subject key or dimension)
        whose least similar member is most similar, with that cosine."""
        vectors = np.asarray(vectors, dtype=np.float32)
        best: list[tuple[ClusterRef | None, float]] = [(None, float("-inf"))] * len(vectors)
        for g in self._groups.values():
            if not g.refs or g.refs[0].subject != subject:
                continue
            least = g.least(vectors)
            for j in range(len(vectors)):
                k, sim = _last_best(least[:, j])
                if sim >= best[j][1]:
                    best[j] = (g.refs[k], sim)
        return best


@lru_cache(maxsize=4096)
def _catalogue_cluster(catalogue: Catalogue, frame: ClaimFrame) -> ClusterRef:
    """The cluster of a catalogue metric: a pure function of the frame (the phrase aside), so made once."""
    frame = replace(frame, phrase=None)
    dimension = dimension_of(catalogue, frame)
    if _is_plain(catalogue, frame):
        cid = content_id(frame.subject, frame.metric, prefix="k_")
        key = claim_key(catalogue, frame.subject, frame.metric, None)
        return ClusterRef(cid, frame.subject, frame.metric, key, dimension=dimension)
    skey = subject_key(frame)
    cid = content_id(skey, frame.metric, dimension, prefix="k_")
    key = claim_key(catalogue, frame.subject, frame.metric, None, frame)
    return ClusterRef(
        cid, frame.subject, frame.metric, key, dimension=dimension, subject_key=None if skey == frame.subject else skey
    )


def catalogue_cluster(catalogue: Catalogue, frame: ClaimFrame) -> ClusterRef:
    """The cluster a catalogue-metric claim belongs to."""
    # The phrase is part of the cache key here (cheaper than a copy without it per claim); ids ignore it.
    return _catalogue_cluster(catalogue, frame)


def _keep(kept: np.ndarray | None, vector: np.ndarray) -> bool:
    """Whether a joining phrase's vector is kept with its cluster's members (room left, not a duplicate)."""
    if kept is None or len(kept) == 0:
        return True
    return len(kept) < MAX_MEMBER_VECTORS and float(np.max(kept @ vector)) < DUPLICATE_SIMILARITY


def _joining(ref: ClusterRef, vector: np.ndarray, text: str) -> ClusterRef:
    """The ref of a claim joining ``ref`` whose phrase vector the cluster keeps."""
    return replace(ref, member=tuple(vector.tolist()), member_id=content_id(ref.id, text, prefix="v_"))


def assign(
    catalogue: Catalogue,
    embedder: Embedder,
    claims: Sequence[ClaimFrame | tuple[str, str, str | None]],
    existing_other: Sequence[ClusterRef] | OtherIndex,
) -> list[ClusterRef]:
    """A cluster for each claim (a :class:`ClaimFrame`, or a plain (subject, metric, metric phrase)).

    New ``other`` clusters are returned with their embedding, and a claim that joins one with its own
    vector in ``member`` when the cluster keeps it, so that later claims are checked against it too.

    ``existing_other`` is an :class:`OtherIndex` (the scalable path: the store keeps one) or a plain
    sequence of clusters, indexed here. The index is only read: clusters opened and members added by
    these claims are kept aside until the caller stores them, so a failed write leaves no phantom behind.
    """
    index = existing_other if isinstance(existing_other, OtherIndex) else OtherIndex(existing_other)
    frames = [framed(catalogue, ClaimFrame.of(c)) for c in claims]
    out: list[ClusterRef | None] = [None] * len(frames)
    others: list[int] = []
    for i, frame in enumerate(frames):
        if frame.metric != "other":
            out[i] = catalogue_cluster(catalogue, frame)
        else:
            others.append(i)
    if not others:
        return [ref for ref in out if ref is not None]
    texts = [metric_text(catalogue, frames[i]) for i in others]
    distinct = list(dict.fromkeys(texts))  # each phrase embedded once, however many claims share it
    row_of = {t: n for n, t in enumerate(distinct)}
    vectors = np.asarray(embedder.embed(distinct), dtype=np.float32)[[row_of[t] for t in texts]]
    groups: dict[tuple[str, str | None], list[int]] = {}
    for j, i in enumerate(others):
        groups.setdefault((subject_key(frames[i]), dimension_of(catalogue, frames[i])), []).append(j)
    for (skey, dimension), rows in groups.items():
        stored = index.group(skey, dimension)
        least = stored.least(vectors[rows]) if stored is not None else None
        added: dict[int, list[np.ndarray]] = {}  # stored cluster -> member vectors these claims add
        opened: list[tuple[ClusterRef, list[np.ndarray]]] = []  # searched after the stored ones
        for col, j in enumerate(rows):
            frame, vector = frames[others[j]], vectors[j]
            best_sim, pick_stored, pick_opened = float("-inf"), -1, -1
            if stored is not None and least is not None:
                sims = least[:, col].copy()
                for k, extra in added.items():
                    sims[k] = min(sims[k], float(np.min(np.stack(extra) @ vector)))
                pick_stored, best_sim = _last_best(sims)
            for n, (_ref, members) in enumerate(opened):
                sim = float(np.min(np.stack(members) @ vector))
                if sim >= OTHER_SIMILARITY and sim >= best_sim:
                    pick_opened, best_sim = n, sim
            if best_sim < OTHER_SIMILARITY:
                key = claim_key(catalogue, frame.subject, "other", frame.phrase, frame)
                plain = _is_plain(catalogue, replace(frame, dimension=None))
                cid = (
                    content_id(frame.subject, "other", key, prefix="k_")
                    if plain and dimension is None
                    else content_id(skey, "other", key, dimension, prefix="k_")
                )
                ref = ClusterRef(
                    cid,
                    frame.subject,
                    "other",
                    key,
                    tuple(vector.tolist()),
                    dimension=dimension,
                    subject_key=None if skey == frame.subject else skey,
                )
                opened.append((ref, [vector]))
            elif pick_opened >= 0:
                ref, members = opened[pick_opened]
                if _keep(np.stack(members), vector):
                    members.append(vector)
                    ref = _joining(ref, vector, texts[j])
            else:
                assert stored is not None
                ref = stored.refs[pick_stored]
                kept = np.concatenate([stored.vectors(pick_stored), *[e[None] for e in added.get(pick_stored, [])]])
                if _keep(kept, vector):
                    added.setdefault(pick_stored, []).append(vector)
                    ref = _joining(ref, vector, texts[j])
            out[others[j]] = ref
    return [ref for ref in out if ref is not None]
