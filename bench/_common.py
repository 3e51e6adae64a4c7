"""What the scale benchmarks (``cluster_scale.py``, ``listing_scale.py``) share.

Imported before ``pipelines`` or ``service``: it keeps the models offline and puts this checkout first on
``sys.path``, so that the code measured is the code beside the script, whatever is installed. Then: the
cache folder, stages run in a fresh subprocess (each with its own peak RSS), growth exponents, and SQLite
stores built beside their final path and renamed into place.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

if TYPE_CHECKING:
    from service.store import Store

CACHE = Path(os.environ.get("CLAIMGRAPH_BENCH_CACHE", "/tmp/claimgraph_bench"))
"""Where generated data and stores are kept between runs (keyed by generator version and schema)."""


def schema_digest() -> str:
    """A short digest of the store's migration files: a cached store is rebuilt when the schema changes."""
    versions = sorted((REPO / "service" / "store" / "migrations" / "versions").glob("*.py"))
    return hashlib.sha256(b"".join(p.read_bytes() for p in versions)).hexdigest()[:10]


def rss_mb() -> tuple[float, float]:
    """(current, peak since the last reset) resident set size in MiB, from /proc."""
    fields = dict(line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines() if ":" in line)
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


def reset_peak() -> None:
    """Start the peak RSS (VmHWM) over from the current RSS."""
    try:
        Path("/proc/self/clear_refs").write_text("5")  # resets VmHWM (Linux >= 4.0)
    except OSError:
        pass


def exponent(n1: float, n2: float, y1: float, y2: float) -> float:
    """Growth exponent of y between n1 and n2: 1.0 is linear, 2.0 quadratic."""
    return math.log(y2 / y1) / math.log(n2 / n1)


def run_stage(script: str | Path, *args: str) -> dict:
    """Run ``script`` with ``args`` in a fresh Python process; its stderr is passed on, the JSON object on
    the last line of its stdout returned."""
    out = subprocess.run([sys.executable, str(script), *args], capture_output=True, text=True)
    sys.stderr.write(out.stderr)  # what the stage said, also when it failed
    out.check_returncode()
    return json.loads(out.stdout.strip().splitlines()[-1])


def remove_sqlite(path: Path) -> None:
    """A SQLite database file with its WAL and shared-memory files, gone."""
    for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        p.unlink(missing_ok=True)


@contextmanager
def building_store(path: Path) -> Iterator[Store]:
    """A migrated SQLite store built beside ``path`` and renamed into place when the block ends without an
    error (its WAL checkpointed into the file): an interrupted build never leaves a half store behind."""
    from service.store import Store

    tmp = path.with_suffix(".building")
    remove_sqlite(tmp)
    store = Store(f"sqlite:///{tmp}")
    try:
        store.migrate()
        yield store
        with store.engine.begin() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        store.engine.dispose()
    remove_sqlite(path)  # an old store's WAL must not be replayed onto the new file
    tmp.replace(path)
