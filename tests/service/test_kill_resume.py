"""kill -9 during ingest at random points, then resume: the stored claims equal an uninterrupted run's."""

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from service.store import Store

REPO = Path(__file__).resolve().parents[2]
KILLS = 20


def _ingest(db: Path, folder: Path) -> subprocess.Popen:
    env = {**os.environ, "CLAIMGRAPH_DATABASE_URL": f"sqlite:///{db}", "CLAIMGRAPH_BATCH_SIZE": "2"}
    return subprocess.Popen(
        [sys.executable, "-m", "service", "ingest", str(folder), "--json"],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _snapshot(db: Path) -> set[tuple]:
    store = Store(f"sqlite:///{db}")
    rows = store.claims()
    mentions = set()
    for r in rows:
        _, _, ms = store.claim(r.id)
        mentions |= {(r.id, m.id, m.value_start, m.value_end) for m in ms}
    return {(r.id, r.document_id, r.value_text, r.cluster_id) for r in rows} | mentions


@pytest.mark.slow
def test_kill_9_at_random_points_then_resume(tmp_path: Path):
    folder = REPO / "corpus"
    reference = tmp_path / "reference.db"
    assert _ingest(reference, folder).wait(timeout=900) == 0
    expected = _snapshot(reference)

    db = tmp_path / "killed.db"
    rng = random.Random(7)
    kills = 0
    while kills < KILLS:
        proc = _ingest(db, folder)
        time.sleep(rng.uniform(3.0, 25.0))
        if proc.poll() is not None:  # finished before the kill: start over from an empty store
            db.unlink()
            for extra in tmp_path.glob("killed.db-*"):
                extra.unlink()
            continue
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        kills += 1
    assert _ingest(db, folder).wait(timeout=900) == 0
    assert _snapshot(db) == expected
