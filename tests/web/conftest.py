"""The real service over a real store: the five seeds ingested with the shipped extractor, plus one article
whose title and text carry XSS payloads, in a temporary SQLite database; ``create_app`` serves it."""

from __future__ import annotations

import os
import re
from html import unescape
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from pipelines.ingest import article_from_text
from service.api.app import create_app
from service.core import IngestRun, cluster_claims, cluster_views, ingest_paths
from service.settings import Settings
from service.store import Store
from service.store.repository import document_id

REPO = Path(__file__).resolve().parents[2]
HTML_ARTICLE = REPO / "corpus" / "12_devstack-scoreboard.html"
"""A team article that is a whole web page: markup, a menu and a cookie banner around the text."""
SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
XSS_TITLE = f"Framework notes {SCRIPT} {IMG}"
# Written for these tests: one figure a tagger should take for a claim, with both payloads around it.
XSS_TEXT = (
    f"Framework notes {SCRIPT}\n\n"
    f"In our 2025 survey, 64% of the responding developers said they use PyTorch for new projects. {IMG}\n"
    f"The rest of this note is commentary {SCRIPT} and has no figures.\n"
)

# Written for these tests: one note stating two figures for NeurIPS 2024 papers that cannot both be true.
# The seeds hold no established contradiction, so this note gives the pages an established conflict to rank.
SHARE_CONFLICT_NOTE = (
    "Framework share notes\n\nIn 2024, PyTorch was used in 70% of research papers at NeurIPS.\n\n"
    "Our own count disagrees: PyTorch appeared in 85% of NeurIPS papers in 2024.\n"
)


@pytest.fixture(scope="session")
def web_db_url(tmp_path_factory) -> str:
    """A fresh SQLite store, migrated and still empty (a server may start on it while it is being filled)."""
    url = f"sqlite:///{tmp_path_factory.mktemp('web') / 'claimgraph.db'}"
    store = Store(url)
    store.migrate()
    store.engine.dispose()
    return url


@pytest.fixture(scope="session")
def web_db(web_db_url, seed_paths, extractor) -> dict:
    """The store holding the seeds and the XSS article, ingested by the real extractor (ids returned)."""
    url = web_db_url
    store = Store(url)
    run = ingest_paths([*seed_paths, HTML_ARTICLE], store, extractor, IngestRun())
    assert run.new == 6 and not run.failures
    article = article_from_text(XSS_TEXT, name="xss-notes.txt", title=XSS_TITLE)
    mentions = extractor.extract(article)
    assert store.add_document(article, mentions, cluster_claims(store, extractor, article, mentions))
    note = article_from_text(SHARE_CONFLICT_NOTE, name="share-notes.txt", title="Share notes")
    mentions = extractor.extract(note)
    assert store.add_document(note, mentions, cluster_claims(store, extractor, note, mentions))
    share = next(v for v in cluster_views(store) if v["subject"] == "pytorch" and v["metric"] == "research_paper_share")
    store.engine.dispose()
    html = next(d for d in store.documents() if d.path == str(HTML_ARTICLE))
    return {
        "url": url,
        "xss_document": document_id(article),
        "share_cluster": share["cluster_id"],
        "html_document": html.id,
    }


@pytest.fixture(scope="session")
def corpus_db_url(tmp_path_factory) -> str:
    """Another fresh SQLite store, migrated and still empty, for the browser tests."""
    url = f"sqlite:///{tmp_path_factory.mktemp('browser') / 'claimgraph.db'}"
    store = Store(url)
    store.migrate()
    store.engine.dispose()
    return url


@pytest.fixture(scope="session")
def corpus_db(corpus_db_url, extractor) -> dict:
    """The team's corpus (``corpus/``, written by the project) and the XSS article, ingested by the real
    extractor: what the browser tests click through and photograph (no third-party text in a screenshot)."""
    store = Store(corpus_db_url)
    run = ingest_paths([REPO / "corpus"], store, extractor, IngestRun())
    assert run.new >= 16 and not run.failures
    article = article_from_text(XSS_TEXT, name="xss-notes.txt", title=XSS_TITLE)
    mentions = extractor.extract(article)
    assert store.add_document(article, mentions, cluster_claims(store, extractor, article, mentions))
    html = next(d for d in store.documents() if d.path == str(HTML_ARTICLE))
    store.engine.dispose()
    return {"url": corpus_db_url, "xss_document": document_id(article), "html_document": html.id}


@pytest.fixture(scope="session")
def web_app(web_db, extractor):
    """The service as ``claimgraph serve`` builds it (API and pages), over the seeded store."""
    return create_app(Settings(database_url=web_db["url"]), extractor=extractor)


@pytest.fixture(scope="session")
def client(web_app):
    with TestClient(web_app) as c:  # runs the lifespan: store migrated, extraction queue started
        yield c


@pytest.fixture(scope="session")
def xss() -> dict[str, str]:
    """The payloads and the article that carries them."""
    return {"script": SCRIPT, "img": IMG, "title": XSS_TITLE, "text": XSS_TEXT}


@pytest.fixture(scope="session")
def text_of():
    """What a reader sees of an HTML fragment: tags dropped, entities decoded."""
    return lambda fragment: unescape(re.sub(r"<[^>]+>", "", fragment))


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """Where the browser tests write their screenshots: ``CLAIMGRAPH_SCREENSHOTS`` (``make screenshots`` sets
    ``docs/screenshots``), else ``test-artifacts/`` at the repository root (git-ignored)."""
    path = Path(os.environ.get("CLAIMGRAPH_SCREENSHOTS") or REPO / "test-artifacts")
    path.mkdir(parents=True, exist_ok=True)
    return path
