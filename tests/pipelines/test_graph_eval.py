"""The claim-graph scorer (pipelines.graph_eval) and the gold group files it reads (pipelines.groups).

The measures are checked on hand-made cluster views and groups with numbers worked out by hand; the group
validation on a hand-made gold document; the whole path (gold claims stored through service.core, read
back with cluster_views) on hand-made documents; and the real group files of annotations/groups when the
real-text pool is there.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from pipelines.annotations import GoldClaim, GoldDocument
from pipelines.graph_eval import Ratio, match_extracted, other_pairs, other_threshold_folds, run, score
from pipelines.groups import (
    GoldGroup,
    GoldPair,
    GroupError,
    GroupRef,
    candidate_groups,
    gold_claims,
    group_files,
    load_documents,
    load_groups,
    to_mention,
    warnings,
)

REPO = Path(__file__).resolve().parents[2]


def _claimgraph(*args: str, timeout: int) -> subprocess.CompletedProcess:
    """The command line, run from the checkout as a user would, offline."""
    return subprocess.run(
        [sys.executable, "-m", "service", *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        env={**os.environ, "HF_HUB_OFFLINE": "1"},
        timeout=timeout,
    )


# --- the measures on a hand-made graph ----------------------------------------------------------------------


def _group(gid: str, keys: list[tuple[str, int]], verdict: str, pairs: list[tuple[int, int, str]]) -> GoldGroup:
    return GoldGroup(
        id=gid,
        candidate=0,
        claims=tuple(GroupRef(d, i, f"v{d}{i}") for d, i in keys),
        verdict=verdict,
        pairs=tuple(GoldPair(a, b, r) for a, b, r in pairs),
    )


def _claim(claim_id: str, cluster: str, *starts: tuple[str, int], **extra) -> dict:
    mentions = [
        {"document": d, "value_start": s, "value_end": s + 2, "value_text": "x", "sentence": ""} for d, s in starts
    ]
    return {"claim_id": claim_id, "cluster_id": cluster, "kind": "numeric", "mentions": mentions, **extra}


def _rel(a: str, b: str, relation: str) -> dict:
    return {"a": a, "b": b, "relation": relation, "reason": ""}


G1 = _group(
    "G1", [("d1", 0), ("d1", 1), ("d2", 0)], "conflicts", [(0, 1, "conflicts"), (0, 2, "agrees"), (1, 2, "conflicts")]
)
G2 = _group("G2", [("d2", 1), ("d3", 0)], "different_scope", [(0, 1, "different_scope")])
G3 = _group(
    "G3",
    [("d4", i) for i in range(7)],
    "different_scope",
    [(0, 1, "different_scope"), (2, 3, "agrees"), (3, 4, "agrees")],
)
GROUPS = [G1, G2, G3]
# Gold claim (d, i) stands at value start 100 * i of document d.
LOCATED = {(d, 100 * i): (d, i) for d, n in (("d1", 2), ("d2", 2), ("d3", 1), ("d4", 7)) for i in range(n)}
VIEWS = [
    {  # a real conflict of one document, with a comparative whose dimension is none
        "cluster_id": "C1",
        "verdict": "conflicts",
        "claims": [
            _claim("s1", "C1", ("d1", 0)),
            _claim("s2", "C1", ("d1", 100)),
            _claim("cmp", "C1", ("d1", 50), kind="comparative"),
        ],
        "relations": [_rel("s1", "s2", "conflicts"), _rel("cmp", "s1", "agrees")],
        "relations_exhaustive": True,
    },
    {  # a false conflict: most of its claims are of a different_scope group
        "cluster_id": "C2",
        "verdict": "conflicts",
        "claims": [_claim("s3", "C2", ("d2", 0)), _claim("s4", "C2", ("d2", 100)), _claim("s5", "C2", ("d3", 0))],
        "relations": [_rel("s3", "s4", "conflicts"), _rel("s4", "s5", "different_scope"), _rel("s3", "s5", "agrees")],
        "relations_exhaustive": True,
    },
    {  # a false conflict of a large group's unlabelled pair, and one with a claim matching no gold claim
        "cluster_id": "C3",
        "verdict": "conflicts",
        "claims": [_claim("s6", "C3", ("d4", 0)), _claim("s7", "C3", ("d4", 100)), _claim("sx", "C3", ("d4", 55))],
        "relations": [_rel("s6", "s7", "conflicts"), _rel("s6", "sx", "conflicts")],
        "relations_exhaustive": True,
    },
    {  # only claims that match no gold claim: unjudged on gold claims, false when extracted
        "cluster_id": "C4",
        "verdict": "conflicts",
        "claims": [_claim("sy", "C4", ("d9", 0)), _claim("sz", "C4", ("d9", 10))],
        "relations": [_rel("sy", "sz", "conflicts")],
        "relations_exhaustive": True,
    },
    {  # two dimensions; one system claim for two gold claims; a summarised cluster; a counterpart
        "cluster_id": "C5",
        "verdict": "agrees",
        "claims": [
            _claim("s8", "C5", ("d4", 200)),
            _claim("s9", "C5", ("d4", 300), ("d4", 400), dimension="share"),
            _claim("s11", "C5", ("d4", 500)),
            _claim("s12", "C5", ("d4", 600)),
            _claim("s1", "C1", ("d1", 0), counterpart=True),
        ],
        "relations": [_rel("s8", "s11", "agrees")],
        "relations_exhaustive": False,
    },
]
DIMENSIONS = {loc: "count" for loc in LOCATED} | {("d1", 0): "ratio", ("d1", 100): "ratio"}


def test_measures_on_a_hand_made_graph():
    s = score(VIEWS, GROUPS, LOCATED, DIMENSIONS)
    # G1: (k1, k2) together, k3 apart; G2 together; G3: k6-k7 in C3, k8..k12 in C5 -> 1 + 10 of 21.
    assert s.grouping_recall == Ratio(13, 25)
    # G1 -> C1 conflicts (right); G2 -> C2 conflicts (wrong); G3 -> C5 agrees (wrong).
    assert s.verdict_accuracy == Ratio(1, 3)
    assert s.confusion == {"conflicts->conflicts": 1, "different_scope->conflicts": 1, "different_scope->agrees": 1}
    # C1 right (G1); C2 false (G2 holds 2 of 3); C3 false (G3); C4 holds no grouped claim: not judged.
    assert s.contradictions_precision == Ratio(1, 3)
    assert s.conflict_clusters == 4 and s.conflict_clusters_unjudged == 1
    # s1-s2 labelled conflicts; s3-s4 of two groups; s6-s7 an unlabelled pair of a group of 7.
    assert s.contradictions_pair_precision == Ratio(1, 3)
    assert s.contradictions_recall == Ratio(1, 1)
    # G1 (0,1) right, (0,2) and (1,2) in two clusters; G2 right; G3 (0,1) says conflicts, (2,3) unlisted in
    # the summarised C5, (3,4) one system claim: agrees.
    assert s.relation_accuracy == Ratio(3, 6)
    assert s.pairs_unlisted == 1
    # C5 holds count and share (the counterpart s1's ratio is not its own); C1's comparative has none.
    assert s.mixed_dimension_clusters == 1 and s.mixed[0].startswith("C5:")
    assert s.grouped_claims == 12 and s.grouped_claims_found == 12 and s.clusters == 5
    assert [g.split(":")[0] for g in s.missed_conflicts] == []


def test_extracted_mode_counts_conflicts_of_unmatched_claims_as_false():
    s = score(VIEWS, GROUPS, LOCATED, DIMENSIONS, mode="extracted")
    assert s.contradictions_precision == Ratio(1, 4)
    assert s.conflict_clusters_unjudged == 0
    # s6-sx and sy-sz have a side that is no gold claim.
    assert s.contradictions_pair_precision == Ratio(1, 5)


def test_a_group_the_system_never_saw_is_missed():
    s = score(VIEWS[3:4], [G1], LOCATED)
    assert s.grouping_recall == Ratio(0, 3)
    assert s.verdict_accuracy == Ratio(0, 1)
    assert s.contradictions_recall == Ratio(0, 1)
    assert s.missed_conflicts == ["G1: gold conflicts, system missing"]
    assert s.relation_accuracy == Ratio(0, 3)
    rows = {r["measure"]: r["score"] for r in s.rows()}
    assert rows["contradictions recall"] == "0.00 (0/1)"
    assert rows["contradictions precision"] == "- (0/0)"


# --- validation ---------------------------------------------------------------------------------------------

TEXT = "In 2024 PyTorch had 70% of papers. Another survey said PyTorch had 55% of papers. It is faster than JAX."


def _doc() -> GoldDocument:
    def claim(value: str, num: float | None, label: str = "claim", **extra) -> GoldClaim:
        start = TEXT.index(value)
        return GoldClaim(start=start, end=start + len(value), text=value, label=label, value=num, **extra)

    claims = [
        claim("2024", None, label="distractor"),
        claim("70%", 0.7, subjects=["pytorch"], metric="research_paper_share", dimension="share", time="2024"),
        claim("55%", 0.55, subjects=["pytorch"], metric="research_paper_share", dimension="share"),
        claim("is faster than", None, label="comparative", subjects=["pytorch", "jax"], metric="training_speed_ratio"),
    ]
    claims[1].slots = {"SCOPE": [(24, 33, "of papers")], "METRIC": [(27, 33, "papers")]}
    claims[1].time_basis = "sentence"
    claims[3].form = "versus"
    return GoldDocument(id="t1", split="real", style="", text=TEXT, claims=claims, meta={"published": "2024-05"})


def _write(path: Path, *groups: dict) -> Path:
    path.write_text("".join(json.dumps(g) + "\n" for g in groups), encoding="utf-8")
    return path


GOOD = {
    "id": "X-1",
    "candidate": 3,
    "claims": [{"doc": "t1", "claim": 0, "value": "70%"}, {"doc": "t1", "claim": 1, "value": "55%"}],
    "verdict": "different_scope",
    "pairs": [{"a": 0, "b": 1, "relation": "different_scope", "why": "two surveys"}],
    "why": "two populations",
}


def test_valid_groups_load(tmp_path):
    path = _write(tmp_path / "X.jsonl", GOOD)
    [group] = load_groups([path], {"t1": _doc()})
    assert group.keys == [("t1", 0), ("t1", 1)] and group.label(("t1", 1), ("t1", 0)) == "different_scope"
    assert group.file == str(path) and group.line == 1
    assert warnings([group]) == []


@pytest.mark.parametrize(
    "change, message",
    [
        (
            {"claims": [{"doc": "t1", "claim": 0, "value": "70%"}, {"doc": "t1", "claim": 1, "value": "56%"}]},
            "is '55%', not '56%'",
        ),
        (
            {"claims": [{"doc": "t1", "claim": 0, "value": "70%"}, {"doc": "t1", "claim": 3, "value": "x"}]},
            "out of range (it has 3: 0..2)",
        ),
        (
            {"claims": [{"doc": "t1", "claim": 0, "value": "70%"}, {"doc": "nope", "claim": 0, "value": "x"}]},
            "no gold document 'nope'",
        ),
        ({"verdict": "contradicts"}, "verdict 'contradicts' is not one of"),
        ({"pairs": [{"a": 0, "b": 1, "relation": "clash"}]}, "relation 'clash' is not one of"),
        ({"pairs": [{"a": 0, "b": 2, "relation": "agrees"}]}, "must be two different indexes"),
    ],
)
def test_a_bad_group_names_file_and_line(tmp_path, change, message):
    path = _write(tmp_path / "X.jsonl", GOOD, GOOD | {"id": "X-2"} | change)
    with pytest.raises(GroupError) as info:
        load_groups([path], {"t1": _doc()})
    assert str(info.value).startswith(f"{path}:2: ")
    assert message in str(info.value)


def test_duplicate_ids_and_warnings(tmp_path):
    with pytest.raises(GroupError, match=r"X\.jsonl:2: group id 'X-1' already used at .*X\.jsonl:1"):
        load_groups([_write(tmp_path / "X.jsonl", GOOD, GOOD)], {"t1": _doc()})
    unlabelled = GOOD | {"id": "X-2", "pairs": [], "verdict": "conflicts"}
    groups = load_groups([_write(tmp_path / "Y.jsonl", GOOD, unlabelled)], {"t1": _doc()})
    found = warnings(groups)
    assert any("claim 0 of t1 is also in group X-1" in w for w in found)
    assert any("1 pair(s) of a group of 2 unlabelled" in w for w in found)
    assert any("verdict conflicts but no pair conflicts" in w for w in found)
    assert warnings(groups[:1], candidate_groups([_doc()])) == [
        f"{groups[0].file}:1 (X-1): claims not in candidate 3 as generated now"
    ]
    assert warnings(groups[:1], [{}, {}, {}, {"claims": [{"doc": "t1", "claim": 0}, {"doc": "t1", "claim": 1}]}]) == []


def test_gold_claims_become_mentions():
    doc = _doc()
    assert [c.text for c in gold_claims(doc)] == ["70%", "55%", "is faster than"]
    m = to_mention(doc, gold_claims(doc)[0])
    assert TEXT[m.value_start : m.value_end] == "70%" == m.value_text
    assert m.sentence == "In 2024 PyTorch had 70% of papers."
    assert (m.subject, m.metric, m.dimension, m.unit, m.value, m.kind) == (
        "pytorch",
        "research_paper_share",
        "share",
        "percent",
        0.7,
        "numeric",
    )
    assert (m.time, m.time_basis, m.time_from, m.scope, m.metric_phrase) == (
        "2024",
        "sentence",
        "text",
        "of papers",
        "papers",
    )
    comparative = to_mention(doc, gold_claims(doc)[2])
    assert (comparative.kind, comparative.comparator, comparative.value, comparative.form) == (
        "comparative",
        ">",
        None,
        "versus",
    )
    assert candidate_groups([doc])[0]["claims"][1]["value"] == "55%"


def test_extracted_values_match_the_gold_claim_they_overlap_most():
    doc = _doc()
    mentions = [to_mention(doc, c) for c in gold_claims(doc)]
    assert match_extracted(doc, mentions) == {(m.document, m.value_start): ("t1", i) for i, m in enumerate(mentions)}
    at = TEXT.index("55%")
    wider = dataclasses.replace(mentions[1], value_start=at - 4, value_end=at + 2)  # "had 55": overlaps "55%"
    year = dataclasses.replace(mentions[0], value_start=3, value_end=7)  # "2024": a distractor, no claim
    assert match_extracted(doc, [wider, year]) == {("t1", at - 4): ("t1", 1)}


# --- the product path on hand-made documents ----------------------------------------------------------------


def test_gold_claims_go_through_the_store_and_come_back():
    """Two documents with the same property: the store clusters them, the scorer finds every claim."""
    first, second = _doc(), _doc()
    second = GoldDocument(id="t2", split="real", style="", text=TEXT + " (mirror)", claims=second.claims, meta={})
    group = _group("G", [("t1", 0), ("t1", 1), ("t2", 0), ("t2", 1)], "different_scope", [])
    result = run({"t1": first, "t2": second}, [group])
    assert result.grouped_claims_found == 4
    assert result.grouping_recall == Ratio(6, 6)
    assert result.verdict_accuracy.total == 1 and result.mixed_dimension_clusters == 0


def test_extracted_mode_runs_the_shipped_extractor(extractor):
    first = _doc()
    group = _group("G", [("t1", 0), ("t1", 1)], "different_scope", [(0, 1, "different_scope")])
    result = run({"t1": first}, [group], mode="extracted", extractor=extractor)
    assert result.mode == "extracted" and result.grouping_recall.total == 1 and result.verdict_accuracy.total == 1
    # The tagger finds both plain figures; their offsets in the original text meet the gold values.
    assert result.grouped_claims == 2 and result.grouped_claims_found == 2 and result.clusters >= 1


# --- the real group files -----------------------------------------------------------------------------------


@pytest.mark.realtext
def test_real_group_files_validate_and_score():
    documents = load_documents()
    paths = group_files()
    if not paths:
        pytest.skip("no group files in annotations/groups yet")
    groups = load_groups(paths, documents)
    assert groups
    for line in warnings(groups, candidate_groups(documents.values())):
        print("warning:", line)
    result = run(documents, groups)
    assert result.grouped_claims_found == result.grouped_claims  # every gold claim is stored and found
    assert result.grouping_recall.total > 0 and result.verdict_accuracy.total == len(groups)
    assert result.relation_accuracy.total > 0
    print({r["measure"]: r["score"] for r in result.rows()})
    # Floors at the figures measured when they were set (docs/measurements.md, "Claim graph").
    assert result.mixed_dimension_clusters == 0
    assert result.grouping_recall.value >= 0.95
    assert result.verdict_accuracy.value >= 0.82
    assert result.relation_accuracy.value >= 0.87
    # Contradictions precision first: every contradiction listed on gold claims is a real one, and there is one.
    assert result.contradictions_precision.hits == result.contradictions_precision.total >= 1


@pytest.mark.realtext
def test_cli_evaluate_graph_prints_the_measures():
    if not group_files():
        pytest.skip("no group files in annotations/groups yet")
    out = _claimgraph("evaluate", "--graph", timeout=900)
    assert out.returncode == 0, out.stderr
    for measure in ("contradictions precision", "contradictions recall", "grouping recall", "verdict accuracy"):
        # "- (0/0)" when nothing is listed: precision of an empty listing is not a number.
        assert re.search(rf"^{measure} +([01]\.\d\d \(\d+/[1-9]\d*\)|- \(0/0\))$", out.stdout, re.M), out.stdout
    assert re.search(r"^mixed-dimension clusters +\d+$", out.stdout, re.M), out.stdout
    assert re.search(r"gold groups of \d+ claims \(\d+ found\), \d+ system clusters", out.stderr), out.stderr


def test_the_other_threshold_is_chosen_without_the_sites_it_is_measured_on():
    """Pairs of two pages of a held-out fold measure it; pairs touching it never choose it."""
    pairs = [
        # fold 0 (held out first): grouped at 0.9 and 0.6, kept apart at 0.55
        ("a", "b", 0.9, True),
        ("a", "b", 0.6, True),
        ("a", "b", 0.55, False),
        # fold 1: grouped at 0.8, kept apart at 0.62 and 0.3
        ("c", "d", 0.8, True),
        ("c", "d", 0.62, False),
        ("c", "d", 0.3, False),
        ("a", "c", 0.99, False),  # across the folds: neither chooses nor measures
    ]
    fold_of = {"a": 0, "b": 0, "c": 1, "d": 1}
    first, second = other_threshold_folds(pairs, fold_of, 2, min_apart=1)
    # Chosen on fold 1: the lowest cosine joining no kept-apart pair there (0.62 is one): 0.65.
    assert first.chosen == 0.65 and first.joined == Ratio(1, 2) and first.false_joins == Ratio(0, 1)
    # Chosen on fold 0 (0.55 kept apart): 0.6, which joins fold 1's 0.62 pair.
    assert second.chosen == 0.6 and second.joined == Ratio(1, 1) and second.false_joins == Ratio(1, 2)
    # Too few kept-apart pairs to choose on: no choice, nothing measured.
    assert other_threshold_folds(pairs, fold_of, 2, min_apart=3)[0].chosen is None


@pytest.mark.realtext
def test_the_shipped_other_threshold_joins_most_grouped_pairs_and_almost_no_others(extractor):
    from pipelines.cluster import OTHER_SIMILARITY

    pairs = other_pairs(
        load_documents(), load_groups(group_files(), load_documents()), extractor.embedder, extractor.catalogue
    )
    grouped = [s for _, _, s, same in pairs if same]
    apart = [s for _, _, s, same in pairs if not same]
    assert len(grouped) >= 100 and len(apart) >= 100
    assert sum(s >= OTHER_SIMILARITY for s in grouped) >= 0.85 * len(grouped)
    assert sum(s >= OTHER_SIMILARITY for s in apart) <= 0.01 * len(apart)


@pytest.mark.realtext
def test_cli_threshold_prints_each_site_fold_and_the_shipped_value():
    from pipelines.cluster import OTHER_SIMILARITY

    out = _claimgraph("annotations", "groups", "threshold", timeout=600)
    assert out.returncode == 0, out.stderr
    lines = [json.loads(line) for line in out.stdout.splitlines()]
    assert [line["fold"] for line in lines[:-1]] == [0, 1, 2, 3, 4]
    assert all(line["chosen"] is None or 0.4 <= line["chosen"] <= 0.95 for line in lines[:-1])
    assert any(line["chosen"] is not None for line in lines[:-1])
    assert lines[-1]["shipped"] == OTHER_SIMILARITY and lines[-1]["grouped_joined"]["total"] > 0


def test_cli_extracted_needs_graph():
    out = _claimgraph("evaluate", "--extracted", timeout=300)
    assert out.returncode == 2 and "give --graph too" in out.stderr
