"""The ``claimgraph`` command as a person runs it: real subprocesses, the shipped models, real stores."""

import csv
import io
import json
import os
import pty
import select
import signal
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
BAR = "━"  # what rich draws a progress bar with


def _run(*args: str, cwd: Path = REPO, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "service", *args], capture_output=True, text=True, cwd=cwd, env=env, timeout=600
    )


def _run_on_terminal(*args: str, env: dict) -> tuple[int, str]:
    """The command with a pseudo-terminal as its standard input, output and error: what a person sees."""
    main, child = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "service", *args], stdin=child, stdout=child, stderr=child, cwd=REPO, env=env
    )
    os.close(child)
    seen = b""
    while True:
        ready, _, _ = select.select([main], [], [], 1)
        if ready:
            try:
                data = os.read(main, 65536)
            except OSError:  # the child closed the terminal
                break
            if not data:
                break
            seen += data
        elif proc.poll() is not None:
            break
    proc.wait(timeout=600)
    os.close(main)
    return proc.returncode, seen.decode(errors="replace")


@pytest.fixture(scope="module")
def stored(tmp_path_factory) -> dict:
    """Two small articles ingested once by the real command; read commands run over this store."""
    folder = tmp_path_factory.mktemp("articles")
    (folder / "a.txt").write_text("Survey\nPyTorch was used in 71% of the papers we surveyed in 2024.\n")
    (folder / "b.md").write_text("# Stars\nTensorFlow has about 186k GitHub stars, JAX about 30k.\n")
    (folder / "README.md").write_text("Not an article.")
    env = {**os.environ, "CLAIMGRAPH_DATABASE_URL": f"sqlite:///{folder.parent / 'cg.db'}"}
    first = _run("ingest", str(folder), "--format", "json", env=env)
    assert first.returncode == 0, first.stderr
    return {"folder": folder, "env": env, "summary": json.loads(first.stdout.splitlines()[-1])}


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
    # Normal output carries no third-party warning (deprecations and the like are dealt with at their source).
    assert "Warning" not in result.stderr, result.stderr


def test_extract_table_over_the_shipped_corpus():
    table = _run("extract", "corpus", "--format", "table")
    assert table.returncode == 0, table.stderr
    header, rule, *rows = table.stdout.splitlines()
    assert header.split()[:4] == ["document", "value", "subject", "metric"] and set(rule) <= {"-", " "}
    assert any("pytorch" in r and "research_paper_share" in r for r in rows)
    assert "Warning" not in table.stderr, table.stderr


def test_missing_path_is_reported():
    result = _run("extract", "no/such/file.txt")
    assert result.returncode == 1
    assert "no such file" in result.stderr


def test_ingest_stores_new_articles_once_and_says_so(stored):
    summary, env, folder = stored["summary"], stored["env"], stored["folder"]
    assert summary["files"] == 2 and summary["new_documents"] == 2 and summary["new_claims"] >= 2
    second = _run("ingest", str(folder), env=env)
    assert second.returncode == 0
    assert "0 new documents, 2 unchanged" in second.stdout and "nothing new" in second.stdout
    as_csv = _run("ingest", str(folder), "--format", "csv", env=env)
    assert list(csv.DictReader(io.StringIO(as_csv.stdout)))[0]["unchanged_documents"] == "2"

    listed = _run("claims", "--format", "jsonl", env=env)
    claims = [json.loads(line) for line in listed.stdout.splitlines()]
    assert {c["value_text"] for c in claims} >= {"71%"}
    shown = _run("show", claims[0]["claim_id"], "--format", "json", env=env)
    detail = json.loads(shown.stdout)
    source = (folder / "a.txt").read_text() if detail["document"].endswith("a.txt") else (folder / "b.md").read_text()
    for m in detail["mentions"]:
        assert source[m["value_start"] : m["value_end"]] == m["value_text"]
    as_table = _run("show", claims[0]["claim_id"], env=env)
    assert as_table.returncode == 0 and "normalised" in as_table.stdout and "offsets" in as_table.stdout
    assert _run("show", "c_nope", env=env).returncode == 1


def test_every_listing_speaks_the_same_formats(stored):
    env = stored["env"]
    for command in (["claims"], ["clusters"], ["contradictions"], ["catalogue"]):
        as_json = _run(*command, "--format", "json", env=env)
        assert as_json.returncode == 0, (command, as_json.stderr)
        parsed = json.loads(as_json.stdout)
        as_jsonl = _run(*command, "--format", "jsonl", env=env)
        lines = [json.loads(line) for line in as_jsonl.stdout.splitlines()]
        as_csv = list(csv.reader(io.StringIO(_run(*command, "--format", "csv", env=env).stdout)))
        if command == ["catalogue"]:
            assert len(lines) == len(parsed["subjects"]) + len(parsed["metrics"]) == len(as_csv) - 1
        elif command == ["clusters"]:
            assert lines == parsed and len(as_csv) - 1 == sum(len(v["claims"]) for v in parsed)
        elif command == ["claims"]:
            assert lines == parsed and len(as_csv) - 1 == len(parsed) >= 2
    table = _run("claims", env=env).stdout.splitlines()
    assert table[0].split()[:3] == ["claim", "subject", "metric"] and set(table[1]) <= {"-", " "}
    refused = _run("claims", "--format", "xml", env=env)
    assert refused.returncode == 2 and "table" in refused.stderr and "csv" in refused.stderr


def test_contradictions_lists_established_conflicts_only(tmp_path: Path):
    """Two articles disagreeing with nothing establishing the same period and population: unresolved, never
    listed. One article stating two figures for one period and population: listed."""
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "c.txt").write_text("Notes\nPyTorch was used in 70% of research papers.\n")
    (folder / "d.txt").write_text("Other notes\nPyTorch was used in 85% of research papers.\n")
    env = {**os.environ, "CLAIMGRAPH_DATABASE_URL": f"sqlite:///{tmp_path / 'cg.db'}"}
    assert _run("ingest", str(folder), env=env).returncode == 0
    shown = json.loads(_run("clusters", "--format", "json", env=env).stdout)
    share = [v for v in shown if v["metric"] == "research_paper_share"]
    assert share and share[0]["verdict"] == "unresolved", share
    listed = _run("contradictions", "--format", "json", env=env)
    assert json.loads(listed.stdout) == [] and "unresolved" in listed.stderr
    (folder / "e.txt").write_text(
        "Share notes\n\nIn 2024, PyTorch was used in 70% of research papers at NeurIPS.\n\n"
        "Our own count disagrees: PyTorch appeared in 85% of NeurIPS papers in 2024.\n"
    )
    assert _run("ingest", str(folder), env=env).returncode == 0
    listed = json.loads(_run("contradictions", "--format", "json", env=env).stdout)
    assert [v["verdict"] for v in listed] == ["conflicts"]
    assert "in the same article" in listed[0]["reason"]


def test_filters_take_names_and_aliases_in_any_case(stored):
    env = stored["env"]

    def ids(*filters: str) -> list[str]:
        result = _run("claims", *filters, "--format", "json", env=env)
        assert result.returncode == 0, result.stderr
        return [c["claim_id"] for c in json.loads(result.stdout)]

    pytorch = ids("--subject", "pytorch")
    assert pytorch and ids("--subject", "PyTorch") == pytorch == ids("--subject", "torch")
    assert ids("--subject", "PYTORCH", "--metric", "Research Paper Share") == ids(
        "--subject", "pytorch", "--metric", "research_paper_share"
    )
    assert ids("--metric", "stars") == ids("--metric", "github_stars") != []

    unknown = _run("claims", "--subject", "pytorh", env=env)
    assert unknown.returncode == 2 and "no subject 'pytorh'" in unknown.stderr and "pytorch" in unknown.stderr
    unknown = _run("contradictions", "--metric", "starz", env=env)
    assert unknown.returncode == 2 and "github_stars" in unknown.stderr


def test_read_commands_refuse_a_database_that_does_not_exist(tmp_path: Path):
    env = {k: v for k, v in os.environ.items() if k != "CLAIMGRAPH_DATABASE_URL"}
    for command in (["claims"], ["contradictions"], ["clusters"], ["show", "c_0"], ["export"]):
        result = _run(*command, cwd=tmp_path, env=env)  # a folder without claimgraph.db
        assert result.returncode == 2, (command, result.stderr)
        assert f"no database at {tmp_path / 'claimgraph.db'}" in result.stderr and "claimgraph ingest" in result.stderr
    assert list(tmp_path.iterdir()) == []  # nothing was created


def test_catalogue_lists_subjects_and_metrics_with_their_aliases():
    listed = _run("catalogue", "--format", "json")
    catalogue = json.loads(listed.stdout)
    pytorch = next(s for s in catalogue["subjects"] if s["id"] == "pytorch")
    assert pytorch["name"] == "PyTorch" and "torch" in pytorch["aliases"]
    assert any(m["id"] == "github_stars" and "stars" in m["aliases"] for m in catalogue["metrics"])
    metrics = _run("catalogue", "metrics").stdout.splitlines()
    assert metrics[0].split()[:3] == ["id", "dimension", "description"]
    assert any(line.startswith("research_paper_share ") for line in metrics)


def test_version_and_help_text():
    from importlib.metadata import version

    shown = _run("--version")
    assert shown.returncode == 0 and shown.stdout.strip() == f"claimgraph {version('claimgraph')}"
    helped = _run("ingest", "--help").stdout
    assert "PATH..." in helped and "--format [table|json|jsonl|csv]" in helped and "--quiet" in helped
    for raw in ("<bool>", "list[Path]", "<str>", "{paths}"):
        assert raw not in helped
    assert "--format [json|graphml|jsonld]" in _run("export", "--help").stdout


def test_progress_is_drawn_on_a_terminal_only(stored):
    env = {**stored["env"], "TERM": "xterm", "COLUMNS": "120"}
    folder = str(stored["folder"])
    code, screen = _run_on_terminal("ingest", folder, env=env)
    assert code == 0 and BAR in screen and "ingesting" in screen and "2 unchanged" in screen
    code, screen = _run_on_terminal("ingest", folder, "--quiet", env=env)
    assert code == 0 and BAR not in screen and "2 unchanged" in screen
    piped = _run("ingest", folder, env=env)  # standard error is a pipe: nothing drawn
    assert piped.returncode == 0 and BAR not in piped.stderr + piped.stdout


def test_ingest_watch_picks_up_new_files_and_logs_each(tmp_path: Path):
    folder = tmp_path / "inbox"
    folder.mkdir()
    (folder / "first.txt").write_text("News\nPyTorch was used in 71% of the papers we surveyed in 2024.\n")
    env = {**os.environ, "CLAIMGRAPH_DATABASE_URL": f"sqlite:///{tmp_path / 'cg.db'}"}
    log = (tmp_path / "watch.log").open("w+")
    proc = subprocess.Popen(
        [sys.executable, "-m", "service", "ingest", str(folder), "--watch", "--format", "jsonl", "--interval", "0.5"],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=log,
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
    log.seek(0)
    logged = log.read()
    assert "first.txt: stored" in logged and "second.md: stored" in logged
    assert logged.index("first.txt: stored") < logged.index("second.md: stored")
