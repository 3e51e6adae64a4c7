"""Comparative cues (pure) and how comparatives are checked against figures."""

import math

import pytest

from pipelines.claims import Claim, Comparator, Kind, TimeBasis, Unit
from pipelines.comparatives import directed, find_comparatives
from pipelines.context import parse_period
from pipelines.quantities import find_quantities
from pipelines.relations.comparative_figures import (
    MAX_RELATIONS,
    check_absolute,
    check_ratio,
    comparison_interval,
    relate_comparative_to_figures,
)
from pipelines.relations.comparative_pair import relate_comparatives


def cues(text: str) -> list[tuple[str, str]]:
    return [(c.surface, c.comparator) for c in find_comparatives(text, find_quantities(text))]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("JAX has overtaken Keras in monthly downloads.", [("has overtaken", ">")]),
        ("MXNet lags behind ONNX in contributors.", [("lags behind", "<")]),
        ("Serving stacks built on it show lower latency than TorchServe.", [("lower", "<")]),
        ("Keras now holds a clear lead over Theano in stars.", [("a clear lead", ">")]),
        ("In our runs the two were roughly on par.", [("roughly on par", "~")]),
        ("The gap stays within a few percent either way.", [("within a few percent", "~")]),
        ("PaddlePaddle out-searches both on Baidu.", [("out-searches", ">")]),
        ("Caffe is older than TensorFlow.", [("older", "<")]),
        ("Listings naming TensorFlow still outnumber PyTorch ones.", [("still outnumber", ">")]),
    ],
)
def test_cues_and_their_direction(text, expected):
    assert cues(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Keras offers higher-level building blocks.",  # descriptive, not a comparison
        "PyTorch held more than 75% of papers.",  # the comparison belongs to the number
        "PyTorch was 25.5% faster than TensorFlow.",  # the speed word is part of the figure
        "JAX had 40% more downloads.",  # a cue right after a share is that share's
        "Bad data can lead to wrong answers.",  # "lead to" is not a lead
    ],
)
def test_no_cue_where_the_words_belong_to_a_number_or_describe(text):
    assert cues(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "PyTorch is not faster than TensorFlow on this benchmark.",
        "JAX has not surpassed Keras in downloads.",
        "MXNet isn't comparable to ONNX here.",
        "Caffe never overtook Theano.",
        "The result is no better than TensorFlow's.",
        "Keras is not significantly slower than PyTorch.",
    ],
)
def test_a_negated_cue_is_not_a_cue(text):
    assert cues(text) == []


def test_negation_must_stand_right_before_the_cue():
    assert cues("JAX is not only faster than Keras.") == [("faster", ">")]  # "not only" affirms
    assert cues("Nobody doubts that JAX is faster than Keras.") == [("faster", ">")]


def test_cue_offsets_index_the_text():
    text = "Since 2021 JAX has since surpassed MXNet, and it trails PyTorch."
    for c in find_comparatives(text):
        assert text[c.start : c.end] == c.surface
        assert math.isnan(c.value) and c.kind == "comparative"


def test_a_cost_metric_flips_the_direction_of_a_speed_comparison():
    assert directed("<", "ratio", " latency than") == ">"  # lower latency = faster inference
    assert directed(">", "ratio", " training times on") == "<"
    assert directed(">", "ratio", " throughput than") == ">"
    assert directed(">", "ratio", " throughput and lower latency") == ">"  # the nearest metric word counts
    assert directed("<", "ratio", " than PyTorch", "its latency is") == ">"  # the words before, when none follow
    assert directed("<", "count", " latency") == "<"  # only speed ratios are measured by their cost
    assert directed("~", "ratio", " latency") == "~"


DOC = "doc-1"


def claim(
    id,
    surface,
    v,
    comparator="=",
    unit=Unit.COUNT,
    *,
    subjects=("pytorch",),
    period=None,
    scope=None,
    doc=DOC,
    high=None,
):
    p = parse_period(period) if period else None
    return Claim(
        id=id,
        document_id=doc,
        kind=Kind.NUMERIC,
        subjects=subjects,
        metric="github_stars",
        value_text=surface,
        value=v,
        value_high=high,
        unit=unit,
        comparator=Comparator(comparator),
        time=period,
        time_basis=TimeBasis.SENTENCE if p else TimeBasis.NONE,
        period=p.anchored("sentence") if p else None,
        scope=scope,
    )


def comparative(id, surface, subject, other, direction, *, period=None, doc=DOC, scope=None):
    p = parse_period(period) if period else None
    return Claim(
        id=id,
        document_id=doc,
        kind=Kind.COMPARATIVE,
        subjects=(subject, other),
        metric="github_stars",
        value_text=surface,
        value=None,
        unit=Unit.OTHER,
        comparator=Comparator(direction),
        time=period,
        time_basis=TimeBasis.SENTENCE if p else TimeBasis.NONE,
        period=p.anchored("sentence") if p else None,
        scope=scope,
    )


def test_an_abbreviated_count_with_a_plus_is_read_as_displayed():
    assert comparison_interval(claim("a", "74k+", 74_000, ">=")) == (74_000, 75_000)
    lo, hi = comparison_interval(claim("b", "1.2M+", 1_200_000, ">="))
    assert lo == 1_200_000 and hi == pytest.approx(1_300_000)
    assert math.isinf(comparison_interval(claim("c", "at least 74,000", 74_000, ">="))[1])


def test_surpassed_in_stars_conflicts_with_fewer_stars_of_the_same_stated_period_and_population():
    on = {"period": "2025", "scope": "GitHub repositories"}
    comp = comparative("c", "has surpassed", "pytorch", "tensorflow", ">", **on)
    mine = [claim("p", "74k+", 74_000, ">=", **on)]
    theirs = [claim("t", "180k+", 180_000, ">=", subjects=("tensorflow",), **on)]
    [(a, b, relation)] = check_absolute(comp, mine, theirs)
    assert (a.id, b.id) == ("p", "t") and relation.kind == "conflicts"
    assert "74k+" in relation.reason and "180k+" in relation.reason
    trailing = comparative("c", "trails", "pytorch", "tensorflow", "<", **on)
    assert check_absolute(trailing, mine, theirs)[0][2].kind == "agrees"


def test_one_article_alone_makes_a_comparative_and_its_figures_different_settings():
    """A page saying "has surpassed" and giving 74k vs 180k elsewhere, with no period or population stated,
    speaks of different settings or cases (a page seldom contradicts itself): never a conflict."""
    comp = comparative("c", "has surpassed", "pytorch", "tensorflow", ">")
    mine = [claim("p", "74k+", 74_000, ">=")]
    theirs = [claim("t", "180k+", 180_000, ">=", subjects=("tensorflow",))]
    [(_, _, relation)] = check_absolute(comp, mine, theirs)
    assert relation.kind == "different_scope" and "one page" in relation.reason


def test_figures_of_another_article_leave_the_comparative_unresolved():
    comp = comparative("c", "has surpassed", "pytorch", "tensorflow", ">", doc="elsewhere")
    mine = [claim("p", "74k+", 74_000, ">=")]
    theirs = [claim("t", "180k+", 180_000, ">=", subjects=("tensorflow",))]
    [(_, _, relation)] = check_absolute(comp, mine, theirs)
    assert relation.kind == "unresolved" and "cannot be told" in relation.reason


def test_figures_of_different_periods_do_not_order_two_subjects():
    comp = comparative("c", "has surpassed", "pytorch", "tensorflow", ">")
    mine = [claim("p", "74k", 74_000, period="2021")]
    theirs = [claim("t", "180k", 180_000, period="2025", subjects=("tensorflow",))]
    assert check_absolute(comp, mine, theirs) == []


def test_a_year_holds_its_quarters():
    """Figures of 2025 and 2025-Q1 still order the two subjects; a conflict needs every period the same."""
    comp = comparative("c", "has surpassed", "pytorch", "tensorflow", ">", period="2025", scope="repositories")
    mine = [claim("p", "74k+", 74_000, ">=", period="2025", scope="repositories")]
    quarter = claim("t", "180k+", 180_000, ">=", period="2025-Q1", subjects=("tensorflow",), scope="repositories")
    assert check_absolute(comp, mine, [quarter])[0][2].kind == "different_scope"  # one page, not one period
    same = [claim("t", "180k+", 180_000, ">=", period="2025", subjects=("tensorflow",), scope="repositories")]
    assert check_absolute(comp, mine, same)[0][2].kind == "conflicts"


def test_an_undated_comparative_against_dated_figures_is_no_conflict():
    comp = comparative("c", "has surpassed", "pytorch", "tensorflow", ">")
    mine = [claim("p", "74k+", 74_000, ">=", period="2025-Q1")]
    theirs = [claim("t", "180k+", 180_000, ">=", period="2025-Q1", subjects=("tensorflow",))]
    assert check_absolute(comp, mine, theirs)[0][2].kind == "different_scope"  # of its own article
    elsewhere = comparative("c", "has surpassed", "pytorch", "tensorflow", ">", doc="another")
    assert check_absolute(elsewhere, mine, theirs)[0][2].kind == "unresolved"


def ratio(id, surface, v, comparator="=", subjects=("pytorch",), doc=DOC, period=None, scope=None):
    return claim(id, surface, v, comparator, Unit.RATIO, subjects=subjects, doc=doc, period=period, scope=scope)


BENCH = {"period": "2024", "scope": "ResNet-50 training"}
"""A period and a population stated alike: what establishes one context."""


def test_lower_latency_for_one_conflicts_with_the_other_being_three_times_faster():
    comp = comparative("c", "lower", "tensorflow", "pytorch", ">", **BENCH)
    figures = [
        ratio("x3", "about three times faster", 3.0, "~", **BENCH),
        ratio("up", "up to 77.7% faster", 1.777, "up_to", subjects=("pytorch", "tensorflow"), **BENCH),
        ratio("jax", "2x faster", 2.0, subjects=("pytorch", "jax"), **BENCH),
    ]
    found = {r.b: r for r in check_ratio(comp, figures)}
    assert found["x3"].kind == "conflicts" and found["up"].kind == "conflicts"
    assert "jax" not in found  # a ratio against a third framework says nothing about this pair


def test_about_equal_conflicts_with_a_quarter_faster():
    comp = comparative("c", "within a few percent", "pytorch", "tensorflow", "~", **BENCH)
    [relation] = check_ratio(comp, [ratio("f", "25.5% faster", 1.255, subjects=("pytorch", "tensorflow"), **BENCH)])
    assert relation.kind == "conflicts"
    close = ratio("g", "3% faster", 1.03, subjects=("pytorch", "tensorflow"), **BENCH)
    assert check_ratio(comp, [close])[0].kind == "agrees"
    unstated = ratio("u", "25.5% faster", 1.255, subjects=("pytorch", "tensorflow"))
    assert check_ratio(comp, [unstated])[0].kind == "different_scope"  # one page, context not stated alike
    elsewhere = ratio("h", "25.5% faster", 1.255, subjects=("pytorch", "tensorflow"), doc="other")
    assert check_ratio(comp, [elsewhere])[0].kind == "unresolved"


def test_a_comparative_of_another_period_is_a_trend():
    comp = comparative("c", "has overtaken", "jax", "keras", ">", period="2025")
    fig = ratio("f", "0.5x", 0.5, subjects=("jax", "keras"), period="2019")
    assert check_ratio(comp, [fig])[0].kind == "trend"


def test_two_comparatives_in_opposite_directions():
    a = comparative("a", "leads", "tensorflow", "pytorch", ">")
    b = comparative("b", "has surpassed", "pytorch", "tensorflow", ">")
    assert relate_comparatives(a, b).kind == "different_scope"  # one article alone: two settings
    stated_a = comparative("a", "leads", "tensorflow", "pytorch", ">", **BENCH)
    stated_b = comparative("b", "has surpassed", "pytorch", "tensorflow", ">", doc="x", **BENCH)
    assert relate_comparatives(stated_a, stated_b).kind == "conflicts"  # one period and population stated
    assert relate_comparatives(a, comparative("b", "has surpassed", "pytorch", "tensorflow", ">", doc="x")).kind == (
        "unresolved"
    )
    later = comparative("b", "has surpassed", "pytorch", "tensorflow", ">", period="2025")
    earlier = comparative("a", "the most", "tensorflow", "pytorch", ">", period="2021")
    assert relate_comparatives(earlier, later).kind == "trend"
    same = comparative("c", "trails", "pytorch", "tensorflow", "<")
    assert relate_comparatives(a, same).kind == "agrees"


def test_checking_a_comparative_is_bounded():
    """Thousands of figures of each subject: a bounded number of relations, built from bucket extremes."""
    comp = comparative("c", "has surpassed", "pytorch", "tensorflow", ">")
    figures = []
    for n in range(3000):
        year = str(2015 + n % 10)
        figures.append(claim(f"p{n}", f"{70 + n % 7}k", (70 + n % 7) * 1000, period=year, doc=f"d{n}"))
        figures.append(
            claim(f"t{n}", f"{170 + n % 9}k", (170 + n % 9) * 1000, period=year, doc=f"e{n}", subjects=("tensorflow",))
        )
    relations = relate_comparative_to_figures(comp, figures, ratio=False)
    assert 0 < len(relations) <= 2 * MAX_RELATIONS
    assert {r.kind for r in relations} == {"unresolved"}  # other articles: not established
    assert {r.a for r in relations} == {"c"}


def test_benchmark_comparisons_of_two_pages_are_two_setups():
    """ "JAX faster than Keras" on a page of 2019 and "Keras faster than JAX" on one of 2023 are benchmarks of
    two setups (a benchmark does not age with its page), not a trend; stated years still make one."""
    from dataclasses import replace

    from pipelines.claims import TimeBasis

    def speed(claim, year=None, basis=TimeBasis.DOCUMENT):
        claim = replace(claim, metric="inference_speed_ratio")
        if year is None:
            return claim
        return replace(claim, time=str(year), time_basis=basis, period=parse_period(str(year)).anchored(str(basis)))

    a = speed(comparative("a", "is faster than", "jax", "keras", ">", doc="p1"), 2019)
    b = speed(comparative("b", "is faster than", "keras", "jax", ">", doc="p2"), 2023)
    r = relate_comparatives(a, b)
    assert r.kind == "different_scope" and "own setup" in r.reason
    stated = speed(a, 2019, TimeBasis.SENTENCE), speed(b, 2023, TimeBasis.SENTENCE)
    assert relate_comparatives(*stated).kind == "trend"
    fig = speed(ratio("f", "0.5x", 0.5, subjects=("jax", "keras"), doc="p2"), 2023)
    [relation] = check_ratio(a, [fig])
    assert relation.kind == "different_scope" and "own setup" in relation.reason
