"""Tests for pipelines.quantities: spans, normalisation, blocked tokens and intervals."""

from __future__ import annotations

import math

import pytest

from pipelines.quantities import find_quantities, interval, parse_quantity
from pipelines.types import Quantity


def only(text: str) -> Quantity:
    """The single quantity in ``text`` (fails when there are none or several)."""
    found = find_quantities(text)
    assert len(found) == 1, [q.surface for q in found]
    q = found[0]
    assert text[q.start : q.end] == q.surface
    return q


# (text, surface, value, unit, comparator, kind)
SINGLE = [
    # percents
    ("used by 70% of papers", "70%", 0.70, "percent", "=", "percent"),
    ("a share of 8.41% overall", "8.41%", 0.0841, "percent", "=", "percent"),
    ("reached 70 % in the survey", "70 %", 0.70, "percent", "=", "percent"),
    ("climbed to 70 percent in all", "70 percent", 0.70, "percent", "=", "percent"),
    ("climbed to 70 per cent in all", "70 per cent", 0.70, "percent", "=", "percent"),
    ("added eight percentage points", "eight percentage points", 0.08, "percent", "=", "percent"),
    ("seventy percent of users", "seventy percent", 0.70, "percent", "=", "percent"),
    ("a 25% increase in stars", "25%", 0.25, "percent", "=", "percent"),
    ("25% growth year on year", "25%", 0.25, "percent", "=", "percent"),
    ("a drop of −3% since", "−3%", -0.03, "percent", "=", "percent"),
    # speed words turn a percent into a ratio
    ("PyTorch trained 25.5% faster than TF", "25.5% faster", 1.255, "ratio", "=", "ratio"),
    ("inference was 77.7% quicker", "77.7% quicker", 1.777, "ratio", "=", "ratio"),
    ("but 30% slower on CPU", "30% slower", 0.70, "ratio", "=", "ratio"),
    # multipliers
    ("a 1.8x speed-up", "1.8x", 1.8, "ratio", "=", "ratio"),
    ("a 1.8× speed-up", "1.8×", 1.8, "ratio", "=", "ratio"),
    ("it runs 3x faster here", "3x faster", 3.0, "ratio", "=", "ratio"),
    ("it runs 3x slower here", "3x slower", 1 / 3, "ratio", "=", "ratio"),
    ("it is 1.8 times as large", "1.8 times", 1.8, "ratio", "=", "ratio"),
    ("it is 1.8 times as fast", "1.8 times", 1.8, "ratio", "=", "ratio"),
    ("leaving JAX only 2.7% ahead.", "2.7% ahead", 1.027, "ratio", "=", "ratio"),
    ("PyTorch leads by more than 2:1.", "more than 2:1", 2.0, "ratio", ">", "ratio"),
    ("three times faster than JAX", "three times faster", 3.0, "ratio", "=", "ratio"),
    ("it has twice the stars", "twice", 2.0, "ratio", "=", "ratio"),
    ("stars will double soon", "double", 1.0, "percent", "=", "change"),  # a change of +100%
    ("it has double the stars", "double", 2.0, "ratio", "=", "ratio"),
    ("usage tripled again", "tripled", 2.0, "percent", "=", "change"),
    ("a 10-fold increase", "10-fold", 10.0, "ratio", "=", "ratio"),
    ("a tenfold increase", "tenfold", 10.0, "ratio", "=", "ratio"),
    ("it takes half the time", "half", 0.5, "ratio", "=", "ratio"),
    ("nearly twice the count", "nearly twice", 2.0, "ratio", "~", "ratio"),
    ("at least twice as fast", "at least twice", 2.0, "ratio", ">=", "ratio"),
    ("memory use was roughly half, too", "roughly half", 0.5, "ratio", "~", "ratio"),
    ("usage roughly tripled", "roughly tripled", 2.0, "percent", "~", "change"),
    ("about 4 times smaller", "about 4 times", 4.0, "ratio", "~", "ratio"),
    ("PyTorch drew 2.4 times the search interest", "2.4 times", 2.4, "ratio", "=", "ratio"),
    ("latency was cut by half.", "half", 0.5, "ratio", "=", "ratio"),
    ("half of respondents said so", "half", 0.5, "percent", "=", "share"),
    ("We asked everyone. Half said yes", "Half", 0.5, "percent", "=", "share"),
    # counts
    ("it has 74k stars", "74k", 74000, "count", "=", "count"),
    ("it has 74k+ stars", "74k+", 74000, "count", ">=", "count"),
    ("it has 180K stars", "180K", 180000, "count", "=", "count"),
    ("it has 22,000 stars", "22,000", 22000, "count", "=", "count"),
    ("it has 4.77 million downloads", "4.77 million", 4_770_000, "count", "=", "count"),
    ("it has 1.2M downloads", "1.2M", 1_200_000, "count", "=", "count"),
    ("it has 3 billion downloads", "3 billion", 3_000_000_000, "count", "=", "count"),
    ("it has 1,204 issues", "1,204", 1204, "count", "=", "count"),
    ("it has 1,000,000 users", "1,000,000", 1_000_000, "count", "=", "count"),
    ("eighty thousand developers", "eighty thousand", 80000, "count", "=", "count"),
    ("three frameworks dominate", "three", 3, "count", "=", "count"),
    ("ten companies replied", "ten", 10, "count", "=", "count"),
    ("twenty-five papers", "twenty-five", 25, "count", "=", "count"),
    ("one hundred and five repos", "one hundred and five", 105, "count", "=", "count"),
    ("a million downloads", "a million", 1_000_000, "count", "=", "count"),
    ("a survey of 410 companies", "410", 410, "count", "=", "number"),
    # "N times" after a large number counts occurrences; "times" leaves the span
    ("downloaded 14 million times", "14 million", 14_000_000, "count", "=", "count"),
    ("viewed 1,204 times", "1,204", 1204, "count", "=", "count"),
    ("installed more than 27k times.", "more than 27k", 27000, "count", ">", "count"),
    # units are part of the value (durations in seconds, sizes in bytes); verbs that compare are not
    ("from about 38 milliseconds per request", "about 38 milliseconds", 0.038, "other", "~", "duration"),
    ("checkpoints passed 150,000 this", "150,000", 150000, "count", ">", "count"),
    ("the contributor list tops 560 names", "560", 560, "count", ">", "count"),
    ("trains in 2.5 hours", "2.5 hours", 9000, "other", "=", "duration"),
    ("trains in 41 minutes", "41 minutes", 2460, "other", "=", "duration"),
    ("spent roughly 95 seconds compiling", "roughly 95 seconds", 95, "other", "~", "duration"),
    ("XGBoost, hist: 58 s, roughly", "58 s", 58, "other", "=", "duration"),
    ("a 2.5 year gap", "2.5 year", 2.5 * 31556952, "other", "=", "duration"),
    ("with 16GB of memory", "16GB", 16e9, "other", "=", "size"),
    # shares
    ("one in four developers", "one in four", 0.25, "percent", "=", "share"),
    ("behind seven in ten papers", "seven in ten", 0.70, "percent", "=", "share"),
    ("3 in 10 respondents", "3 in 10", 0.30, "percent", "=", "share"),
    ("in 1 of every 8 postings", "1 of every 8", 0.125, "percent", "=", "share"),
    ("roughly four out of every five papers", "roughly four out of every five", 0.8, "percent", "~", "share"),
    ("a third of developers", "a third", 1 / 3, "percent", "=", "share"),
    ("two-thirds of users", "two-thirds", 2 / 3, "percent", "=", "share"),
    ("LightGBM about a quarter\n\nSlides", "about a quarter", 0.25, "percent", "~", "share"),
    ("about one twentieth of PyTorch's share", "about one twentieth", 0.05, "ratio", "~", "ratio"),
    ("less than a twentieth of what they were", "less than a twentieth", 0.05, "ratio", "<", "ratio"),
    ("roughly a quarter of TensorFlow's count", "roughly a quarter", 0.25, "ratio", "~", "ratio"),
    # comparators
    ("over 75% of papers", "over 75%", 0.75, "percent", ">", "percent"),
    ("more than 30 members", "more than 30", 30, "count", ">", "count"),
    ("above 5 labs", "above 5", 5, "count", ">", "count"),
    ("its share is up 5 points since", "5 points", 0.05, "percent", "=", "percent"),
    ("upwards of 10 labs", "upwards of 10", 10, "count", ">", "count"),
    ("exceeding 20 labs", "exceeding 20", 20, "count", ">", "count"),
    ("a little over 31,000 stars", "a little over 31,000", 31000, "count", ">", "count"),
    ("well over 80,000 stars", "well over 80,000", 80000, "count", ">", "count"),
    ("approximately 80% of", "approximately 80%", 0.8, "percent", "~", "percent"),
    ("nearly 1.8x faster", "nearly 1.8x faster", 1.8, "ratio", "~", "ratio"),
    ("almost 3 times", "almost 3 times", 3, "ratio", "~", "ratio"),
    ("about 9,900 of them", "about 9,900", 9900, "count", "~", "count"),
    ("around 6 percent", "around 6 percent", 0.06, "percent", "~", "percent"),
    ("Roughly 14,200 repositories", "Roughly 14,200", 14200, "count", "~", "count"),
    ("something like 18 million users", "something like 18 million", 18e6, "count", "~", "count"),
    ("close to 7 labs", "close to 7", 7, "count", "~", "count"),
    ("some 40% of users", "some 40%", 0.4, "percent", "~", "percent"),
    ("~9 labs", "~9", 9, "count", "~", "count"),
    ("≈10 labs", "≈10", 10, "count", "~", "count"),
    ("at least 3 labs", "at least 3", 3, "count", ">=", "count"),
    ("no fewer than 4 labs", "no fewer than 4", 4, "count", ">=", "count"),
    ("10 or more labs", "10 or more", 10, "count", ">=", "count"),
    ("10+ labs", "10+", 10, "count", ">=", "count"),
    ("10+ years", "10+ years", 10 * 31556952, "other", ">=", "duration"),
    ("under 5% of", "under 5%", 0.05, "percent", "<", "percent"),
    ("well under one percent", "well under one percent", 0.01, "percent", "<", "percent"),
    ("less than 6 labs", "less than 6", 6, "count", "<", "count"),
    ("below 7 labs", "below 7", 7, "count", "<", "count"),
    ("fewer than 8 labs", "fewer than 8", 8, "count", "<", "count"),
    ("at most 9 labs", "at most 9", 9, "count", "<=", "count"),
    ("no more than 10 labs", "no more than 10", 10, "count", "<=", "count"),
    ("up to 4x faster", "up to 4x faster", 4, "ratio", "up_to", "ratio"),
    # years
    ("open-sourced in 2015 by Google", "2015", 2015, "year", "=", "year"),
    ("until late 2016 we used it", "2016", 2016, "year", "=", "year"),
    ("since mid-2016", "2016", 2016, "year", "=", "year"),
    ("in around 2016 it grew", "2016", 2016, "year", "~", "year"),  # gold: year spans are digits only
    ("launched around 2015, when", "2015", 2015, "year", "~", "year"),
    ("circa 2016 it grew", "2016", 2016, "year", "~", "year"),
    ("about 2000 papers", "about 2000", 2000, "count", "~", "count"),
    # money
    ("raised $4.5 million", "$4.5 million", 4_500_000, "usd", "=", "money"),
    ("costs €20 a month", "€20 a month", 20, "other", "=", "money"),  # with per="month"
    ("a US$3bn market", "US$3bn", 3e9, "usd", "=", "money"),
    ("costs 20 dollars", "20 dollars", 20, "usd", "=", "money"),
    ("a NOK 45 million grant", "NOK 45 million", 45e6, "other", "=", "money"),
    ("a USD 5 million round", "USD 5 million", 5e6, "usd", "=", "money"),
    ("costs 300 EUR per seat", "300 EUR", 300, "other", "=", "money"),
    ("the report is $95;", "$95", 95, "usd", "=", "money"),
    # ranks
    ("PyTorch is #1 on GitHub", "#1", 1, "rank", "=", "rank"),
    ("the No. 2 framework", "No. 2", 2, "rank", "=", "rank"),
    ("it came 1st in the poll", "1st", 1, "rank", "=", "rank"),
    ("it came 3rd in the poll", "3rd", 3, "rank", "=", "rank"),
    ("JAX ranked second overall", "second", 2, "rank", "=", "rank"),
    ("the second-largest community", "second", 2, "rank", "=", "rank"),
    ("ranking first among ML libraries", "first", 1, "rank", "=", "rank"),
    ("Keras is the third most requested", "third", 3, "rank", "=", "rank"),
    ("it is in the top 100 repositories", "top 100", 100, "rank", "<=", "rank"),
    # versions
    ("migrating to TensorFlow 2.x was slow", "2.x", 2, "other", "=", "version"),
    ("requires Python 3.11 now", "3.11", 3.11, "other", "=", "version"),
    ("pin v2.1.0 please", "2.1.0", 2.1, "other", "=", "version"),  # gold spans drop the "v"
    ("on a TPU v4 pod", "4", 4, "other", "=", "version"),
    ("it used Keras 3 with JAX", "3", 3, "other", "=", "version"),
    ("it used Keras 3.", "3", 3, "other", "=", "version"),
    ("PyTorch 2.3 with torch.compile", "2.3", 2.3, "other", "=", "version"),
    ("compared with GPT-4 today", "4", 4, "other", "=", "version"),
    # unicode spacing
    ("a rate of 70\u00a0% today", "70\u00a0%", 0.70, "percent", "=", "percent"),
    ("it is 80\u2009% done", "80\u2009%", 0.80, "percent", "=", "percent"),
    ("a table of 22\u202f000 rows", "22\u202f000", 22000, "count", "=", "count"),
    ("70 per\u00a0cent", "70 per\u00a0cent", 0.70, "percent", "=", "percent"),
]


@pytest.mark.parametrize(("text", "surface", "value", "unit", "comparator", "kind"), SINGLE, ids=[c[0] for c in SINGLE])
def test_single(text: str, surface: str, value: float, unit: str, comparator: str, kind: str) -> None:
    q = only(text)
    assert (q.surface, q.unit, q.comparator, q.kind) == (surface, unit, comparator, kind)
    assert q.value == pytest.approx(value, rel=1e-12)
    assert q.value_high is None


def test_percent_value_is_exact_decimal() -> None:
    # Decimal arithmetic: no float noise such as 0.08410000000000001.
    assert only("8.41%").value == 0.0841
    assert only("4.77 million").value == 4770000.0


RANGES = [
    ("18–25% of users", "18–25%", 0.18, 0.25, "percent"),
    ("18-25% of users", "18-25%", 0.18, 0.25, "percent"),
    ("18%–25% of users", "18%–25%", 0.18, 0.25, "percent"),
    ("18 to 25% of users", "18 to 25%", 0.18, 0.25, "percent"),
    ("between 18% and 25% of users", "between 18% and 25%", 0.18, 0.25, "percent"),
    ("a 2-3x speed-up", "2-3x", 2.0, 3.0, "ratio"),
    ("a 2x–3x speed-up", "2x–3x", 2.0, 3.0, "ratio"),
    ("between 2 and 3 times faster", "between 2 and 3 times faster", 2.0, 3.0, "ratio"),
    ("20–30% faster on GPU", "20–30% faster", 1.2, 1.3, "ratio"),
    ("10–20k stars", "10–20k", 10_000, 20_000, "count"),
    ("500 to 2 million users", "500 to 2 million", 500, 2_000_000, "count"),
    ("$2–3 million in funding", "$2–3 million", 2e6, 3e6, "usd"),
    ("the 1990s saw", "1990s", 1990, 1999, "year"),
    ("in 2015–2017 forking was", "2015–2017", 2015, 2017, "year"),
    ("published 2022-2025", "2022-2025", 2022, 2025, "year"),
    ("it narrowed from 2-3x", "2-3x", 2.0, 3.0, "ratio"),  # "from" only vetoes "A to B"
]


@pytest.mark.parametrize(("text", "surface", "low", "high", "unit"), RANGES, ids=[c[0] for c in RANGES])
def test_range(text: str, surface: str, low: float, high: float, unit: str) -> None:
    q = only(text)
    assert (q.surface, q.comparator, q.unit) == (surface, "range", unit)
    assert (q.value, q.value_high) == (pytest.approx(low), pytest.approx(high))


@pytest.mark.parametrize(
    ("text", "surfaces"),
    [
        ("went from 62 to 70 over three years", ["62", "70", "over three years"]),  # a change, not a range
        ("from 62% to 70%", ["62%", "70%"]),
        ("between 2018 and 2021", ["2018", "2021"]),  # two time anchors
        ("fiscal 2011-12 results", ["2011", "12"]),
        ("a 3-1 win", ["3", "1"]),  # low >= high is no range
    ],
)
def test_not_a_range(text: str, surfaces: list[str]) -> None:
    found = find_quantities(text)
    assert [q.surface for q in found] == surfaces
    assert all(q.comparator != "range" for q in found)


DATES = [
    ("Published April 16, 2025 by", "April 16, 2025", "2025-04-16"),
    ("Posted on 16 April 2025 ·", "16 April 2025", "2025-04-16"),
    ("updated 2025-04-16.", "2025-04-16", "2025-04-16"),
    ("on Sept. 3, 2024 we", "Sept. 3, 2024", "2024-09-03"),
    ("on 3rd June 2025 we", "3rd June 2025", "2025-06-03"),
    ("on 04/16/2025 we", "04/16/2025", "2025-04-16"),
    ("since March 2017 it", "March 2017", "2017-03"),
    ("released in July 2024 and", "July 2024", "2024-07"),
    ("results for Q1 2025 show", "Q1 2025", "2025-Q1"),
    ("results for 2025 Q1 show", "2025 Q1", "2025-Q1"),
    ("in the first quarter of 2025 we", "first quarter of 2025", "2025-Q1"),
    ("in H1 2025 we", "H1 2025", "2025-H1"),
    ("on Feb 30, 2025 (sic)", "Feb 30, 2025", "2025-02"),  # impossible day: keep the month
]


@pytest.mark.parametrize(("text", "surface", "date"), DATES, ids=[c[0] for c in DATES])
def test_dates(text: str, surface: str, date: str) -> None:
    q = only(text)
    assert (q.surface, q.kind, q.unit, q.date) == (surface, "date", "year", date)
    assert q.value == float(date[:4])


@pytest.mark.parametrize(
    ("text", "surfaces"),
    [
        ("1. PyTorch\n2. TensorFlow", ["1", "2"]),  # gold spans leave the punctuation out
        ("## 3. Results\n", ["3"]),
        ("  2.1. Setup\n", ["2.1"]),
        ("3) the last item", ["3"]),
        ("### 4 Discussion", ["4"]),
    ],
)
def test_ordinals(text: str, surfaces: list[str]) -> None:
    found = find_quantities(text)
    assert [q.surface for q in found] == surfaces
    assert {q.kind for q in found} == {"ordinal"}


@pytest.mark.parametrize(
    "text",
    [
        "see https://example.com/2025/report?id=123&page=4",
        "see http://10.0.0.1:8080/v2/api",
        "mirror at www.example.org/2024/07",
        "docs at pytorch.org/docs/2.3/index.html",
        "write to jane.doe2025@example.com",
        "commit 304b2e42315e",
        "id 123e4567-e89b-12d3-a456-426614174000",
        "call +1-650-246-9381",
        "call +44 20 7946 0958",
        "call (415) 555-0142",
        "call 1-800-555-0199",
        "call 415-555-0132",
        "meet at 10:30",
        "see arXiv:2301.12345",
        "chips: TPU v5e and A100",  # digits glued to letters are part of a name
        "one of the best",  # a lone word below two is an idiom
        "no one came",
        "zero-shot and one-shot",
        "a quarter mile away",  # fraction words need "of"/"the"/punctuation after them
        "he was half asleep",
        "double precision floats",
        "",
    ],
)
def test_nothing(text: str) -> None:
    assert find_quantities(text) == []


def test_mixed_document_offsets_order_and_overlap() -> None:
    text = (
        "# PyTorch vs TensorFlow in 2025\n\n"
        "By Jane Doe | Published June 3, 2025 | 4 min read\n\n"
        "1. Adoption\n"
        "PyTorch now powers seven in ten papers — roughly 70\u00a0percent, up from 62% in 2022. "
        "TensorFlow (open-sourced in 2015) fell to around 6\u2009%; JAX reached 18–25% at NeurIPS.\n"
        "2. Speed\n"
        "On a ResNet-50 benchmark PyTorch 2.3 trained 25.5% faster, and JAX was 1.8× quicker on TPU v5e. "
        "Some claim a 2-3x gap, “up to 4x” in the best case.\n"
        "3. Community\n"
        "PyTorch has well over 80,000 stars vs TensorFlow’s 180K; JAX has 31k+. "
        "Details: https://example.com/report/2025?id=42 or +1-650-246-9381, mail press2025@example.com, "
        "commit 304b2e42315e. The report costs $95 and covers Q1 2025.\n"
    )
    found = find_quantities(text)
    for q in found:
        assert text[q.start : q.end] == q.surface
    assert all(a.end <= b.start for a, b in zip(found, found[1:], strict=False))
    assert [q.surface for q in found] == [
        "2025",
        "June 3, 2025",
        "4 min",
        "1",
        "seven in ten",
        "roughly 70\u00a0percent",
        "62%",
        "2022",
        "2015",
        "around 6\u2009%",
        "18–25%",
        "2",
        "50",
        "2.3",
        "25.5% faster",
        "1.8× quicker",
        "2-3x",
        "up to 4x",
        "3",
        "well over 80,000",
        "180K",
        "31k+",
        "$95",
        "Q1 2025",
    ]
    kinds = {q.surface: q.kind for q in found}
    assert kinds["50"] == kinds["2.3"] == "version"
    assert kinds["1"] == "ordinal"
    assert kinds["June 3, 2025"] == kinds["Q1 2025"] == "date"


def test_whole_article_is_scanned_whole() -> None:
    paragraph = (
        "In 2023, PyTorch reached about 70% of papers (up from 62%), TensorFlow 2.15 fell to 9.3%, "
        "and JAX ran 1.8x faster on 64 TPUs; see https://example.com/a/1 or call 415-555-0132. "
    )
    text = paragraph * (30_000 // len(paragraph) + 1)
    found = find_quantities(text)
    assert len(found) == 7 * (30_000 // len(paragraph) + 1)
    assert all(text[q.start : q.end] == q.surface for q in found)


@pytest.mark.parametrize(
    ("text", "count", "kind"),
    [
        ("7" * 30_000, 1, "number"),  # one long number
        ("one " * 7_000, 0, None),  # a run of number words is no figure
        ("twenty " * 5_000, 0, None),
        ("1." * 15_000, 1, "version"),  # one dotted token
        ("1-" * 15_000, 15_000, "number"),  # every digit its own number, none a range of the next
        ("-" * 30_000, 0, None),
        ("ab12" * 7_000, 0, None),  # digits inside a word
        ("2x" * 15_000, 0, None),
    ],
)
def test_pathological_input_is_scanned(text: str, count: int, kind: str | None) -> None:
    # Long tokens and number-word runs once took minutes (backtracking from every position); the scanner's
    # growth on these texts is measured side by side in bench/hostile_input.py (scanner), not timed here.
    found = find_quantities(text)
    assert len(found) == count
    assert {q.kind for q in found} <= {kind}
    assert all(a.end <= b.start for a, b in zip(found, found[1:], strict=False))


@pytest.mark.parametrize(
    ("surface", "value", "unit", "comparator", "kind"),
    [
        ("over 75%", 0.75, "percent", ">", "percent"),
        ("74k+", 74000, "count", ">=", "count"),
        ("25.5% faster", 1.255, "ratio", "=", "ratio"),
        ("half", 0.5, "percent", "=", "share"),  # no context needed for a lone span
        ("around 2016", 2016, "count", "~", "count"),  # a lone span keeps its comparator words
        ("one", 1, "count", "=", "count"),
        ("  70% ", 0.7, "percent", "=", "percent"),
        ("2015", 2015, "year", "=", "year"),
    ],
)
def test_parse_quantity(surface: str, value: float, unit: str, comparator: str, kind: str) -> None:
    q = parse_quantity(surface)
    assert q is not None
    assert (q.start, q.end, q.surface) == (0, len(surface), surface)
    assert (q.value, q.unit, q.comparator, q.kind) == (pytest.approx(value), unit, comparator, kind)


@pytest.mark.parametrize("surface", ["in 2015", "PyTorch", "", "70% and 80%", "call 415-555-0132"])
def test_parse_quantity_rejects(surface: str) -> None:
    assert parse_quantity(surface) is None


INF = math.inf
NEXT = math.nextafter


@pytest.mark.parametrize(
    ("surface", "low", "high"),
    [
        ("70%", 0.695, 0.705),
        ("8.41%", 0.08405, 0.08415),
        ("74k", 73500, 74500),
        ("1.8x", 1.75, 1.85),
        ("25.5% faster", 1.2545, 1.2555),
        ("$4.5 million", 4_450_000, 4_550_000),
        ("eighty thousand", 79500, 80500),
        ("1,204", 1203.5, 1204.5),
        ("2016", 2016, 2016),
        ("April 16, 2025", 2025, 2025),
        ("#1", 1, 1),
        ("twice", 1.5, 2.5),
        ("four out of five", 0.75, 0.85),
        ("about 70%", 0.665, 0.735),
        ("about 9,900", 9405, 10395),
        ("around 2016", 1915.2, 2116.8),  # "around 2016" with no time word is a count
        ("over 75%", NEXT(0.75, INF), 1.0),
        ("over 150%", NEXT(1.5, INF), INF),
        ("more than 30", NEXT(30.0, INF), INF),
        ("at least 3", 3, INF),
        ("74k+", 74000, INF),
        ("under 5%", 0.0, NEXT(0.05, -INF)),
        ("at most 9", 0.0, 9),
        ("up to 4x", NEXT(0.0, 1.0), 4),
        ("18–25%", 0.18, 0.25),
    ],
)
def test_interval(surface: str, low: float, high: float) -> None:
    q = parse_quantity(surface)
    assert q is not None
    got = interval(q)
    assert got == (pytest.approx(low, rel=1e-12, abs=1e-15), pytest.approx(high, rel=1e-12, abs=1e-15))


def test_interval_tolerance_and_years() -> None:
    q = parse_quantity("about 70%")
    assert interval(q, tolerance=0.1) == (pytest.approx(0.63), pytest.approx(0.77))
    # With a tiny tolerance the written rounding still applies.
    assert interval(q, tolerance=0.0) == (pytest.approx(0.695), pytest.approx(0.705))
    year = find_quantities("in around 2016")[0]
    assert (year.kind, year.comparator) == ("year", "~")
    assert interval(year) == (2015.0, 2017.0)


def test_interval_of_constructed_quantity() -> None:
    # interval() works from the surface alone, so a hand-made record is enough.
    q = Quantity(start=0, end=5, surface="8.41%", value=0.0841, unit="percent", kind="percent")
    assert interval(q) == (pytest.approx(0.08405), pytest.approx(0.08415))


def test_interval_of_a_cell_whose_unit_is_in_its_header() -> None:
    """A table cell "16.78" under "Time (us)" is 1.678e-05 s: it is rounded to 0.01 us, not to 0.01 s, so two
    cells of one column (16.78 and 27.41) never overlap by rounding."""
    a = Quantity(start=0, end=5, surface="16.78", value=16.78e-6, unit="seconds", kind="duration")
    b = Quantity(start=0, end=5, surface="27.41", value=27.41e-6, unit="seconds", kind="duration")
    assert interval(a) == (pytest.approx(16.775e-6), pytest.approx(16.785e-6))
    assert interval(a)[1] < interval(b)[0]
    gib = Quantity(start=0, end=3, surface="1.5", value=1.5 * 1024**3, unit="bytes", kind="size")
    assert interval(gib) == (pytest.approx(1.45 * 1024**3), pytest.approx(1.55 * 1024**3))


@pytest.mark.parametrize(("surface", "value", "half"), [("faster by 2%", 1.02, 0.005), ("25% faster", 1.25, 0.005)])
def test_a_speed_up_read_from_a_percentage_keeps_its_rounding(surface: str, value: float, half: float) -> None:
    """ "faster by 2%" is 1.02 from 0.02: a reading, not a unit, so its rounding step is not scaled by 51."""
    [q] = [q for q in find_quantities(f"It was {surface} here.") if q.surface == surface]
    assert q.value == pytest.approx(value)
    assert interval(q) == (pytest.approx(value - half), pytest.approx(value + half))


@pytest.mark.parametrize(
    ("text", "surface", "value", "unit", "comparator"),
    [
        ("PyTorch Faster by 25.5%", "Faster by 25.5%", 1.255, "ratio", "="),
        ("it was slower by 30% here", "slower by 30%", 0.7, "ratio", "="),
        ("thousands of pre-trained models", "thousands", 1000.0, "count", ">="),
        ("millions of downloads", "millions", 1e6, "count", ">="),
        ("closer to 90% of papers", "closer to 90%", 0.9, "percent", "~"),
    ],
)
def test_speed_word_before_and_vague_counts(text, surface, value, unit, comparator):
    (q,) = [q for q in find_quantities(text) if q.surface == surface]
    assert (q.value, q.unit, q.comparator) == (pytest.approx(value), unit, comparator)
    assert text[q.start : q.end] == surface


def test_vague_count_needs_of():
    assert not [q for q in find_quantities("We had thousands.") if q.surface == "thousands"]


# --- schema v2: every form with its dimension ----------------------------------------------------

YEAR_S = 31556952.0

# (text, surface, kind, dimension, value, extra fields)
V2 = [
    # glued and spaced units: durations in seconds, sizes in bytes
    ("the step takes 0.004s on GPU", "0.004s", "duration", "duration", 0.004, {"time_unit": "s"}),
    ("it trains in 12h on one node", "12h", "duration", "duration", 43200, {"time_unit": "h"}),
    ("p50 latency is 45ms today", "45ms", "duration", "duration", 0.045, {"time_unit": "ms"}),
    ("the lookup costs ~5us each", "~5us", "duration", "duration", 5e-6, {"time_unit": "us", "comparator": "~"}),
    ("a 2.5 hr job", "2.5 hr", "duration", "duration", 9000, {"time_unit": "h"}),
    ("a three-year lead over JAX", "three-year", "duration", "duration", 3 * YEAR_S, {"time_unit": "year"}),
    ("support for 10 years", "10 years", "duration", "duration", 10 * YEAR_S, {"time_unit": "year"}),
    ("run time 1h 52m overall", "1h 52m", "duration", "duration", 6720, {"time_unit": "min"}),
    ("it took 4 min 10 s to build", "4 min 10 s", "duration", "duration", 250, {"time_unit": "s"}),
    (
        "took 10 days 10 hours and 42 minutes in all",
        "10 days 10 hours and 42 minutes",
        "duration",
        "duration",
        902520,
        {"time_unit": "min"},
    ),
    ("trained in under a day", "under a day", "duration", "duration", 86400, {"comparator": "<"}),
    ("loaded in 0:00:00.165206 here", "0:00:00.165206", "duration", "duration", 0.165206, {"time_unit": "s"}),
    ("a 3.2MB wheel", "3.2MB", "size", "size", 3.2e6, {"size_unit": "MB"}),
    ("uses 78.63 GiB at peak", "78.63 GiB", "size", "size", 78.63 * 2**30, {"size_unit": "GiB"}),
    # rates: the count per period
    ("stars grow +12/day now", "+12/day", "rate", "rate", 12, {"per": "day"}),
    ("it sees 2M per month", "2M per month", "rate", "rate", 2e6, {"per": "month"}),
    ("serves 1,200 tokens/s on an A100", "1,200 tokens/s", "rate", "rate", 1200, {"per": "second"}),
    ("ResNet runs at 800 img/sec there", "800 img/sec", "rate", "rate", 800, {"per": "second"}),
    ("it processes 60M images per day", "60M images per day", "rate", "rate", 6e7, {"per": "day"}),
    ("reads at 9.6GB/sec from NVMe", "9.6GB/sec", "rate", "rate", 9.6e9, {"per": "second", "size_unit": "GB"}),
    ("handles 5.76 rps at most", "5.76 rps", "rate", "rate", 5.76, {"per": "second"}),
    ("sustains 175 TFlops per GPU", "175 TFlops", "rate", "rate", 1.75e14, {"per": "second"}),
    ("merged 64 a day on average", "64 a day", "rate", "rate", 64, {"per": "day"}),
    # ratios and changes
    ("0.85x in the table", "0.85x", "ratio", "ratio", 0.85, {}),
    ("we see a 1.4x slowdown at high QPS", "1.4x slowdown", "ratio", "ratio", 1 / 1.4, {}),
    ("leads 3:1 overall", "3:1", "ratio", "ratio", 3, {}),
    ("15X faster training", "15X faster", "ratio", "ratio", 15, {}),
    ("60+% faster inference", "60+% faster", "ratio", "ratio", 1.6, {"comparator": ">="}),
    ("uses 65% less memory", "65% less", "ratio", "ratio", 1 / 0.35, {}),
    ("a 70% reduction in memory", "70% reduction", "ratio", "ratio", 1 / 0.3, {}),
    ("28% more throughput than bf16", "28% more", "ratio", "ratio", 1.28, {}),
    ("yields 6% worse throughput", "6% worse", "ratio", "ratio", 0.94, {}),
    ("outperforms it by a factor of 32, and", "a factor of 32", "ratio", "ratio", 32, {}),
    (
        "at least an order of magnitude faster",
        "at least an order of magnitude faster",
        "ratio",
        "ratio",
        10,
        {"comparator": ">="},
    ),
    ("two orders of magnitude", "two orders of magnitude", "ratio", "ratio", 100, {}),
    ("a ten‑fold gain", "ten‑fold", "ratio", "ratio", 10, {}),
    ("usage grew 12% last quarter", "12%", "percent", "change", 0.12, {}),
    ("its share fell 30% in a year", "30%", "percent", "change", -0.3, {}),
    ("a 15% drop in usage", "15%", "percent", "change", -0.15, {}),
    ("+12% for PyTorch", "+12%", "percent", "change", 0.12, {}),
    ("its share rose to 45% overall", "45%", "percent", "share", 0.45, {}),
    # counts and number words
    ("all 40 submissions use it", "all 40", "count", "count", 40, {}),
    ("all three frameworks agree", "all three", "count", "count", 3, {}),
    ("a dozen libraries", "a dozen", "count", "count", 12, {}),
    ("half a dozen libraries", "half a dozen", "count", "count", 6, {}),
    ("tens of thousands of models", "tens of thousands", "count", "count", 10_000, {"comparator": ">="}),
    ("More than half a million downloads", "More than half a million", "count", "count", 500_000, {"comparator": ">"}),
    ("train a trillion parameters", "a trillion", "count", "count", 1e12, {}),
    ("raised $4.5BHugging Face", "$4.5B", "money", "money", 4.5e9, {}),
    ("hit 21.3kstars last week", "21.3k", "count", "count", 21_300, {}),
    ("a 410-page report", "410", "number", None, 410, {}),
    # ranks
    ("Theano (# 4) and Torch", "# 4", "rank", "rank", 4, {}),
    ("the 4th most popular library", "4th", "rank", "rank", 4, {}),
    ("it ranked first again", "first", "rank", "rank", 1, {}),
    ("the number one framework", "number one", "rank", "rank", 1, {}),
    ("in the top three for years", "top three", "rank", "rank", 3, {"comparator": "<="}),
    ("tensorflow第一, pytorch", "第一", "rank", "rank", 1, {}),
    # dates at full precision; relative dates as offsets
    ("it shipped in October 2020 to all", "October 2020", "date", "date", 2020, {"date": "2020-10"}),
    ("released on 4 June 2024 to all", "4 June 2024", "date", "date", 2024, {"date": "2024-06-04"}),
    ("since Feb 2016 it", "Feb 2016", "date", "date", 2016, {"date": "2016-02"}),
    ("tagged 2019-09-12 upstream", "2019-09-12", "date", "date", 2019, {"date": "2019-09-12"}),
    ("v1.0.2 (2020.03.03) fixes", "2020.03.03", "date", "date", 2020, {"date": "2020-03-03"}),
    ("## 10.14 GA - 2025-11-7", "2025-11-7", "date", "date", 2025, {"date": "2025-11-07"}),
    ("numbers for Q3 2023 are in", "Q3 2023", "date", "date", 2023, {"date": "2023-Q3"}),
    ("in Oct '23 it", "Oct '23", "date", "date", 2023, {"date": "2023-10"}),
    ("in the first half of 2024 it", "first half of 2024", "date", "date", 2024, {"date": "2024-H1"}),
    ("- [Apr 25] Float8 training", "Apr 25", "date", "date", 2025, {"date": "2025-04"}),
    ("12 min readMar 5, 2024", "Mar 5, 2024", "date", "date", 2024, {"date": "2024-03-05"}),
    ("open-sourced in 2015 by Google", "2015", "year", "date", 2015, {"date": "2015"}),
    ("it grew last year", "last year", "relative_date", "date", -1, {"time_unit": "year"}),
    ("numbers for this quarter", "this quarter", "relative_date", "date", 0, {"time_unit": "quarter"}),
    ("it started three years ago", "three years ago", "relative_date", "date", -3, {"time_unit": "year"}),
    ("and two years later it", "two years later", "duration", "duration", 2 * YEAR_S, {"time_unit": "year"}),
]


@pytest.mark.parametrize(("text", "surface", "kind", "dimension", "value", "extra"), V2, ids=[c[0] for c in V2])
def test_v2_forms(text: str, surface: str, kind: str, dimension: str | None, value: float, extra: dict) -> None:
    found = [q for q in find_quantities(text) if q.surface == surface]
    assert found, [q.surface for q in find_quantities(text)]
    q = found[0]
    assert text[q.start : q.end] == surface
    assert (q.kind, q.dimension) == (kind, dimension)
    assert q.value == pytest.approx(value, rel=1e-9)
    for key, want in extra.items():
        assert getattr(q, key) == want, key


@pytest.mark.parametrize(
    ("text", "surfaces"),
    [
        ("the 1990s and the 2010s", ["1990s", "2010s"]),  # decades, not seconds
        ("# 4 Results\nbody", ["4"]),  # a Markdown heading's number is a list number, not a rank
        ("One of the best, no one came", []),
        ("a 2x–3x speed-up", ["2x–3x"]),
    ],
)
def test_v2_not_confused(text: str, surfaces: list[str]) -> None:
    assert [q.surface for q in find_quantities(text)] == surfaces


def test_ranges_of_units_and_slow_ratios() -> None:
    q = only("wake time ~0.1-0.8s per model")
    assert (q.surface, q.dimension, q.comparator) == ("~0.1-0.8s", "duration", "range")
    assert (q.value, q.value_high) == (pytest.approx(0.1), pytest.approx(0.8))
    slow = only("it is 3-10x slower there")
    assert (slow.value, slow.value_high) == (pytest.approx(0.1), pytest.approx(1 / 3))
    tilde = only("we got 1.14\\~1.68x speedup")
    assert (tilde.value, tilde.value_high) == (pytest.approx(1.14), pytest.approx(1.68))
    grown = only("usage ranging from 20% to 350% here")
    assert (grown.value, grown.value_high) == (pytest.approx(0.2), pytest.approx(3.5))


def test_numbers_listed_before_one_unit_share_it() -> None:
    found = find_quantities("the times are 15.5 and 3.1 milliseconds, and 7, 8 or 9% of runs failed")
    by = {q.surface: q for q in found}
    assert by["15.5"].dimension == "duration" and by["15.5"].value == pytest.approx(0.0155)
    assert by["7"].value == pytest.approx(0.07) and by["8"].dimension == "share"


def test_occurrences_are_counts_not_ratios() -> None:
    q = next(q for q in find_quantities("TensorFlow was mentioned 255 times.") if q.surface.startswith("255"))
    assert (q.surface, q.kind) == ("255", "number")


def test_versions_and_list_numbers_stay_recognisable() -> None:
    found = find_quantities("1. Keras 3 shipped in October 2023 with TensorFlow 2.x support\n")
    kinds = {q.surface: q.kind for q in found}
    assert kinds == {"1": "ordinal", "3": "version", "October 2023": "date", "2.x": "version"}
    assert all(q.dimension is None for q in found if q.kind in ("version", "ordinal"))


def test_duration_interval_is_in_seconds() -> None:
    q = parse_quantity("2.5 hours")
    assert q is not None and q.dimension == "duration"
    assert interval(q) == (pytest.approx(8820), pytest.approx(9180))  # ±0.05 h
    grew = find_quantities("usage grew over 150%")[0]
    assert grew.dimension == "change" and interval(grew)[1] == math.inf  # a change is no share: no cap at 1


def test_written_value_and_value_as() -> None:
    from pipelines.quantities import value_as, written_value

    assert written_value(only("it trains in 12h")) == pytest.approx(12)
    assert written_value(only("a 3.2 MB wheel")) == pytest.approx(3.2)
    faster = only("25% faster")
    assert value_as(faster, "change") == pytest.approx(0.25)
    less = only("65% less")
    assert value_as(less, "change") == pytest.approx(-0.65)
    doubled = only("usage doubled")
    assert (doubled.dimension, value_as(doubled, "ratio")) == ("change", 2.0)
    drop = only("a 2% drop")
    assert value_as(drop, "share") == pytest.approx(0.02)
    assert value_as(only("in 2015"), "share") is None
    assert value_as(only("6,000"), "rate") == 6000


def test_unit_tables_match_the_annotation_build() -> None:
    from pipelines import annotations
    from pipelines.quantities import DURATION_SECONDS, SIZE_BYTES

    for unit, seconds in annotations.DURATION_SECONDS.items():
        assert DURATION_SECONDS[unit] == pytest.approx(seconds)
    for unit, size in annotations.SIZE_BYTES.items():
        assert SIZE_BYTES[unit] == size


@pytest.fixture(scope="module")
def pool(realtext_pool) -> dict:
    return realtext_pool


def test_real_text_offsets_are_exact_and_disjoint(pool: dict) -> None:
    for excerpt in pool.values():
        found = find_quantities(excerpt.text)
        for q in found:
            assert excerpt.text[q.start : q.end] == q.surface, excerpt.id
            assert q.dimension is None or q.dimension in (
                "share",
                "count",
                "rate",
                "duration",
                "ratio",
                "change",
                "date",
                "rank",
                "money",
                "size",
            )
        assert all(a.end <= b.start for a, b in zip(found, found[1:], strict=False)), excerpt.id
