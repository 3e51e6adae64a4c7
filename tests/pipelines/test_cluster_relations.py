"""relate_cluster gives the verdict relating every pair gives, at any size (property-style, fixed seeds)."""

import math
import random

import pytest
from verdict_set import claim_value as _value
from verdict_set import verdict_rows

from pipelines.cluster_relations import VERDICT_ORDER, relate_cluster
from pipelines.relate import ClaimValue, relate

SCOPES = [None, None, None, "NeurIPS papers", "all papers", "Kaggle respondents", "ICML 2023 papers", "survey takers"]
PERIODS = [None, None, "2022", "2024", "2024-Q2"]


def all_pairs(values: dict[str, ClaimValue]) -> tuple[str, list[tuple[str, str, str]]]:
    """What service.core.cluster_views computes: every pair of sorted ids, the strongest relation."""
    ids = sorted(values)
    pairs = [(a, b, relate(values[a], values[b])) for n, a in enumerate(ids) for b in ids[n + 1 :]]
    rels = [(a, b, r.relation, r.reason) for a, b, r in pairs]
    kinds = {r[2] for r in rels}
    return next((v for v in VERDICT_ORDER if v in kinds), "agrees"), rels


def random_value(rng: random.Random, narrow: bool = False) -> ClaimValue:
    """A random claim; ``narrow`` ones (one unit, close values, few periods) often agree."""
    if narrow:
        return ClaimValue(
            surface="about 70%",
            value=rng.choice([0.69, 0.7, 0.71]),
            unit="percent",
            comparator=rng.choice(["~", "~", "=", "up_to"]),
            period=rng.choice([None, None, "2024"]),
            scope=rng.choice([None, "NeurIPS papers", "all papers", "papers", "survey takers"]),
        )
    comparator = rng.choice(["=", "=", "~", ">", ">=", "<", "up_to", "range"])
    unit = rng.choice(["percent", "percent", "count", "year"])
    if unit == "percent":
        v = rng.choice([0.62, 0.7, 0.71, 0.72, 0.75, 0.8, 0.95, 1.2])
        surface = f"{v * 100:g}%"
    elif unit == "count":
        v = float(rng.choice([74000, 75000, 180000, 200000]))
        surface = f"{v / 1000:g}k"
    else:
        v = float(rng.choice([2015, 2016, 2017]))
        surface = f"{v:g}"
    high = None
    if comparator == "range":
        high = v * rng.choice([0.9, 1.1, 1.3])  # sometimes below the value: an interval upside down
    if rng.random() < 0.05:
        v = math.nan
    return ClaimValue(
        surface=surface,
        value=v,
        value_high=high,
        unit=unit,
        comparator=comparator,
        period=rng.choice(PERIODS),
        scope=rng.choice(SCOPES),
    )


def check(values: dict[str, ClaimValue]) -> None:
    verdict, rels = all_pairs(values)
    exhaustive = relate_cluster(values, all_pairs_up_to=len(values))
    assert exhaustive.exhaustive
    assert [(r.a, r.b, r.relation, r.reason) for r in exhaustive.relations] == rels  # same pairs, order, reasons
    assert exhaustive.verdict == verdict
    summary = relate_cluster(values, all_pairs_up_to=0, representatives=3)
    assert not summary.exhaustive
    assert summary.verdict == verdict, (summary.verdict, verdict, values)
    assert summary.relations and len(summary.relations) <= 3 * 3
    for r in summary.relations:  # every representative is what relating that pair gives
        assert relate(values[r.a], values[r.b]).relation == r.relation
    assert any(r.relation == summary.verdict and r.reason == summary.reason for r in summary.relations)


@pytest.mark.parametrize("seed", range(4))
def test_summary_verdict_equals_all_pairs_on_random_clusters(seed):
    rng = random.Random(seed)
    seen = set()
    for _ in range(300):
        k = rng.randint(2, 25)
        narrow = rng.random() < 0.3
        values = {f"c{n:03d}": random_value(rng, narrow and rng.random() < 0.97) for n in range(k)}
        check(values)
        seen.add(all_pairs(values)[0])
    assert seen == set(VERDICT_ORDER)  # the random clusters reach every verdict


def test_summary_agrees_with_the_verdict_set():
    rows = verdict_rows()
    for r in rows:  # each labelled pair as a two-claim cluster, summarised
        result = relate_cluster({"a": _value(r["a"]), "b": _value(r["b"])}, all_pairs_up_to=0)
        assert result.verdict == r["relation"], r["id"]
    # and clusters mixing the labelled claims of one unit
    rng = random.Random(7)
    pool: dict[str, list[ClaimValue]] = {}
    for r in rows:
        for side in ("a", "b"):
            pool.setdefault(r[side]["unit"], []).append(_value(r[side]))
    for _ in range(200):
        unit = rng.choice(sorted(u for u in pool if len(pool[u]) >= 3))
        members = rng.sample(pool[unit], rng.randint(2, min(20, len(pool[unit]))))
        check({f"v{n:02d}": v for n, v in enumerate(members)})


def test_large_cluster_is_summarised_with_bounded_pairs():
    rng = random.Random(3)
    values = {f"c{n:05d}": random_value(rng) for n in range(3000)}
    result = relate_cluster(values)  # default: all pairs up to 50 claims
    assert not result.exhaustive and result.claims == 3000
    assert result.verdict == "conflicts"
    assert 0 < len(result.relations) <= 30
    assert result.summary["pairs"] == 3000 * 2999 // 2
    assert set(result.summary["periods"]) == {"2022", "2024", "2024-Q2", "unknown"}
    assert all(len(b) <= 10 for b in result.summary["bands"].values())


def test_single_claim_and_agreeing_cluster():
    one = relate_cluster({"x": ClaimValue(surface="70%", value=0.7, unit="percent")})
    assert (one.verdict, one.reason, one.relations) == ("agrees", "a single claim", ())
    same = {f"c{n}": ClaimValue(surface="70%", value=0.7, unit="percent") for n in range(60)}
    summary = relate_cluster(same)
    assert not summary.exhaustive and summary.verdict == "agrees"
    assert summary.reason == relate(same["c0"], same["c1"]).reason  # the first pair, as all-pairs gives
