"""No cluster ever mixes unit dimensions, over everything the product reads: the team's corpus, the five seed
articles and all 457 real-text excerpts, extracted by the shipped tagger and stored through ingest's path."""

from pathlib import Path

import pytest

from pipelines.extract.pipeline import Extractor
from pipelines.ingest import article_from_text, read_article
from service.core import cluster_views, process_batch
from service.store import Store

CORPUS = Path(__file__).resolve().parents[2] / "corpus"


@pytest.mark.realtext
def test_no_cluster_mixes_unit_dimensions(tmp_path, seed_paths, realtext_pool):
    store = Store(f"sqlite:///{tmp_path / 'all.db'}")
    store.migrate()
    extractor = Extractor()
    articles = [read_article(p) for p in sorted(CORPUS.glob("*.*")) if p.suffix in (".txt", ".md", ".html")]
    articles += [read_article(p) for p in seed_paths]
    articles += [article_from_text(e.text, name=e.id, url=e.url) for e in realtext_pool.values()]
    for lo in range(0, len(articles), 16):
        outcomes = process_batch(articles[lo : lo + 16], store, extractor)
        assert all(o.failure is None for o in outcomes), [o.failure for o in outcomes if o.failure]
    views = cluster_views(store)
    assert len(views) > 300 and sum(len(v["claims"]) for v in views) > 1000
    mixed = {
        v["cluster_id"]: sorted({str(c["dimension"]) for c in v["claims"] if not c.get("counterpart")})
        for v in views
        if len({c["dimension"] for c in v["claims"] if not c.get("counterpart") and c["kind"] == "numeric"}) > 1
    }
    assert mixed == {}
