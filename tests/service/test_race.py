"""Writers racing on one PostgreSQL database: every write answered is stored, once.

Two API servers (in this process, each with its own models and store, as two ``claimgraph serve`` would
be) receive different articles that open the same new cluster. The clusters table is held locked until
both servers wait to insert that cluster, so the race happens every time: one commits, the other's
transaction fails on the cluster's key and must be stored again. Then two ``claimgraph ingest`` processes
over two folders whose n-th articles open the same cluster. ``bench/race.py`` runs the same with two
server processes and hundreds of posts.
"""

from __future__ import annotations

import asyncio
import importlib.util
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, text

from pipelines.extract.pipeline import Extractor
from service.api.app import create_app
from service.settings import Settings
from service.store import Store

REPO = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.postgres


@pytest.fixture(scope="module")
def race():
    spec = importlib.util.spec_from_file_location("race", REPO / "bench" / "race.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def second_extractor():
    """A second model copy: two servers never share one."""
    extractor = Extractor()
    extractor.warm_up()
    return extractor


def _waiting_cluster_inserts(url: str) -> int:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(
                text(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                    " AND wait_event_type = 'Lock' AND query ILIKE 'INSERT INTO clusters%'"
                )
            ).scalar_one()
    finally:
        engine.dispose()


def test_two_servers_racing_for_a_new_cluster_store_every_answered_article(pg_url, extractor, second_extractor, race):
    articles = [
        "Survey A\nPyTorch was used in 71% of the research papers we read in 2024.\n",
        "Survey B\nPyTorch was used in 64% of the research papers published in 2023.\n",
    ]
    apps = [
        create_app(Settings(database_url=pg_url, max_batch=1, batch_wait_ms=0), extractor=ex)
        for ex in (extractor, second_extractor)
    ]

    async def run() -> tuple[list[httpx.Response], int, list[httpx.Response]]:
        async with apps[0].router.lifespan_context(apps[0]), apps[1].router.lifespan_context(apps[1]):
            clients = [
                httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://api", timeout=300)
                for app in apps
            ]
            engine = create_engine(pg_url)
            with engine.connect() as holder:
                holder.execute(text("LOCK TABLE clusters IN EXCLUSIVE MODE"))  # reads pass, inserts wait
                posts = [
                    asyncio.create_task(c.post("/extract?persist=true", json={"text": t}))
                    for c, t in zip(clients, articles, strict=True)
                ]
                started = time.monotonic()
                waiting = 0
                while waiting < 2 and time.monotonic() - started < 300 and not any(p.done() for p in posts):
                    await asyncio.sleep(0.2)
                    waiting = await asyncio.to_thread(_waiting_cluster_inserts, pg_url)
                holder.rollback()  # both inserts go: one of them fails on the cluster's key
            engine.dispose()
            raced = list(await asyncio.gather(*posts))
            # Then groups of different articles opening the same new clusters, alternately to both servers,
            # and identical texts to both at once: no lock, just at the same moments.
            groups = race.racing_groups(8, 2)
            more = []
            for group in groups:
                twins = [c.post("/extract?persist=true", json={"text": group[0] + "\nTwin."}) for c in clients]
                alone = [c.post("/extract?persist=true", json={"text": t}) for c, t in zip(clients, group, strict=True)]
                more += await asyncio.gather(*alone, *twins)
            for c in clients:
                await c.aclose()
            return raced, waiting, more

    raced, waiting, more = asyncio.run(run())
    assert waiting == 2, "both servers should have waited to insert the shared cluster"
    for response in raced + more:
        assert response.status_code == 200, response.text
    assert [r.json()["created"] for r in raced] == [True, True]
    store = Store(pg_url)
    stored = {d.id for d in store.documents()}
    answered = [r.json() for r in raced + more]
    assert {a["document_id"] for a in answered} <= stored  # every 200 is in the store
    created: dict[str, int] = {}
    for a in answered:
        created[a["document_id"]] = created.get(a["document_id"], 0) + bool(a["created"])
    assert set(created.values()) == {1} and len(stored) == len(created)  # each stored once
    shared = {c.cluster_id for c in store.claims() if c.document_id in {r.json()["document_id"] for r in raced}}
    assert len(shared) == 1
    store.engine.dispose()


def test_two_ingests_racing_for_new_clusters_store_every_article_once(pg_url, tmp_path, race):
    groups = race.racing_groups(6, 2)
    folders = [tmp_path / "a", tmp_path / "b"]
    for side, folder in enumerate(folders):
        folder.mkdir()
        for i, group in enumerate(groups):
            (folder / f"{i:02d}.txt").write_text(group[side] + "\n", encoding="utf-8")
    env = {**os.environ, "CLAIMGRAPH_DATABASE_URL": pg_url, "CLAIMGRAPH_BATCH_SIZE": "1"}
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "service", "ingest", str(folder), "--json"],
            cwd=REPO,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for folder in folders
    ]
    outputs = [p.communicate(timeout=900) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], [o[1][-2000:] for o in outputs]
    summaries = [json.loads(o[0].splitlines()[-1]) for o in outputs]
    assert [s["new_documents"] for s in summaries] == [6, 6] and not any(s["failed"] for s in summaries)
    store = Store(pg_url)
    assert store.counts()["documents"] == 12
    store.engine.dispose()


@pytest.mark.slow
def test_hundreds_of_racing_posts_and_articles_lose_nothing(race, postgres_admin_url):
    """The bench at full size: two ``claimgraph serve`` processes, 600 posts; two ingests, 2 x 300 articles."""
    servers = race.race_servers(600, concurrency=2, admin_url=postgres_admin_url)
    assert servers["answered_but_lost"] == 0 and servers["created_not_once"] == 0, servers
    assert servers["statuses"] == {200: servers["posts"]}, servers
    ingests = race.race_ingests(300, admin_url=postgres_admin_url)
    assert ingests["exit_codes"] == [0, 0] and ingests["answered_but_lost"] == 0, ingests
    assert ingests["documents_stored"] == ingests["articles"] == ingests["new_documents_reported"], ingests
