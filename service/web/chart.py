"""A cluster's figures over time as plain geometry, one chart per unit; the template draws it as inline SVG.

No chart library and no script. Each chart has one unit (a cluster that mixes percentages and counts gets
two charts, never one axis for both): a column per period (undated last), a dot per distinct figure and
period (larger when more claims state it), a whisker over the interval the figure stands for ("~80%" and
"over 75%" are ranges, see ``pipelines.claims.Claim.interval``), and the figure next to its dot where there is room.
Axes read as people expect: a share runs from 0% to 100%, counts read 50k and 1.2M.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from pipelines.claims import Claim, Comparator, Kind, Unit
from service.display import compact, format_value
from service.web.present import UNDATED, Figure, period_of

WIDTH, HEIGHT = 880, 340
LEFT, RIGHT, TOP, BOTTOM = 64, 24, 18, 40
LABEL_GAP = 20
"""Vertical pixels two labels of one column need; a label that would overlap another is left to the tooltip."""
UNIT_NAMES = {
    "percent": "share (%)",
    "count": "count",
    "ratio": "ratio (×)",
    "year": "year",
    "rank": "rank",
    "usd": "US dollars",
    "money": "amount",
}


@dataclass(frozen=True, slots=True)
class Point:
    x: float
    y: float
    r: float
    y_low: float
    y_high: float
    label: str
    label_x: float
    label_end: bool
    """The label sits left of the dot (text-anchor end), so that it stays inside the chart."""
    show_label: bool
    tooltip: str
    conflicting: bool


@dataclass(frozen=True, slots=True)
class Tick:
    pos: float
    label: str


@dataclass(frozen=True, slots=True)
class Chart:
    unit: str
    title: str
    width: int
    height: int
    left: int
    right: int
    top: int
    bottom: int
    points: list[Point]
    x_ticks: list[Tick]
    y_ticks: list[Tick]
    hidden_labels: int
    """Figures whose label did not fit (their dot's tooltip still says it)."""


def nice_step(span: float, target: int = 4) -> float:
    """A round step (1, 2, 2.5 or 5 times a power of ten) that cuts ``span`` into about ``target`` parts."""
    raw = span / target
    magnitude = 10 ** math.floor(math.log10(raw))
    return next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)


def y_range(unit: str, numbers: Sequence[float]) -> tuple[float, float, float]:
    """(low, high, step) of the value axis: shares 0–100%, other units from 0 (or their least value for
    years) to a round number above the largest."""
    low, high = min(numbers), max(numbers)
    if unit == "percent" and low >= 0 and high <= 1:
        return 0.0, 1.0, 0.25
    if unit not in ("year",) and low >= 0:
        low = 0.0
    if high == low:
        high = low + (abs(low) * 0.1 if unit == "year" else abs(low) or 1.0)
    step = nice_step(high - low)
    if unit == "year":
        step = max(step, 1.0)
    return math.floor(low / step) * step, math.ceil(high / step) * step, step


def _interval(figure: Figure) -> tuple[float, float]:
    c = figure.claims[0]
    units, comparators = {str(u) for u in Unit}, {str(x) for x in Comparator}
    value = Claim(
        id=c.get("claim_id") or "",
        document_id=c.get("document_id") or "",
        kind=Kind.NUMERIC,
        subjects=(),
        metric="",
        value_text=c["value_text"],
        value=c["value"],
        value_high=c.get("value_high"),
        unit=Unit(c["unit"]) if c["unit"] in units else Unit.OTHER,
        comparator=Comparator(c["comparator"]) if c["comparator"] in comparators else Comparator.EQ,
    )
    return value.interval()


def timeline(unit: str, figs: Sequence[Figure]) -> Chart | None:
    """The chart of one unit's figures; None when none of them has a finite value."""
    figs = [f for f in figs if f.value is not None and math.isfinite(f.value)]
    if not figs:
        return None
    intervals = {f.label: _interval(f) for f in figs}
    numbers = [f.value for f in figs if f.value is not None]
    numbers += [v for lo, hi in intervals.values() for v in (lo, hi) if math.isfinite(v)]
    y_min, y_max, step = y_range(unit, numbers)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def y_of(v: float) -> float:
        v = min(max(v, y_min), y_max)
        return round(TOP + plot_h * (1 - (v - y_min) / (y_max - y_min)), 1)

    periods = sorted({period_of(c) for f in figs for c in f.claims} - {UNDATED})
    if any(period_of(c) == UNDATED for f in figs for c in f.claims):
        periods.append(UNDATED)
    col_w = plot_w / len(periods)
    points: list[Point] = []
    hidden = 0
    for ci, period in enumerate(periods):
        here = [(f, sum(1 for c in f.claims if period_of(c) == period)) for f in figs]
        here = sorted([(f, n) for f, n in here if n], key=lambda fn: -(fn[0].value or 0.0))
        x = round(LEFT + col_w * (ci + 0.5), 1)
        label_end = x > WIDTH - RIGHT - 90
        last_label_y = last_dot_y = -math.inf
        nudge = 0
        for f, n in here:
            y = y_of(f.value or 0.0)
            lo, hi = intervals[f.label]
            fits = y - last_label_y >= LABEL_GAP
            if fits:
                last_label_y = y
            else:
                hidden += 1
            # Dots that would cover each other step sideways, left and right of the column's middle.
            nudge = 0 if y - last_dot_y >= 8 else (-nudge if nudge > 0 else -nudge + 7)
            last_dot_y = y
            dot_x = round(x + nudge, 1)
            claims = f"{n} claim{'s' if n != 1 else ''}"
            points.append(
                Point(
                    x=dot_x,
                    y=y,
                    r=round(min(4.0 + 2.0 * math.sqrt(n - 1), 10.0), 1),
                    y_low=y_of(lo) if math.isfinite(lo) else y_of(y_min),
                    y_high=y_of(hi) if math.isfinite(hi) else y_of(y_max),
                    label=f.text if len(f.text) <= 14 else compact(f.value or 0.0, unit),
                    label_x=x - 12 if label_end else x + 12,
                    label_end=label_end,
                    show_label=fits,
                    tooltip=f"{f.label}: {f.text} ({format_value(f.value, unit)}) · {period} · {claims}",
                    conflicting=f.conflicting,
                )
            )
    every = max(1, math.ceil(len(periods) / 12))  # at most about 12 period labels under the axis
    x_ticks = [
        Tick(pos=round(LEFT + col_w * (i + 0.5), 1), label=p)
        for i, p in enumerate(periods)
        if i % every == 0 or p == UNDATED
    ]
    count = round((y_max - y_min) / step)
    y_ticks = [Tick(pos=y_of(y_min + k * step), label=compact(y_min + k * step, unit)) for k in range(count + 1)]
    title = UNIT_NAMES.get(unit, unit)
    return Chart(unit, title, WIDTH, HEIGHT, LEFT, RIGHT, TOP, BOTTOM, points, x_ticks, y_ticks, hidden)


def timelines(figs: Sequence[Figure]) -> list[Chart]:
    """One chart per unit among the figures, the unit with the most figures first."""
    units: dict[str, list[Figure]] = {}
    for f in figs:
        if f.value is not None and not f.counterpart:  # another framework's figures are not this one's
            units.setdefault(f.unit, []).append(f)
    charts = [timeline(unit, members) for unit, members in sorted(units.items(), key=lambda u: -len(u[1]))]
    return [c for c in charts if c is not None]
