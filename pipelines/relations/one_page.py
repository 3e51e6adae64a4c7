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

Two figures from different pages get neither: nothing here says how two authors' settings relate.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from pipelines.claims import Claim
from pipelines.quantities.patterns import CHANGE_VERBS
from pipelines.relations.established import place_in, sentences
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
