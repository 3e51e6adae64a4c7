"""The server-rendered pages, in process, over the seeds ingested by the real extractor."""

from __future__ import annotations

import re

from service.core import cluster_views, document_view
from service.store import Store

SENTENCE_MARK = re.compile(r'<mark class="sentence" id="s-([^"]+)">(.*?)</mark>', re.S)
VALUE_MARK = re.compile(r'<mark class="value" id="m-([^"]+)"[^>]*>(.*?)</mark>', re.S)


def _store(web_db) -> Store:
    return Store(web_db["url"])


def test_contradictions_page_lists_the_conflicting_clusters_only(client, web_db):
    page = client.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    views = cluster_views(_store(web_db))
    linked = set(re.findall(r'href="[^"]*/web/clusters/([^"]+)"', page.text))
    assert linked == {v["cluster_id"] for v in views if v["verdict"] == "conflicts"}
    assert web_db["share_cluster"] in linked
    release = next(v for v in views if v["subject"] == "tensorflow" and v["metric"] == "release_year")
    assert release["cluster_id"] not in linked  # agreeing release years are not a contradiction
    assert '<span class="chip">approximately 80%</span>' in page.text


def test_filters_narrow_the_list_and_stay_selected(client, web_db):
    page = client.get("/", params={"subject": "pytorch", "metric": "research_paper_share"})
    assert page.status_code == 200
    assert re.findall(r'/web/clusters/([^"]+)"', page.text) == [web_db["share_cluster"]]
    assert '<option value="pytorch" selected>' in page.text
    assert '<option value="research_paper_share" selected>' in page.text

    none = client.get("/", params={"subject": "tensorflow", "metric": "release_year"})
    assert "/web/clusters/" not in none.text and "No contradictions for these filters" in none.text

    # An empty field means "any": the unfiltered list.
    assert client.get("/", params={"subject": "", "metric": ""}).text.count("/web/clusters/") == client.get(
        "/"
    ).text.count("/web/clusters/")


def test_cluster_page_shows_the_claims_side_by_side_with_their_sentences(client, web_db, text_of):
    store = _store(web_db)
    page = client.get(f"/web/clusters/{web_db['share_cluster']}")
    assert page.status_code == 200
    written = re.findall(r'<span class="written">(.*?)</span>', page.text)
    assert {"70%", "approximately 80%"} <= set(written)
    assert 'class="badge">conflicts</span>' in page.text and "disjoint" in page.text

    marks = SENTENCE_MARK.findall(page.text)
    assert len(marks) == len(written)
    for mention_id, fragment in marks:
        # The highlighted sentence is the stored sentence, character for character, with its value in bold.
        sentence = next(
            m for c in store.claims() for m in (store.claim(c.id) or (None, None, []))[2] if m.id == mention_id
        )
        assert text_of(fragment) == sentence.sentence
        assert f'<strong class="value">{sentence.value_text}</strong>' in fragment

    # One dot per claim with a value, in an inline SVG drawn by the server.
    svg = re.search(r"<svg class=\"chart\".*?</svg>", page.text, re.S)
    with_value = [
        c for c in cluster_views(store, "pytorch", "research_paper_share")[0]["claims"] if c["value"] is not None
    ]
    assert svg is not None and svg.group(0).count("<circle") == len(with_value) >= 4

    # Every claim links to its document page, which exists.
    for doc_link in set(re.findall(r'href="http://testserver(/web/documents/[0-9a-f]{64})', page.text)):
        assert client.get(doc_link).status_code == 200


def test_document_page_highlights_every_claim_span_and_keeps_the_text(client, web_db, seed_paths, text_of):
    store = _store(web_db)
    doc = next(d for d in store.documents() if d.path.endswith(seed_paths[0].name))
    page = client.get(f"/web/documents/{doc.id}")
    assert page.status_code == 200
    view = document_view(store, doc.id)
    assert view is not None
    expected = {m["mention_id"]: m["value_text"] for c in view["claims"] for m in c["mentions"]}
    found = dict(VALUE_MARK.findall(page.text))
    assert found == expected
    body = re.search(r'<pre class="document">(.*?)</pre>', page.text, re.S)
    assert body is not None and text_of(body.group(1)) == doc.text  # highlighting adds tags, never changes text


def test_unknown_ids_are_404_pages(client):
    for path in ("/web/clusters/k_0000000000000000", "/web/documents/" + "0" * 64):
        page = client.get(path)
        assert page.status_code == 404
        assert page.headers["content-type"].startswith("text/html") and "No such" in page.text


def test_xss_in_a_stored_article_is_shown_as_text(client, web_db, xss, text_of):
    page = client.get(f"/web/documents/{web_db['xss_document']}")
    assert page.status_code == 200
    for payload in (xss["script"], xss["img"]):
        assert payload not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    assert "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;" in page.text
    title = re.search(r'<h1 class="doc-title">(.*?)</h1>', page.text, re.S)
    assert title is not None and text_of(title.group(1)) == xss["title"]
    body = re.search(r'<pre class="document">(.*?)</pre>', page.text, re.S)
    assert body is not None and text_of(body.group(1)) == xss["text"]
    assert [value for _, value in VALUE_MARK.findall(page.text)] == ["64%"]  # the claim between the payloads
    assert "<script" not in page.text and "<img" not in page.text


def test_query_strings_are_not_reflected_unescaped(client, xss):
    page = client.get("/", params={"subject": xss["script"], "metric": xss["img"]})
    assert page.status_code == 200
    assert "<script" not in page.text and "<img" not in page.text


def test_paste_form_extracts_and_shows_the_claims(client, text_of):
    assert client.get("/web/paste").status_code == 200
    text = (
        "Release notes, spring 2025.\n\n"
        "JAX is now used in 12% of the research papers we track, up from 5% a year ago. "
        "The team also says TensorFlow Lite shrinks models by up to 4x.\n"
    )
    page = client.post("/web/paste", data={"title": "Spring notes", "text": text})
    assert page.status_code == 200
    rows = re.findall(r"<tr>\s*<td><a href=\"#v-\d+\">(.*?)</a>", page.text)
    assert "12%" in rows
    body = re.search(r'<pre class="document">(.*?)</pre>', page.text, re.S)
    assert body is not None and text_of(body.group(1)) == text
    assert "Stored" not in page.text  # nothing stored unless asked

    # A browser sends the textarea with CRLF line breaks: the article read is the text as written.
    crlf = client.post("/web/paste", data={"title": "Spring notes", "text": text.replace("\n", "\r\n")})
    body = re.search(r'<pre class="document">(.*?)</pre>', crlf.text, re.S)
    assert body is not None and text_of(body.group(1)) == text


def test_paste_form_can_store_the_article(client, web_db):
    text = "In March 2025, Keras counted 61,000 GitHub stars according to the project page.\n"
    page = client.post("/web/paste", data={"title": "Keras stars", "text": text, "store": "true"})
    assert page.status_code == 200
    link = re.search(r'href="http://testserver(/web/documents/[0-9a-f]{64})"', page.text)
    assert link is not None
    doc_page = client.get(link.group(1))
    assert doc_page.status_code == 200 and "Keras stars" in doc_page.text
    again = client.post("/web/paste", data={"title": "Keras stars", "text": text, "store": "true"})
    assert "Already stored" in again.text


def test_paste_form_escapes_payloads_and_reports_bad_input(client, xss):
    page = client.post("/web/paste", data={"title": xss["title"], "text": xss["text"]})
    assert page.status_code == 200
    assert "<script" not in page.text and "<img" not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text

    empty = client.post("/web/paste", data={"title": "nothing", "text": "   "})
    assert empty.status_code == 422 and 'role="alert"' in empty.text
    long_title = client.post("/web/paste", data={"title": "t" * 501, "text": "PyTorch is popular."})
    assert long_title.status_code == 422
    too_big = client.post("/web/paste", data={"title": "big", "text": "x" * (1024 * 1024 + 10)})
    assert too_big.status_code == 413


def test_stylesheet_is_served_and_nothing_else(client):
    css = client.get("/web/static/style.css")
    assert css.status_code == 200 and "text/css" in css.headers["content-type"]
    assert client.get("/web/static/routes.py").status_code == 404
    assert client.get("/web/static/..%2Froutes.py").status_code == 404


def test_the_form_needs_the_api_key_when_one_is_set(web_db, extractor, client):
    from fastapi.testclient import TestClient

    from service.api.app import create_app
    from service.settings import Settings

    app = create_app(Settings(database_url=web_db["url"], api_key="s3cret-key"), extractor=extractor)
    text = "In 2024, scikit-learn was downloaded 1.2 million times a day from PyPI, its maintainers said.\n"
    with TestClient(app) as c:
        assert 'name="api_key"' in c.get("/web/paste").text
        for store in ("false", "true"):  # the form runs the models as POST /extract does: same rule
            refused = c.post("/web/paste", data={"title": "sk", "text": text, "store": store, "api_key": "wrong"})
            assert refused.status_code == 401 and "API key" in refused.text
            assert 'class="claims-found"' not in refused.text
        stored = c.post("/web/paste", data={"title": "sk", "text": text, "store": "true", "api_key": "s3cret-key"})
        assert stored.status_code == 200 and "/web/documents/" in stored.text
        assert c.get("/").status_code == 200  # pages are reads: open with a key configured
    assert 'name="api_key"' not in client.get("/web/paste").text  # no key configured, no field


def test_pages_forbid_scripts_by_policy(client, web_db):
    for path in ("/", f"/web/clusters/{web_db['share_cluster']}", f"/web/documents/{web_db['xss_document']}"):
        policy = client.get(path).headers["content-security-policy"]
        assert "default-src 'none'" in policy and "script-src" not in policy  # no script source is allowed


def test_every_cluster_page_shows_each_of_its_claims(client, web_db):
    views = cluster_views(_store(web_db))
    assert len(views) > 10
    for view in views:
        page = client.get(f"/web/clusters/{view['cluster_id']}")
        assert page.status_code == 200, view["cluster_id"]
        assert page.text.count('<article class="claim') == len(view["claims"])
        # Claims of another framework shown for a comparison say so.
        shown_for = sum(1 for c in view["claims"] if c.get("counterpart"))
        assert page.text.count('class="muted counterpart"') == shown_for
        assert f'<span class="badge">{view["verdict"].replace("_", " ")}</span>' in page.text
