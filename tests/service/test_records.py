"""Stored rows as typed claims: the period from the stored time and its basis, else the document's date;
older rows take their metric's catalogue dimension."""

import datetime as dt

import pytest

from pipelines.catalogue import load_catalogue
from pipelines.claims import Comparator, Kind, TimeBasis, Unit
from pipelines.context import Period, period_of_time
from pipelines.serialize import claim_dict
from service.store.records import to_claim
from service.store.tables import ClaimRow, DocumentRow


def _doc(published=None):
    return DocumentRow(
        id="d1",
        path="a.txt",
        title=None,
        url=None,
        published=published,
        publisher=None,
        format="text",
        text="",
        ingested_at=dt.datetime(2024, 1, 1, tzinfo=dt.UTC),
    )


def _row(**fields):
    base = dict(
        id="c1",
        document_id="d1",
        subject="pytorch",
        subjects=["pytorch"],
        metric="github_stars",
        metric_phrase="stars",
        value_text="74k",
        value=74000.0,
        value_high=None,
        unit="count",
        comparator="=",
        time=None,
        time_from="none",
        scope=None,
        source=None,
        confidence=0.8,
        cluster_id="k_1",
        kind="numeric",
        form=None,
        version=None,
        version2=None,
        dimension=None,
        per=None,
        time_basis=None,
        date=None,
    )
    base.update(fields)
    return ClaimRow(**base)


@pytest.mark.parametrize(
    ("text", "label", "precision"),
    [
        ("2024", "2024", "year"),
        ("2015-11", "2015-11", "month"),
        ("2023-06-20", "2023-06-20", "day"),
        ("Q3 2024", "2024-Q3", "quarter"),
        ("2024-Q3", "2024-Q3", "quarter"),
        ("2024-H2", "2024-H2", "half"),
        ("2019-2021", "2019/2021", "span"),
        ("2019/2021", "2019/2021", "span"),
        ("March 2020", "2020-03", "month"),
    ],
)
def test_period_of_time_reads_stored_times(text, label, precision):
    period = period_of_time(text, "context")
    assert period is not None and (period.label, period.precision, period.basis) == (label, precision, "context")


def test_period_of_time_relative_words_need_the_document_date():
    assert period_of_time("last year", "sentence") is None
    period = period_of_time("last year", "sentence", Period.day(dt.date(2023, 5, 1)))
    assert period is not None and period.label == "2022"
    assert period_of_time("", "sentence") is None and period_of_time(None) is None
    assert period_of_time("Wars", "sentence") is None


def test_a_stated_time_gives_the_period_with_its_basis():
    claim = to_claim(_row(time="2015-11", time_from="text", time_basis="context"), _doc("2024-05-07"))
    assert claim.period.label == "2015-11" and claim.period.basis == "context"
    assert claim.time_basis is TimeBasis.CONTEXT and claim.time == "2015-11"
    assert claim.published == "2024-05-07" and claim_dict(claim)["time_from"] == "text"


def test_older_rows_take_their_basis_from_time_from():
    written = to_claim(_row(time="Q3 2024", time_from="text", time_basis="none"), _doc())
    assert written.time_basis is TimeBasis.SENTENCE and written.period.label == "2024-Q3"
    dated = to_claim(_row(time="2023", time_from="published", time_basis="none"), _doc("2023-04-02"))
    assert dated.time_basis is TimeBasis.DOCUMENT and dated.period.label == "2023"


def test_without_a_time_the_document_date_dates_a_figure_but_not_a_date():
    figure = to_claim(_row(), _doc("2023-04-02"))
    assert figure.time_basis is TimeBasis.DOCUMENT and figure.period.label == "2023-04-02"
    assert figure.period.basis == "document" and figure.time is None
    release = to_claim(_row(metric="release_year", unit="year", value=2016.0, value_text="2016"), _doc("2023-04-02"))
    assert release.dimension == "date" and release.period is None and release.time_basis is TimeBasis.NONE
    comparative = to_claim(_row(kind="comparative", value=None, comparator=">"), _doc("2023-04-02"))
    assert comparative.kind is Kind.COMPARATIVE and comparative.period is None
    undated = to_claim(_row(), _doc(None))
    assert undated.period is None and undated.time_basis is TimeBasis.NONE
    unreadable = to_claim(_row(), _doc("sometime"))
    assert unreadable.period is None


@pytest.mark.parametrize(
    ("row", "published", "shown"),
    [
        (dict(time="2015-11", time_from="text", time_basis="context"), "2024-05-07", ("2015-11", "text")),
        (dict(time="Q3 2024", time_from="text", time_basis="none"), None, ("2024-Q3", "text")),
        # Dated only by its page: the page's month, as the relations compare pages.
        ({}, "2023-04-02", ("2023-04", "published")),
        ({}, "2023", ("2023", "published")),
        (dict(time="2023", time_from="published", time_basis="none"), "2023-04-02", ("2023", "published")),
        (dict(metric="release_year", unit="year", value=2016.0), "2023-04-02", ("2023-04", "published")),
        ({}, None, (None, "none")),
        ({}, "sometime", (None, "none")),
    ],
)
def test_a_listing_shows_the_period_the_relations_are_judged_on(row, published, shown):
    out = claim_dict(to_claim(_row(**row), _doc(published)))
    assert (out["time"], out["time_from"]) == shown


def test_dimension_stored_or_from_the_catalogue():
    catalogue = load_catalogue()
    assert to_claim(_row(), _doc(), catalogue).dimension == "count"
    assert to_claim(_row(dimension="share"), _doc(), catalogue).dimension == "share"
    assert to_claim(_row(metric="other", metric_phrase="lines of code"), _doc(), catalogue).dimension is None


def test_the_frame_and_the_enums_come_through():
    row = _row(
        subject="pytorch",
        subjects=["pytorch", "tensorflow"],
        form="versus",
        version="2.0",
        version2="1.13",
        metric="training_speed_ratio",
        unit="ratio",
        value=1.3,
        value_text="1.3x",
        comparator="up_to",
        per=None,
        date=None,
    )
    claim = to_claim(row, _doc())
    assert claim.form == "versus" and claim.other == "tensorflow" and (claim.version, claim.version2) == ("2.0", "1.13")
    assert claim.unit is Unit.RATIO and claim.comparator is Comparator.UP_TO and claim.dimension == "ratio"
    out = claim_dict(claim)
    assert out["form"] == "versus" and out["object"] == "tensorflow" and out["time_from"] == "none"
    legacy = to_claim(_row(form=None, unit="furlongs", comparator="??"), _doc())
    assert legacy.form == "single" and legacy.unit is Unit.OTHER and legacy.comparator is Comparator.EQ
    rate = to_claim(_row(metric="download_rate", dimension="rate", per="month", date=None), _doc())
    assert rate.per == "month"
    dated = to_claim(_row(metric="release_year", date="2015-11-09", unit="year", value=2015.0), _doc())
    assert dated.date == "2015-11-09"
