"""What the pages show, from cluster views built by hand: ranking, figures, conflict pairs, charts, numbers."""

from __future__ import annotations

import math

from service.display import compact, format_value, readable_reason, short_number
from service.web.chart import timeline, timelines, y_range
from service.web.present import (
    conflict_pairs,
    figures,
    in_period,
    matches,
    rank,
    summary_row,
)


def _claim(cid, text, value, comparator="=", time=None, unit="percent", high=None, doc="a.txt", **extra):
    return {
        "claim_id": cid,
        "subject": extra.pop("subject", "pytorch"),
        "value_text": text,
        "value": value,
        "value_high": high,
        "unit": unit,
        "comparator": comparator,
        "time": time,
        "scope": None,
        "source": None,
        "mentions": [{"document": doc, "value_start": 0, "value_end": len(text), "value_text": text, "sentence": text}],
        **extra,
    }


def _view(cid, claims, relations=(), verdict=None, metric="research_paper_share", subject="pytorch"):
    kinds = {r["relation"] for r in relations}
    return {
        "cluster_id": cid,
        "subject": subject,
        "metric": metric,
        "verdict": verdict or ("conflicts" if "conflicts" in kinds else "agrees"),
        "reason": "a reason",
        "claims": list(claims),
        "relations": list(relations),
    }


def _conflict(a, b, reason="they differ"):
    return {"a": a, "b": b, "relation": "conflicts", "reason": reason}


def test_numbers_read_as_people_write_them():
    assert format_value(0.7, "percent") == "70%" and format_value(0.0841, "percent") == "8.41%"
    assert format_value(1.255, "ratio") in ("1.25×", "1.26×")
    assert format_value(74000, "count") == "74,000" and format_value(2016, "year") == "2016"
    assert format_value(None, "percent") == "–" and format_value(math.inf, "count") == "∞"
    assert [short_number(n) for n in (950, 74_000, 1_250_000, 3e9)] == ["950", "74k", "1.25M", "3B"]
    assert compact(0.25, "percent") == "25%" and compact(40_000, "count") == "40k" and compact(2e6, "usd") == "$2M"
    for n in (1.349e4, 4e6, 2.5e-5):  # never an exponent
        assert "e" not in compact(n, "count") and "e" not in format_value(n, "count")


def test_reasons_lose_their_exponents():
    reason = "~24,600 vs 8 pts: intervals [2.337e+04, 2.583e+04] and [7.5%, 8.5%] are disjoint"
    assert readable_reason(reason) == "~24,600 vs 8 pts: intervals [23,370, 25,830] and [7.5%, 8.5%] are disjoint"
    assert readable_reason("74k+ vs 3,417: [7.4e+04, ∞]") == "74k+ vs 3,417: [74,000, ∞]"
    assert readable_reason("v1.2e3 stays") == "v1.2e3 stays"  # not a number on its own


def test_home_ranking_puts_established_conflicts_first_then_documents_then_recency():
    few_recent = _view("k1", [_claim("a", "1%", 0.01, time="2025", doc="x"), _claim("b", "5%", 0.05, doc="y")])
    many_old = _view("k2", [_claim(c, "1%", 0.01, time="2019", doc=c) for c in "abcd"])
    conflict_small = _view("k3", [_claim("a", "1%", 0.01), _claim("b", "9%", 0.09)], [_conflict("a", "b")])
    conflict_big = _view(
        "k4", [_claim("a", "1%", 0.01, doc="p"), _claim("b", "9%", 0.09, doc="q")], [_conflict("a", "b")]
    )
    other = _view("k5", [_claim(c, "1%", 0.01, doc=c) for c in "abcdefg"], metric="other")
    newer = _view("k6", [_claim(c, "1%", 0.01, time="2026", doc=c) for c in "abcd"])
    order = [v["cluster_id"] for v in rank([few_recent, many_old, conflict_small, other, conflict_big, newer])]
    assert order == ["k4", "k3", "k6", "k2", "k1", "k5"]


def test_the_cluster_list_keeps_rows_per_view_and_ranks_as_present_does(monkeypatch):
    """``SummaryRows`` (the cluster list's rows, kept per view object): the same ranking and rows as
    ``rank`` and ``summary_row``; a view that is a new object (its cluster changed) gets its row made again."""
    from service.web import present
    from service.web.routes import SummaryRows

    views = [
        _view("k1", [_claim("a", "1%", 0.01, time="2025", doc="x"), _claim("b", "5%", 0.05, doc="y")]),
        _view("k2", [_claim(c, "1%", 0.01, time="2019", doc=c) for c in "abcd"]),
        _view("k3", [_claim("a", "1%", 0.01), _claim("b", "9%", 0.09)], [_conflict("a", "b")]),
        _view("k5", [_claim(c, "1%", 0.01, doc=c) for c in "abcdefg"], metric="other"),
    ]
    made = []
    monkeypatch.setattr(
        present, "summary_row", lambda v, name_of: made.append(v["cluster_id"]) or summary_row(v, name_of)
    )
    rows = SummaryRows(str.upper)
    assert rows.rank(views) == rank(views)
    assert [rows.row(v) for v in views] == [summary_row(v, str.upper) for v in views]
    assert sorted(made) == ["k1", "k2", "k3", "k5"]
    changed = _view("k1", [_claim(c, "1%", 0.01, time="2026", doc=c) for c in "abcdefgh"])  # k1 after a write
    views = [changed, *views[1:]]
    assert rows.rank(views) == rank(views) and rows.rank(views)[1] is changed  # after the conflict, most documents
    assert rows.row(changed) == summary_row(changed, str.upper) and made.count("k1") == 2 and len(made) == 5


def test_a_filtered_list_does_not_drop_the_whole_lists_rows(monkeypatch):
    from service.web import present
    from service.web.routes import SummaryRows

    views = [_view(f"k{n}", [_claim("a", "1%", 0.01, doc=f"d{n}")]) for n in range(1500)]
    made = []
    monkeypatch.setattr(
        present, "summary_row", lambda v, name_of: made.append(v["cluster_id"]) or {"documents": 1, "latest_period": ""}
    )
    rows = SummaryRows(str.upper)
    rows.rank(views)
    rows.rank(views[:10])  # a page filtered to one subject
    for _ in range(3):  # writes replace views; the whole list is ranked again
        views = [*views[1:], _view("new", [_claim("a", "1%", 0.01)])]
        rows.rank(views)
    assert len(made) == 1500 + 3  # only the new views' rows were made again


def test_unresolved_clusters_are_not_established_conflicts():
    """A cluster whose figures disagree without an established same period and population is shown, ranked
    with the calm ones by documents and recency, never with the conflicts."""
    from service.web.present import established

    unresolved = _view(
        "u1",
        [_claim(c, f"{n}%", n / 100, doc=c) for n, c in zip((10, 20, 30, 40, 50), "abcde", strict=True)],
        [{"a": "a", "b": "b", "relation": "unresolved", "reason": "not shown to be the same"}],
        verdict="unresolved",
    )
    conflict = _view("c1", [_claim("a", "1%", 0.01), _claim("b", "9%", 0.09)], [_conflict("a", "b")])
    assert not established(unresolved) and established(conflict)
    assert [v["cluster_id"] for v in rank([unresolved, conflict])] == ["c1", "u1"]
    assert conflict_pairs(unresolved, figures(unresolved)) == []


def test_equal_figures_are_one_row_with_their_sources_and_conflicts_are_pairs_of_figures():
    claims = [
        _claim("a", "70%", 0.70, doc="one.txt"),
        _claim("b", "70 percent", 0.70, doc="two.txt", time="2025"),
        _claim("c", "62%", 0.62, doc="three.txt", time="2022"),
        _claim("d", "approximately 80%", 0.80, comparator="~", doc="one.txt"),
        _claim("e", "about 80%", 0.80, comparator="~", doc="four.txt"),
        _claim("f", "behind", None, comparator="<", kind="comparative"),
        _claim("g", "8.41%", 0.0841, subject="tensorflow", counterpart=True),
    ]
    relations = [_conflict("a", "d", "[7.95e-01, …]"), _conflict("b", "e"), _conflict("b", "d"), _conflict("a", "c")]
    view = _view("k", claims, relations)
    figs = figures(view)
    assert [(f.text, len(f.claims)) for f in figs] == [
        ("62%", 1),
        ("70%", 2),
        ("about 80%", 2),
        ("behind", 1),
        ("8.41%", 1),
    ]
    seventy = figs[1]
    assert seventy.written == ["70 percent", "70%"] and seventy.periods == [("2025", 1), ("undated", 1)]
    assert seventy.documents == 2 and seventy.conflicting and not figs[3].conflicting
    assert figs[-1].counterpart and figs[-1].subject == "tensorflow"
    pairs = conflict_pairs(view, figs)
    assert [(p.a.text, p.b.text, p.claim_pairs) for p in pairs] == [("70%", "about 80%", 3), ("62%", "70%", 1)]
    assert "e-01" not in pairs[0].reason and "e-01" not in "".join(p.reason for p in pairs)
    row = summary_row(view, str.upper)
    # Another framework's figures are not this cluster's; the conflicting, most stated figures come first.
    assert [v["figure"] for v in row["values"]][:3] == ["70%", "about 80%", "62%"]
    assert "8.41%" not in [v["figure"] for v in row["values"]] and row["figures"] == 4


def test_search_and_period_filters():
    view = _view("k", [_claim("a", "70%", 0.7, time="2022", scope="NeurIPS papers"), _claim("b", "9%", 0.09)])
    view["claims"][0]["scope"] = "NeurIPS papers"
    names = {"pytorch": "PyTorch"}.get
    assert matches(view, "pytorch neurips", lambda s: names(s) or s)
    assert matches(view, "Research Paper", lambda s: s) and matches(view, "", lambda s: s)
    assert not matches(view, "tensorflow", lambda s: s)
    assert in_period(view, 2020, 2023) and in_period(view, None, 2022) and not in_period(view, 2023, None)
    assert in_period(view, None, None)


def test_one_chart_per_unit_with_readable_axes():
    claims = [
        _claim("a", "70%", 0.70, time="2025"),
        _claim("b", "62%", 0.62, time="2022"),
        _claim("c", "approximately 80%", 0.80, comparator="~"),
        _claim("d", "over 75%", 0.75, comparator=">"),
        _claim("e", "3.9 million", 3_900_000, unit="count", time="2024"),
        _claim("f", "74k+", 74_000, comparator=">=", unit="count", time="2024"),
        _claim("g", "behind", None, kind="comparative"),
    ]
    charts = timelines(figures(_view("k", claims, [_conflict("a", "c")])))
    assert [c.unit for c in charts] == ["percent", "count"]  # never one axis for shares and counts
    share, count = charts
    assert [t.label for t in share.y_ticks] == ["0%", "25%", "50%", "75%", "100%"]
    assert [t.label for t in share.x_ticks] == ["2022", "2025", "undated"]
    assert all("e+" not in t.label for t in count.y_ticks) and count.y_ticks[-1].label.endswith("M")
    by_label = {p.label: p for p in share.points}
    assert by_label["62%"].x < by_label["70%"].x < by_label["about 80%"].x
    assert by_label["about 80%"].y < by_label["70%"].y < by_label["62%"].y  # higher values are drawn higher
    assert by_label["about 80%"].y_low > by_label["about 80%"].y > by_label["about 80%"].y_high
    assert by_label["70%"].conflicting and not by_label["62%"].conflicting
    assert by_label["over 75%"].y_high >= share.top  # an open interval is clipped to the chart
    assert timeline("percent", figures(_view("k", [claims[-1]]))) is None


def test_crowded_labels_are_left_to_the_tooltip():
    claims = [_claim(str(i), f"{50 + i}%", (50 + i) / 100) for i in range(10)]
    chart = timelines(figures(_view("k", claims)))[0]
    shown = sorted(p.y for p in chart.points if p.show_label)
    assert chart.hidden_labels == len(chart.points) - len(shown) > 0
    assert all(b - a >= 20 for a, b in zip(shown, shown[1:], strict=False))
    assert all(p.tooltip for p in chart.points)


def test_value_axes():
    assert y_range("percent", [0.1, 0.8]) == (0.0, 1.0, 0.25)
    low, high, step = y_range("count", [640, 3900])
    assert low == 0 and high >= 3900 and step in (1000, 500)
    low, high, step = y_range("year", [2015, 2016])
    assert low <= 2015 and high >= 2016 and step >= 1
