"""Consensus over independent figures: copies of one figure count once; the latest by period."""

from dataclasses import replace

from pipelines.claims import Claim, Comparator, Kind, TimeBasis, Unit
from pipelines.consensus import consensus, independent_figures
from pipelines.context import Period


def share(id, v, *, doc, source=None, period=None, published=None):
    return Claim(
        id=id,
        document_id=doc,
        kind=Kind.NUMERIC,
        subjects=("pytorch",),
        metric="m",
        value_text=f"{v * 100:g}%",
        value=v,
        unit=Unit.PERCENT,
        comparator=Comparator.EQ,
        time_basis=TimeBasis.SENTENCE if period else TimeBasis.NONE,
        period=replace(period, basis="sentence") if period else None,
        source=source,
        published=published,
    )


def test_copies_of_one_sourced_figure_count_once():
    copies = [share(f"c{n}", 0.92, doc=f"d{n}", source="Hugging Face") for n in range(10)]
    others = [share("x", 0.60, doc="a"), share("y", 0.64, doc="b"), share("z", 0.70, doc="c")]
    c = consensus([*copies, *others])
    assert c["independent_figures"] == 4 and c["independent_sources"] == 4
    assert c["best_estimate"] == (0.64 + 0.70) / 2  # the ten copies do not outvote the rest
    assert c["documents"] == 13
    assert c["spread"] == 0.92 - 0.60


def test_same_value_from_different_sources_is_independent():
    figures = [share("a", 0.7, doc="d1", source="Papers With Code"), share("b", 0.7, doc="d2", source="a survey")]
    assert len(independent_figures(figures)) == 2


def test_latest_by_period_with_page_dates():
    old = share("old", 0.62, doc="a", period=Period.year(2022))
    month = share("month", 0.68, doc="b", period=Period.month(2024, 11))
    current = share("current", 0.70, doc="c", published="2025-02-01")  # no period: as of its page
    latest = consensus([old, month, current])["latest"]
    assert latest["value_text"] == "70%" and latest["time"] == "2025-02"
    assert consensus([old, month])["latest"]["time"] == "2024-11"
    assert consensus([])["best_estimate"] is None and consensus([])["latest"] is None
