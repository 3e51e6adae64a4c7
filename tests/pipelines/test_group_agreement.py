"""Inter-annotator agreement on the claim groups: a second annotator labelled 69 groups blind (40 drawn at
random, and every group the first annotators called a conflict, a trend or unresolved that the random draw
missed). Read from the files alone: no excerpt text is needed."""

import json
from pathlib import Path

GROUPS = Path(__file__).resolve().parents[2] / "annotations" / "groups"


def _rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def agreement() -> dict[str, tuple[int, int]]:
    first = {g["id"]: g for f in sorted(GROUPS.glob("*.jsonl")) for g in _rows(f)}
    second = _rows(GROUPS / "second" / "C.jsonl")
    verdict = conflict = pairs = pairs_same = 0
    for g in second:
        gold = first[g["id"]]
        verdict += gold["verdict"] == g["verdict"]
        conflict += (gold["verdict"] == "conflicts") == (g["verdict"] == "conflicts")
        labels = {frozenset((p["a"], p["b"])): p["relation"] for p in gold["pairs"]}
        for p in g["pairs"]:
            key = frozenset((p["a"], p["b"]))
            if key in labels:
                pairs += 1
                pairs_same += labels[key] == p["relation"]
    n = len(second)
    return {"verdict": (verdict, n), "conflict_or_not": (conflict, n), "pairs": (pairs_same, pairs)}


def test_second_annotator_agrees_on_what_is_a_conflict():
    found = agreement()
    print({k: f"{a}/{b} = {a / b:.3f}" for k, (a, b) in found.items()})
    assert found["verdict"][1] >= 60
    assert found["conflict_or_not"][0] / found["conflict_or_not"][1] >= 0.95
    assert found["verdict"][0] / found["verdict"][1] >= 0.85
    assert found["pairs"][0] / found["pairs"][1] >= 0.90
