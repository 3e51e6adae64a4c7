"""Scope phrases normalised and compared, checked on the team's scope pairs (annotations/scope_pairs.jsonl)."""

import json
from collections import Counter
from pathlib import Path

from pipelines.relations.scopes import ScopeRelation, normalise_scope, relate_scopes

PAIRS = Path(__file__).resolve().parents[2] / "annotations" / "scope_pairs.jsonl"


def test_scope_pairs_accuracy():
    rows = [json.loads(line) for line in PAIRS.read_text().splitlines() if line.strip()]
    assert len(rows) >= 60
    assert set(Counter(r["relation"] for r in rows)) == {str(r) for r in ScopeRelation}
    wrong = [
        (r["id"], r["a"], r["b"], r["relation"], str(relate_scopes(r["a"], r["b"])))
        for r in rows
        if relate_scopes(r["a"], r["b"]) != r["relation"]
    ]
    accuracy = 1 - len(wrong) / len(rows)
    print(f"scope-pair accuracy {accuracy:.3f} on {len(rows)} pairs; wrong: {wrong}")
    assert accuracy >= 0.85, wrong


def test_hierarchies_and_normalisation():
    assert relate_scopes("NeurIPS 2024 papers", "conference papers") == ScopeRelation.SUBSET
    assert relate_scopes("conference papers", "research papers") == ScopeRelation.SUBSET
    assert relate_scopes("research papers", "papers at ICML") == ScopeRelation.SUPERSET
    assert relate_scopes("engineers at one lab", "all respondents") == ScopeRelation.SUBSET
    assert relate_scopes("survey respondents", "NeurIPS papers") == ScopeRelation.DIFFERENT
    assert relate_scopes("ML developers", "machine learning developers") == ScopeRelation.SAME
    assert relate_scopes(None, "papers") == ScopeRelation.UNKNOWN
    assert normalise_scope("  ") is None
    assert normalise_scope("papers on Papers With Code").qualifiers == {"paperswithcode"}  # a site, not papers
