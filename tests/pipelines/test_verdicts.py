"""Relation accuracy on the team's labelled verdict set (annotations/verdicts.jsonl)."""

import json
from collections import Counter
from pathlib import Path

from pipelines.relate import ClaimValue, relate

VERDICTS = Path(__file__).resolve().parents[2] / "annotations" / "verdicts.jsonl"


def _value(d: dict) -> ClaimValue:
    return ClaimValue(
        surface=d["surface"],
        value=d["value"],
        value_high=d.get("value_high"),
        unit=d["unit"],
        comparator=d["comparator"],
        period=d.get("period"),
        scope=d.get("scope"),
    )


def test_verdict_set_accuracy():
    rows = [json.loads(line) for line in VERDICTS.read_text().splitlines() if line.strip()]
    assert len(rows) >= 60
    assert set(Counter(r["relation"] for r in rows)) == {"agrees", "conflicts", "trend", "different_scope"}
    wrong = [r["id"] for r in rows if relate(_value(r["a"]), _value(r["b"])).relation != r["relation"]]
    accuracy = 1 - len(wrong) / len(rows)
    print(f"verdict accuracy {accuracy:.3f} on {len(rows)} pairs; wrong: {wrong}")
    assert accuracy >= 0.95, wrong
