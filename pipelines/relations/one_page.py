"""Two different figures of one property on one page: a change, or different settings — not a contradiction.

A page that gives two values of one property almost always lists them for different settings (rows of a
benchmark, model sizes, hardware, before and after an optimisation) or tells of a change ("from 198 ms to
85 ms", "70%, up from 62%"); it seldom contradicts itself. Of the 1,252 labelled pairs of gold groups whose
two claims share a page (`annotations/groups/`), 2 are conflicts (one in each annotator's file); the others
are differences of settings, agreements and changes. So when the
period and population of such a pair are not established alike (``pipelines.relations.established``):

* one sentence that tells of a change from one figure to the other ("fell from X to Y", "X → Y", "Y, up
  from X") makes a ``trend`` — the figure the change ends at supersedes the other; "from X to Y" without a
  word of change before it, or in a sentence of ranges ("vary from 1.5x for small models to 3x"), is not;
* otherwise the pair is explained by ``different_scope``: the page speaks of two settings, cases or
  events that the extracted scope did not name.

The same holds before agreement (``restated``): a page writes each figure to the precision it means, so two
figures of one page agree only when one is the other stated again — the same figure, the other rounded
coarser (198 ms and 198.3 ms), or a hedge, bound or range that holds the other's value ("up to 16.5%" over
the table's 16.48%; "2-3x in the best cases" over 2x), or one number hedged twice ("about 10x" and "up to
10x"; not "at least 2x" and "up to 2x", bounds pointing apart). Two figures both written exactly (260 h and
259 h; 0.87x and 0.88x), or both loosely around different numbers (up to 7% for one fusion, up to 15% for
another; 2-4x and 3-5x), are two figures, whatever rounding would allow between two pages. Of the
labelled same-page pairs of gold groups that rounding and bounds make compatible, 117 are differences of
settings and 62 agreements; this test tells most of them apart (16 errors each way over all same-page
pairs of two distinct figures).

Two figures from different pages get neither: nothing here says how two authors' settings relate.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

from pipelines.claims import Claim, Comparator
from pipelines.quantities.patterns import CHANGE_VERBS
from pipelines.relations.established import place_in, sentences
from pipelines.relations.intervals import overlap
from pipelines.relations.measurements import TWO_SETUPS, measured

ONE_PAGE = "both given by one page, for different settings or cases"
ONE_SENTENCE = "stated side by side in one sentence, for different settings or cases"

_ARROW = r"(?:→|->|⟶|=>|➜)"
_HEDGE = r"(?:about|around|roughly|~|just|only|over)?"
_FROM_BEFORE = re.compile(rf"\bfrom\s*{_HEDGE}\s*$", re.I)
"""Just before the first figure: "from" (reduced from 198 ms to 85 ms)."""
_TO_BETWEEN = re.compile(rf"^\W*(?:\w+\W+){{0,4}}?(?:to|{_ARROW})\s*{_HEDGE}\s*$", re.I)
"""Between the figures after "from": a few words then "to" or an arrow (from 62% in 2022 to 70%)."""
_CHANGE = re.compile(
    rf"(?i)\b(?:{CHANGE_VERBS}|went|go(?:es)?|moved?|reduc\w*|cut(?:s|ting)?|sank|changed?|doubled|tripled|halved)\b"
)
"""A word of change before "from … to …": without one, "from 8 to 64" is a range."""
_RANGE = re.compile(r"(?i)\b(?:rang\w*|var(?:y|ies|ied|ying)|between|depending|depends|across|spans?)\b")
"""Words of a range: "speed-ups vary from 1.5x for small models to 3x for large ones"."""
_ARROW_BETWEEN = re.compile(rf"^\W*{_ARROW}\W*$")
"""Only an arrow between the figures: 198ms → 85ms."""
_UP_FROM_BETWEEN = re.compile(
    rf"^\W*(?:\w+\W+){{0,2}}?(?:{CHANGE_VERBS}|reduc\w*|cut)\s+from\s*{_HEDGE}\s*$",
    re.I,
)
"""Between the figures: "up from" / "down from" / "increased from" before the earlier one (70%, up from 62%)."""


def change_between(a: Claim, b: Claim) -> tuple[Claim, Claim] | None:
    """(earlier, later) when a sentence both claims are stated in tells of a change from one to the other."""
    if not (a.value_text and b.value_text) or a.value_text == b.value_text:
        return None
    for sentence in sorted(sentences(a) & sentences(b)):
        at_a, at_b = place_in(sentence, a.value_text), place_in(sentence, b.value_text)
        if at_a is None or at_b is None:
            continue
        (first, at_first), (second, at_second) = sorted(((a, at_a), (b, at_b)), key=lambda x: x[1])
        end_first = at_first + len(first.value_text)
        if end_first > at_second:
            continue
        between = sentence[end_first:at_second]
        before = sentence[max(0, at_first - 40) : at_first]
        if _RANGE.search(sentence):
            continue
        if _FROM_BEFORE.search(before) and _TO_BETWEEN.search(between) and _CHANGE.search(sentence[:at_first]):
            return first, second
        if _ARROW_BETWEEN.search(between):
            return first, second
        if _UP_FROM_BETWEEN.search(between):
            return second, first
    return None


LOOSE = frozenset(
    {Comparator.APPROX, Comparator.GT, Comparator.GE, Comparator.LT, Comparator.LE, Comparator.UP_TO, Comparator.RANGE}
)
"""Comparators of a figure stated loosely: a hedge, a bound or a range."""


def restated(a: Claim, b: Claim, interval_a: tuple[float, float], interval_b: tuple[float, float]) -> bool:
    """Whether two figures of one page whose intervals overlap are one figure stated twice (see the module's
    docstring): the same figure or number, or one figure's value inside the other's interval, unless both
    are stated loosely."""
    if a.value == b.value and a.comparator == b.comparator and a.value_high == b.value_high:
        return True
    loose_a, loose_b = a.comparator in LOOSE, b.comparator in LOOSE
    if loose_a and loose_b:  # one number hedged twice ("about 10x", "up to 10x"), else two figures
        same_number = a.value == b.value and _high(a) == _high(b)
        return same_number and (_bound(a) == _bound(b) or None in (_bound(a), _bound(b)))
    if loose_a or loose_b:  # the loose one holds the exact one's value ("under 70%" never holds 70%)
        return _holds(interval_a, b) if loose_a else _holds(interval_b, a)
    return _holds(interval_a, b) or _holds(interval_b, a)  # the coarser rounding holds the finer value


def _bound(claim: Claim) -> str | None:
    """Which way a bound points ("at least 2x": above; "up to 2x": below); None for a hedge or a range."""
    if claim.comparator in (Comparator.GT, Comparator.GE):
        return "above"
    if claim.comparator in (Comparator.LT, Comparator.LE, Comparator.UP_TO):
        return "below"
    return None


def _high(claim: Claim) -> float | None:
    """The upper end a range states; None for any other figure."""
    return claim.value_high if claim.comparator is Comparator.RANGE else None


def _holds(interval: tuple[float, float], claim: Claim) -> bool:
    """Whether an interval holds a claim's value (both ends, when it is a range)."""
    if claim.value is None or math.isnan(claim.value):
        return False
    values = [claim.value]
    if claim.comparator is Comparator.RANGE and claim.value_high is not None and not math.isnan(claim.value_high):
        values.append(claim.value_high)
    return all(overlap(interval, (v, v)) for v in values)


def settings_apart(claim: Claim, others: Sequence[Claim], *, same_document: bool) -> str | None:
    """Why a claim and others it disagrees with, not established alike, are different settings rather than
    unresolved: one page gives them all (``ONE_PAGE``), or all are benchmark measurements of their own setups
    (``measurements.TWO_SETUPS``); None otherwise. The one rule of every relater (figures, comparisons)."""
    if not others:
        return None
    if same_document:
        return ONE_PAGE
    if all(measured(claim, other) for other in others):
        return TWO_SETUPS
    return None
