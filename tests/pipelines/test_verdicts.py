"""Relation accuracy on the team's labelled verdict set (annotations/verdicts.jsonl).

Rows labelled ``conflicts`` before ``unresolved`` existed were relabelled where the pair's period and
population are not established the same (different documents, no shared source, not both stated alike);
each such row says so in its note."""

from collections import Counter

from verdict_set import row_claims, verdict_rows

from pipelines.relations import relate


def test_verdict_set_accuracy():
    rows = verdict_rows()
    assert len(rows) >= 136
    assert set(Counter(r["relation"] for r in rows)) == {
        "agrees",
        "conflicts",
        "trend",
        "different_scope",
        "unresolved",
    }
    wrong = [r["id"] for r in rows if relate(*row_claims(r)).kind != r["relation"]]
    accuracy = 1 - len(wrong) / len(rows)
    print(f"verdict accuracy {accuracy:.3f} on {len(rows)} pairs; wrong: {wrong}")
    assert accuracy >= 0.95, wrong


def test_every_labelled_conflict_is_established():
    """Precision first: no gold conflict rests on a period or population that is merely not given."""
    for r in verdict_rows():
        if r["relation"] != "conflicts":
            continue
        a, b = (r["a"], r["b"])
        same_document = a.get("document") and a.get("document") == b.get("document")
        same_source = a.get("source") and (a["source"].lower() == (b.get("source") or "").lower())
        stated = a.get("period") and a.get("period") == b.get("period") and a.get("basis") != "document"
        assert same_document or (stated and (same_source or (a.get("scope") and b.get("scope")))), r["id"]


def test_relabelled_rows_say_why():
    relabelled = [r for r in verdict_rows() if "relabelled" in r.get("note", "")]
    assert len(relabelled) >= 40
    assert all(r["relation"] in ("unresolved", "agrees", "different_scope") for r in relabelled)
