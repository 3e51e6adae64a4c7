"""Tests for the document context: dates and titles (pipelines.metadata), headings (pipelines.headings),
periods and a claim's time with its basis (pipelines.context), and their wiring into ingest."""

from __future__ import annotations

import datetime as dt

import pytest

from pipelines.context import (
    Period,
    document_context,
    parse_period,
    parse_published,
    resolve_relative,
    sentence_bounds,
)
from pipelines.errors import InputError, InvalidDate
from pipelines.headings import HeadingIndex, find_headings
from pipelines.ingest import article_from_text
from pipelines.metadata import byline_date, front_matter, html_metadata, url_date

# --- periods ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "label", "precision"),
    [
        ("2023", "2023", "year"),
        ("in 2022", "2022", "year"),
        ("Q1 2025", "2025-Q1", "quarter"),
        ("2025-Q1", "2025-Q1", "quarter"),
        ("2024-H2", "2024-H2", "half"),
        ("March 2020", "2020-03", "month"),
        ("2019-09-12", "2019-09-12", "day"),
        ("2019/2021", "2019/2021", "span"),
        ("2015–2017", "2015/2017", "span"),
        ("the 2010s", "2010/2019", "span"),
    ],
)
def test_parse_period(text: str, label: str, precision: str) -> None:
    p = parse_period(text)
    assert p is not None and (p.label, p.precision) == (label, precision)
    assert parse_period(p.label) == p  # a label reads back as the same period


def test_periods_are_intervals() -> None:
    year, month, other = Period.year(2023), Period.month(2023, 9), Period.month(2022, 9)
    assert year.contains(month) and not month.contains(year)
    assert not month.overlaps(Period.month(2023, 10)) and not year.overlaps(other)
    assert Period.quarter(2023, 3).contains(month)
    assert (Period.half(2024, 2).start, Period.half(2024, 2).end) == (dt.date(2024, 7, 1), dt.date(2024, 12, 31))
    assert parse_period("no time here") is None


@pytest.mark.parametrize(
    ("value", "label"),
    [
        ("2024", "2024"),
        ("2024-05", "2024-05"),
        ("2024-05-07", "2024-05-07"),
        ("2024-05-07T09:30:00Z", "2024-05-07"),
        ("2024-05-07 09:30:00+02:00", "2024-05-07"),
        ("May 7, 2024", "2024-05-07"),
        ("7 May 2024", "2024-05-07"),
    ],
)
def test_parse_published(value: str, label: str) -> None:
    assert parse_published(value).label == label


@pytest.mark.parametrize("value", ["yesterday", "2024-13-01", "2024-02-30", "Q1 2024", "", "May 2024 or so", "12"])
def test_a_published_value_that_is_not_a_date_is_refused(value: str) -> None:
    with pytest.raises(InvalidDate) as info:
        parse_published(value, name="--published")
    assert info.value.code == "invalid_date"
    assert repr(value) in str(info.value) and "--published" in str(info.value)
    assert isinstance(info.value, InputError)


@pytest.mark.parametrize(
    ("phrase", "anchor", "label"),
    [
        ("last year", "2023-09-12", "2022"),
        ("this year", "2023-09-12", "2023"),
        ("next year", "2023", "2024"),
        ("last month", "2023-09-12", "2023-08"),
        ("last month", "2023-01", "2022-12"),
        ("last quarter", "2023-02-01", "2022-Q4"),
        ("last week", "2026-05-11", "2026-05"),
        ("three years ago", "2023-09", "2020"),
        ("a year ago", "2023", "2022"),
        ("two years later", "2016", "2018"),
        ("a decade earlier", "2020", "2010"),
        ("currently", "2023-09", "2023-09"),
        ("as of today", "2023-09-12", "2023-09-12"),
    ],
)
def test_resolve_relative(phrase: str, anchor: str, label: str) -> None:
    p = resolve_relative(phrase, parse_published(anchor))
    assert p is not None and p.label == label


def test_resolve_relative_needs_a_fine_enough_anchor() -> None:
    assert resolve_relative("last month", Period.year(2023)) is None
    assert resolve_relative("in the morning", Period.year(2023)) is None


# --- headings --------------------------------------------------------------------------------------

MARKDOWN = """---
title: Frameworks
date: 2023-06-20
---
# Frameworks in 2023

Intro.

## PyTorch

PyTorch has 74k stars.

```bash
# not a heading
```

Speed
-----

It ran 2x faster.

<h3>Notes</h3>

## JAX 0.6.0 (April 16, 2025)
"""


def test_markdown_setext_and_html_headings() -> None:
    found = find_headings(MARKDOWN)
    assert [(h.text, h.level, h.source) for h in found] == [
        ("Frameworks in 2023", 1, "markdown"),
        ("PyTorch", 2, "markdown"),
        ("Speed", 2, "setext"),
        ("Notes", 3, "html"),
        ("JAX 0.6.0 (April 16, 2025)", 2, "markdown"),
    ]
    index = HeadingIndex(found)
    assert [h.text for h in index.above(MARKDOWN.index("74k"))] == ["Frameworks in 2023", "PyTorch"]
    assert [h.text for h in index.above(MARKDOWN.index("2x"))] == ["Frameworks in 2023", "Speed"]
    # A position inside a heading's own words is under its parents only.
    assert [h.text for h in index.above(MARKDOWN.index("April 16"))] == ["Frameworks in 2023"]
    assert index.above(0) == ()


def test_title_like_lines_only_without_marked_headings() -> None:
    text = "Popular frameworks\n\nThis year, TensorFlow was used by more developers than any other library.\n"
    (h,) = find_headings(text)
    assert (h.text, h.source) == ("Popular frameworks", "line")
    assert find_headings("Home\nAbout\nContact\n") == []  # a menu is no heading


def test_html_page_headings_reach_the_clean_view() -> None:
    html = (
        "<html><body><article><h1>State of ML 2023</h1><p>An introduction long enough to be kept as text.</p>"
        "<h2>Adoption in 2022</h2><p>PyTorch was used in 62% of papers, up from the year before.</p>"
        "</article></body></html>"
    )
    article = article_from_text(html, fmt="html")
    texts = [article.clean[s:e] for s, e, _ in article.headings]
    assert texts == ["State of ML 2023", "Adoption in 2022"]
    ctx = document_context(article)
    at = article.clean.index("62%")
    assert [h.text for h in ctx.headings_at(at)] == ["State of ML 2023", "Adoption in 2022"]


# --- a claim's period ------------------------------------------------------------------------------

DOC = """# State of ML frameworks

## Adoption in 2022

PyTorch was used in 62% of papers. Last year it had 40%.

TensorFlow was released in 2015. Two years later it had 100k stars. It currently has 180k stars.

Growth in 2024:

* GitHub stars grew to 32,600

## Stars

| Framework | Stars (2021) |
|---|---|
| PyTorch | 50k |

JAX has 25k stars.
"""


def period(ctx, value: str, **kw) -> Period | None:
    at = DOC.index(value)
    start, end = sentence_bounds(DOC, at)
    return ctx.period_for(start, end, at, at + len(value), **kw)


@pytest.mark.parametrize(
    ("value", "label", "basis", "words"),
    [
        ("62%", "2022", "context", "2022"),  # the heading above
        ("40%", "2022", "sentence", "Last year"),  # relative to the document date
        ("100k", "2017", "sentence", "Two years later"),  # relative to the year named before it
        ("180k", "2023-09-12", "document", None),  # present tense: the document date
        ("32,600", "2024", "context", "2024"),  # the lead-in of a list
        ("50k", "2021", "context", "2021"),  # the column title of a table
        ("25k", "2023-09-12", "document", None),  # nothing else gives a time
    ],
)
def test_period_for_with_its_basis(value: str, label: str, basis: str, words: str | None) -> None:
    ctx = document_context(text=DOC, published="2023-09-12")
    p = period(ctx, value)
    assert p is not None and (p.label, p.basis, p.text) == (label, basis, words)
    if words is not None:
        assert DOC[p.text_start : p.text_end] == words


def test_period_for_without_a_document_date() -> None:
    ctx = document_context(text=DOC)
    assert period(ctx, "40%") is not None  # the heading still gives 2022
    assert period(ctx, "25k") is None
    dated = document_context(text=DOC, published="2023-09-12")
    assert period(dated, "25k", use_document=False) is None


def test_a_release_year_dates_something_else() -> None:
    text = "PyTorch, released in 2016, now has 74k stars."
    ctx = document_context(text=text, published="2023-09")
    at = text.index("74k")
    p = ctx.period_for(0, len(text), at, at + 3)
    assert p is not None and (p.label, p.basis) == ("2023-09", "document")


def test_the_title_gives_a_time() -> None:
    text = "PyTorch holds 70% of papers.\n"
    ctx = document_context(text=text, title="Frameworks in 2021", published="2023")
    p = ctx.period_for(0, len(text), text.index("70%"), text.index("70%") + 3)
    assert p is not None and (p.label, p.basis, p.text) == ("2021", "context", "Frameworks in 2021")


# --- document date and title -----------------------------------------------------------------------


def test_html_metadata_in_order_of_trust() -> None:
    meta = html_metadata(
        '<html><head><meta property="article:published_time" content="2023-06-20T10:00:00Z">'
        '<meta property="og:title" content="Framework popularity">'
        '<script type="application/ld+json">{"@graph": [{"datePublished": "2023-06-19"}]}</script>'
        "</head><body><time datetime='2020-01-01'>x</time></body></html>"
    )
    assert (meta.title, meta.published, meta.published_from) == ("Framework popularity", "2023-06-20", "html_meta")
    json_ld = html_metadata(
        '<script type="application/ld+json">{"@graph": [{"headline": "H", "datePublished": "2023-06-19"}]}</script>'
    )
    assert (json_ld.title, json_ld.published, json_ld.published_from) == ("H", "2023-06-19", "json_ld")
    itemprop = html_metadata('<span itemprop="datePublished" content="2021-03-04"></span>')
    assert itemprop.published == "2021-03-04"
    tag = html_metadata("<p>Posted <time datetime='2022-02-02T08:00'>Feb 2</time></p>")
    assert (tag.published, tag.published_from) == ("2022-02-02", "time_tag")
    assert html_metadata("<p>nothing</p>").published is None


def test_front_matter() -> None:
    meta = front_matter('---\ntitle: "JAX in 2024"\ndate: 2024-03-05\n---\n# JAX\n')
    assert (meta.title, meta.published, meta.published_from) == ("JAX in 2024", "2024-03-05", "front_matter")
    toml = front_matter('+++\ntitle = "T"\nlastmod = "2021-07"\n+++\nbody\n')
    assert (toml.title, toml.published) == ("T", "2021-07")
    assert front_matter("no front matter").published is None


@pytest.mark.parametrize(
    ("text", "label", "update"),
    [
        ("Title\n\nPublished May 7, 2024\n\nBody text.", "2024-05-07", False),
        ("Title\nPosted on 16 April 2025 · 4 min read\nBody.", "2025-04-16", False),
        ("Title\nLast updated: 2023-09-12\nBody.", "2023-09-12", True),
        ("Title\nBy Jane Doe | May 7, 2024 | 4 min read\nBody.", "2024-05-07", False),
        ("Title\nby Kelsey FosterMarch 20th, 2022\nRead on", "2022-03-20", False),
        ("SAN FRANCISCO, Sept. 23, 2020 /PRNewswire/ -- A survey", "2020-09-23", False),
        ("Title\n01/16/2019 ∙ by Daniel Smilkov\nBody.", "2019-01-16", False),
        ("MLX\nLast reviewed\nMay 1, 2026\nSources", "2026-05-01", True),
        ("Istvan Benedek\n12 min readMar 5, 2024\n\nBody", "2024-03-05", False),
        ("Authors A\nCreated 2020-11-26\nBody", "2020-11-26", False),
    ],
)
def test_bylines(text: str, label: str, update: bool) -> None:
    found = byline_date(text)
    assert found is not None
    assert (found[0], found[3]) == (label, update)
    assert text[found[1] : found[2]] in text


@pytest.mark.parametrize(
    "text",
    [
        "PyTorch 2.0 was released on March 15, 2023 with a new compiler.",  # a release in a sentence
        "Title\n\nSome text that mentions 2021 in passing.",
    ],
)
def test_no_byline(text: str) -> None:
    assert byline_date(text) is None


@pytest.mark.parametrize(
    ("url", "label"),
    [
        ("https://example.com/blog/2023/06/20/post.html", "2023-06-20"),
        ("_posts/2025-01-10-vllm-2024-wrapped.md", "2025-01-10"),
        ("https://example.com/blog/2020/05/key-takeaways", "2020-05"),
        ("https://github.com/o/r/blob/abc/blogs/deepspeed-fp6/03-05-2024/README.md", "2024-03-05"),
        ("https://github.com/o/r/blob/abc/blogs/deepnvme/08-2024/README.md", "2024-08"),
        ("https://example.com/posts/pytorch-vs-tensorflow", None),
        (None, None),
    ],
)
def test_url_dates(url: str | None, label: str | None) -> None:
    assert url_date(url) == label


def test_ingest_records_where_the_date_came_from() -> None:
    md = article_from_text('---\ntitle: "JAX in 2024"\ndate: 2024-03-05\n---\nText.\n', fmt="markdown", name="x.md")
    assert (md.title, md.published, md.published_from) == ("JAX in 2024", "2024-03-05", "front_matter")
    by = article_from_text("Deep learning news\n\nBy Jane Doe | Published May 7, 2024\n\nPyTorch has 74k stars.")
    assert (by.title, by.published, by.published_from) == ("Deep learning news", "2024-05-07", "byline")
    named = article_from_text("Plain text.", name="blog/2023-06-20-post.md")
    assert (named.published, named.published_from) == ("2023-06-20", "url")
    given = article_from_text("Published May 7, 2024. Text.", published="2024-05-07T09:30:00Z")
    assert (given.published, given.published_from) == ("2024-05-07", "argument")
    assert article_from_text("No date anywhere in this text.").published is None


def test_ingest_refuses_a_published_value_that_is_not_a_date() -> None:
    with pytest.raises(InvalidDate) as info:
        article_from_text("Text.", name="doc.txt", published="last tuesday")
    assert "doc.txt" in str(info.value) and "'last tuesday'" in str(info.value)


# --- on real text ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pool(realtext_pool) -> dict:
    return realtext_pool


def test_real_excerpts_get_a_context(pool: dict) -> None:
    dated = 0
    for excerpt in pool.values():
        article = article_from_text(excerpt.text, name=excerpt.id, url=excerpt.url, fmt="text")
        ctx = document_context(article)
        if article.published:
            dated += 1
            assert parse_published(article.published).label == article.published
        for h in ctx.headings.headings:
            assert h.text in excerpt.text or h.source == "html"
        for t in ctx.times:
            assert excerpt.text[t.start : t.end] == t.text
        at = len(excerpt.text) // 2
        start, end = sentence_bounds(excerpt.text, at)
        p = ctx.period_for(start, end, at, at)
        assert p is None or (p.basis in ("sentence", "context", "document") and p.start <= p.end)
    assert dated >= len(pool) // 4  # bylines and URLs date a good part of real pages


def test_a_time_after_another_value_is_that_values():
    text = "PyTorch is behind 70% of such papers, compared with 62% back in 2022."
    ctx = document_context(text=text, published="2025-06")
    seventy, sixty_two = text.index("70%"), text.index("62%")
    others = [(sixty_two, sixty_two + 3)]
    p = ctx.period_for(0, len(text), seventy, seventy + 3, others=others)
    assert p is not None and (p.label, p.basis) == ("2025-06", "document")  # the page's present figure
    p = ctx.period_for(0, len(text), sixty_two, sixty_two + 3, others=[(seventy, seventy + 3)])
    assert p is not None and (p.label, p.basis) == ("2022", "sentence")
    # Told of no other value (the extractor passes only those the sentence sets against this one), the
    # nearest time stands.
    assert ctx.period_for(0, len(text), seventy, seventy + 3).label == "2022"
