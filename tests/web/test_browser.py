"""Headless Chromium (Debian's, driven by Playwright) against ``claimgraph serve`` on a free port.

The server is the real command in its own process (API and pages, models loaded at start-up) over the
store the fixtures seeded; the browser clicks through it as a person would.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

CHROMIUM = Path("/usr/bin/chromium")
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"

pytestmark = pytest.mark.browser


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def live_server(request, corpus_db_url, tmp_path_factory) -> Iterator[str]:
    """``claimgraph serve`` on 127.0.0.1:<free port> over the team corpus's store, once /readyz says it is ready.

    The server starts on the migrated store and loads its models while this process ingests the corpus:
    the two waits overlap.
    """
    port = _free_port()
    log = (tmp_path_factory.mktemp("serve") / "serve.log").open("w+")
    env = {**os.environ, "CLAIMGRAPH_DATABASE_URL": corpus_db_url, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    env.pop("CLAIMGRAPH_API_KEY", None)
    server = subprocess.Popen(
        [sys.executable, "-m", "service", "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        request.getfixturevalue("corpus_db")
        deadline = time.monotonic() + 120
        while True:
            if server.poll() is not None:
                log.seek(0)
                pytest.fail(f"claimgraph serve exited with {server.returncode}:\n{log.read()[-3000:]}")
            assert time.monotonic() < deadline, "claimgraph serve was not ready in 120 s"
            try:
                if httpx.get(f"{url}/readyz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.25)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


@pytest.fixture
def page(live_server):
    """A headless Chromium page; every dialog it opens is recorded (and dismissed) in ``page.dialogs``."""
    from playwright.sync_api import sync_playwright

    # Fail, not skip: `make test` installs Debian's chromium, and a browser test that quietly does not run
    # would pass without checking anything.
    assert CHROMIUM.exists(), "Debian's chromium is missing: `make browser` (apt-get install chromium)"
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        p = browser.new_page(viewport={"width": 1280, "height": 900})
        p.set_default_timeout(15_000)
        dialogs: list[str] = []
        p.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        p.dialogs = dialogs  # type: ignore[attr-defined]
        try:
            yield p
        finally:
            browser.close()


def _assert_png(path: Path) -> None:
    data = path.read_bytes()
    assert len(data) > 1000 and data.startswith(PNG_MAGIC), f"{path} is not a PNG screenshot"


def _shot(page, path: Path, full_page: bool = False) -> None:
    page.screenshot(path=str(path), full_page=full_page)
    _assert_png(path)


def _fits_the_window(page) -> None:
    """Nothing runs off the right edge: the page is no wider than the window."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"{page.url} is {width}px wide"


def _labels_do_not_overlap(page) -> None:
    """The chart's labels (ticks and figures) are drawn where no other label of the same chart is."""
    for chart in page.locator("svg.chart").all():
        boxes = [t.bounding_box() for t in chart.locator("text.label").all()]
        boxes = [b for b in boxes if b]
        for i, a in enumerate(boxes):
            for b in boxes[i + 1 :]:
                apart = a["x"] + a["width"] <= b["x"] or b["x"] + b["width"] <= a["x"]
                apart = apart or a["y"] + a["height"] <= b["y"] + 1 or b["y"] + b["height"] <= a["y"] + 1
                assert apart, f"chart labels overlap: {a} {b}"


def _verdicts(live_server: str) -> dict[str, str]:
    """Every cluster's verdict, as the API gives it."""
    listed = httpx.get(f"{live_server}/clusters", params={"relations": "none", "limit": 500}, timeout=30).json()
    assert listed["total"] == len(listed["items"])
    return {v["cluster_id"]: v["verdict"] for v in listed["items"]}


def _cluster_id(link) -> str:
    return (link.get_attribute("href") or "").rsplit("/", 1)[-1]


def test_from_the_home_page_to_a_cluster_and_the_place_it_was_written(page, live_server, artifacts):
    from playwright.sync_api import expect

    # The team corpus holds no established conflict: its figures that disagree are later figures, figures
    # for other populations or settings, or not shown to speak of the same ones.
    verdicts = _verdicts(live_server)
    assert "conflicts" not in verdicts.values()
    page.goto(f"{live_server}/")
    expect(page.get_by_role("heading", name="Worth a look first")).to_be_visible()
    expect(page.locator("p.lead")).to_contain_text("0 of them with an established conflict")
    rows = page.locator("table.ranked tbody tr")
    expect(rows.first).to_be_visible()
    # Each row's badge is its cluster's verdict; with no established conflict (their coming first is checked
    # in tests/web/test_pages.py) the clusters most documents talk about come first (the catch-all metric
    # "other" after the named ones).
    shown = [(_cluster_id(r.locator("a.cluster-link")), r.locator(".badge").inner_text()) for r in rows.all()]
    assert [badge.lower() for _, badge in shown] == [verdicts[cid].replace("_", " ") for cid, _ in shown]
    named = [r for r in rows.all() if not r.locator("a.cluster-link").inner_text().endswith("· other")]
    documents = [int(r.locator("td.num").inner_text()) for r in named]
    assert documents == sorted(documents, reverse=True)
    _fits_the_window(page)
    _shot(page, artifacts / "home.png")

    # The first row: PyTorch's research-paper share, the cluster most documents talk about (another PyTorch
    # research-share cluster, of another subject form, may be listed further down). What explains most of its
    # disagreeing figures is a later figure for a later year: a trend; the others differ in scope or setting.
    first = rows.first
    expect(first.locator(".badge")).to_have_text("trend")
    first.get_by_role("link", name="PyTorch · research paper share").click()
    page.wait_for_url(re.compile(r"/web/clusters/k_[0-9a-f]+$"))
    expect(page.locator("p.verdict .badge")).to_have_text("trend")
    expect(page.locator("p.verdict")).to_contain_text("a later figure")
    conflicts = page.locator("section[aria-label=Conflicts]")
    expect(conflicts).to_contain_text("No two figures of this cluster are in an established conflict.")
    expect(conflicts).to_contain_text("different scope")
    expect(page.locator("tr.pair")).to_have_count(0)

    def row(figure: str):
        own = page.locator("tr.figure:not(.counterpart)")
        return own.filter(has=page.locator("td.figure-value strong", has_text=re.compile(figure)))

    seventy_row, eighty_row = row(r"^70%$"), row(r"^about 80%$")
    for figure in (seventy_row, eighty_row):
        expect(figure).to_have_count(1)
        expect(figure).to_be_visible()
        # Each source's sentence has the figure highlighted, as that source wrote it.
        value = figure.locator("blockquote.excerpt strong.value").first
        expect(value).to_be_visible()
        assert value.inner_text() in figure.locator("span.written").all_inner_texts()
        # The highlight is drawn: the value has a background colour, not a transparent one.
        background = value.evaluate("el => getComputedStyle(el).backgroundColor")
        assert background not in ("rgba(0, 0, 0, 0)", "transparent")
    expect(page.locator("svg.chart circle")).not_to_have_count(0)
    _labels_do_not_overlap(page)
    _fits_the_window(page)
    _shot(page, artifacts / "cluster.png", full_page=True)

    # A source of the 70% figure opens its document at the value it highlighted, as it was written there.
    written = seventy_row.locator("blockquote.excerpt strong.value").first.inner_text()
    seventy_row.locator("a.doc-link").first.click()
    page.wait_for_url(re.compile(r"/web/documents/[0-9a-f]{64}#m-"))
    target = page.locator("mark.value:target")
    expect(target).to_have_text(written)
    assert "70%" in (target.get_attribute("title") or "")
    expect(target).to_be_in_viewport()
    _fits_the_window(page)
    _shot(page, artifacts / "document.png")
    assert page.dialogs == []


def test_lists_of_clusters_and_documents_search_and_download(page, live_server, artifacts, corpus_db):
    from playwright.sync_api import expect

    page.goto(f"{live_server}/web/documents/")
    expect(page.get_by_role("heading", name="Documents")).to_be_visible()
    page.fill("input[name=q]", "scoreboard")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator("table.documents tbody tr")).to_have_count(1)
    page.goto(f"{live_server}/web/documents/")
    _fits_the_window(page)
    _shot(page, artifacts / "documents.png")
    with page.expect_download() as download:
        page.get_by_role("link", name="CSV").click()
    assert download.value.suggested_filename == "documents.csv"

    # The verdict filter offers the verdicts the store holds (the team corpus has no established conflict)
    # and keeps the clusters of the one chosen: here those whose figures are for different populations or
    # settings.
    verdicts = _verdicts(live_server)
    page.goto(f"{live_server}/web/clusters/")
    offered = page.locator("select[name=verdict] option").evaluate_all("options => options.map(o => o.value)")
    assert offered == ["", *sorted(set(verdicts.values()))] and "conflicts" not in offered
    page.select_option("select[name=verdict]", "different_scope")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url(re.compile(r"verdict=different_scope"))
    badges = page.locator("table.ranked tbody .badge")
    expect(badges.first).to_have_text("different scope")
    assert set(badges.all_inner_texts()) == {"DIFFERENT SCOPE"}  # shown in capitals by the stylesheet
    scoped = sum(v == "different_scope" for v in verdicts.values())
    assert 0 < scoped <= 50 and badges.count() == scoped  # one page of them
    expect(page.locator(".listing-head p.muted")).to_have_text(f"{scoped} clusters match.")
    _fits_the_window(page)
    _shot(page, artifacts / "clusters.png")

    # The readable view of a web page: its text without markup or cookie banner, highlights in place.
    page.goto(f"{live_server}/web/documents/{corpus_db['html_document']}")
    expect(page.locator("pre.document.readable")).not_to_contain_text("cookie")
    expect(page.locator("mark.value").first).to_be_visible()
    _fits_the_window(page)
    _shot(page, artifacts / "document-html.png")


def test_paste_form_shows_claims_and_payloads_as_text(page, live_server, artifacts, xss, corpus_db):
    from playwright.sync_api import expect

    page.goto(f"{live_server}/")
    page.get_by_role("link", name="Paste an article").click()
    page.fill("input[name=title]", xss["title"])
    page.fill("textarea[name=text]", xss["text"])
    page.check("input[name=store]")
    page.get_by_role("button", name="Find the claims").click()

    expect(page.locator("q.pasted-title")).to_have_text(xss["title"])
    found = page.locator("table.claims-found tbody tr")
    expect(found).to_have_count(1)
    expect(found.first.locator("td").first).to_contain_text("64%")
    expect(page.locator("pre.document")).to_have_text(xss["text"])
    assert page.locator("img").count() == 0 and page.locator("script").count() == 0
    _fits_the_window(page)
    _shot(page, artifacts / "paste.png", full_page=True)

    # The form sends the text as the fixture stored it (the browser's CRLF line breaks are undone), so it is
    # the same document; its page shows the title and text as text too.
    expect(page.locator("p.stored")).to_contain_text("Already stored")
    page.locator("a.doc-link").click()
    page.wait_for_url(re.compile(rf"/web/documents/{corpus_db['xss_document']}$"))
    expect(page.locator("h1.doc-title")).to_have_text(xss["title"])
    expect(page.locator("pre.document")).to_have_text(xss["text"])
    expect(page.locator("mark.value")).to_have_text(["64%"])
    assert page.locator("img").count() == 0 and page.locator("script").count() == 0
    assert page.dialogs == [], f"a payload ran: {page.dialogs}"
