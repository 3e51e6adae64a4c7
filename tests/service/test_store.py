"""The store on SQLite and on the real PostgreSQL server, with mentions written by hand."""

from concurrent.futures import ThreadPoolExecutor

from pipelines.ingest import article_from_text
from pipelines.types import Mention
from service.store import Store
from service.store.repository import document_id

TEXT = "PyTorch Wins 70% of Research\nPyTorch Wins 70% of Research\nPyTorch holds 62% of papers in 2022."


def _mention(article, value_text, occurrence=1, value=0.70, time=None):
    start = -1
    for _ in range(occurrence):
        start = article.original.index(value_text, start + 1)
    line_start = article.original.rfind("\n", 0, start) + 1
    line_end = article.original.find("\n", start)
    line_end = len(article.original) if line_end < 0 else line_end
    return Mention(
        document=article.name,
        value_start=start,
        value_end=start + len(value_text),
        value_text=value_text,
        sentence=article.original[line_start:line_end],
        sentence_start=line_start,
        sentence_end=line_end,
        subject="pytorch",
        subjects=("pytorch",),
        metric="research_paper_share",
        metric_phrase="Research",
        value=value,
        value_high=None,
        unit="percent",
        comparator="=",
        time=time,
        time_from="text" if time else "none",
        scope=None,
        source=None,
        confidence=0.9,
    )


def _store(url):
    store = Store(url)
    store.migrate()
    store.migrate()  # idempotent
    return store


def test_repeated_statement_is_one_claim_with_its_mentions(store_url):
    store = _store(store_url)
    article = article_from_text(TEXT, name="a.txt")
    mentions = [
        _mention(article, "70%", 1),
        _mention(article, "70%", 2),
        _mention(article, "62%", value=0.62, time="2022"),
    ]
    assert store.add_document(article, mentions)
    assert store.counts() == {"documents": 1, "claims": 2, "mentions": 3}
    (seventy,) = [c for c in store.claims("pytorch") if c.value_text == "70%"]
    row, doc, stored = store.claim(seventy.id)
    assert doc.id == document_id(article)
    assert [m.value_start for m in stored] == [m.value_start for m in mentions[:2]]
    for m in stored:
        assert doc.text[m.value_start : m.value_end] == m.value_text


def test_same_article_is_stored_once(store_url):
    store = _store(store_url)
    article = article_from_text(TEXT, name="a.txt")
    assert store.add_document(article, [_mention(article, "62%", value=0.62)])
    again = article_from_text(TEXT, name="copy-of-a.txt")
    assert not store.add_document(again, [_mention(again, "62%", value=0.62)])
    assert store.counts()["documents"] == 1


def test_concurrent_writers_store_an_article_exactly_once(store_url):
    store = _store(store_url)
    article = article_from_text(TEXT, name="a.txt")
    mentions = [_mention(article, "62%", value=0.62)]
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda _: Store(store_url).add_document(article, mentions), range(4)))
    assert results.count(True) == 1
    assert store.counts() == {"documents": 1, "claims": 1, "mentions": 1}
