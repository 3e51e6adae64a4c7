"""The values of a cluster over time as plain geometry; the template draws it as inline SVG.

No chart library and no script: a column per period (undated claims last), a dot per claim at its
value, a whisker over its interval (``~80%`` and ``over 75%`` are ranges, see ``pipelines.relate``),
and the value as written next to it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from pipelines.relate import ClaimValue

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 56, 16, 16, 36
UNDATED = "undated"


def format_value(value: float | None, unit: str) -> str:
    """A normalised value in words a reader expects: 0.7 percent -> "70%", 1.255 ratio -> "1.25×"."""
    if value is None or math.isnan(value):
        return "–"
    if math.isinf(value):
        return "∞" if value > 0 else "−∞"
    if unit == "percent":
        return f"{value * 100:.4g}%"
    if unit == "ratio":
        return f"{value:.3g}×"
    if unit == "year":
        return str(int(value))
    if unit == "rank":
        return f"#{int(value)}"
    if unit == "usd":
        return f"${value:,.0f}"
    if unit == "count":
        return f"{value:,.0f}"
    return f"{value:.4g}"


@dataclass(frozen=True, slots=True)
class Point:
    x: float
    y: float
    y_low: float
    y_high: float
    label: str
    letter: str
    conflicting: bool
    label_left: bool
    """Label on the left of the dot, so that it stays inside the chart near the right edge."""


@dataclass(frozen=True, slots=True)
class Tick:
    pos: float
    label: str


@dataclass(frozen=True, slots=True)
class Chart:
    width: int
    height: int
    left: int
    right: int
    top: int
    bottom: int
    points: list[Point]
    x_ticks: list[Tick]
    y_ticks: list[Tick]
    unit: str


def _nice_step(span: float, target: int = 4) -> float:
    raw = span / target
    magnitude = 10 ** math.floor(math.log10(raw))
    return next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)


def timeline(claims: list[dict], letters: dict[str, str], conflicting: set[str]) -> Chart | None:
    """Chart geometry for a cluster's claims (``cluster_views`` shape); None when no claim has a number."""
    rows = []
    for c in claims:
        if c.get("value") is None:
            continue
        cv = ClaimValue(
            surface=c["value_text"],
            value=c["value"],
            value_high=c.get("value_high"),
            unit=c["unit"],
            comparator=c["comparator"],
            period=c.get("time"),
        )
        lo, hi = cv.interval()
        rows.append((c, lo, hi))
    if not rows:
        return None
    unit = rows[0][0]["unit"]
    finite = [v for c, lo, hi in rows for v in (c["value"], lo, hi) if math.isfinite(v)]
    y_min, y_max = min(finite), max(finite)
    if unit != "year" and y_min >= 0:
        y_min = 0.0
    if y_max == y_min:
        y_max = y_min + (abs(y_min) or 1.0)
    step = _nice_step(y_max - y_min)
    y_min = math.floor(y_min / step) * step
    y_max = math.ceil(y_max / step) * step

    periods = sorted({str(c.get("time")) for c, _, _ in rows if c.get("time")})
    if any(not c.get("time") for c, _, _ in rows):
        periods.append(UNDATED)
    plot_w = WIDTH - LEFT - RIGHT
    plot_h = HEIGHT - TOP - BOTTOM
    col_w = plot_w / len(periods)

    def y_of(v: float) -> float:
        v = min(max(v, y_min), y_max)
        return TOP + plot_h * (1 - (v - y_min) / (y_max - y_min))

    by_col: dict[str, list[tuple[dict, float, float]]] = {}
    for row in rows:
        by_col.setdefault(str(row[0].get("time") or UNDATED), []).append(row)
    points = []
    for ci, period in enumerate(periods):
        members = sorted(by_col.get(period, []), key=lambda r: r[0]["value"])
        for j, (c, lo, hi) in enumerate(members):
            # Claims of one period sit side by side in their column instead of on top of each other.
            x = LEFT + col_w * ci + col_w * (j + 1) / (len(members) + 1)
            points.append(
                Point(
                    x=round(x, 1),
                    y=round(y_of(c["value"]), 1),
                    y_low=round(y_of(lo), 1),
                    y_high=round(y_of(hi), 1),
                    label=c["value_text"],
                    letter=letters.get(c["claim_id"], ""),
                    conflicting=c["claim_id"] in conflicting,
                    label_left=x > WIDTH - RIGHT - 150,
                )
            )
    x_ticks = [Tick(pos=round(LEFT + col_w * (i + 0.5), 1), label=p) for i, p in enumerate(periods)]
    count = round((y_max - y_min) / step)
    y_ticks = [
        Tick(pos=round(y_of(y_min + k * step), 1), label=format_value(y_min + k * step, unit)) for k in range(count + 1)
    ]
    return Chart(WIDTH, HEIGHT, LEFT, RIGHT, TOP, BOTTOM, points, x_ticks, y_ticks, unit)
