"""Comparative claims checked against figures: "PyTorch has surpassed TensorFlow in stars" vs 74k and 180k.

A comparative claim says how two subjects stand on one metric (``>``, ``<`` or ``~``) without a number
of its own. The figures of both subjects imply an order, and the comparative agrees or conflicts with it:

* an **absolute** metric (stars, shares, downloads): a figure of each subject, same or unknown period
  and overlapping scope, ordered by their intervals — 74k vs 180k says the first has fewer;
* a **ratio** metric (training or inference speed): a figure *is* a comparison — "PyTorch 3x faster"
  (than TensorFlow, or than an unnamed baseline) orders PyTorch above TensorFlow by itself;
  a figure about the other subject counts reversed.

Intervals come from ``ClaimValue.interval``, with two readings proper to comparisons: an abbreviated
count with a plus ("74k+") is a rounded display, so it stands for 74,000 up to the next displayed step,
not for "any number from 74,000 up" (which could never be ordered against anything); and "up to 77.7%
faster" is still faster, so its ratio starts above 1.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from pipelines.relate import ClaimValue, Relation, scope_words

SIMILAR = 0.10
"""Two values within 10% of each other are "about the same" ("on par", "within a few percent")."""

_WORDS = {">": "more", "<": "less", "~": "about the same"}
_DISPLAY_PLUS = re.compile(r"(\d+(?:[.,]\d+)?)\s*([kKmMbB])\+")
_SCALE = {"k": 1e3, "m": 1e6, "b": 1e9}
_FASTER = re.compile(r"(?i)\b(faster|quicker|speedier)\b")


@dataclass(frozen=True, kw_only=True, slots=True)
class Comparison:
    """A comparative claim: ``subject`` stands ``direction`` to ``other`` on the metric."""

    id: str
    surface: str
    subject: str
    other: str | None
    direction: str
    period: str | None = None
    scope: str | None = None

    def seen_from(self, subject: str) -> str:
        """The direction with ``subject`` first: "TF faster than PyTorch" seen from PyTorch is ``<``."""
        if subject == self.subject or self.direction == "~":
            return self.direction
        return "<" if self.direction == ">" else ">"


@dataclass(frozen=True, kw_only=True, slots=True)
class Figure:
    """A numeric claim as a comparison sees it: whose figure, against which baseline (ratios)."""

    id: str
    subject: str
    baseline: str | None
    value: ClaimValue


def comparison_interval(value: ClaimValue, tolerance: float = 0.05) -> tuple[float, float]:
    """The claim's interval, with "74k+" read as the displayed count (74,000 up to 75,000)."""
    lo, hi = value.interval(tolerance)
    m = _DISPLAY_PLUS.search(value.surface)
    if m and value.comparator in (">=", ">") and math.isinf(hi):
        digits = m.group(1).replace(",", "")
        decimals = len(digits.split(".")[1]) if "." in digits else 0
        step = _SCALE[m.group(2).lower()] * 10**-decimals
        hi = value.value + step
    if value.unit == "ratio" and value.comparator == "up_to" and _FASTER.search(value.surface):
        lo = math.nextafter(1.0, math.inf)  # "up to 77.7% faster" is faster by something up to 77.7%
    return lo, hi


def same_period(a: str | None, b: str | None) -> bool:
    """Unknown, equal, or one inside the other ("2025" holds "2025-Q1")."""
    if not a or not b:
        return True
    return a == b or a.startswith(b + "-") or b.startswith(a + "-")


def _order(a: tuple[float, float], b: tuple[float, float]) -> str | None:
    """How interval ``a`` stands to ``b``: ``~`` when all of both lies within SIMILAR of each other,
    else ``>``/``<`` when disjoint, None when they overlap too loosely to say."""
    top, bottom = max(a[1], b[1]), min(a[0], b[0])
    if bottom > 0 and not math.isinf(top) and top / bottom <= 1 + SIMILAR:
        return "~"
    if a[0] > b[1]:
        return ">"
    if a[1] < b[0]:
        return "<"
    return None


def _verdict(comp: Comparison, implied: str, evidence: str, whom: str) -> Relation:
    said = f"{comp.surface!r} says {comp.subject} has {_WORDS[comp.direction]}"
    said += f" than {comp.other}" if comp.other and comp.direction != "~" else ""
    said += f" (compared with {comp.other})" if comp.other and comp.direction == "~" else ""
    agrees = implied == comp.direction or (implied == "~" and comp.direction != "~")
    if agrees:
        return Relation("agrees", f"{said}; {evidence} fits: {whom}")
    return Relation("conflicts", f"{said}, but {evidence}: {whom}")


def _context(comp: Comparison, values: Sequence[ClaimValue]) -> Relation | None:
    """A different period or population makes the comparison a trend or a matter of scope, not a conflict."""
    periods = {v.period for v in values if v.period}
    if comp.period and periods and not all(same_period(comp.period, p) for p in periods):
        return Relation(
            "trend",
            f"{comp.surface!r} ({comp.period}) and {', '.join(v.surface for v in values)} "
            f"({', '.join(sorted(periods))}): different periods",
        )
    words = scope_words(comp.scope)
    for v in values:
        other = scope_words(v.scope)
        if words and other and not words & other:
            return Relation(
                "different_scope",
                f"{comp.surface!r} vs {v.surface}: different populations ({comp.scope!r} vs {v.scope!r})",
            )
    return None


def check_ratio(comp: Comparison, figures: Sequence[Figure]) -> list[tuple[str, Relation]]:
    """Relate a comparative on a ratio metric (speed) to each ratio figure between the same two subjects."""
    out = []
    for fig in figures:
        if fig.subject == comp.subject and fig.baseline in (comp.other, None):
            flip = False
        elif comp.other and fig.subject == comp.other and fig.baseline in (comp.subject, None):
            flip = True
        else:
            continue
        context = _context(comp, [fig.value])
        if context is not None:
            out.append((fig.id, context))
            continue
        lo, hi = comparison_interval(fig.value)
        if flip:  # the other subject's ratio, seen from the comparative's subject
            lo, hi = (1 / hi if hi > 0 else math.inf), (1 / lo if lo > 0 else math.inf)
        implied = _order((lo, hi), (1.0, 1.0))
        if implied is None:
            continue
        ratio = f"[{lo:.3g}, {hi:.3g}]" if not math.isinf(hi) else f"above {lo:.3g}"
        evidence = f"{fig.value.surface} for {fig.subject}"
        evidence += f" vs {fig.baseline}" if fig.baseline else ""
        evidence += f" puts {comp.subject}/{comp.other or 'baseline'} at {ratio}"
        out.append((fig.id, _verdict(comp, implied, evidence, f"ratio {_WORDS[implied]} than 1")))
    return out


def check_absolute(
    comp: Comparison, mine: Sequence[Figure], theirs: Sequence[Figure]
) -> list[tuple[tuple[str, str], Relation]]:
    """Relate a comparative on an absolute metric (stars, share) to each pair of figures of its two subjects."""
    out = []
    for a in mine:
        for b in theirs:
            if not same_period(a.value.period, b.value.period):
                continue  # figures of different periods do not order the subjects at one time
            wa, wb = scope_words(a.value.scope), scope_words(b.value.scope)
            if wa and wb and not wa & wb:
                continue
            context = _context(comp, [a.value, b.value])
            if context is not None:
                out.append(((a.id, b.id), context))
                continue
            implied = _order(comparison_interval(a.value), comparison_interval(b.value))
            if implied is None:
                continue
            evidence = f"{comp.subject} {a.value.surface} vs {comp.other} {b.value.surface}"
            out.append(((a.id, b.id), _verdict(comp, implied, evidence, f"{comp.subject} has {_WORDS[implied]}")))
    return out


def check_comparisons(first: Comparison, second: Comparison) -> Relation | None:
    """Two comparatives about the same pair of subjects: opposite directions conflict (or make a trend)."""
    if {first.subject, first.other} != {second.subject, second.other} or first.other is None:
        return None
    a, b = first.direction, second.seen_from(first.subject)
    if not same_period(first.period, second.period):
        if a != b:
            return Relation("trend", f"{first.surface!r} ({first.period}) → {second.surface!r} ({second.period})")
        return Relation("agrees", f"{first.surface!r} and {second.surface!r}: same order in both periods")
    if a == b or "~" in (a, b):
        return Relation(
            "agrees", f"{first.surface!r} and {second.surface!r} order {first.subject} and {first.other} alike"
        )
    return Relation(
        "conflicts",
        f"{first.surface!r} says {first.subject} has {_WORDS[a]} than {first.other}; "
        f"{second.surface!r} says the opposite",
    )
