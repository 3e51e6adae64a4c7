"""The REST API in-process, with the real extractor, on SQLite and on the real PostgreSQL server.

The seeds are extracted once per module (real models); each store then gets them through the same two
steps ``claimgraph ingest`` uses. One seed is posted through ``POST /extract?persist=true`` instead, so the
write path runs through the queue and the model too.
"""

from __future__ import annotations

import asyncio
import json
import time
import xml.etree.ElementTree as ET
from collections import Counter

import httpx
import pytest
from fastapi.testclient import TestClient

from pipelines.extract.pipeline import mention_record
from pipelines.ingest import article_from_text, read_article
from service.api.app import create_app
from service.core import cluster_claims
from service.settings import Settings
from service.store import Store

KEY = "s3cret-key"
# Written for these tests: one note that states two figures for NeurIPS 2024 papers that cannot both be
# true. The seeds hold no established contradiction (their disagreements are across articles with nothing
# establishing the same period and population), so this note is what the contradiction listing must show.
SHARE_CONFLICT_NOTE = (
    "Framework share notes\n\nIn 2024, PyTorch was used in 70% of research papers at NeurIPS.\n\n"
    "Our own count disagrees: PyTorch appeared in 85% of NeurIPS papers in 2024.\n"
)


@pytest.fixture(scope="module")
def seeds(extractor, seed_paths):
    """(article, mentions) of the five seeds, extracted once for the module."""
    articles = [read_article(p) for p in seed_paths]
    return list(zip(articles, extractor.run(articles), strict=True))


def _app(url: str, extractor, **settings):
    return create_app(Settings(database_url=url, **settings), extractor=extractor)


def _store_seeds(url: str, extractor, seeds) -> None:
    store = Store(url)
    store.migrate()
    for article, mentions in seeds:
        store.add_document(article, mentions, cluster_claims(store, extractor, article, mentions))
    store.engine.dispose()


def _error(response: httpx.Response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "detail"}, body
    if code:
        assert body["error"]["code"] == code, body
    return body["error"]


def _sqlite(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'api.db'}"


# --- every endpoint, both databases ---------------------------------------------------------------


def test_every_endpoint_over_the_seeds(store_url, extractor, seeds):
    first, rest = seeds[0], seeds[1:]
    assert "000_" in first[0].name  # the seed whose 70% disagrees with the others' ~80%
    _store_seeds(store_url, extractor, rest)
    with TestClient(_app(store_url, extractor)) as client:
        # Write: the 70% seed through the API; it disagrees with what is stored, but nothing establishes that
        # the two speak of the same period and population: related as unresolved (or a difference of scope).
        posted = client.post(
            "/extract?persist=true",
            json={"text": first[0].original, "title": "Seed zero", "published": "2025-01-15"},
        )
        assert posted.status_code == 200, posted.text
        out = posted.json()
        assert out["persisted"] and out["created"]
        assert out["claims"] and all(c["claim_id"] for c in out["claims"])
        for c in out["claims"]:
            assert first[0].original[c["value_start"] : c["value_end"]] == c["value_text"]
        eighty = [
            r
            for r in out["related"]
            if r["metric"] == "research_paper_share" and "80%" in (r["other_value_text"] or "")
        ]
        assert eighty and all(r["relation"] in ("unresolved", "different_scope") for r in eighty), out["related"]
        assert client.get("/contradictions").json()["total"] == 0  # the seeds establish no contradiction
        doc_id = out["document_id"]
        noted = client.post("/extract?persist=true", json={"text": SHARE_CONFLICT_NOTE, "title": "Share notes"})
        assert noted.status_code == 200 and noted.json()["created"], noted.text

        # Contradictions: the research-share conflict, filters, paging.
        listing = client.get("/contradictions").json()
        assert listing["total"] >= 1 and all(v["verdict"] == "conflicts" for v in listing["items"])
        share = next(v for v in listing["items"] if (v["subject"], v["metric"]) == ("pytorch", "research_paper_share"))
        assert {"70%", "approximately 80%"} <= {c["value_text"] for c in share["claims"]}
        assert client.get("/contradictions", params={"subject": "pytorch"}).json()["total"] >= 1
        assert client.get("/contradictions", params={"subject": "no-such-framework"}).json()["total"] == 0
        filtered = client.get("/contradictions", params={"metric": "research_paper_share"}).json()
        assert [v["metric"] for v in filtered["items"]] == ["research_paper_share"] * filtered["total"]
        assert client.get("/contradictions", params={"since": "2999"}).json()["total"] == 0
        dated = [v for v in listing["items"] if any(c["time"] for c in v["claims"])]
        assert dated and client.get("/contradictions", params={"since": "1990-01-01"}).json()["total"] == len(dated)
        page = client.get("/contradictions", params={"limit": 1, "offset": 0}).json()
        assert len(page["items"]) == 1 and page["total"] == listing["total"] and page["limit"] == 1
        assert client.get("/contradictions", params={"offset": listing["total"]}).json()["items"] == []
        one = client.get(f"/contradictions/{share['cluster_id']}").json()
        assert one["cluster_id"] == share["cluster_id"] and one["verdict"] == "conflicts"
        # A listing carries the conflicting pairs; every relation is counted, and one cluster has them all.
        kinds = {r["relation"] for r in one["relations"]}
        assert "conflicts" in kinds and len(kinds) > 1, kinds
        assert share["relations"] == [r for r in one["relations"] if r["relation"] == "conflicts"]
        assert share["relation_counts"] == one["relation_counts"]
        assert sum(one["relation_counts"].values()) == len(one["relations"])
        every = client.get("/contradictions", params={"relations": "all"})
        assert next(v for v in every.json()["items"] if v["cluster_id"] == share["cluster_id"]) == one
        bare = client.get("/contradictions", params={"relations": "none"}).json()
        assert all(v["relations"] == [] and v["relation_counts"] for v in bare["items"])
        assert len(client.get("/contradictions").content) < len(every.content)
        _error(client.get("/contradictions", params={"relations": "some"}), 422, "validation_error")
        _error(client.get("/contradictions/k_0000000000000000"), 404, "not_found")

        # Clusters: all verdicts; a non-conflicting one is not a contradiction.
        clusters = client.get("/clusters", params={"limit": 500}).json()
        assert clusters["total"] == len(clusters["items"]) > listing["total"]
        calm = next(v for v in clusters["items"] if v["verdict"] != "conflicts")
        assert client.get(f"/clusters/{calm['cluster_id']}").json()["cluster_id"] == calm["cluster_id"]
        _error(client.get(f"/contradictions/{calm['cluster_id']}"), 404, "not_found")
        _error(client.get("/clusters/nope"), 404, "not_found")
        assert all(c["subject"] == "pytorch" for c in client.get("/clusters?subject=pytorch").json()["items"])

        # Claims: paging matches the total; a claim has every mention, at its offsets.
        claims = client.get("/claims", params={"limit": 500}).json()
        assert claims["total"] == len(claims["items"]) > 0
        assert client.get("/claims", params={"limit": 2, "offset": 1}).json()["items"] == claims["items"][1:3]
        pytorch = client.get("/claims", params={"subject": "pytorch", "metric": "research_paper_share"}).json()
        assert pytorch["total"] >= 2 and all(c["metric"] == "research_paper_share" for c in pytorch["items"])
        # The 70% claim written most often (the title is repeated): GET /claims/{id} has every mention posted.
        counts = Counter(c["claim_id"] for c in out["claims"] if c["value_text"] == "70%")
        seventy_id, n_mentions = counts.most_common(1)[0]
        claim = client.get(f"/claims/{seventy_id}").json()
        assert claim["document"]["document_id"] == doc_id and len(claim["mentions"]) == n_mentions
        for m in claim["mentions"]:
            assert first[0].original[m["value_start"] : m["value_end"]] == m["value_text"] == "70%"
            assert first[0].original[m["sentence_start"] : m["sentence_end"]] == m["sentence"]
        # One claim shows one time everywhere: the period its cluster's relations are judged on (the page's date,
        # at month level, when the text gives none), in the claim list, the claim and the cluster listing.
        listed = next(c for c in claims["items"] if c["claim_id"] == seventy_id)
        in_cluster = next(
            c for c in client.get(f"/clusters/{claim['cluster_id']}").json()["claims"] if c["claim_id"] == seventy_id
        )
        shown = {(c["time"], c["time_from"]) for c in (listed, claim, in_cluster)}
        assert len(shown) == 1 and next(iter(shown))[0], shown
        _error(client.get("/claims/c_0000000000000000"), 404, "not_found")

        # Documents: listed without text; one with its text and claim spans.
        docs = client.get("/documents").json()
        assert docs["total"] == 6 and all("text" not in d for d in docs["items"])  # the seeds and the note
        assert sum(d["claims"] for d in docs["items"]) == claims["total"]
        doc = client.get(f"/documents/{doc_id}").json()
        assert doc["text"] == first[0].original and doc["title"] == "Seed zero" and doc["published"] == "2025-01-15"
        assert doc["claims"]
        for c in doc["claims"]:
            for m in c["mentions"]:
                assert doc["text"][m["value_start"] : m["value_end"]] == m["value_text"]
        _error(client.get("/documents/0" * 64), 404, "not_found")

        # The graph in three formats.
        graph = client.get("/graph")
        assert graph.headers["content-type"].startswith("application/json")
        assert any(n.get("kind") == "claim" for n in graph.json()["nodes"])
        graphml = client.get("/graph", params={"format": "graphml"})
        assert graphml.headers["content-type"].startswith("application/xml")
        assert ET.fromstring(graphml.content).tag.endswith("graphml")
        jsonld = client.get("/graph", params={"format": "jsonld"})
        assert jsonld.headers["content-type"].startswith("application/ld+json") and "@context" in jsonld.json()

        # Operations.
        assert client.get("/healthz").json() == {"status": "ok"}
        ready = client.get("/readyz").json()
        assert ready["status"] == "ready" and ready["models_loaded"] and ready["store_reachable"]
        metrics = client.get("/metrics").text
        assert 'claimgraph_http_requests_total{method="GET",route="/claims/{claim_id}",status="200"}' in metrics
        assert "claimgraph_extraction_batch_size_count" in metrics


# --- extraction -----------------------------------------------------------------------------------


def test_extract_returns_the_cli_fields_for_json_and_raw_bodies(tmp_path, extractor, seeds):
    article = seeds[1][0]
    expected = [mention_record(m) for m in extractor.extract(article_from_text(article.original, name="x"))]
    assert expected
    for record in expected:
        record.pop("document")
    with TestClient(_app(_sqlite(tmp_path), extractor)) as client:
        for response in (
            client.post("/extract", json={"text": article.original}),
            client.post("/extract", content=article.original.encode(), headers={"content-type": "text/plain"}),
            client.post("/extract", content=article.original.encode("utf-16"), headers={"content-type": "text/plain"}),
        ):
            assert response.status_code == 200, response.text
            out = response.json()
            assert not out["persisted"] and out["created"] is None and out["related"] == []
            # The CLI's fields, equal; the schema's optional extras (e.g. ``direction``) may be added as None.
            got = [{k: c[k] for k in record} for c, record in zip(out["claims"], expected, strict=True)]
            assert got == expected
        # Nothing was stored without persist=true.
        assert client.get("/documents").json()["total"] == 0


def test_extract_reads_html_with_offsets_into_the_markup(tmp_path, extractor):
    html = (
        "<html><head><title>Frameworks</title></head><body><nav>Home | 99% off</nav><article>"
        "<h1>Framework shares</h1><p>In 2024, PyTorch was used in 70% of research papers, "
        "according to Papers With Code.</p><p>TensorFlow&#8217;s share fell to 12% that year.</p>"
        "</article></body></html>"
    )
    with TestClient(_app(_sqlite(tmp_path), extractor)) as client:
        for response in (
            client.post("/extract", json={"html": html, "url": "https://example.org/a"}),
            client.post("/extract?url=https://example.org/a", content=html, headers={"content-type": "text/html"}),
        ):
            out = response.json()
            assert (
                response.status_code == 200 and out["format"] == "html" and out["document"] == "https://example.org/a"
            )
            assert "70%" in {c["value_text"] for c in out["claims"]}
            for c in out["claims"]:
                assert html[c["value_start"] : c["value_end"]] == c["value_text"]


def test_concurrent_requests_are_batched_and_equal_one_at_a_time(tmp_path, extractor, seeds):
    app = _app(_sqlite(tmp_path), extractor, max_batch=4, batch_wait_ms=300)
    texts = [a.original for a, _ in seeds[:4]]

    async def run() -> list[httpx.Response]:
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://api", timeout=120) as client:
                before = app.state.extraction.batches
                responses = await asyncio.gather(*(client.post("/extract", json={"text": t}) for t in texts))
                assert app.state.extraction.batches - before < len(texts)  # at least two shared a batch
                return list(responses)

    responses = asyncio.run(run())
    for (article, mentions), response in zip(seeds[:4], responses, strict=True):
        assert response.status_code == 200
        want = [{k: v for k, v in mention_record(m).items() if k != "document"} for m in mentions]
        got = [{k: c[k] for k in w} for c, w in zip(response.json()["claims"], want, strict=True)]
        assert got == want, article.name


def test_same_article_posted_concurrently_is_stored_once(store_url, extractor, seeds):
    app = _app(store_url, extractor, max_batch=1, batch_wait_ms=0)
    text = seeds[2][0].original

    async def run() -> list[httpx.Response]:
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://api", timeout=120) as client:
                return list(
                    await asyncio.gather(*(client.post("/extract?persist=true", json={"text": text}) for _ in range(3)))
                )

    outs = [r.json() for r in asyncio.run(run())]
    assert all(r["persisted"] for r in outs)
    assert sorted(r["created"] for r in outs) == [False, False, True]
    assert len({r["document_id"] for r in outs}) == 1
    store = Store(store_url)
    assert store.counts()["documents"] == 1
    store.engine.dispose()


def test_reads_answer_while_extraction_runs(tmp_path, extractor, seeds):
    """The event loop is free during model work: reads finish while the model runs a long extraction.

    The test waits until the model is seen running the job (``running``), not until the queue is seen
    holding it: the worker takes a job off the queue at once, so waiting for a queued job could wait for
    the whole extraction (that made this test flaky)."""
    app = _app(_sqlite(tmp_path), extractor)
    long_text = "\n\n".join(a.original for a, _ in seeds) * 3

    async def run() -> None:
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://api", timeout=120) as client:
                extraction = asyncio.create_task(client.post("/extract", json={"text": long_text}))
                while app.state.extraction.running == 0 and not extraction.done():
                    await asyncio.sleep(0.005)  # until the model is running the job
                assert not extraction.done(), "the extraction finished before it was seen running"
                for path in ("/healthz", "/claims", "/contradictions", "/readyz"):
                    assert (await client.get(path)).status_code == 200
                assert not extraction.done(), "the reads should not have waited for the model"
                assert (await extraction).status_code == 200

    asyncio.run(run())


# --- limits and errors ----------------------------------------------------------------------------


def test_full_queue_answers_429_with_retry_after(tmp_path, extractor, seeds):
    app = _app(_sqlite(tmp_path), extractor, queue_size=1, max_batch=1, batch_wait_ms=0)
    text = "\n\n".join(a.original for a, _ in seeds)

    async def run() -> list[httpx.Response]:
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://api", timeout=120) as client:
                return list(await asyncio.gather(*(client.post("/extract", json={"text": text}) for _ in range(6))))

    responses = asyncio.run(run())
    statuses = sorted(r.status_code for r in responses)
    # One running and one waiting at most: the other four are refused at once.
    assert set(statuses) == {200, 429} and statuses.count(429) >= 4, statuses
    for r in responses:
        if r.status_code == 429:
            error = _error(r, 429, "queue_full")
            assert int(r.headers["retry-after"]) >= 1 and error["detail"]["retry_after"] >= 1


def test_full_queue_refuses_before_reading_the_body(tmp_path, extractor, seeds):
    """With the queue full, even a body that would be a 422 gets the 429: nothing is parsed first."""
    app = _app(_sqlite(tmp_path), extractor, queue_size=1, max_batch=1, batch_wait_ms=0)
    text = "\n\n".join(a.original for a, _ in seeds)

    async def run() -> None:
        async with app.router.lifespan_context(app):
            queue = app.state.extraction
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://api", timeout=120) as client:
                running = asyncio.create_task(client.post("/extract", json={"text": text}))
                while queue.running == 0:
                    await asyncio.sleep(0.005)
                waiting = asyncio.create_task(client.post("/extract", json={"text": text}))
                while queue.depth == 0:
                    await asyncio.sleep(0.005)
                bad = b'{"text": '  # not JSON: a 422 whenever the queue has room
                refused = await client.post("/extract", content=bad, headers={"content-type": "application/json"})
                _error(refused, 429, "queue_full")
                assert (await running).status_code == 200 and (await waiting).status_code == 200
                _error(
                    await client.post("/extract", content=bad, headers={"content-type": "application/json"}),
                    422,
                )

    asyncio.run(run())


def test_validation_errors_name_the_field(tmp_path, extractor):
    with TestClient(_app(_sqlite(tmp_path), extractor)) as client:
        cases = [
            (client.post("/extract", json={"title": "no text"}), "text"),
            (client.post("/extract", json={"text": "a", "html": "<p>b</p>"}), "html"),
            (client.post("/extract", json={"text": "   \n "}), "text"),
            (client.post("/extract", json={"text": "PyTorch 70%", "published": "last week"}), "published"),
            (client.post("/extract", json={"text": "PyTorch 70%", "url": "javascript:alert(1)"}), "url"),
            (client.post("/extract", json={"text": 42}), "text"),
            (client.post("/extract", json={"text": "x", "colour": "red"}), "colour"),
            (client.get("/claims", params={"limit": 0}), "limit"),
            (client.get("/claims", params={"offset": -1}), "offset"),
            (client.get("/contradictions", params={"since": "yesterday"}), "since"),
            (client.get("/graph", params={"format": "pdf"}), "format"),
        ]
        for response, field in cases:
            error = _error(response, 422, "validation_error")
            assert field in error["detail"]["fields"] and field in error["message"], error
        _error(
            client.post("/extract", content=b"{not json", headers={"content-type": "application/json"}),
            422,
            "validation_error",
        )
        _error(client.post("/extract", json=["a list"]), 422, "validation_error")
        _error(
            client.post("/extract", content=b"\x00\x01\x02\xff" * 50, headers={"content-type": "text/plain"}),
            422,
            "binary_input",
        )
        _error(client.post("/extract", content=b"", headers={"content-type": "text/plain"}), 422)
        _error(client.post("/extract", content=b"<a/>", headers={"content-type": "application/xml"}), 415)
        _error(client.get("/no/such/page"), 404, "not_found")
        _error(client.delete("/claims"), 405, "method_not_allowed")


def test_bodies_over_the_limit_get_413(tmp_path, extractor):
    with TestClient(_app(_sqlite(tmp_path), extractor, max_request_bytes=2000)) as client:
        error = _error(client.post("/extract", json={"text": "PyTorch 70%. " * 400}), 413, "request_too_large")
        assert error["detail"]["limit"] == 2000

        def chunks():  # no Content-Length: the limit holds on the stream as well
            for _ in range(10):
                yield b"PyTorch 70%. " * 50

        _error(client.post("/extract", content=chunks(), headers={"content-type": "text/plain"}), 413)
        assert client.post("/extract", json={"text": "PyTorch holds 70% of papers."}).status_code == 200


def test_writes_need_the_api_key_when_one_is_set(tmp_path, extractor):
    body = {"text": "PyTorch holds 70% of research papers."}
    with TestClient(_app(_sqlite(tmp_path), extractor, api_key=KEY)) as client:
        error = _error(client.post("/extract", json=body), 401, "unauthorized")
        assert "API key" in error["message"]
        _error(client.post("/extract", json=body, headers={"X-API-Key": "wrong"}), 401, "unauthorized")
        _error(client.post("/extract", json=body, headers={"Authorization": "Bearer wrong"}), 401)
        assert client.post("/extract", json=body, headers={"X-API-Key": KEY}).status_code == 200
        assert client.post("/extract", json=body, headers={"Authorization": f"Bearer {KEY}"}).status_code == 200
        # Every credential presented must be right.
        both = {"X-API-Key": KEY, "Authorization": "Bearer wrong"}
        _error(client.post("/extract", json=body, headers=both), 401, "unauthorized")
        _error(client.post("/extract", json=body, headers={"X-API-Key": KEY, "Authorization": "Basic eDp5"}), 401)
        # Reads stay open.
        for path in ("/claims", "/contradictions", "/documents", "/clusters", "/graph", "/healthz"):
            assert client.get(path).status_code == 200, path
    with TestClient(_app(_sqlite(tmp_path), extractor)) as client:  # no key configured: writes are open
        assert client.post("/extract", json=body).status_code == 200


def test_script_in_text_and_title_stays_data(tmp_path, extractor):
    title = '"><script>alert("t")</script><img src=x onerror=alert(1)>'
    text = "PyTorch holds 70% of research papers.</script><script>alert('x')</script>\n\"quoted\" \\ \u2028 end"
    with TestClient(_app(_sqlite(tmp_path), extractor)) as client:
        response = client.post("/extract?persist=true", json={"text": text, "title": title})
        assert response.status_code == 200 and response.headers["content-type"] == "application/json"
        out = json.loads(response.content)
        assert out["title"] == title
        doc = client.get(f"/documents/{out['document_id']}").json()
        assert doc["text"] == text and doc["title"] == title
        listed = client.get("/documents").json()["items"][0]
        assert listed["title"] == title


def test_docs_page_works_offline(tmp_path, extractor):
    with TestClient(_app(_sqlite(tmp_path), extractor)) as client:
        page = client.get("/docs")
        assert page.status_code == 200
        # Every asset from this server: no CDN.
        assert "/api-static/swagger-ui-bundle.js" in page.text and "/api-static/swagger-ui.css" in page.text
        assert "cdn.jsdelivr" not in page.text and "fastapi.tiangolo.com" not in page.text
        for asset in ("swagger-ui-bundle.js", "swagger-ui.css", "favicon-32x32.png"):
            assert client.get(f"/api-static/{asset}").status_code == 200
        schema = client.get("/openapi.json").json()
        assert {"/extract", "/contradictions", "/claims/{claim_id}", "/graph", "/metrics"} <= set(schema["paths"])
        body = schema["paths"]["/extract"]["post"]["requestBody"]["content"]
        assert {"application/json", "text/plain", "text/html"} <= set(body)


def test_readyz_is_503_until_the_models_are_loaded(tmp_path, extractor):
    app = _app(_sqlite(tmp_path), extractor)
    client = TestClient(app)  # no lifespan: nothing loaded, nothing migrated
    _error(client.get("/readyz"), 503, "not_ready")
    error = _error(client.post("/extract", json={"text": "PyTorch 70%"}), 503, "not_ready")
    assert error["message"]
    started = time.monotonic()
    with TestClient(app) as ready:
        assert ready.get("/readyz").status_code == 200
    assert time.monotonic() - started < 60


def test_cluster_views_follow_writes_from_anywhere(tmp_path, extractor, seeds):
    """Cached views are dropped when the store changes, also when another process (here: core) writes."""
    url = _sqlite(tmp_path)
    _store_seeds(url, extractor, seeds[1:])
    with TestClient(_app(url, extractor)) as client:
        before = client.get("/clusters", params={"subject": "pytorch", "limit": 500}).json()
        assert client.get("/clusters", params={"subject": "pytorch", "limit": 500}).json() == before
        _store_seeds(url, extractor, seeds[:1])  # the 70% seed, written behind the server's back
        after = client.get("/clusters", params={"subject": "pytorch", "limit": 500}).json()
        share = next(v for v in after["items"] if v["metric"] == "research_paper_share")
        assert "70%" in {c["value_text"] for c in share["claims"]}
        assert after != before
        # Seed zero's 70% disagrees with the stored ~80% without an established conflict: not a contradiction.
        assert client.get(f"/clusters/{share['cluster_id']}").json()["verdict"] != "conflicts"
        _error(client.get(f"/contradictions/{share['cluster_id']}"), 404, "not_found")


def test_model_in_its_own_process_gives_the_same_claims(store_url, seeds):
    """``serve``'s default: the models load in a worker process; extraction and persist work through it."""
    article, mentions = seeds[3]
    app = create_app(Settings(database_url=store_url))  # no extractor handed in: the process mode
    assert app.state.extraction.process is not None
    with TestClient(app) as client:
        out = client.post("/extract?persist=true", json={"text": article.original})
        assert out.status_code == 200, out.text
        want = [{k: v for k, v in mention_record(m).items() if k != "document"} for m in mentions]
        got = [{k: c[k] for k in w} for c, w in zip(out.json()["claims"], want, strict=True)]
        assert got == want and out.json()["created"]
        assert client.get("/claims").json()["total"] > 0
        _error(client.post("/extract", json={"text": "\u00a0"}), 422, "validation_error")
