"""Smoke test of bench/cluster_scale.py's core functions at a tiny size (real MiniLM, real SQLite store).

No timing is asserted: the figures come from running the benchmark itself."""

import importlib.util
import sqlite3
import sys
from pathlib import Path

import numpy as np
import pytest

from service.store import Store

BENCH = Path(__file__).resolve().parents[1] / "bench" / "cluster_scale.py"


@pytest.fixture(scope="module")
def cs():
    spec = importlib.util.spec_from_file_location("cluster_scale", BENCH)
    module = importlib.util.module_from_spec(spec)
    sys.modules["cluster_scale"] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


def test_bench_core_functions_at_tiny_size(cs, tmp_path, monkeypatch):
    monkeypatch.setattr(cs, "CACHE", tmp_path)
    from pipelines.catalogue import default_catalogue

    catalogue = default_catalogue()
    data = cs.generate(150, catalogue=catalogue)
    assert len(data) == 150 and data.article[-1] > 10
    again = cs.generate(150, catalogue=catalogue)
    assert np.array_equal(data.value, again.value) and np.array_equal(data.phrase, again.phrase)  # seeded
    adds = 2
    fresh = cs.generate(30 * (adds + 1), seed=cs.SEED + 7, catalogue=catalogue)
    keys = sorted(
        {
            cs.embedded_text(catalogue, d.claim(i))
            for d in (data, fresh)
            for i in range(len(d))
            if d.claim(i)[1] == "other"
        }
    )
    embedder = cs.pool_embedder(catalogue, keys, log=lambda _m: None)  # the real MiniLM, these keys only
    assert embedder.embed(keys[:1]).shape == (1, 384)

    cluster_of, refs = cs.assign_all(data, catalogue, embedder)
    assert cluster_of.shape == (150,) and cluster_of.max() == len(refs) - 1
    assert any(r.metric == "other" for r in refs) and any(r.metric != "other" for r in refs)

    found = cs.relate_all(data, cluster_of, all_pairs_up_to=1)
    assert set(found) == {"clusters", "summarised", "largest", "relations", "verdicts"}
    assert found["clusters"] == len(refs) and found["summarised"] > 0
    assert set(found["verdicts"]) <= {"agrees", "conflicts", "trend", "different_scope", "unresolved", "single"}

    path = tmp_path / "store.db"
    assert cs.build_store(path, data, cluster_of, refs, catalogue) > 0
    store = Store(f"sqlite:///{path}")
    assert store.counts()["claims"] == 150 and store.counts()["mentions"] == 150
    with sqlite3.connect(path) as db:  # provenance holds in the bulk-loaded store
        rows = db.execute(
            "SELECT d.text, m.value_start, m.value_end, m.value_text FROM mentions m JOIN documents d "
            "ON d.id = m.document_id LIMIT 50"
        ).fetchall()
    assert rows and all(text[s:e] == v for text, s, e, v in rows)
    store.engine.dispose()

    result = cs.timed_adds(path, catalogue, embedder, adds=adds)
    for field in ("median_ms", "p95_ms", "max_ms", "first_add_ms", "old_other_clusters_load_ms"):
        assert result[field] > 0
    assert result["store_claims"] == 150 and result["articles"] == adds and result["added_claims"] > adds
    assert cs.exponent(10, 100, 1.0, 10.0) == pytest.approx(1.0)
