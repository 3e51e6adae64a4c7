"""Cutting text for highlighting and drawing the chart: pure functions, no models."""

from __future__ import annotations

import math

from service.web.chart import format_value, timeline
from service.web.highlight import Mark, blocks, context_window


def _flat(bs) -> str:
    return "".join(p.text for b in bs for p in b.pieces)


def test_blocks_keep_every_character_and_nest_values_in_sentences():
    text = "One. PyTorch has 70% of papers. Two."
    sentence = Mark(5, 31, anchor="s")
    value = Mark(17, 20, anchor="v")
    bs = blocks(text, [sentence], [value])
    assert _flat(bs) == text
    assert [b.mark for b in bs] == [None, sentence, None]
    assert [(p.text, p.mark) for p in bs[1].pieces] == [("PyTorch has ", None), ("70%", value), (" of papers.", None)]


def test_overlapping_spans_never_cross_and_windows_clip():
    text = "abcdefghij"
    bs = blocks(text, [Mark(0, 6), Mark(4, 10)], [Mark(3, 8), Mark(5, 7)])
    assert _flat(bs) == text
    # Each character sits in at most one outer and one inner span: the first that covers it.
    assert [len(b.pieces) for b in bs] == [2, 2]
    window = blocks(text, [Mark(0, 6)], [Mark(5, 9)], lo=4, hi=8)
    assert _flat(window) == "efgh"
    assert blocks(text, [Mark(3, 3)], [Mark(7, 5)]) and _flat(blocks(text, [Mark(3, 3)], [Mark(7, 5)])) == text


def test_context_window_ends_on_word_boundaries():
    text = "word " * 200
    lo, hi = context_window(text, 500, 510, chars=50)
    assert text[lo - 1] == " " and text[hi] == " " and lo <= 500 and hi >= 510
    assert context_window("short", 0, 5) == (0, 5)


def test_values_in_words():
    assert format_value(0.7, "percent") == "70%"
    assert format_value(1.255, "ratio") == "1.25×" or format_value(1.255, "ratio") == "1.26×"
    assert format_value(74000, "count") == "74,000"
    assert format_value(2016, "year") == "2016"
    assert format_value(None, "percent") == "–" and format_value(math.inf, "count") == "∞"


def _claim(cid, text, value, comparator="=", time=None, unit="percent", high=None):
    return {
        "claim_id": cid,
        "value_text": text,
        "value": value,
        "value_high": high,
        "unit": unit,
        "comparator": comparator,
        "time": time,
    }


def test_timeline_places_periods_in_order_and_undated_last():
    claims = [
        _claim("a", "70%", 0.70, time="2025"),
        _claim("b", "62%", 0.62, time="2022"),
        _claim("c", "approximately 80%", 0.80, comparator="~"),
        _claim("d", "over 75%", 0.75, comparator=">"),
        {**_claim("e", "more", None), "kind": "comparative"},
    ]
    chart = timeline(claims, {"a": "A", "b": "B", "c": "C", "d": "D"}, {"a", "c"})
    assert chart is not None
    assert [t.label for t in chart.x_ticks] == ["2022", "2025", "undated"]
    by_letter = {p.letter: p for p in chart.points}
    assert set(by_letter) == {"A", "B", "C", "D"}  # no dot for a claim without a number
    assert by_letter["B"].x < by_letter["A"].x < by_letter["C"].x
    assert by_letter["C"].y < by_letter["A"].y < by_letter["B"].y  # higher values are drawn higher
    assert by_letter["C"].y_low > by_letter["C"].y > by_letter["C"].y_high  # "approximately" has a whisker
    assert by_letter["A"].conflicting and not by_letter["B"].conflicting
    top = chart.top
    assert by_letter["D"].y_high >= top  # an open-ended "over 75%" is clipped to the chart, not drawn off it
    assert chart.y_ticks[0].label == "0%"


def test_timeline_of_years_and_of_nothing():
    years = timeline([_claim("a", "2016", 2016, unit="year"), _claim("b", "2017", 2017, unit="year")], {}, set())
    assert years is not None and all(t.label.isdigit() for t in years.y_ticks)
    assert timeline([{**_claim("e", "more", None)}], {}, set()) is None
