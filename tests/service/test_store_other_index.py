"""The store's index of `other` clusters: loaded per subject, extended by add_document, and refreshed
when another process (another Store on the same database) stores clusters."""

import numpy as np

from pipelines.catalogue import load_catalogue
from pipelines.cluster import assign
from pipelines.ingest import article_from_text
from pipelines.types import Mention
from service.store import Store


class HashedEmbedder:
    """Deterministic unit vectors (see tests/pipelines/test_cluster_index.py for the real MiniLM):
    keys sharing their first word meet, others do not."""

    def embed(self, texts):
        out = []
        for t in texts:
            head = t.split(" — ")[-1].split()[0]
            v = np.random.default_rng(sum(map(ord, head))).normal(size=16)
            v += 0.3 * np.random.default_rng(sum(map(ord, t))).normal(size=16)
            out.append(v / np.linalg.norm(v))
        return np.asarray(out, dtype=np.float32)


def _article(n, phrases, subject="pytorch"):
    lines = [f"PyTorch {p} was {10 + k}%." for k, p in enumerate(phrases)]
    text = "\n".join(lines) + f"\nArticle {n}."
    article = article_from_text(text, name=f"a{n}.txt", fmt="text")
    mentions, pos = [], 0
    for k, (line, phrase) in enumerate(zip(lines, phrases, strict=True)):
        value = f"{10 + k}%"
        start = pos + line.index(value)
        mentions.append(
            Mention(
                document=article.name,
                value_start=start,
                value_end=start + len(value),
                value_text=value,
                sentence=line,
                sentence_start=pos,
                sentence_end=pos + len(line),
                subject=subject,
                subjects=(subject,),
                metric="other",
                metric_phrase=phrase,
                value=(10 + k) / 100,
                value_high=None,
                unit="percent",
                comparator="=",
                time=None,
                time_from="none",
                scope=None,
                source=None,
                confidence=0.9,
            )
        )
        pos += len(line) + 1
    return article, mentions


def _add(store, catalogue, embedder, article, mentions):
    from pipelines.consolidate import group_mentions
    from service.store.repository import document_id

    groups = group_mentions(document_id(article), mentions)
    firsts = [(g[0].subject or "", g[0].metric, g[0].metric_phrase) for g in groups.values()]
    index = store.other_index({s for s, m, _ in firsts if m == "other"})
    refs = assign(catalogue, embedder, firsts, index)
    assert store.add_document(article, mentions, dict(zip(groups, refs, strict=True)))
    return refs


def test_index_follows_the_store_and_other_writers(store_url):
    catalogue, embedder = load_catalogue(), HashedEmbedder()
    store = Store(store_url)
    store.migrate()
    first = _add(store, catalogue, embedder, *_article(1, ["latency on GPUs", "memory at batch 1"]))
    assert len({r.id for r in first}) == 2
    assert store.other_index(["pytorch"]).count("pytorch") == 2
    # The same store: committed clusters join its index without reading them back.
    _add(store, catalogue, embedder, *_article(2, ["throughput in production"]))
    assert store.other_index(["pytorch"]).count("pytorch") == 3
    # Another writer (another process) opens a cluster; this store sees it on its next call.
    other = Store(store_url)
    _add(other, catalogue, embedder, *_article(3, ["energy per request"]))
    index = store.other_index(["pytorch"])
    assert index.count("pytorch") == 4
    assert sorted(r.id for r in index.refs("pytorch")) == sorted(r.id for r in store.other_clusters())
    # A paraphrase joins the stored cluster (same placement as with the full list of clusters).
    joined = _add(store, catalogue, embedder, *_article(4, ["latency per request", "energy on mobile"]))
    expected = assign(catalogue, embedder, [("pytorch", "other", "latency per request")], store.other_clusters())
    assert joined[0].id == expected[0].id == first[0].id
    assert store.other_index(["pytorch"]).count("pytorch") == 4
    assert store.other_index(["jax"]).count("jax") == 0
