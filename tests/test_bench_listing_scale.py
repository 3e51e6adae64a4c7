"""bench/listing_scale.py: its generator, and its --quick mode run whole in a subprocess (real SQLite stores
written through ``store_article``, the real ``cluster_views``, the real app under ``TestClient``).

No timing is asserted: the figures come from running the benchmark itself. What is asserted is that every
figure is there and that the stores hold what the benchmark is about: comparative claims, shown in the
views and related to the figures they compare."""

import importlib.util
import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest

from pipelines.catalogue import default_catalogue

BENCH = Path(__file__).resolve().parents[1] / "bench" / "listing_scale.py"


@pytest.fixture(scope="module")
def ls():
    spec = importlib.util.spec_from_file_location("listing_scale", BENCH)
    module = importlib.util.module_from_spec(spec)
    sys.modules["listing_scale"] = module
    spec.loader.exec_module(module)
    return module


def test_generated_articles_are_seeded_and_their_mentions_exact(ls):
    catalogue = default_catalogue()
    first, again = ls.Generator(catalogue), ls.Generator(catalogue)
    kinds = []
    for _ in range(20):
        (article, mentions), (article2, mentions2) = first.article(), again.article()
        assert article.original == article2.original and mentions == mentions2  # seeded
        numeric = [m for m in mentions if m.kind == "numeric"]
        comparative = [m for m in mentions if m.kind == "comparative"]
        assert 8 <= len(numeric) <= 12 and 1 <= len(comparative) <= 2
        for m in mentions:
            assert article.original[m.value_start : m.value_end] == m.value_text
            assert article.original[m.sentence_start : m.sentence_end] == m.sentence
            assert m.metric in catalogue.metrics and m.metric != "other"
        for m in comparative:
            assert m.value is None and m.comparator in (">", "<", "~") and len(m.subjects) == 2
            assert m.subjects[0] != m.subjects[1]
        kinds += [m.kind for m in mentions]
    assert kinds.count("comparative") >= 20


def test_quick_mode_prints_every_figure_with_comparatives_related(tmp_path):
    out = tmp_path / "listing.json"
    env = {**os.environ, "CLAIMGRAPH_BENCH_CACHE": str(tmp_path / "cache")}  # stores built now, not cached
    run = subprocess.run(
        [sys.executable, str(BENCH), "--quick", "--writes", "1", "--json", str(out)],
        capture_output=True,
        text=True,
        env=env,
        timeout=1200,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    text = run.stdout
    for phrase in ("clusters:", "contradictions:", "growth 100 -> 400", "first read after a write", "target"):
        assert phrase in text, phrase
    figures = json.loads(out.read_text())
    assert [row["articles"] for row in figures["sizes"]] == [100, 400]
    for row in figures["sizes"]:
        assert row["built"] is not None and row["built"]["counts"]["documents"] == row["articles"]
        clusters, contradictions = row["clusters"], row["contradictions"]
        for stage in (clusters, contradictions):
            assert stage["seconds"] > 0 and stage["cpu_seconds"] > 0 and stage["peak_mb"] >= stage["base_mb"] > 0
        # The comparatives were stored, shown in the views and checked against figures.
        assert clusters["stored_comparatives"] >= row["articles"]
        assert clusters["comparatives_shown"] >= clusters["stored_comparatives"]
        # Related, whatever the verdicts (a generated store may hold no established comparative conflict).
        assert clusters["comparative_relations"] > 0 and clusters["comparative_conflicts"] >= 0
        assert clusters["listed"] == clusters["clusters"] > 0
        # The contradictions listing is the clusters listing's conflicting clusters.
        assert contradictions["listed"] == clusters["verdicts"].get("conflicts", 0)
        assert contradictions["verdicts"] == (
            {"conflicts": contradictions["listed"]} if contradictions["listed"] else {}
        )
    small, large = figures["sizes"]
    assert large["clusters"]["stored_claims"] > 3 * small["clusters"]["stored_claims"]
    (growth,) = figures["growth"]
    assert (growth["from"], growth["to"]) == (100, 400)
    assert all(math.isfinite(growth[k]) for k in ("clusters_wall", "clusters_cpu", "contradictions_wall"))
    api = figures["api"]
    assert figures["api_size"] == 400
    for page in ("clusters", "contradictions", "web_clusters"):
        assert len(api["first_read_after_write_seconds"][page]) == 1
        assert api["first_read_after_write_median"][page] > 0 and api["cold_seconds"][page] > 0
    # After the writes the API lists at least the clusters of the 400-article store.
    assert api["listed_totals"]["clusters"] >= large["clusters"]["clusters"]
    assert 0 < api["listed_totals"]["contradictions"] <= api["listed_totals"]["clusters"]
    # A listing stopped at --stage-timeout reports how far it got, as a lower bound.
    stopped = subprocess.run(
        [sys.executable, str(BENCH), "--stage", "clusters", "--n", "400", "--timeout", "0.05"],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
        check=True,
    )
    result = json.loads(stopped.stdout.strip().splitlines()[-1])
    assert result["timed_out"] is True and result["seconds"] >= 0.05 and "clusters" not in result
