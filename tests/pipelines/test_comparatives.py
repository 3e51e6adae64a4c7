"""Comparative cues (pure) and how comparatives are checked against figures."""

import math

import pytest

from pipelines.comparatives import directed, find_comparatives
from pipelines.compare import Comparison, Figure, check_absolute, check_comparisons, check_ratio, comparison_interval
from pipelines.quantities import find_quantities
from pipelines.relate import ClaimValue


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


def value(surface, v, comparator="=", unit="count", period=None, scope=None, high=None):
    return ClaimValue(
        surface=surface, value=v, value_high=high, unit=unit, comparator=comparator, period=period, scope=scope
    )


def test_an_abbreviated_count_with_a_plus_is_read_as_displayed():
    lo, hi = comparison_interval(value("74k+", 74_000, ">="))
    assert (lo, hi) == (74_000, 75_000)
    lo, hi = comparison_interval(value("1.2M+", 1_200_000, ">="))
    assert lo == 1_200_000 and hi == pytest.approx(1_300_000)
    assert math.isinf(comparison_interval(value("at least 74,000", 74_000, ">="))[1])


def test_surpassed_in_stars_conflicts_with_fewer_stars():
    comp = Comparison(id="c", surface="has surpassed", subject="pytorch", other="tensorflow", direction=">")
    mine = [Figure(id="p", subject="pytorch", baseline=None, value=value("74k+", 74_000, ">="))]
    theirs = [Figure(id="t", subject="tensorflow", baseline=None, value=value("180k+", 180_000, ">="))]
    [((a, b), relation)] = check_absolute(comp, mine, theirs)
    assert (a, b) == ("p", "t") and relation.relation == "conflicts"
    assert "74k+" in relation.reason and "180k+" in relation.reason
    trailing = Comparison(id="c", surface="trails", subject="pytorch", other="tensorflow", direction="<")
    assert check_absolute(trailing, mine, theirs)[0][1].relation == "agrees"


def test_figures_of_different_periods_do_not_order_two_subjects():
    comp = Comparison(id="c", surface="has surpassed", subject="pytorch", other="tensorflow", direction=">")
    mine = [Figure(id="p", subject="pytorch", baseline=None, value=value("74k", 74_000, period="2021"))]
    theirs = [Figure(id="t", subject="tensorflow", baseline=None, value=value("180k", 180_000, period="2025"))]
    assert check_absolute(comp, mine, theirs) == []


def test_a_year_holds_its_quarters():
    comp = Comparison(id="c", surface="has surpassed", subject="pytorch", other="tensorflow", direction=">")
    mine = [Figure(id="p", subject="pytorch", baseline=None, value=value("74k+", 74_000, ">=", period="2025"))]
    theirs = [
        Figure(id="t", subject="tensorflow", baseline=None, value=value("180k+", 180_000, ">=", period="2025-Q1"))
    ]
    assert check_absolute(comp, mine, theirs)[0][1].relation == "conflicts"


def test_lower_latency_for_one_conflicts_with_the_other_being_three_times_faster():
    comp = Comparison(id="c", surface="lower", subject="tensorflow", other="pytorch", direction=">")
    figures = [
        Figure(id="x3", subject="pytorch", baseline=None, value=value("about three times faster", 3.0, "~", "ratio")),
        Figure(
            id="up",
            subject="pytorch",
            baseline="tensorflow",
            value=value("up to 77.7% faster", 1.777, "up_to", "ratio"),
        ),
        Figure(id="jax", subject="pytorch", baseline="jax", value=value("2x faster", 2.0, unit="ratio")),
    ]
    found = dict(check_ratio(comp, figures))
    assert found["x3"].relation == "conflicts" and found["up"].relation == "conflicts"
    assert "jax" not in found  # a ratio against a third framework says nothing about this pair


def test_about_equal_conflicts_with_a_quarter_faster():
    comp = Comparison(id="c", surface="within a few percent", subject="pytorch", other="tensorflow", direction="~")
    fig = Figure(id="f", subject="pytorch", baseline="tensorflow", value=value("25.5% faster", 1.255, unit="ratio"))
    [(_, relation)] = check_ratio(comp, [fig])
    assert relation.relation == "conflicts"
    close = Figure(id="g", subject="pytorch", baseline="tensorflow", value=value("3% faster", 1.03, unit="ratio"))
    assert check_ratio(comp, [close])[0][1].relation == "agrees"


def test_a_comparative_of_another_period_is_a_trend():
    comp = Comparison(id="c", surface="has overtaken", subject="jax", other="keras", direction=">", period="2025")
    fig = Figure(id="f", subject="jax", baseline="keras", value=value("0.5x", 0.5, unit="ratio", period="2019"))
    assert check_ratio(comp, [fig])[0][1].relation == "trend"


def test_two_comparatives_in_opposite_directions():
    a = Comparison(id="a", surface="leads", subject="tensorflow", other="pytorch", direction=">")
    b = Comparison(id="b", surface="has surpassed", subject="pytorch", other="tensorflow", direction=">")
    assert check_comparisons(a, b).relation == "conflicts"
    later = Comparison(
        id="b", surface="has surpassed", subject="pytorch", other="tensorflow", direction=">", period="2025"
    )
    earlier = Comparison(
        id="a", surface="the most", subject="tensorflow", other="pytorch", direction=">", period="2021"
    )
    assert check_comparisons(earlier, later).relation == "trend"
    same = Comparison(id="c", surface="trails", subject="pytorch", other="tensorflow", direction="<")
    assert check_comparisons(a, same).relation == "agrees"
