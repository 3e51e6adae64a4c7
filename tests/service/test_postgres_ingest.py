"""Two ingest processes started together on one fresh PostgreSQL database (both migrate it) process each
article exactly once."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from service.store import Store

REPO = Path(__file__).resolve().parents[1].parent


@pytest.mark.postgres
def test_two_processes_store_each_article_once(pg_url, tmp_path: Path):
    folder = tmp_path / "articles"
    folder.mkdir()
    for i, (fw, share) in enumerate([("PyTorch", 71), ("TensorFlow", 22), ("JAX", 9), ("Keras", 12)]):
        (folder / f"{i}.txt").write_text(f"Survey {i}\n{fw} was used in {share}% of the papers we read in 2024.\n")
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
        for _ in range(2)
    ]
    outputs = [p.communicate(timeout=600) for p in procs]
    assert all(p.returncode == 0 for p in procs), [o[1][-2000:] for o in outputs]
    import json

    summaries = [json.loads(o[0].splitlines()[-1]) for o in outputs]
    assert sum(s["new_documents"] for s in summaries) == 4
    assert Store(pg_url).counts()["documents"] == 4
    claims = Store(pg_url).claims()
    assert len({c.id for c in claims}) == len(claims)
