"""The read cache: answers kept per store version, never served once the store has changed.

First the middleware alone over a tiny app whose "store" version the test moves (to reach every branch:
eviction, streaming bodies, a failing version query); then the real API on SQLite and PostgreSQL, where
writes through the API and writes by another process must both show on the next read.
"""

from __future__ import annotations

from fastapi.testclient import TestClient
from prometheus_client import CollectorRegistry
from starlette.applications import Starlette
from starlette.responses import JSONResponse, PlainTextResponse, StreamingResponse
from starlette.routing import Route

from pipelines.ingest import read_article
from service.api.app import create_app
from service.api.cache import ReadCache
from service.core import cluster_claims
from service.settings import Settings
from service.store import Store


class _Versioned:
    """Stands in for ``Store``: only ``version()`` is used by the middleware."""

    def __init__(self) -> None:
        self.value = 1
        self.fail = False

    def version(self) -> int:
        if self.fail:
            raise ConnectionError("database down")
        return self.value


def _tiny(max_bytes: int = 1 << 20, max_entry_bytes: int = 1 << 20):
    calls = {"n": 0}
    store = _Versioned()

    def claims(request):
        calls["n"] += 1
        return JSONResponse({"n": calls["n"], "q": request.query_params.get("q", "")})

    def missing(request):
        calls["n"] += 1
        return PlainTextResponse("no such claim", status_code=404)

    def big(request):
        calls["n"] += 1
        return StreamingResponse(iter([b"x" * 1000] * 5), media_type="text/plain")

    app = Starlette(
        routes=[
            Route("/claims", claims),
            Route("/claims/missing", missing),
            Route("/graph", big),
            Route("/healthz", claims),
        ]
    )
    registry = CollectorRegistry()
    app.add_middleware(ReadCache, store=store, max_bytes=max_bytes, max_entry_bytes=max_entry_bytes, registry=registry)
    return TestClient(app), store, calls, registry


def test_same_version_same_bytes_and_etag_revalidation():
    client, store, calls, registry = _tiny()
    first = client.get("/claims?q=a")
    again = client.get("/claims?q=a")
    assert first.json() == again.json() == {"n": 1, "q": "a"} and calls["n"] == 1
    assert first.headers["etag"] == again.headers["etag"]
    assert int(again.headers["content-length"]) == len(again.content)
    assert client.get("/claims?q=b").json() == {"n": 2, "q": "b"}  # the query is part of the key
    unchanged = client.get("/claims?q=a", headers={"If-None-Match": first.headers["etag"]})
    assert unchanged.status_code == 304 and unchanged.content == b"" and calls["n"] == 2
    assert client.get("/claims?q=a", headers={"If-None-Match": '"other"'}).status_code == 200
    assert registry.get_sample_value("claimgraph_read_cache_lookups_total", {"outcome": "hit"}) == 3
    assert registry.get_sample_value("claimgraph_read_cache_lookups_total", {"outcome": "miss"}) == 2


def test_a_new_version_is_never_served_old_answers():
    client, store, calls, _ = _tiny()
    assert client.get("/claims").json()["n"] == 1
    store.value = 2
    assert client.get("/claims").json()["n"] == 2
    assert client.get("/claims").json()["n"] == 2


def test_only_200_answers_to_cached_paths_are_kept():
    client, _, calls, _ = _tiny()
    assert client.get("/claims/missing").status_code == 404
    assert client.get("/claims/missing").status_code == 404
    assert calls["n"] == 2
    client.get("/healthz")
    client.get("/healthz")
    assert calls["n"] == 4 and "etag" not in client.get("/healthz").headers  # not a store read
    client.post("/claims")  # not a GET: 405 from the app, not a cache entry
    assert calls["n"] == 5


def test_budget_evicts_least_recent_and_large_bodies_stream_through():
    client, _, calls, _ = _tiny(max_bytes=60, max_entry_bytes=60)
    for q in "abc":  # each body is ~20 bytes: the third pushes the first out
        client.get(f"/claims?q={q}-padding")
    assert calls["n"] == 3
    client.get("/claims?q=c-padding")
    assert calls["n"] == 3
    client.get("/claims?q=a-padding")
    assert calls["n"] == 4
    big = client.get("/graph")
    assert big.status_code == 200 and big.content == b"x" * 5000 and "etag" not in big.headers
    client.get("/graph")
    assert calls["n"] == 6  # over the entry limit: rendered each time


def test_a_failing_version_query_means_no_cache_not_an_error():
    client, store, calls, _ = _tiny()
    client.get("/claims")
    store.fail = True
    out = client.get("/claims")
    assert out.status_code == 200 and out.json()["n"] == 2
    store.fail = False
    assert client.get("/claims").json()["n"] == 1  # the same version again: the kept answer is still right
    store.fail, store.value = True, 2
    assert client.get("/claims").json()["n"] == 3


# --- the real API -----------------------------------------------------------------------------------


def test_api_reads_show_writes_at_once(store_url, extractor, seed_paths):
    articles = [read_article(p) for p in seed_paths[:3]]
    mentions = extractor.run(articles)
    app = create_app(Settings(database_url=store_url), extractor=extractor)
    with TestClient(app) as client:
        empty = client.get("/claims")
        assert empty.json()["total"] == 0 and client.get("/claims").headers["etag"] == empty.headers["etag"]

        # A write through the API: the next read sees it.
        posted = client.post("/extract?persist=true", json={"text": articles[0].original})
        assert posted.status_code == 200, posted.text
        after_post = client.get("/claims").json()["total"]
        assert after_post == len({c["claim_id"] for c in posted.json()["claims"]}) > 0

        # A write by another process (``claimgraph ingest``, another replica): seen on the next read too.
        other = Store(store_url)
        for article, found in zip(articles[1:], mentions[1:], strict=True):
            other.add_document(article, found, cluster_claims(other, extractor, article, found))
        other.engine.dispose()
        page = client.get("/claims", params={"limit": 500}).json()
        assert page["total"] > after_post and len(page["items"]) == page["total"]
        documents = client.get("/documents").json()
        assert documents["total"] == 3
        clusters = client.get("/contradictions").json()
        assert clusters == client.get("/contradictions").json()

        metrics = client.get("/metrics").text
        assert 'claimgraph_read_cache_lookups_total{outcome="hit"}' in metrics
        # Hits are labelled with their route like misses, not as "unmatched".
        assert 'route="/claims",status="200"' in metrics and 'route="unmatched"' not in metrics


def test_cache_can_be_turned_off(tmp_path, extractor):
    app = create_app(Settings(database_url=f"sqlite:///{tmp_path / 'off.db'}", read_cache_mb=0), extractor=extractor)
    with TestClient(app) as client:
        assert "etag" not in client.get("/claims").headers
