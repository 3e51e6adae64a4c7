"""`core.process_batch`, the engine-independent batch function, with other writers on one PostgreSQL database."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import create_engine, text

from pipelines.extract.pipeline import Extractor
from pipelines.ingest import article_from_text
from service.core import ArticleOutcome, cluster_claims, process_batch
from service.store import Store
from service.store.repository import document_id


@pytest.mark.postgres
def test_an_article_that_lost_the_race_for_its_cluster_is_stored_again(pg_url):
    """Two writers store two articles that open the same cluster at the same moment.

    A third connection holds the clusters table until both writers wait to insert the cluster row, then
    lets them go: one commits the cluster, the other's insert fails on its key and rolls back its whole
    article. That article must still end up stored (tried again against the cluster now there).
    """
    articles = [
        article_from_text("PyTorch was used in 71% of the research papers we read in 2024.\n", name="a.txt"),
        article_from_text("PyTorch was used in 64% of the research papers published in 2023.\n", name="b.txt"),
    ]
    extractors = [Extractor(), Extractor()]  # one each: tokenizers are not shared between threads
    for extractor in extractors:
        extractor.warm_up()
    Store(pg_url).migrate()
    stores = [Store(pg_url), Store(pg_url)]
    shared = {
        ref.id
        for ref in cluster_claims(stores[0], extractors[0], articles[0], extractors[0].extract(articles[0])).values()
    } & {
        ref.id
        for ref in cluster_claims(stores[1], extractors[1], articles[1], extractors[1].extract(articles[1])).values()
    }
    assert shared, "the two articles must open a cluster in common"

    results: list[list[ArticleOutcome]] = [[], []]
    errors: list[BaseException] = []

    def write(i: int) -> None:
        try:
            results[i] = process_batch([articles[i]], stores[i], extractors[i])
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)

    engine = create_engine(pg_url)
    with engine.connect() as holder, engine.connect() as watcher:
        holder.execute(text("LOCK TABLE clusters IN EXCLUSIVE MODE"))  # reads pass, inserts wait
        threads = [threading.Thread(target=write, args=(i,)) for i in range(2)]
        for t in threads:
            t.start()
        deadline = time.monotonic() + 120
        waiting = 0
        while waiting < 2 and time.monotonic() < deadline and not errors:
            time.sleep(0.2)
            waiting = watcher.execute(
                text(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                    " AND wait_event_type = 'Lock' AND query ILIKE 'INSERT INTO clusters%'"
                )
            ).scalar_one()
            watcher.rollback()
        holder.rollback()  # releases the lock: both inserts go, one of them fails on the key
        for t in threads:
            t.join(timeout=120)
    engine.dispose()

    assert not errors, errors
    assert waiting == 2, "both writers should have waited to insert the shared cluster"
    assert [o.stored for r in results for o in r] == [True, True]
    store = Store(pg_url)
    assert all(store.has_document(document_id(a)) for a in articles)
    claims = store.claims()
    assert {c.document_id for c in claims} == {document_id(a) for a in articles}
    assert len({c.cluster_id for c in claims if c.cluster_id in shared}) == 1
