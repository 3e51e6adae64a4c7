"""Which cluster a claim belongs to: its subject and catalogue metric, or — for ``other`` metrics — the
nearest existing cluster of the same subject by the embedding of its value-free key.

Assignment is incremental and ids are stable: a catalogue-metric cluster's id is a hash of
(subject, metric); an ``other`` cluster's id is the hash of the key that opened it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

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


def assign(
    catalogue: Catalogue,
    embedder: Embedder,
    claims: Sequence[tuple[str, str, str | None]],
    existing_other: Sequence[ClusterRef],
) -> list[ClusterRef]:
    """A cluster for each (subject, metric, metric phrase); new ``other`` clusters are returned with
    their embedding so that later claims can join them."""
    out: list[ClusterRef | None] = [None] * len(claims)
    others: list[int] = []
    for i, (subject, metric, phrase) in enumerate(claims):
        key = claim_key(catalogue, subject, metric, phrase)
        if metric != "other":
            out[i] = ClusterRef(content_id(subject, metric, prefix="k_"), subject, metric, key)
        else:
            others.append(i)
    if others:
        keys = [claim_key(catalogue, claims[i][0], "other", claims[i][2]) for i in others]
        vectors = embedder.embed(keys)
        pool = list(existing_other)
        for i, key, vec in zip(others, keys, vectors, strict=True):
            subject = claims[i][0]
            best, best_sim = None, OTHER_SIMILARITY
            for ref in pool:
                if ref.subject == subject and ref.embedding is not None:
                    sim = float(np.dot(vec, np.asarray(ref.embedding, dtype=np.float32)))
                    if sim >= best_sim:
                        best, best_sim = ref, sim
            if best is None:
                best = ClusterRef(
                    content_id(subject, "other", key, prefix="k_"), subject, "other", key, tuple(float(x) for x in vec)
                )
                pool.append(best)
            out[i] = best
    return [ref for ref in out if ref is not None]
