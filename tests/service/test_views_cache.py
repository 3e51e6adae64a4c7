"""The API's views cache after a write: only the clusters the write touched are judged again, and what it
serves is what a full ``core.cluster_views`` gives — for a write by this process and by another one, and
it starts over when the store changed in a way new documents do not explain.

Stores are written through ``store_article`` with the generated articles of ``bench/listing_scale.py``
(comparatives included; no model is loaded)."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

from pipelines.catalogue import default_catalogue
from service import core
from service.api.views import ClusterViews
from service.core import store_article
from service.store import Store

ROOT = Path(__file__).resolve().parents[2]
BENCH = ROOT / "bench" / "listing_scale.py"


@pytest.fixture(scope="module")
def ls():
    spec = importlib.util.spec_from_file_location("listing_scale_views", BENCH)
    module = importlib.util.module_from_spec(spec)
    sys.modules["listing_scale_views"] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def written(tmp_path, ls):
    from pipelines.extract.pipeline import Extractor

    catalogue = default_catalogue()
    store = Store(f"sqlite:///{tmp_path / 'views.db'}")
    store.migrate()
    extractor = Extractor(catalogue=catalogue)
    gen = ls.Generator(catalogue, seed=7)
    for _ in range(40):
        article, mentions = gen.article()
        assert store_article(store, extractor, article, mentions).stored
    return store, extractor, gen


def _same(a: list[dict], b: list[dict]) -> bool:
    return json.dumps(a, sort_keys=True, default=str) == json.dumps(b, sort_keys=True, default=str)


def test_a_write_judges_again_only_what_it_touched(written):
    store, extractor, gen = written
    views = ClusterViews(store)
    before = views.views()
    stars = views.views(None, "github_stars")
    assert views.recomputed is None  # the first read computes everything
    article, mentions = gen.article()
    assert store_article(store, extractor, article, mentions).stored
    after = views.views()
    assert views.recomputed is not None and 0 < len(views.recomputed) < len(
        {(v["subject"], v["metric"]) for v in after}
    )
    assert _same(after, core.cluster_views(store))
    assert _same(views.views(None, "github_stars"), core.cluster_views(store, None, "github_stars"))
    touched = set(views.recomputed)
    unchanged = [v for v in before if (v["subject"], v["metric"]) not in touched]
    kept = {v["cluster_id"]: v for v in after}
    assert unchanged and all(kept[v["cluster_id"]] is v for v in unchanged)  # reused, not judged again
    assert stars is not None


def test_a_write_by_another_process_is_seen(written, tmp_path):
    store, _, _ = written
    views = ClusterViews(store)
    views.views()
    script = f"""
import importlib.util, sys
spec = importlib.util.spec_from_file_location("ls", {str(BENCH)!r})
ls = importlib.util.module_from_spec(spec); sys.modules["ls"] = ls; spec.loader.exec_module(ls)
from pipelines.catalogue import default_catalogue
from pipelines.extract.pipeline import Extractor
from service.core import store_article
from service.store import Store
catalogue = default_catalogue()
gen = ls.Generator(catalogue, seed=99)
store = Store({store.engine.url.render_as_string(hide_password=False)!r})
for _ in range(2):
    article, mentions = gen.article()
    assert store_article(store, Extractor(catalogue=catalogue), article, mentions).stored
"""
    subprocess.run(
        [sys.executable, "-c", script], check=True, cwd=ROOT, env={"PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1"}
    )
    after = views.views()
    assert views.recomputed is not None
    assert _same(after, core.cluster_views(store))


def test_a_change_new_documents_do_not_explain_starts_over(written):
    store, extractor, gen = written
    views = ClusterViews(store)
    views.views()
    with store.engine.begin() as conn:  # a claim moved to another cluster, and a document added meanwhile
        conn.exec_driver_sql(
            "UPDATE claims SET cluster_id = (SELECT cluster_id FROM claims c2 WHERE c2.cluster_id <> claims.cluster_id "
            "LIMIT 1) WHERE id = (SELECT id FROM claims WHERE cluster_id IS NOT NULL ORDER BY id LIMIT 1)"
        )
    article, mentions = gen.article()
    assert store_article(store, extractor, article, mentions).stored
    after = views.views()
    assert views.recomputed is None
    assert _same(after, core.cluster_views(store))
