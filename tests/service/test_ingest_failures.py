"""``claimgraph ingest`` with bad files and a failing store.

A folder holding every kind of bad file is ingested on SQLite and on PostgreSQL: the good files are
stored, each bad one is reported, the exit code is 1, and a second run does the same (no file stops the
others for good). A store deleted or damaged while an ingest runs, full, read-only or with a damaged
header ends the ingest with exit code 3 and one line saying why, never counting as stored what is not.
"""

from __future__ import annotations

import json
import os
import resource
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from pipelines.ingest import read_article
from service.core import IngestRun, ingest_paths
from service.store import Store, StoreError

REPO = Path(__file__).resolve().parents[2]
GOOD = {
    "good.txt": "Survey\nPyTorch was used in 71% of the papers we read in 2024.\n",
    "stars.md": "# Stars\nTensorFlow has about 186k GitHub stars, JAX about 30k.\n",
}


def _ingest(url: str, *paths: Path, preexec=None) -> subprocess.CompletedProcess:
    env = {**os.environ, "CLAIMGRAPH_DATABASE_URL": url}
    return subprocess.run(
        [sys.executable, "-m", "service", "ingest", *map(str, paths), "--json"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        preexec_fn=preexec,
    )


def _bad_folder(folder: Path) -> dict[str, str]:
    """Every kind of bad file, and the error code each must get."""
    folder.mkdir()
    for name, body in GOOD.items():
        (folder / name).write_text(body, encoding="utf-8")
    (folder / "utf32.txt").write_bytes("Poll\nJAX was used by 9% of the respondents in 2024.\n".encode("utf-32"))
    bad = {
        "odd-utf16.txt": ("PyTorch 70%".encode("utf-16") + b"x", "undecodable_input"),
        "surrogate-utf16.txt": (b"\xff\xfeP\x00\x00\xd8y\x00", "undecodable_input"),
        "bad-utf32.txt": (b"\xff\xfe\x00\x00\x00\x00\x11\x00", "undecodable_input"),
        "nul.txt": (b"PyTorch holds 70% of papers. " * 3000 + b"\x00 end", "binary_input"),
        "nul-utf16.txt": ("PyTorch\x00 holds 70%".encode("utf-16"), "binary_input"),
        "binary.html": (bytes(range(256)) * 8, "binary_input"),
        "empty.txt": (b"", "empty_input"),
        "huge.txt": (b"PyTorch 70%. " * (6 * 1024 * 1024 // 13), "input_too_large"),
    }
    for name, (data, _) in bad.items():
        (folder / name).write_bytes(data)
    os.mkfifo(folder / "fifo.txt")
    (folder / "device.md").symlink_to("/dev/zero")
    codes = {name: code for name, (_, code) in bad.items()}
    return codes | {"fifo.txt": "not_a_regular_file", "device.md": "not_a_regular_file"}


def test_a_folder_of_bad_files_stores_the_good_ones_and_reports_each_bad_one(store_url, tmp_path):
    folder = tmp_path / "inbox"
    expected = _bad_folder(folder)
    for run in range(2):
        result = _ingest(store_url, folder)
        assert result.returncode == 1, result.stderr[-3000:]
        summary = json.loads(result.stdout.splitlines()[-1])
        failed = {Path(f["file"]).name: f["code"] for f in summary["failed"]}
        assert failed == expected, summary["failed"]
        assert summary["new_documents"] == (3 if run == 0 else 0)
        assert summary["unchanged_documents"] == (0 if run == 0 else 3)
    store = Store(store_url)
    assert {Path(d.path).name for d in store.documents()} == {"good.txt", "stars.md", "utf32.txt"}
    assert {c.value_text for c in store.claims()} >= {"71%", "9%"}
    store.engine.dispose()


def _articles(tmp_path: Path, n: int) -> list[Path]:
    folder = tmp_path / "articles"
    folder.mkdir(exist_ok=True)
    frameworks = ["PyTorch", "TensorFlow", "JAX", "Keras", "MXNet", "Caffe", "Theano", "ONNX"]
    for i in range(n):
        fw = frameworks[i % len(frameworks)]
        (folder / f"{i:03d}.txt").write_text(f"Note {i}\n{fw} was used in {10 + i}% of the papers in 2024.\n")
    return sorted(folder.iterdir())


def _damage(path: Path) -> None:
    """Move every committed page into the file, then overwrite every page but the first with garbage."""
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()
    size = path.stat().st_size
    with path.open("r+b") as fh:
        fh.seek(4096)
        fh.write(b"\xde\xad\xbe\xef" * ((size - 4096) // 4 + 1024))


@pytest.mark.parametrize("what", ["deleted", "damaged"])
def test_a_store_deleted_or_damaged_while_ingesting_stops_the_ingest(tmp_path, extractor, what):
    db = tmp_path / "cg.db"
    store = Store(f"sqlite:///{db}")
    store.migrate()
    paths = _articles(tmp_path, 6)
    done = []

    def after_batch(n: int) -> None:
        done.append(n)
        if len(done) == 2:  # two articles stored and read back: now the file goes
            if what == "deleted":
                for f in tmp_path.glob("cg.db*"):
                    f.unlink()
            else:
                _damage(db)

    run = IngestRun()
    with pytest.raises(StoreError) as info:
        ingest_paths(paths, store, extractor, run, batch_size=1, progress=after_batch)
    message = info.value.message
    if what == "deleted":
        assert "gone" in message, message
    else:
        assert any(word in message for word in ("damaged", "malformed", "not a database")), message
    assert run.new <= 3  # stopped at the first batch after the damage (the totals are not reported)
    store.engine.dispose()


def _one_line_error(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 3, (result.returncode, result.stderr[-3000:])
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith("error (store_failed): ")]
    assert len(errors) == 1 and "Traceback" not in result.stderr, result.stderr[-3000:]
    return errors[0]


def test_a_damaged_header_or_a_read_only_store_exits_3_with_one_line(tmp_path):
    paths = _articles(tmp_path, 2)
    db = tmp_path / "cg.db"
    store = Store(f"sqlite:///{db}")
    store.migrate()
    store.engine.dispose()  # the last connection closed: every page is in the file, no WAL left
    assert not (tmp_path / "cg.db-wal").exists()
    read_only = _one_line_error(_ingest(f"sqlite:///file:{db}?mode=ro&uri=true", *paths))
    assert "readonly" in read_only or "read-only" in read_only
    db.write_bytes(b"this is not a database " * 200)
    assert "not a database" in _one_line_error(_ingest(f"sqlite:///{db}", *paths))


def test_a_full_disk_exits_3_with_one_line(tmp_path):
    paths = _articles(tmp_path, 40)
    db = tmp_path / "cg.db"
    Store(f"sqlite:///{db}").migrate()
    limit = db.stat().st_size + 16 * 1024

    def small_disk() -> None:  # files this process writes cannot grow past `limit` (EFBIG, as on a full disk)
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    line = _one_line_error(_ingest(f"sqlite:///{db}", *paths, preexec=small_disk))
    assert "full" in line or "disk I/O" in line, line
    # What the failed run stored is all there; a run with room stores the rest.
    result = _ingest(f"sqlite:///{db}", *paths)
    assert result.returncode == 0, result.stderr[-2000:]
    store = Store(f"sqlite:///{db}")
    assert store.counts()["documents"] == len({read_article(p).original for p in paths})
    store.engine.dispose()
