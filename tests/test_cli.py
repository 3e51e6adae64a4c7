import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "service", *args], capture_output=True, text=True, cwd=REPO, timeout=600
    )


def test_extract_jsonl_over_a_folder_with_a_bad_file(tmp_path: Path):
    good = tmp_path / "news.txt"
    good.write_text("Framework news\nPyTorch was used in 71% of the papers we surveyed in 2024, up from 64%.\n")
    (tmp_path / "empty.txt").write_text("")
    (tmp_path / "blob.html").write_bytes(b"\x00\x01\x02\x03" * 10)
    result = _run("extract", str(tmp_path))
    assert result.returncode == 1, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert lines, result.stderr
    original = good.read_text()
    for m in lines:
        assert m["document"] == str(good)
        assert original[m["value_start"] : m["value_end"]] == m["value_text"]
        for key in (
            "sentence",
            "subject",
            "metric",
            "value",
            "value_high",
            "unit",
            "comparator",
            "time",
            "scope",
            "source",
            "confidence",
            "spans",
            "date",
            "sentence_start",
            "sentence_end",
        ):
            assert key in m
    assert {m["value_text"] for m in lines} >= {"71%"}
    assert "empty.txt" in result.stderr and "blob.html" in result.stderr
    assert "2 failed" in result.stderr


def test_extract_table_over_the_shipped_corpus():
    result = _run("extract", "corpus", "--format", "table")
    assert result.returncode == 0, result.stderr
    assert "pytorch" in result.stdout and "research_paper_share" in result.stdout


def test_missing_path_is_reported():
    result = _run("extract", "no/such/file.txt")
    assert result.returncode == 1
    assert "no such file" in result.stderr


def test_ingest_stores_new_articles_once_and_says_so(tmp_path: Path):
    import os

    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "a.txt").write_text("Survey\nPyTorch was used in 71% of the papers we surveyed in 2024.\n")
    (folder / "b.md").write_text("# Stars\nTensorFlow has about 186k GitHub stars, JAX about 30k.\n")
    (folder / "README.md").write_text("Not an article.")
    env = {**os.environ, "CLAIMGRAPH_DATABASE_URL": f"sqlite:///{tmp_path / 'cg.db'}"}

    def run(*args):
        return subprocess.run(
            [sys.executable, "-m", "service", *args], capture_output=True, text=True, cwd=REPO, env=env, timeout=600
        )

    first = run("ingest", str(folder), "--json")
    assert first.returncode == 0, first.stderr
    summary = json.loads(first.stdout.splitlines()[-1])
    assert summary["files"] == 2 and summary["new_documents"] == 2 and summary["new_claims"] >= 2
    second = run("ingest", str(folder))
    assert second.returncode == 0
    assert "0 new documents, 2 unchanged" in second.stdout and "nothing new" in second.stdout
    listed = run("claims", "--format", "jsonl")
    claims = [json.loads(line) for line in listed.stdout.splitlines()]
    assert {c["value_text"] for c in claims} >= {"71%"}
    shown = run("show", claims[0]["claim_id"])
    detail = json.loads(shown.stdout)
    source = (folder / "a.txt").read_text() if detail["document"].endswith("a.txt") else (folder / "b.md").read_text()
    for m in detail["mentions"]:
        assert source[m["value_start"] : m["value_end"]] == m["value_text"]
    assert run("show", "c_nope").returncode == 1


def test_ingest_watch_picks_up_new_files(tmp_path: Path):
    import os
    import signal

    folder = tmp_path / "inbox"
    folder.mkdir()
    (folder / "first.txt").write_text("News\nPyTorch was used in 71% of the papers we surveyed in 2024.\n")
    env = {**os.environ, "CLAIMGRAPH_DATABASE_URL": f"sqlite:///{tmp_path / 'cg.db'}"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "service", "ingest", str(folder), "--watch", "--json", "--interval", "0.5"],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        first = json.loads(proc.stdout.readline())
        assert first["new_documents"] == 1
        (folder / "second.md").write_text("# Stars\nTensorFlow has about 186k GitHub stars.\n")
        second = json.loads(proc.stdout.readline())
        assert second["new_documents"] == 1 and second["files"] == 1  # only the new file was read
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)
    assert proc.returncode == 0
