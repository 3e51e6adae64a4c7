"""Comparing the ends of two figures' intervals, float error aside: the one place that decides when two
intervals touch. ``numeric_pair`` relates figures with it and ``one_page`` tests restatements with it."""

from __future__ import annotations

import math

EPSILON = 1e-9
"""Relative slack when comparing interval ends: float error, never a real difference of figures."""


def below(high: float, low: float) -> bool:
    """Whether an interval ending at ``high`` lies wholly below one starting at ``low`` (beyond float error)."""
    if math.isnan(high) or math.isnan(low):
        return False
    slack = EPSILON * max(abs(high), abs(low), 1e-12) if not (math.isinf(high) or math.isinf(low)) else 0.0
    return high + slack < low


def overlap(a: tuple[float, float], b: tuple[float, float]) -> bool:
    """Whether two closed intervals share a value, within float error."""
    return not below(a[1], b[0]) and not below(b[1], a[0])
