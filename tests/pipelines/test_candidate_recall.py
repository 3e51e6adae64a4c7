"""Tests for pipelines.candidate_recall: coverage of gold values by candidates, per dimension."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipelines.candidate_recall import (
    NOT_SENT,
    GoldValue,
    RecallDocument,
    candidate_recall,
    documents_from_gold,
    format_report,
)


def gold(text: str, value: str, dimension: str | None, num: float | None = None) -> GoldValue:
    start = text.index(value)
    return GoldValue(start=start, end=start + len(value), text=value, dimension=dimension, value=num)


def test_recall_exact_and_values_per_dimension() -> None:
    text = "PyTorch 2.1 has 74k stars and trains in 12h; JAX is #2. Version 3 is out."
    doc = RecallDocument(
        id="d",
        split="s",
        text=text,
        fmt="text",
        gold=(
            gold(text, "74k", "count", 74000),
            gold(text, "12h", "duration", 43200),
            gold(text, "#2", "rank", 3),  # a wrong gold value: covered, exact, but the value disagrees
            gold(text, "2.1", "date", None),  # a version is never sent to the tagger: not covered
        ),
    )
    rep = candidate_recall([doc], keep_misses=True)["s"]
    assert rep.by_dimension["count"].covered == rep.by_dimension["count"].agrees == 1
    assert rep.by_dimension["duration"].agrees == 1
    assert (rep.by_dimension["rank"].covered, rep.by_dimension["rank"].agrees) == (1, 0)
    assert rep.by_dimension["date"].covered == 0 and "2.1" in rep.misses[0]
    total = rep.total
    assert (total.gold, total.covered, total.exact) == (4, 3, 3)
    assert total.recall == pytest.approx(0.75)
    assert rep.words == len(text.split())
    assert rep.candidates == rep.sent + 2  # "2.1" and "3" are versions
    assert "ALL" in format_report({"s": rep})


def test_table_values_are_read_in_their_column_unit() -> None:
    text = "| Model | Latency (ms) |\n|---|---|\n| BERT | 12.93 |\n| GPT | 8.09 |\n"
    doc = RecallDocument(id="t", split="s", text=text, fmt="text", gold=(gold(text, "12.93", "duration", 0.01293),))
    rep = candidate_recall([doc])["s"]
    assert rep.by_dimension["duration"].agrees == 1


def test_not_sent_matches_the_extractor() -> None:
    from pipelines.extract.pipeline import NOT_MEASURES

    assert NOT_SENT == NOT_MEASURES


def test_recall_on_the_real_annotations_of_this_repository(realtext_pool) -> None:
    from pipelines.annotations import ANNOTATIONS_DIR, AnnotationError, parse_ann

    paths = sorted(Path(ANNOTATIONS_DIR / "real").glob("*.ann"))
    parsed = []
    for path in paths:
        try:
            parsed.append(parse_ann(path))
        except AnnotationError:
            continue  # files being written fail their own checks, not this one
    if not parsed:
        pytest.skip("no real-text annotations resolve yet")
    rep = candidate_recall(documents_from_gold(parsed))["real"]
    assert rep.total.gold > 0
    assert rep.total.recall >= 0.97
    assert rep.per_1000_words(rep.sent) < 120
