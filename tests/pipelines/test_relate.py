"""Two figures related in the fact-checker's order, and how periods stand (pipelines.relations)."""

import datetime as dt
from dataclasses import replace

import pytest

from pipelines.claims import Claim, Comparator, Kind, RelationKind, TimeBasis, Unit
from pipelines.context import Period
from pipelines.relations import PAIR_RELATERS, register, relate
from pipelines.relations.numeric_pair import relate_figures
from pipelines.relations.periods import PeriodRelation, claim_period, relate_periods


def fig(
    surface,
    value,
    comparator="=",
    unit=Unit.PERCENT,
    *,
    period=None,
    basis="sentence",
    scope=None,
    doc=None,
    source=None,
    high=None,
    published=None,
    id=None,
):
    p = None
    if period is not None:
        p = replace(period, basis=basis)
    return Claim(
        id=id or surface,
        document_id=doc or f"doc-{surface}-{period}",
        kind=Kind.NUMERIC,
        subjects=("pytorch",),
        metric="research_paper_share",
        value_text=surface,
        value=value,
        value_high=high,
        unit=unit,
        comparator=Comparator(comparator),
        time=p.label if p else None,
        time_basis=TimeBasis(basis) if p else TimeBasis.NONE,
        period=p,
        scope=scope,
        source=source,
        published=published,
    )


Y = Period.year
M = Period.month


@pytest.mark.parametrize(
    ("a", "b", "kind"),
    [
        (fig("70%", 0.70), fig("over 70%", 0.70, ">"), "agrees"),  # 70% is 69.5–70.5: room for "over 70%"
        (fig("over 75%", 0.75, ">"), fig("about 80%", 0.80, "~"), "agrees"),
        (fig("18–25%", 0.18, "range", high=0.25), fig("about 20%", 0.20, "~"), "agrees"),
        (fig("4%", 0.04), fig("5%", 0.05), "agrees"),  # two pages: rounding intervals touch, float error aside
        (fig("4%", 0.04, doc="d"), fig("5%", 0.05, doc="d"), "different_scope"),  # one page: two figures
        # One page: one figure restated (rounded coarser; a bound or range holding it) agrees ...
        (fig("198 ms", 198.0, unit=Unit.OTHER, doc="p"), fig("198.3 ms", 198.3, unit=Unit.OTHER, doc="p"), "agrees"),
        (fig("up to 16.5%", 0.165, "up_to", doc="p"), fig("16.48%", 0.1648, doc="p"), "agrees"),
        (fig("2-3x", 2.0, "range", Unit.RATIO, high=3.0, doc="p"), fig("2x", 2.0, unit=Unit.RATIO, doc="p"), "agrees"),
        # ... two exact or two loose figures are two figures, even stated alike, never a conflict
        (
            fig("260 h", 936000.0, unit=Unit.OTHER, doc="p"),
            fig("259 h", 932400.0, unit=Unit.OTHER, doc="p"),
            "different_scope",
        ),
        (fig("up to 7%", 0.07, "up_to", doc="p"), fig("up to 15%", 0.15, "up_to", doc="p"), "different_scope"),
        (fig("70%", 0.70, doc="p"), fig("under 70%", 0.70, "<", doc="p"), "different_scope"),  # no bound holds 70%
        (fig("7%", 0.07, doc="p"), fig("up to 7%", 0.07, "up_to", doc="p"), "agrees"),
        # one number hedged twice is one figure; two ranges are one only when both ends are the same
        (
            fig("about 10x", 10.0, "~", Unit.RATIO, doc="p"),
            fig("up to 10x", 10.0, "up_to", Unit.RATIO, doc="p"),
            "agrees",
        ),
        (
            fig("3-5x", 3.0, "range", Unit.RATIO, high=5.0, doc="p"),
            fig("3-10x", 3.0, "range", Unit.RATIO, high=10.0, doc="p"),
            "different_scope",
        ),
        (  # bounds pointing apart meet only at the number itself: two figures
            fig("at least 2x", 2.0, ">=", Unit.RATIO, doc="p"),
            fig("up to 2x", 2.0, "up_to", Unit.RATIO, doc="p"),
            "different_scope",
        ),
        (
            fig("over 75%", 0.75, ">", period=Y(2024), scope="NeurIPS papers", doc="p"),
            fig("over 80%", 0.80, ">", period=Y(2024), scope="NeurIPS papers", doc="p"),
            "different_scope",
        ),
        (fig("70%", 0.70), fig("about 80%", 0.80, "~"), "unresolved"),  # nothing established
        (fig("62%", 0.62, period=Y(2022)), fig("70%", 0.70, period=Y(2025)), "trend"),
        (
            fig("12k", 12000, unit=Unit.COUNT, period=M(2024, 3)),
            fig("14k", 14000, unit=Unit.COUNT, period=M(2024, 7)),
            "trend",
        ),
        (
            fig("30%", 0.30, period=Y(2015), scope="Kaggle respondents"),
            fig("40%", 0.40, period=M(2015, 11), scope="Kaggle respondents"),
            "unresolved",
        ),
        (fig("70%", 0.70, period=Y(2025)), fig("72%", 0.72, period=Y(2025)), "unresolved"),  # no population stated
        (
            fig("70%", 0.70, period=Y(2025), scope="ICML papers"),
            fig("72%", 0.72, period=Y(2025), scope="papers at ICML"),
            "conflicts",
        ),
        (fig("70%", 0.70, scope="NeurIPS papers"), fig("45%", 0.45, scope="survey respondents"), "different_scope"),
        (fig("85%", 0.85, scope="NeurIPS papers"), fig("60%", 0.60, scope="research papers"), "different_scope"),
        (
            fig("about 80%", 0.80, "~", period=Y(2024), doc="one"),
            fig("70%", 0.70, period=Y(2024), doc="one"),
            "different_scope",  # one article, one year, no population stated: a page lists two settings
        ),
        (
            fig("about 80%", 0.80, "~", period=Y(2024), doc="one", scope="NeurIPS papers"),
            fig("70%", 0.70, period=Y(2024), doc="one", scope="NeurIPS papers"),
            "conflicts",  # period and population stated alike
        ),
        (fig("70%", 0.70, doc="one"), fig("62%", 0.62, doc="one"), "different_scope"),  # one page: two settings
        (
            fig("70%", 0.70, period=Y(2024), source="Papers With Code"),
            fig("75%", 0.75, period=Y(2024), source="papers with code"),
            "conflicts",
        ),
        (fig("70%", 0.70, source="Papers With Code"), fig("75%", 0.75, source="Papers With Code"), "unresolved"),
        (fig("2nd", 2, unit=Unit.RANK), fig("3rd", 3, unit=Unit.RANK), "unresolved"),
        (fig("2nd", 2, unit=Unit.RANK, doc="r"), fig("3rd", 3, unit=Unit.RANK, doc="r"), "different_scope"),
        (fig("before 2015", 2015, "<", Unit.YEAR), fig("2015", 2015, unit=Unit.YEAR), "unresolved"),
        (
            fig("before 2015", 2015, "<", Unit.YEAR, doc="y"),
            fig("2015", 2015, unit=Unit.YEAR, doc="y"),
            "different_scope",
        ),
    ],
)
def test_fact_checker_order(a, b, kind):
    r = relate(a, b)
    assert r.kind == kind, r.reason
    assert relate(b, a).kind == kind
    assert a.value_text in r.reason and b.value_text in r.reason
    assert "[" not in r.reason and "∞" not in r.reason  # plain words, no interval notation


def test_reasons_in_plain_words():
    later = fig("70%", 0.70, period=Y(2025), source="Papers With Code")
    earlier = fig("62%", 0.62, period=Y(2022), source="Papers With Code")
    assert (
        relate(earlier, later).reason == "70% (2025, Papers With Code) vs 62% (2022, Papers With Code): a later figure"
    )
    same = relate(
        fig("about 80%", 0.80, "~", period=Y(2024), doc="a", scope="NeurIPS papers"),
        fig("70%", 0.70, period=Y(2024), doc="a", scope="NeurIPS papers"),
    )
    assert same.kind == "conflicts" and "they cannot both be true" in same.reason, same.reason
    scopes = relate(fig("70%", 0.70, scope="NeurIPS papers"), fig("55%", 0.55, scope="survey respondents"))
    assert scopes.reason == "70% of NeurIPS papers vs 55% of survey respondents: different populations"
    open_ = relate(fig("75%", 0.75), fig("60%", 0.60))
    assert (
        open_.reason
        == "75% vs 60%: no period or population given for either, so it cannot be told whether they disagree"
    )


def test_a_claim_without_a_period_is_dated_by_its_page():
    current = fig("80%", 0.80, published="2025-03-14")
    period = claim_period(current)
    assert period.basis == "document" and period.label == "2025-03"  # document dates compared at month level
    old = fig("62%", 0.62, period=Y(2022))
    assert relate(current, old).kind == "trend"
    same_month = fig("70%", 0.70, published="2025-03-02")
    assert relate(current, same_month).kind == "unresolved"  # one month, but dated only by two pages


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        (Y(2015), M(2015, 11), PeriodRelation.CONTAINS),
        (M(2015, 11), Y(2015), PeriodRelation.WITHIN),
        (M(2024, 3), M(2024, 7), PeriodRelation.BEFORE),
        (M(2024, 7), M(2024, 3), PeriodRelation.AFTER),
        (Y(2024), Y(2024), PeriodRelation.SAME),
        (Period.half(2024, 1), Period.quarter(2024, 2), PeriodRelation.CONTAINS),
        (
            Period(start=dt.date(2019, 1, 1), end=dt.date(2021, 12, 31), precision="span"),
            Y(2021),
            PeriodRelation.CONTAINS,
        ),
        (
            Period(start=dt.date(2019, 1, 1), end=dt.date(2021, 12, 31), precision="span"),
            Period(start=dt.date(2021, 1, 1), end=dt.date(2022, 12, 31), precision="span"),
            PeriodRelation.OVERLAPS,
        ),
        (None, Y(2024), PeriodRelation.UNKNOWN),
    ],
)
def test_period_relations(a, b, expected):
    assert relate_periods(a, b) == expected


def test_different_units_or_dimensions_are_never_related():
    share = fig("70%", 0.70)
    count = fig("70", 70, unit=Unit.COUNT)
    assert relate_figures(share, count) is None
    assert relate_figures(replace(share, dimension="share"), replace(fig("60%", 0.6), dimension="change")) is None


def test_a_registered_relater_is_tried_in_order():
    def same_document_always_agrees(a, b):
        if a.document_id == "special" == b.document_id:
            from pipelines.claims import Relation

            return Relation(a.id, b.id, RelationKind.AGREES, "registered relater")
        return None

    PAIR_RELATERS.insert(0, same_document_always_agrees)
    try:
        r = relate(fig("70%", 0.7, doc="special"), fig("20%", 0.2, doc="special"))
        assert r.reason == "registered relater"
        assert relate(fig("70%", 0.7, doc="x"), fig("20%", 0.2, doc="x")).kind == "different_scope"
    finally:
        PAIR_RELATERS.remove(same_document_always_agrees)
    assert register.__doc__


def test_one_article_establishes_only_its_own_or_one_sources_figures():
    own = fig("46%", 0.46, period=Y(2023), doc="d")
    quoted = fig("8.41%", 0.0841, period=Y(2023), doc="d", source="Stack Overflow")
    assert relate(own, quoted).kind == "different_scope"  # the article quotes another source's population
    also_quoted = fig("12%", 0.12, period=Y(2023), doc="d", source="stack overflow")
    assert relate(quoted, also_quoted).kind == "conflicts"


def test_a_table_cell_is_not_dated_by_its_article():
    """A table row's figures take period and population from its column headers: the article alone does not
    establish that prose next to the table speaks of the same."""
    prose = replace(fig("15%", 0.15, period=Y(2023), doc="d"), extra={"sentences": frozenset({"It fell to 15%."})})
    row = "| TensorFlow |  28% |  21% |  15% |"
    cell = replace(fig("28%", 0.28, period=Y(2023), doc="d"), extra={"sentences": frozenset({row})})
    assert relate(prose, cell).kind == "different_scope"  # a row is a setting of its own
    stated = replace(prose, scope="survey respondents"), replace(cell, scope="respondents to the survey")
    assert relate(*stated).kind == "conflicts"  # stated alike in both still establishes it


def test_two_figures_of_one_sentence_never_conflict():
    """ "70%, up from 62% in 2022": the tagger may date both 2022; one sentence states a change, not a contradiction."""
    sentence = "It now holds 70% of papers, up from 62% in 2022."
    a = replace(fig("70%", 0.70, period=Y(2022), doc="d", scope="papers"), extra={"sentences": frozenset({sentence})})
    b = replace(fig("62%", 0.62, period=Y(2022), doc="d", scope="papers"), extra={"sentences": frozenset({sentence})})
    r = relate(a, b)
    assert r.kind == "trend" and "a change from" in r.reason and r.reason.startswith("70% vs 62%")
    elsewhere = replace(b, extra={"sentences": frozenset({"Another sentence gives 62% for 2022."})})
    assert relate(a, elsewhere).kind == "conflicts"


def _in(sentence, claim):
    return replace(claim, extra={"sentences": frozenset({sentence})})


@pytest.mark.parametrize(
    ("sentence", "first", "second", "later"),
    [
        ("Latency fell from 198ms to 85ms after export.", "198ms", "85ms", "85ms"),
        ("Result: 198ms → 85ms (57% reduction).", "198ms", "85ms", "85ms"),
        ("Its share went from 62% in 2022 to 70% now.", "62%", "70%", "70%"),
        ("It now holds 70% of papers, up from 62%.", "70%", "62%", "70%"),
        ("Accuracy is 91%, down from about 95%.", "91%", "about 95%", "91%"),
        ("Accuracy went from 5% to 25% after tuning.", "5%", "25%", "25%"),  # "5%" is not the end of "25%"
    ],
)
def test_one_sentence_telling_of_a_change_is_a_trend(sentence, first, second, later):
    a = _in(sentence, fig(first, 0.5, doc="d"))
    b = _in(sentence, fig(second, 0.9, doc="d"))
    for x, y in ((a, b), (b, a)):
        r = relate(x, y)
        assert r.kind == "trend", r.reason
        assert r.reason.startswith(later + " vs ")


@pytest.mark.parametrize(
    "sentence",
    [
        "We obtain 1.3x and 1.9x speedups while using 4x and 2x lower resources, respectively.",
        "Throughput rose 4x to 2x depending on batch size.",  # "to" without "from" is no change
        "Up to 2x on GPUs and from 4x on TPUs.",
        "Speed-ups vary from 2x for small models to 4x for large ones.",  # a range, not a change
        "Batch sizes from 2x to 4x the default were tried.",  # no word of change
        "On CIFAR it reaches 4x, while on ImageNet the same model improved from 2x.",  # "improved from" far off
    ],
)
def test_one_sentence_of_two_settings_is_a_difference_of_scope(sentence):
    a = _in(sentence, fig("2x", 2.0, unit=Unit.RATIO, doc="d"))
    b = _in(sentence, fig("4x", 4.0, unit=Unit.RATIO, doc="d"))
    r = relate(a, b)
    assert r.kind == "different_scope" and "one sentence" in r.reason
    # The same two figures from two pages: nothing says how the settings relate.
    assert relate(replace(a, document_id="p1"), replace(b, document_id="p2")).kind == "unresolved"


def _release(surface, year, doc, scope=None, version=None):
    return Claim(
        id=f"{doc}-{surface}",
        document_id=doc,
        kind=Kind.NUMERIC,
        subjects=("onnx_runtime",),
        metric="release_year",
        dimension="date",
        value_text=surface,
        value=year,
        unit=Unit.YEAR,
        comparator=Comparator.EQ,
        scope=scope,
        version=version,
    )


def test_two_pages_dating_a_release_differently_without_first_release_wording_stay_unresolved():
    """Extracted release dates are too often of another event (a major version, an end of support) for two
    undated pages to establish one event without the sentences wording each as the first release."""
    assert relate(_release("2018", 2018, "p1"), _release("2019", 2019, "p2")).kind == "unresolved"
    assert relate(_release("2018", 2018, "p1"), _release("2018", 2018, "p2")).kind == "agrees"


def _said(claim, sentence):
    return replace(claim, extra={"sentences": frozenset({sentence})})


def test_two_pages_dating_a_first_release_to_different_years_conflict():
    """A first release happens once: worded as such on both pages, 2018 and May 2019 cannot both be true."""
    a = _said(_release("2018", 2018, "p1"), "Microsoft open-sourced ONNX Runtime, its inference engine, in 2018.")
    b = _said(_release("May 2019", 2019, "p2"), "ONNX Runtime • Initial release: May 2019 • Stable: 1.17.0 (2024)")
    b = replace(b, date="2019-05")
    r = relate(a, b)
    assert r.kind == "conflicts" and "first release" in r.reason and "2018 vs May 2019" in r.reason
    assert relate(b, a).kind == "conflicts"
    # Two bare neighbouring years may be one release dated a month apart (December and January).
    assert relate(a, replace(b, date=None)).kind == "unresolved"


FIRST = "ONNX Runtime was first released in 2018."


@pytest.mark.parametrize(
    ("sentence", "why"),
    [
        ("ONNX Runtime 1.0 shipped in 2019.", "not worded as a first release"),
        ("ONNX Runtime 2.0 was first released in 2019.", "a version's first release"),
        (
            "ONNX Runtime was first made available under a restricted licence in 2019, with full open-source release"
            " in 2020.",
            "a sentence naming two release events",
        ),
        ("ONNX Runtime: initial release May 2017, stable version 1.17.0 (2019)", "a number between wording and value"),
        ("Initial release: 2019", "the sentence names no framework: whose release is it?"),
        ("ONNX Runtime and ONNX were first released in 2019.", "two frameworks named"),
    ],
)
def test_a_release_date_not_worded_as_the_first_release_establishes_nothing(sentence, why):
    a = _said(_release("2016", 2016, "p1"), FIRST.replace("2018", "2016"))
    b = _said(_release("2019", 2019, "p2"), sentence)
    assert relate(a, b).kind == "unresolved", why
    worded = _said(_release("2019", 2019, "p2"), "ONNX Runtime was first released in 2019.")
    assert relate(a, worded).kind == "conflicts"  # the same pair, worded as the first release, conflicts


def test_first_release_dates_of_one_page_or_one_year_are_no_conflict():
    a = _said(_release("2018", 2018, "p1"), FIRST)
    one_page = _said(_release("2019", 2019, "p1"), "ONNX Runtime was initially released in 2019.")
    assert relate(a, one_page).kind != "conflicts"
    month = _said(_release("March 2018", 2018, "p2"), "The first release of ONNX Runtime came in March 2018.")
    assert relate(a, month).kind == "agrees"
    december = replace(
        _said(_release("December 2018", 2018, "p1"), FIRST.replace("2018", "December 2018")), date="2018-12"
    )
    january = replace(_said(_release("January 2019", 2019, "p2"), "ONNX Runtime was first released in January 2019."))
    january = replace(january, date="2019-01")
    assert relate(december, january).kind != "conflicts"  # one release, dated a month apart
    march = replace(_said(_release("March 2019", 2019, "p2"), "ONNX Runtime was first released in March 2019."))
    assert relate(december, replace(march, date="2019-03")).kind == "conflicts"
    versioned = replace(_said(_release("2019", 2019, "p2"), "ONNX Runtime was first released in 2019."), version="2.0")
    assert relate(a, versioned).kind != "conflicts"


def _speedup(surface, value, doc, *, period=None, basis="sentence", scope=None):
    return replace(
        fig(surface, value, unit=Unit.RATIO, doc=doc, period=period, basis=basis, scope=scope),
        metric="inference_speed_ratio",
        dimension="ratio",
    )


def test_benchmark_measurements_of_two_pages_are_two_setups():
    """A speed-up holds for its own model, hardware and settings: two pages' figures that disagree are two
    setups, unless their setup is stated alike; a benchmark does not age, so page dates make no trend."""
    a, b = _speedup("3x", 3.0, "p1"), _speedup("1.2x", 1.2, "p2")
    r = relate(a, b)
    assert r.kind == "different_scope" and "own setup" in r.reason
    dated_by_pages = (
        _speedup("3x", 3.0, "p1", period=Y(2025), basis="document"),
        _speedup("1.2x", 1.2, "p2", period=Y(2021), basis="document"),
    )
    assert relate(*dated_by_pages).kind == "different_scope"
    stated_years = _speedup("3x", 3.0, "p1", period=Y(2025)), _speedup("1.2x", 1.2, "p2", period=Y(2021))
    assert relate(*stated_years).kind == "trend"  # periods stated in the text still make a series
    same_setup = (
        _speedup("3x", 3.0, "p1", period=Y(2025), scope="ResNet-50 on one A100"),
        _speedup("1.2x", 1.2, "p2", period=Y(2025), scope="ResNet-50 on one A100"),
    )
    assert relate(*same_setup).kind == "conflicts"
    # Not a measurement: a share from two undated pages stays unresolved.
    assert relate(fig("70%", 0.7, doc="p1"), fig("50%", 0.5, doc="p2")).kind == "unresolved"


def test_one_page_dating_two_benchmark_runs_reports_two_runs():
    """ "As of 2021-01-14" over one machine's table and "as of 2021-01-15" over another's: two runs of one
    page, not a change over a day; a change the page tells of in words is still a trend, and two pages'
    stated periods still make one."""
    two_runs = (
        _speedup("3x", 3.0, "p1", period=Period.day(dt.date(2021, 1, 14))),
        _speedup("1.2x", 1.2, "p1", period=Period.day(dt.date(2021, 1, 15))),
    )
    assert relate(*two_runs).kind == "different_scope"
    two_pages = (
        _speedup("3x", 3.0, "p1", period=Period.day(dt.date(2021, 1, 14))),
        _speedup("1.2x", 1.2, "p2", period=Period.day(dt.date(2021, 1, 15))),
    )
    assert relate(*two_pages).kind == "trend"


def test_a_large_cluster_finds_two_pages_dating_a_first_release_apart():
    """Above the all-pairs size the summary looks at the pages' earliest and latest first-release dates."""
    from pipelines.relations import relate_cluster

    same = [_said(replace(_release("2018", 2018, f"p{n}"), id=f"c{n:02d}"), FIRST) for n in range(60)]
    assert relate_cluster(same).verdict == "agrees"
    later = _said(replace(_release("2020", 2020, "late"), id="c99"), "ONNX Runtime was first released in 2020.")
    for size in (10, 61):
        result = relate_cluster([*same[: size - 1], later])
        assert result.verdict == "conflicts", size
        assert any(r.kind == "conflicts" and "first release" in r.reason for r in result.relations)
