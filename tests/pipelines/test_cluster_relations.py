"""relate_cluster at any size: the summary above the all-pairs threshold finds every established conflict
exactly, agrees exactly when all pairs agree, and otherwise names a kind the pairs do show (property-style,
fixed seeds); one odd pair does not decide a large cluster."""

import math
import random
from dataclasses import replace

import pytest
from verdict_set import claim_of, verdict_rows

from pipelines.claims import Claim, Comparator, Kind, RelationKind, TimeBasis, Unit, Verdict
from pipelines.context import Period
from pipelines.relations import relate, relate_cluster
from pipelines.relations.cluster_verdict import verdict_of

SCOPES = [
    None,
    None,
    None,
    "NeurIPS papers",
    "all papers",
    "Kaggle respondents",
    "ICML 2023 papers",
    "survey takers",
    "GPU clusters",
    "clusters of papers",
]
PERIODS = [None, None, Period.year(2022), Period.year(2024), Period.quarter(2024, 2), Period.month(2024, 5)]
SOURCES = [None, None, None, "Papers With Code", "Stack Overflow"]


def random_claim(rng: random.Random, n: int, narrow: bool = False) -> Claim:
    """A random figure; ``narrow`` ones (close values) often agree. Few documents, so many share one."""
    if narrow:
        unit, v, surface = Unit.PERCENT, rng.choice([0.69, 0.7, 0.71]), "about 70%"
        comparator = rng.choice(["~", "~", "=", "up_to"])
    else:
        comparator = rng.choice(["=", "=", "~", ">", ">=", "<", "up_to", "range"])
        unit = rng.choice([Unit.PERCENT, Unit.PERCENT, Unit.COUNT, Unit.YEAR])
        if unit is Unit.PERCENT:
            v = rng.choice([0.62, 0.7, 0.71, 0.72, 0.75, 0.8, 0.95])
            surface = f"{v * 100:g}%"
        elif unit is Unit.COUNT:
            v = float(rng.choice([74000, 75000, 180000, 200000]))
            surface = f"{v / 1000:g}k"
        else:
            v = float(rng.choice([2015, 2016, 2017]))
            surface = f"{v:g}"
    high = v * rng.choice([0.9, 1.1, 1.3]) if comparator == "range" else None
    if rng.random() < 0.03:
        v = math.nan
    period = rng.choice(PERIODS)
    basis = rng.choice(["sentence", "sentence", "document"]) if period else "none"
    return Claim(
        id=f"c{n:05d}",
        document_id=f"d{rng.randint(0, 6)}",
        kind=Kind.NUMERIC,
        subjects=("pytorch",),
        metric="m",
        value_text=surface,
        value=v,
        value_high=high,
        unit=unit,
        comparator=Comparator(comparator),
        time_basis=TimeBasis(basis),
        period=replace(period, basis=basis) if period else None,
        scope=rng.choice(SCOPES),
        source=rng.choice(SOURCES),
    )


def check(claims: list[Claim]) -> Verdict:
    full = relate_cluster(claims, all_pairs_up_to=len(claims))
    assert full.exhaustive
    ids = sorted(c.id for c in claims)
    by_id = {c.id: c for c in claims}
    expected = [relate(by_id[a], by_id[b]) for n, a in enumerate(ids) for b in ids[n + 1 :]]
    assert list(full.relations) == [r for r in expected if r is not None]  # every pair, in id order
    summary = relate_cluster(claims, all_pairs_up_to=0, representatives=3)
    assert not summary.exhaustive
    kinds = {r.kind for r in full.relations}
    # Exact: an established conflict is found whenever one exists; "agrees"/"single" exactly when all pairs say so.
    assert (summary.verdict == Verdict.CONFLICTS) == (full.verdict == Verdict.CONFLICTS), (summary, full)
    assert (summary.verdict in (Verdict.AGREES, Verdict.SINGLE)) == (full.verdict in (Verdict.AGREES, Verdict.SINGLE))
    if summary.verdict not in (Verdict.AGREES, Verdict.SINGLE, Verdict.CONFLICTS):
        assert RelationKind(str(summary.verdict)) in kinds  # a kind the pairs do show
    for r in summary.relations:  # every representative is what relating that pair gives
        assert relate(by_id[r.a], by_id[r.b]) == r
    return full.verdict


@pytest.mark.parametrize("seed", range(3))
def test_summary_against_all_pairs_on_random_clusters(seed):
    rng = random.Random(seed)
    seen = set()
    for _ in range(200):
        k = rng.randint(2, 22)
        narrow = rng.random() < 0.3
        claims = [random_claim(rng, n, narrow and rng.random() < 0.97) for n in range(k)]
        seen.add(check(claims))
    assert {Verdict.CONFLICTS, Verdict.TREND, Verdict.AGREES} <= seen


def test_clusters_of_the_verdict_set():
    rows = verdict_rows()
    for r in rows:  # each labelled pair as a two-claim cluster, summarised
        a, b = claim_of(r["a"], "a"), claim_of(r["b"], "b")
        result = relate_cluster([a, b], all_pairs_up_to=0)
        expected = r["relation"]
        assert result.verdict == expected, (r["id"], result)
    rng = random.Random(7)
    pool: dict[str, list[Claim]] = {}
    for r in rows:
        for side in ("a", "b"):
            pool.setdefault(r[side]["unit"], []).append(claim_of(r[side], f"{r['id']}{side}"))
    for _ in range(150):
        unit = rng.choice(sorted(u for u in pool if len(pool[u]) >= 3))
        check(rng.sample(pool[unit], rng.randint(2, min(20, len(pool[unit])))))


def test_large_cluster_is_summarised_with_linearly_many_pair_relations():
    """The summary relates O(k) pairs, not the k(k-1)/2 of all pairs. Counted, not timed: the wall-clock growth
    exponent is bench/cluster_scale.py's (up to 1M claims)."""
    rng = random.Random(3)

    def summarised(k: int) -> tuple[object, int]:
        calls = 0

        def counting(a: Claim, b: Claim):
            nonlocal calls
            calls += 1
            return relate(a, b)

        claims = [random_claim(rng, n) for n in range(k)]
        return relate_cluster(claims, relate=counting), calls

    a, small_calls = summarised(2000)
    b, large_calls = summarised(8000)
    assert not a.exhaustive and not b.exhaustive and b.claims == 8000
    assert b.summary["pairs"] == 8000 * 7999 // 2
    assert 0 < len(b.relations) <= 5 * 10
    assert b.summary["sampled_pairs"] <= 4 * 8000 + 1
    # a few pairs per claim at either size (the sample's four strides, the widest pairs, the conflict checks)
    assert small_calls <= 5 * 2000 and large_calls <= 5 * 8000
    # 4x the claims: about 4x the pairs related, far below the 16x of all pairs
    assert large_calls <= 4.5 * small_calls


def test_one_spurious_pair_does_not_decide_a_large_cluster():
    """Sixty figures of many years, each year's its own, and one undated outlier: a trend, not a conflict."""
    claims = []
    for n in range(60):
        year = 2000 + n // 3
        claims.append(
            Claim(
                id=f"c{n:03d}",
                document_id=f"d{n}",
                kind=Kind.NUMERIC,
                subjects=("pytorch",),
                metric="m",
                value_text=f"{10 + n}%",
                value=(10 + n) / 100,
                unit=Unit.PERCENT,
                comparator=Comparator.EQ,
                time_basis=TimeBasis.SENTENCE,
                period=replace(Period.year(year), basis="sentence"),
            )
        )
    claims.append(
        Claim(
            id="odd",
            document_id="dx",
            kind=Kind.NUMERIC,
            subjects=("pytorch",),
            metric="m",
            value_text="99%",
            value=0.99,
            unit=Unit.PERCENT,
            comparator=Comparator.EQ,
        )
    )
    for threshold in (100, 0):
        result = relate_cluster(claims, all_pairs_up_to=threshold)
        assert result.verdict == Verdict.TREND, result.reason
    # ...but one established conflict decides it, at any size.
    # (one source, one stated year: established; sharing an article alone would not establish it)
    sourced = [replace(c, source="Papers With Code") if c.id == "c005" else c for c in claims]
    twin = replace(sourced[5], id="twin", value=0.9, value_text="90%")
    for threshold in (100, 0):
        result = relate_cluster([*sourced, twin], all_pairs_up_to=threshold)
        assert result.verdict == Verdict.CONFLICTS
        assert any(r.kind is RelationKind.CONFLICTS and {r.a, r.b} == {"c005", "twin"} for r in result.relations)


def test_single_and_agreeing_clusters():
    one = relate_cluster([claim_of({"surface": "70%", "value": 0.7, "unit": "percent", "comparator": "="}, "x")])
    assert (one.verdict, one.relations) == (Verdict.SINGLE, ())
    same = [
        claim_of({"surface": "70%", "value": 0.7, "unit": "percent", "comparator": "="}, f"c{n}") for n in range(60)
    ]
    assert relate_cluster(same).verdict == Verdict.AGREES  # sixty copies of one figure agree; single is one claim
    close = [
        claim_of({"surface": f"{v}%", "value": v / 100, "unit": "percent", "comparator": "~"}, f"c{n}")
        for n, v in enumerate([70, 71, 72] * 20)
    ]
    summary = relate_cluster(close)
    assert not summary.exhaustive and summary.verdict == Verdict.AGREES
    assert verdict_of([], []) == (Verdict.SINGLE, "no claims")


def test_summary_does_not_call_agreeing_a_cluster_whose_page_gives_two_figures():
    """Every interval overlaps the others (so the O(k) check alone would say all agree), but one page gives
    70% and 71%: two figures of that page (one_page.restated), a difference of settings, in the summary too."""

    def share(n: int, surface: str, value: float, comparator: str, doc: str) -> Claim:
        return claim_of(
            {"surface": surface, "value": value, "unit": "percent", "comparator": comparator}, f"c{n:03d}", doc
        )

    claims = [share(n, "about 70%", 0.70, "~", f"d{n}") for n in range(58)]
    claims += [share(58, "70%", 0.70, "=", "page"), share(59, "71%", 0.71, "=", "page")]
    full = relate_cluster(claims, all_pairs_up_to=len(claims))
    summary = relate_cluster(claims, all_pairs_up_to=0, representatives=3)
    assert full.verdict == summary.verdict == Verdict.DIFFERENT_SCOPE, (full.reason, summary.reason)
