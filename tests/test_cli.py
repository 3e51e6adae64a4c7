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
