"""The ``other``-cluster index places claims exactly as the linear scan over every cluster did."""

import hashlib

import numpy as np
import pytest

from pipelines.catalogue import load_catalogue
from pipelines.cluster import (
    DUPLICATE_SIMILARITY,
    MAX_MEMBER_VECTORS,
    OTHER_SIMILARITY,
    ClaimFrame,
    ClusterRef,
    OtherIndex,
    assign,
    claim_key,
    metric_text,
)
from pipelines.embed import MiniLMEmbedder
from pipelines.types import content_id


class HashedEmbedder:
    """Deterministic unit vectors: texts sharing their first word point nearly the same way, so some
    keys meet (cosine ≥ 0.75) and others do not. Used to compare two search strategies on many keys;
    the real MiniLM is used below."""

    def embed(self, texts):
        out = []
        for t in texts:
            words = t.split(" — ")[-1].split()
            base = np.random.default_rng(int(hashlib.sha256(words[0].encode()).hexdigest()[:8], 16)).normal(size=32)
            noise = np.random.default_rng(int(hashlib.sha256(t.encode()).hexdigest()[:8], 16)).normal(size=32)
            v = base + 0.55 * noise
            out.append(v / np.linalg.norm(v))
        return np.asarray(out, dtype=np.float32)


def linear_assign(catalogue, embedder, claims, pool):
    """The plain reference: a Python scan over every ``other`` cluster of the claim's subject for every
    claim, complete link (a claim joins only when close to every kept member phrase of the cluster).
    ``pool`` holds (cluster, its kept member vectors) and grows as clusters open and members join."""
    out = []
    for subject, metric, phrase in claims:
        if metric != "other":
            key = claim_key(catalogue, subject, metric, phrase)
            out.append(ClusterRef(content_id(subject, metric, prefix="k_"), subject, metric, key))
            continue
        text = metric_text(catalogue, ClaimFrame(subject, metric, phrase))
        vec = embedder.embed([text])[0]
        best, best_sim = None, OTHER_SIMILARITY
        for ref, members in pool:
            if ref.subject == subject:
                sim = min(float(np.dot(vec, m)) for m in members)
                if sim >= best_sim:
                    best, best_sim = (ref, members), sim
        if best is None:
            key = claim_key(catalogue, subject, metric, phrase)
            ref = ClusterRef(content_id(subject, "other", key, prefix="k_"), subject, "other", key, tuple(vec.tolist()))
            pool.append((ref, [vec]))
            out.append(ref)
            continue
        ref, members = best
        if len(members) < MAX_MEMBER_VECTORS and max(float(np.dot(vec, m)) for m in members) < DUPLICATE_SIMILARITY:
            members.append(vec)
        out.append(ref)
    return out


@pytest.fixture(scope="module")
def catalogue():
    return load_catalogue()


def test_index_matches_linear_scan(catalogue):
    rng = np.random.default_rng(5)
    embedder = HashedEmbedder()
    heads = ["latency", "memory", "throughput", "energy", "cost", "accuracy"]
    tails = ["on GPUs", "per request", "at batch 1", "in production", "on mobile", "for LLMs", "overall"]
    subjects = ["pytorch", "jax", "tensorflow"]
    index, pool, log = OtherIndex(), [], []
    placed = joined = 0
    for _article in range(60):
        claims = [
            (
                str(rng.choice(subjects)),
                "other" if rng.random() < 0.8 else "github_stars",
                f"{rng.choice(heads)} {rng.choice(tails)}",
            )
            for _ in range(int(rng.integers(1, 6)))
        ]
        got = assign(catalogue, embedder, claims, index)
        # The index is only read: the same claims placed again from a fresh index of the same log agree.
        assert [r.id for r in assign(catalogue, embedder, claims, OtherIndex(log))] == [r.id for r in got]
        expected = linear_assign(catalogue, embedder, claims, pool)
        assert [r.id for r in got] == [r.id for r in expected]
        for ref in got:  # what the store does once the article is committed
            if ref.metric == "other":
                index.add(ref)
                log.append(ref)
        placed += len(claims)
        joined += sum(1 for ref in got if ref.member is not None)
    assert placed > 150 and joined > 5  # clusters grew past their first phrase: complete link was exercised
    assert 5 < len(index) < placed  # claims both joined clusters and opened new ones


def test_index_add_is_idempotent_and_per_subject():
    vec = tuple(np.eye(4, dtype=np.float32)[0].tolist())
    index = OtherIndex([ClusterRef("k_a", "pytorch", "other", "PyTorch — x", vec)])
    assert not index.add(ClusterRef("k_a", "pytorch", "other", "PyTorch — x", vec))
    assert not index.add(ClusterRef("k_b", "pytorch", "other", "PyTorch — y", None))  # no embedding
    assert index.nearest("jax", np.asarray([vec]))[0][0] is None
    ref, sim = index.nearest("pytorch", np.asarray([vec]))[0]
    assert ref is not None and ref.id == "k_a" and sim == pytest.approx(1.0)
    for n in range(20):  # growth past the initial capacity keeps every row
        index.add(ClusterRef(f"k_{n}", "pytorch", "other", f"k{n}", tuple(np.eye(4)[n % 4].tolist())))
    assert index.count("pytorch") == 21 and "k_19" in index


def test_real_minilm_joins_paraphrases(catalogue):
    """With the packaged MiniLM: a paraphrased key joins the stored cluster, an unrelated one does not."""
    embedder = MiniLMEmbedder()
    first = assign(catalogue, embedder, [("pytorch", "other", "GPU memory usage during training")], [])
    index = OtherIndex(first)
    again = assign(
        catalogue,
        embedder,
        [
            ("pytorch", "other", "GPU memory use during training"),
            ("pytorch", "other", "number of tutorials on YouTube"),
        ],
        index,
    )
    assert again[0].id == first[0].id
    assert again[1].id != first[0].id and again[1].embedding is not None
