"""The server-rendered pages, in process, over the seeds (and one team web page) ingested by the real extractor."""

from __future__ import annotations

import csv
import io
import re

from pipelines.ingest import article_from_text
from service.core import cluster_views, document_view
from service.store import Store
from service.web.present import conflict_pairs, figures, rank

VALUE_MARK = re.compile(r'<mark class="value" id="m-([^"]+)"[^>]*>(.*?)</mark>', re.S)
CLUSTER_LINK = re.compile(r'<a class="cluster-link" href="[^"]*/web/clusters/(k_[0-9a-f]+)"')
EXPONENT = re.compile(r"\d\.\d+e[+-]\d")


def _store(web_db) -> Store:
    return Store(web_db["url"])


def _body(page) -> str:
    found = re.search(r'<pre class="document[^"]*">(.*?)</pre>', page.text, re.S)
    assert found is not None
    return found.group(1)


def test_home_ranks_established_conflicts_first_then_documents_then_recency(client, web_db):
    page = client.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    views = cluster_views(_store(web_db))
    shown = CLUSTER_LINK.findall(page.text)
    assert shown == [v["cluster_id"] for v in rank(views)][: len(shown)] and len(shown) == min(25, len(views))
    conflicts = [v for v in views if v["verdict"] == "conflicts"]
    assert shown[: len(conflicts)] == [v["cluster_id"] for v in rank(conflicts)][: len(shown)]
    assert f"{len(conflicts)} of them with an established conflict" in page.text
    assert web_db["share_cluster"] in shown
    assert not EXPONENT.search(page.text)


def test_cluster_list_searches_and_filters_by_framework_metric_verdict_and_period(client, web_db):
    views = cluster_views(_store(web_db))
    every = CLUSTER_LINK.findall(client.get("/web/clusters/").text)
    assert sorted(every) == sorted(v["cluster_id"] for v in views)  # all of them (fewer than a page here)

    narrowed = client.get("/web/clusters/", params={"subject": "pytorch", "metric": "research_paper_share"})
    assert CLUSTER_LINK.findall(narrowed.text) == [web_db["share_cluster"]]
    assert '<option value="pytorch" selected>' in narrowed.text

    conflicts = CLUSTER_LINK.findall(client.get("/web/clusters/", params={"verdict": "conflicts"}).text)
    assert sorted(conflicts) == sorted(v["cluster_id"] for v in views if v["verdict"] == "conflicts")

    found = CLUSTER_LINK.findall(client.get("/web/clusters/", params={"q": "PyTorch research paper"}).text)
    assert web_db["share_cluster"] in found and len(found) < len(every)

    dated = CLUSTER_LINK.findall(client.get("/web/clusters/", params={"since": "2025", "until": "2025"}).text)
    expected = [v["cluster_id"] for v in views if any(str(c["time"] or "").startswith("2025") for c in v["claims"])]
    assert sorted(dated) == sorted(expected) and 0 < len(dated) < len(every)

    nothing = client.get("/web/clusters/", params={"q": "no such words anywhere"})
    assert CLUSTER_LINK.findall(nothing.text) == [] and "No cluster matches" in nothing.text
    assert client.get("/web/clusters", follow_redirects=False).status_code in (307, 308)  # the list ends in /


def test_lists_and_pages_download_as_csv_and_json(client, web_db):
    views = cluster_views(_store(web_db))
    listed = client.get("/web/clusters/", params={"verdict": "conflicts", "download": "csv"})
    assert (
        listed.headers["content-type"].startswith("text/csv") and "attachment" in listed.headers["content-disposition"]
    )
    rows = list(csv.DictReader(io.StringIO(listed.text)))
    assert {r["cluster_id"] for r in rows} == {v["cluster_id"] for v in views if v["verdict"] == "conflicts"}
    as_json = client.get("/web/clusters/", params={"verdict": "conflicts", "download": "json"}).json()
    assert [r["cluster_id"] for r in as_json] == [r["cluster_id"] for r in rows]

    share = next(v for v in views if v["cluster_id"] == web_db["share_cluster"])
    claims = list(csv.DictReader(io.StringIO(client.get(f"/web/clusters/{share['cluster_id']}?download=csv").text)))
    assert sorted(r["claim_id"] for r in claims) == sorted(c["claim_id"] for c in share["claims"])

    documents = list(csv.DictReader(io.StringIO(client.get("/web/documents/?download=csv").text)))
    assert len(documents) == len(_store(web_db).documents()) and {"title", "url", "claims"} <= set(documents[0])
    doc = client.get(f"/web/documents/{web_db['html_document']}?download=json").json()
    view = document_view(_store(web_db), web_db["html_document"])
    assert view is not None and len(doc) == len(view["claims"])
    page = client.get("/web/clusters/")
    assert re.search(r'href="[^"]*/web/clusters/\?download=csv"', page.text)
    assert re.search(r'href="[^"]*/web/clusters/\?download=json"', page.text)


def test_cluster_page_has_one_row_per_distinct_figure_with_its_sources(client, web_db, text_of):
    store = _store(web_db)
    view = next(v for v in cluster_views(store) if v["cluster_id"] == web_db["share_cluster"])
    figs = figures(view)
    page = client.get(f"/web/clusters/{web_db['share_cluster']}")
    assert page.status_code == 200
    rows = re.findall(r'<tr class="figure[^"]*" id="(F\d+)" data-figure="F\d+">(.*?)</tr>', page.text, re.S)
    assert [label for label, _ in rows] == [f.label for f in figs]
    assert len(figs) < len(view["claims"])  # equal figures were grouped
    assert 'class="badge verdict-conflicts">conflicts</span>' in page.text
    for (_, row), figure in zip(rows, figs, strict=True):
        assert figure.text in text_of(row)
        for claim in figure.claims:
            assert claim["value_text"] in text_of(row)
    # A source links to the highlighted place of the figure in its document page, which has that anchor.
    links = set(
        re.findall(r'class="doc-link" href="http://testserver(/web/documents/[0-9a-f]{64})#(m-[^"]+)"', page.text)
    )
    assert links
    for path, anchor in links:
        assert f'id="{anchor}"' in client.get(path).text
    # Figures in conflict are listed as pairs of figures, each pair once, with the reason in words.
    pairs = conflict_pairs(view, figs)
    assert page.text.count('<tr class="pair">') == min(len(pairs), 40) > 0  # the first ten open, the rest folded
    assert not EXPONENT.search(page.text)


def test_cluster_charts_have_one_unit_each_and_readable_axes(client, web_db):
    for view in cluster_views(_store(web_db)):
        page = client.get(f"/web/clusters/{view['cluster_id']}")
        charts = re.findall(r'<svg class="chart".*?</svg>', page.text, re.S)
        units = {f.unit for f in figures(view) if f.value is not None and not f.counterpart}
        assert len(charts) == len(units), view["cluster_id"]
        for svg in charts:
            ticks = re.findall(r'<text class="tick"[^>]*>([^<]*)</text>', svg)
            assert ticks and not any("e+" in t for t in ticks)
            percent = [t for t in ticks if t.endswith("%")]
            shares = [f.value for f in figures(view) if f.unit == "percent" and f.value is not None]
            if percent:  # a share runs from 0% to 100% unless a figure lies beyond
                assert percent[0] == "0%" or min(shares) < 0
                assert percent[-1] == "100%" or max(shares) > 1


def test_html_document_is_shown_as_readable_text_with_its_highlights_in_place(client, web_db, text_of):
    store = _store(web_db)
    view = document_view(store, web_db["html_document"])
    assert view is not None and view["format"] == "html"
    article = article_from_text(view["text"], fmt="html")
    readable = client.get(f"/web/documents/{web_db['html_document']}")
    body = text_of(_body(readable))
    assert body == article.clean
    assert "<div" not in body and "cookie" not in body.lower() and "Accept all" not in body  # markup and banner gone
    mentions = {m["mention_id"]: m for c in view["claims"] for m in c["mentions"]}
    marks = dict(VALUE_MARK.findall(readable.text))
    assert marks and set(marks) <= set(mentions)
    for mention_id, fragment in marks.items():
        m = mentions[mention_id]
        span = article.to_clean(m["value_start"], m["value_end"])
        assert span is not None and text_of(fragment) == article.clean[span[0] : span[1]]
        assert article.to_original(*span) == (m["value_start"], m["value_end"])  # the same characters
    original = client.get(f"/web/documents/{web_db['html_document']}", params={"view": "original"})
    assert text_of(_body(original)) == view["text"] and "cookie" in text_of(_body(original)).lower()
    assert {k: text_of(v) for k, v in VALUE_MARK.findall(original.text)} == {
        k: m["value_text"] for k, m in mentions.items()
    }


def test_text_document_is_shown_with_its_mojibake_repaired(client, web_db, seed_paths, text_of):
    store = _store(web_db)
    doc = next(d for d in store.documents() if d.path.endswith(seed_paths[0].name))
    assert "β€" in doc.text  # the seed carries Greek-code-page mojibake
    readable = text_of(_body(client.get(f"/web/documents/{doc.id}")))
    assert "β€" not in readable and "François" in readable
    page = client.get(f"/web/documents/{doc.id}", params={"view": "original"})
    view = document_view(store, doc.id)
    assert view is not None
    expected = {m["mention_id"]: m["value_text"] for c in view["claims"] for m in c["mentions"]}
    assert {k: text_of(v) for k, v in VALUE_MARK.findall(page.text)} == expected
    assert text_of(_body(page)) == doc.text  # highlighting adds tags, never changes text


def test_documents_list_searches_and_filters(client, web_db, seed_paths):
    store = _store(web_db)
    listed = client.get("/web/documents/")
    links = re.findall(r'class="doc-link" href="[^"]*/web/documents/([0-9a-f]{64})"', listed.text)
    assert sorted(links) == sorted(d.id for d in store.documents())
    by_title = client.get("/web/documents/", params={"q": "scoreboard"})
    assert re.findall(r"/web/documents/([0-9a-f]{64})", by_title.text) == [web_db["html_document"]]
    assert 'href="https://' not in listed.text or "original ↗" in listed.text
    about = client.get("/web/documents/", params={"subject": "jax"}).text
    jax_docs = {c.document_id for c in store.claims("jax")}
    assert set(re.findall(r'class="doc-link" href="[^"]*/web/documents/([0-9a-f]{64})"', about)) == jax_docs
    published = client.get("/web/documents/", params={"since": "2025"}).text
    listed_ids = set(re.findall(r'class="doc-link" href="[^"]*/web/documents/([0-9a-f]{64})"', published))
    assert web_db["html_document"] in listed_ids
    # Only documents dated 2025 or later: the undated ones and those dated earlier are left out.
    assert listed_ids == {d.id for d in store.documents() if d.published and d.published[:4] >= "2025"}


def test_unknown_ids_are_404_pages(client):
    for path in ("/web/clusters/k_0000000000000000", "/web/documents/" + "0" * 64):
        page = client.get(path)
        assert page.status_code == 404
        assert page.headers["content-type"].startswith("text/html") and "No such" in page.text


def test_xss_in_a_stored_article_is_shown_as_text(client, web_db, xss, text_of):
    for params in ({}, {"view": "original"}):
        page = client.get(f"/web/documents/{web_db['xss_document']}", params=params)
        assert page.status_code == 200
        for payload in (xss["script"], xss["img"]):
            assert payload not in page.text
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
        assert "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;" in page.text
        title = re.search(r'<h1 class="doc-title">(.*?)</h1>', page.text, re.S)
        assert title is not None and text_of(title.group(1)) == xss["title"]
        assert text_of(_body(page)) == xss["text"]
        assert [text_of(v) for _, v in VALUE_MARK.findall(page.text)] == ["64%"]  # the claim between the payloads
        assert "<script" not in page.text and "<img" not in page.text
    listed = client.get("/web/documents/", params={"q": "framework notes"})
    assert "&lt;script&gt;" in listed.text and "<script" not in listed.text
    as_csv = client.get("/web/documents/", params={"q": "framework notes", "download": "csv"})
    assert xss["script"] in as_csv.text and as_csv.headers["x-content-type-options"] == "nosniff"


def test_query_strings_are_not_reflected_unescaped(client, xss):
    for path in ("/", "/web/clusters/", "/web/documents/"):
        for params in ({"subject": xss["script"], "metric": xss["img"]}, {"q": xss["script"], "since": xss["img"]}):
            page = client.get(path, params=params)
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
    pages = ("/", "/web/clusters/", "/web/documents/", "/web/paste", f"/web/clusters/{web_db['share_cluster']}")
    for path in (*pages, f"/web/documents/{web_db['xss_document']}"):
        page = client.get(path)
        policy = page.headers["content-security-policy"]
        assert "default-src 'none'" in policy and "script-src" not in policy  # no script source is allowed
        assert "<script" not in page.text


def test_every_cluster_page_shows_each_of_its_figures(client, web_db):
    views = cluster_views(_store(web_db))
    assert len(views) > 10
    for view in views:
        page = client.get(f"/web/clusters/{view['cluster_id']}")
        assert page.status_code == 200, view["cluster_id"]
        figs = figures(view)
        assert page.text.count('<tr class="figure') == len(figs)
        assert page.text.count('<div class="source"') == len(view["claims"])  # every claim is a source once
        others = {f.subject for f in figs if f.counterpart}
        assert page.text.count('<details class="others">') == len(others)
        assert f">{view['verdict'].replace('_', ' ')}</span>" in page.text
