"""Relation accuracy on the team's labelled verdict set (annotations/verdicts.jsonl)."""

from collections import Counter

from verdict_set import claim_value as _value
from verdict_set import verdict_rows

from pipelines.relate import relate


def test_verdict_set_accuracy():
    rows = verdict_rows()
    assert len(rows) >= 60
    assert set(Counter(r["relation"] for r in rows)) == {"agrees", "conflicts", "trend", "different_scope"}
    wrong = [r["id"] for r in rows if relate(_value(r["a"]), _value(r["b"])).relation != r["relation"]]
    accuracy = 1 - len(wrong) / len(rows)
    print(f"verdict accuracy {accuracy:.3f} on {len(rows)} pairs; wrong: {wrong}")
    assert accuracy >= 0.95, wrong
