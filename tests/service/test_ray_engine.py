"""`claimgraph ingest --engine ray`: the Ray Data actor pool stores what the in-process ingest stores.

Each `claimgraph` process below starts its own local Ray instance (as two machines would each run their
workers), so these tests start real Ray workers that load the real models.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("ray", reason="the Ray engine needs the [distributed] extra: pip install -e '.[distributed]'")

from pipelines.extract.pipeline import Extractor  # noqa: E402
from service.core import IngestRun, ingest_paths  # noqa: E402
from service.store import Store  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO / "corpus"
ENV = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}


@pytest.fixture(scope="module")
def extractor() -> Extractor:
    extractor = Extractor()
    extractor.warm_up()
    return extractor


def ray_ingest(folder: Path, url: str, workers: int, batch_size: int = 16) -> subprocess.Popen:
    env = {**ENV, "CLAIMGRAPH_DATABASE_URL": url, "CLAIMGRAPH_BATCH_SIZE": str(batch_size)}
    cmd = [sys.executable, "-m", "service", "ingest", str(folder), "--json", "--engine", "ray"]
    return subprocess.Popen(
        [*cmd, "--workers", str(workers)], cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def finish(proc: subprocess.Popen, code: int = 0) -> dict:
    """The --json summary of a finished ingest (a crash exits 1 too, but prints no summary)."""
    out, err = proc.communicate(timeout=600)
    assert proc.returncode == code and out.strip(), err[-3000:]
    return json.loads(out.splitlines()[-1])


def assert_same(got: dict[str, set], expected: dict[str, set]) -> None:
    for key in expected:
        assert got[key] == expected[key], (key, sorted(got[key] - expected[key]), sorted(expected[key] - got[key]))


def stored(url: str) -> dict[str, set]:
    """What a store holds, by content-hash ids (the same for the same input on any engine or database)."""
    store = Store(url)
    claims = store.claims()
    assert len({c.id for c in claims}) == len(claims)
    return {
        "documents": {d.id for d in store.documents()},
        "claims": {(c.document_id, c.id) for c in claims},
        # Clusters of catalogue metrics are keyed by subject and metric, so they must agree too.
        "clusters": {(c.id, c.cluster_id) for c in claims if c.metric != "other"},
        "counts": {tuple(store.counts().items())},
    }


def in_process(folder: Path, url: str, extractor: Extractor) -> tuple[IngestRun, dict[str, set]]:
    store = Store(url)
    store.migrate()
    run = ingest_paths([folder], store, extractor, IngestRun())
    return run, stored(url)


def test_ray_pool_on_sqlite_stores_what_in_process_stores(tmp_path: Path, extractor: Extractor):
    """Two actors (one article per batch, so both work) write one SQLite file; then nothing is new.

    A blank file is reported as in process (exit 1)."""
    folder = tmp_path / "articles"
    folder.mkdir()
    for name in ("01_pwc-tracker-news.txt", "05_seven-facts-pytorch.md", "12_devstack-scoreboard.html"):
        shutil.copy(CORPUS / name, folder / name)
    (folder / "blank.txt").write_text("  \n\n")
    ray_url = f"sqlite:///{tmp_path / 'ray.db'}"
    summary = finish(ray_ingest(folder, ray_url, workers=2, batch_size=1), code=1)
    run, expected = in_process(folder, f"sqlite:///{tmp_path / 'local.db'}", extractor)

    assert summary == run.summary()
    assert summary["new_documents"] == 3 and summary["new_claims"] > 0
    assert [f["code"] for f in summary["failed"]] == ["empty_input"]
    assert_same(stored(ray_url), expected)
    again = finish(ray_ingest(folder, ray_url, workers=2), code=1)
    assert again == {**summary, "new_documents": 0, "unchanged_documents": 3, "new_claims": 0}


def test_ray_refuses_sqlite_on_a_cluster(tmp_path: Path):
    (tmp_path / "a.txt").write_text("PyTorch was used in 71% of the papers we read in 2024.\n")
    env = {**ENV, "CLAIMGRAPH_DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"}
    cmd = [sys.executable, "-m", "service", "ingest", str(tmp_path), "--engine", "ray", "--address", "auto"]
    proc = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert "SQLite file on this machine" in proc.stderr


@pytest.mark.postgres
def test_two_ray_drivers_on_one_postgres_store_each_article_once(pg_url, tmp_path: Path, extractor: Extractor):
    """Two `ingest --engine ray --workers 1` processes, each with its own Ray, over the same folder."""
    folder = tmp_path / "articles"
    folder.mkdir()
    # Six team articles (several share clusters: PyTorch's research share, GitHub stars) and two copies.
    originals = sorted(p for p in CORPUS.iterdir() if p.suffix in (".txt", ".md", ".html") and p.stem != "README")[:6]
    for path in originals:
        shutil.copy(path, folder / path.name)
    for path in originals[:2]:  # copies with their own content hash
        (folder / f"copy_{path.name}").write_text(path.read_text() + "\nReprinted with permission.\n")
    articles = len(originals) + 2

    drivers = [ray_ingest(folder, pg_url, workers=1, batch_size=2) for _ in range(2)]
    summaries = [finish(p) for p in drivers]
    run, expected = in_process(folder, f"sqlite:///{tmp_path / 'local.db'}", extractor)

    assert run.new == articles
    # Each article was stored by exactly one of the two drivers, with its claims counted once.
    assert sum(s["new_documents"] for s in summaries) == articles
    assert sum(s["new_documents"] + s["unchanged_documents"] for s in summaries) == 2 * articles
    assert sum(s["new_claims"] for s in summaries) == run.claims
    assert all(not s["failed"] for s in summaries)
    assert_same(stored(pg_url), expected)


def test_the_driver_hashes_a_file_as_the_store_keys_its_document():
    from pipelines.ingest import read_article, read_source
    from service.distributed import text_id
    from service.store.repository import document_id

    for path in (CORPUS / "01_pwc-tracker-news.txt", CORPUS / "12_devstack-scoreboard.html"):
        text, _ = read_source(path)
        assert text_id(text) == document_id(read_article(path))
