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


def _article(ls, name: str, lines: list[tuple]):
    """An article of one sentence per line, with the Mentions an extractor would give: a figure
    ``(subject, metric, value)`` in its metric's unit, or a comparative ``(subject, metric, ">", other)``."""
    from pipelines.ingest import article_from_text
    from pipelines.types import Mention

    catalogue = default_catalogue()
    text, mentions = "", []
    for subject, metric, value, *other in lines:
        unit = ls.KIND_UNIT[catalogue.metrics[metric].unit_kind]
        what = catalogue.metrics[metric].description
        if other:
            head, surface = f"{catalogue.frameworks[subject].name} ", "has surpassed"
            tail = f" {catalogue.frameworks[other[0]].name} in {what}."
            fields = dict(subjects=(subject, other[0]), value=None, comparator=value, form="versus")
            fields.update(dimension=None, kind="comparative")
        else:
            _, _, surface = ls._figure(unit, value, "=")
            head, tail = f"{catalogue.frameworks[subject].name}: {what} stood at ", "."
            fields = dict(subjects=(subject,), value=ls._figure(unit, value, "=")[0], comparator="=", form="single")
            fields.update(dimension=catalogue.metrics[metric].dimension, kind="numeric")
        line = head + surface + tail
        start = len(text) + len(head)
        mentions.append(
            Mention(
                document=name,
                value_start=start,
                value_end=start + len(surface),
                value_text=surface,
                sentence=line,
                sentence_start=len(text),
                sentence_end=len(text) + len(line),
                subject=subject,
                metric=metric,
                metric_phrase=None,
                value_high=None,
                unit=unit,
                time=None,
                time_from="none",
                scope=None,
                source=None,
                confidence=0.9,
                **fields,
            )
        )
        text += line + "\n"
    article = article_from_text(text, name=name, fmt="text")
    assert all(article.original[m.value_start : m.value_end] == m.value_text for m in mentions)
    return article, mentions


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


def test_a_new_day_starts_over(written, monkeypatch):
    """Relations read today's date (a "period" after today is a misread number): a cached listing is not
    served past midnight without being judged again."""
    import datetime as dt

    from service.api import views as views_module

    store, _, _ = written
    views = ClusterViews(store)
    first = views.views()
    assert views.views() is first  # same day, no write: the cached listing
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    monkeypatch.setattr(views_module, "_today", lambda: tomorrow)
    again = views.views()
    assert again is not first and views.recomputed is None
    assert _same(again, core.cluster_views(store))


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


def test_after_several_writes_the_cache_serves_what_a_fresh_computation_gives(written, ls):
    """Writes that add to existing clusters, one that opens a new cluster (with a comparative against a
    subject already listed), two in a row without a read between: after each, every cached listing (whole
    and filtered) is what ``cluster_views`` computes from scratch, and it was updated, not started over."""
    store, extractor, gen = written
    views = ClusterViews(store)
    filters = [(None, None), (None, "github_stars"), ("pytorch", None)]
    for subject, metric in filters:
        views.views(subject, metric)
    state = store.listing_state()
    pairs = {(s, m) for _, s, m in state.clusters}
    new_subject = next(f for f in default_catalogue().frameworks if (f, "github_stars") not in pairs)
    largest = max(state.clusters, key=lambda c: state.counts.get(c[0], 0))
    _, big_subject, big_metric = largest
    assert ls.KIND_UNIT.get(default_catalogue().metrics[big_metric].unit_kind)

    def check(*articles):
        before = store.listing_state()
        for article, mentions in articles:
            assert store_article(store, extractor, article, mentions).stored
        after = store.listing_state()
        for subject, metric in filters:
            assert _same(views.views(subject, metric), core.cluster_views(store, subject, metric)), (subject, metric)
        assert views.recomputed  # updated where the writes touched, not started over
        return before, after

    # A figure on the largest cluster's pair and comparatives about its subject: existing clusters change.
    before, after = check(
        _article(
            ls,
            "t/grow.txt",
            [(big_subject, big_metric, 0.42), ("pytorch", "github_stars", ">", "tensorflow")],
        )
    )
    assert after.counts[largest[0]] > before.counts[largest[0]]
    # A subject with no stars cluster yet: a new cluster, and a comparative showing it beside pytorch's.
    before, after = check(
        _article(
            ls,
            "t/new.txt",
            [(new_subject, "github_stars", 0.5), (new_subject, "github_stars", "<", "pytorch")],
        )
    )
    opened = {c for c, s, m in after.clusters} - {c for c, s, m in before.clusters}
    assert opened and all(s == new_subject for c, s, m in after.clusters if c in opened)
    assert any(v["cluster_id"] in opened for v in views.views(None, "github_stars"))
    # Generated articles (figures and comparatives), two stored before the next read, then one more.
    check(gen.article(), gen.article())
    check(gen.article())


def test_the_cache_holds_no_reference_cycles(written):
    """What the views cache keeps is freed by reference counting alone when it goes: hundreds of thousands of
    long-lived objects in cycles would make every cyclic-collector pass walk them."""
    import gc

    from pipelines.claims import Claim

    store, extractor, gen = written
    views = ClusterViews(store)
    views.views()
    views.views(None, "github_stars")
    article, mentions = gen.article()
    assert store_article(store, extractor, article, mentions).stored
    views.views()
    assert views.recomputed
    gc.collect()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        del views
        gc.collect()
        cyclic = [o for o in gc.garbage if isinstance(o, Claim | ClusterViews) or type(o).__name__ == "FigureIndex"]
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
    assert cyclic == []
