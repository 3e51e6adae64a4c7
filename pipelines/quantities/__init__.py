"""Find number-like mentions in text and normalise them, following ``annotations/README.md`` (schema v2).

Pure functions: every pattern is compiled once at import and a call allocates only match objects.
Every form a claim's value can take is proposed, each with its exact span, its normalised value and the
unit dimension its surface implies (``Quantity.dimension``). Kinds (``Quantity.kind``), with examples:

- ``percent``: "70%", "over 75%", "60+%", "grew 12%" -> 0.7; a share, or a change after a word of change
  ("grew 12%", "a 30% drop", "+12%"), negative after one of decline ("fell 30%" -> -0.3).
- ``share``: "one in four", "8 out of 10", "a quarter of", "half of", "two-thirds" -> 0.25 (share).
- ``ratio``: "3x", "0.85×", "2:1", "three times", "a factor of 32", "an order of magnitude", "25% faster"
  (1.25), "6% worse" (0.94), "3x slower" (1/3), "65% less" / "a 70% reduction" (old / new: 1/0.35).
- ``change``: "doubled" (1.0), "tripled" (2.0).
- ``count``: "74k", "$4.5BHugging…" run-ins, "4.77 million", "all 40", "a dozen", "thousands of", "tens of
  thousands" (at least), "eighty thousand".
- ``number``: a bare number without unit, multiplier or grouping ("410", "2.5"); dimension None.
- ``rate``: "+12/day", "2M downloads per month", "1,200 tokens/s", "9.6GB/sec", "64 a day", "5 rps",
  "600 TFLOPS" -> the count (bytes, operations) per ``per``.
- ``duration``: "0.004s", "12h", "45ms", "2.5 hours", "a three-year lead", "1h 52m", "10 days 10 hours and
  42 minutes", "under a day", "two years later" (a gap), "0:00:00.165" -> seconds, ``time_unit`` as written.
- ``size``: "3.2MB", "16 GiB" -> bytes, ``size_unit`` as written.
- ``money``: "$4.5 million", "NOK 45 million", "€20 a month" (with ``per``).
- ``rank``: "#2", "# 4", "No. 1", "4th", "ranked first", "top 10" (<=), "number one", "第三".
- ``year`` / ``date``: "in 2015", "2010s" (a range); "October 2020", "4 June 2024", "Feb 2016", "Oct '23",
  "2019-09-12", "2020.03.03", "Q3 2023", "first half of 2024" -> the year, ``date`` at full precision.
- ``relative_date``: "last year", "this quarter", "three years ago" -> the signed offset in ``time_unit``
  steps; ``pipelines.context.resolve_relative`` anchors it to a date.
- ``version``, ``ordinal``: "PyTorch 2.1", "ResNet-50"; "3." opening a list item, "## 2". Proposed so that
  nothing else takes their digits, never measures (dimension None).

Numbers listed before one unit share it ("15.5 and 3.1 milliseconds"). Numbers inside URLs, e-mail
addresses, hex ids, phone numbers and clock times are dropped whole. The value span is the comparator
words, the number, its multiplier and unit, and a word that changes the unit ("over 75%", "74k+",
"25.5% faster", "three times faster", "18–25%", "0.004s", "+12/day").
"""

from __future__ import annotations

import bisect
import dataclasses
import functools
import math
import re
from collections.abc import Callable

from pipelines.quantities import dates, numbers
from pipelines.quantities import patterns as P
from pipelines.quantities.numbers import Cand
from pipelines.quantities.units import DURATION_SECONDS, SIZE_BYTES, value_as, written_value
from pipelines.types import Quantity

__all__ = [
    "DURATION_SECONDS",
    "SIZE_BYTES",
    "find_quantities",
    "interval",
    "parse_quantity",
    "value_as",
    "written_value",
]

_Handler = Callable[[re.Match[str], str, bool], list[Cand]]
# (pattern, handler, words one of which the text must hold for the pattern to run at all)
_RECOGNISERS: list[tuple[re.Pattern[str], _Handler, tuple[str, ...]]] = [
    (P.DATE_FULL, dates.date, ()),
    (P.DATE_PART, dates.date_part, ("q1", "q2", "q3", "q4", "h1", "h2", "quarter", "half")),
    (P.RELATIVE, dates.relative, ()),
    (P.RELATIVE_UNIT, dates.relative_unit, ()),
    (P.COMPOUND_DURATION, numbers.compound_duration, ()),
    (P.VERSION, numbers.version, ()),
    (P.ORDINAL, numbers.ordinal, ()),
    (P.RANK, numbers.rank, ()),
    (P.ALL_N, numbers.all_n, ("all",)),
    (P.SHARE, numbers.share, ()),
    (P.DOZEN, numbers.dozen, ("dozen",)),
    (P.ONE_UNIT, numbers.one_unit, ()),
    (P.FRACTION, numbers.fraction, ()),
    (P.MAGNITUDE, numbers.magnitude, ("magnitude",)),
    (P.FACTOR, numbers.factor, ("factor",)),
    (P.WORD_RATIO, numbers.word_ratio, ()),
    (P.RANGE, numbers.range_, ()),
    (P.SINGLE, numbers.single, ()),
    (P.DECADE, dates.decade, ("0s", "0's", "0’s")),
]


def _scan(text: str, strict: bool = True) -> list[Cand]:
    """All recognisers' candidates, minus blocked tokens, resolved to non-overlapping spans."""
    # A "+44 20 ..." run is a phone number only with enough digits ("+5 10" is not).
    blocked = sorted(
        m.span() for rx in P.BLOCKED for m in rx.finditer(text) if m[0][0] != "+" or sum(c.isdigit() for c in m[0]) >= 8
    )
    lowered = text.lower()
    cands = [
        c
        for rx, handler, needles in _RECOGNISERS
        if not needles or any(n in lowered for n in needles)
        for m in rx.finditer(text)
        for c in handler(m, text, strict)
    ]
    cands.sort(key=lambda c: (c[0], -c[1], c[2]))
    chosen: list[Cand] = []
    b, last_end = 0, 0
    for cand in cands:
        start, end = cand[0], cand[1]
        while b < len(blocked) and blocked[b][1] <= start:
            b += 1
        if start < last_end or (b < len(blocked) and blocked[b][0] < end):
            continue
        chosen.append(cand)
        last_end = end
    return chosen


def _to_quantity(text: str, cand: Cand) -> Quantity:
    start, end, _, fields, _ = cand
    return Quantity(start=start, end=end, surface=text[start:end], **fields)


def find_quantities(text: str) -> list[Quantity]:
    """Every number-like mention in ``text``, in order and non-overlapping.

    Args:
        text: Any text, e.g. a whole article's clean view.

    Returns:
        One ``Quantity`` per mention; ``text[q.start:q.end] == q.surface`` holds for each. Version and
        list numbers are included (kinds ``version`` and ``ordinal``): they are recognised so that nothing
        else claims their digits, and the extractor never sends them to the tagger.
    """
    found = _shared_units(text, [_speed_before(text, _to_quantity(text, c)) for c in _scan(text)])
    ends = [q.end for q in found]  # found is sorted and disjoint: ends ascend too
    vague = []
    for m in P.VAGUE_COUNT.finditer(text):
        i = bisect.bisect_right(ends, m.start())
        if i == len(found) or found[i].start >= m.end():
            vague.append(_vague_count(m))
    return sorted(found + vague, key=lambda q: q.start) if vague else found


# "15.5 and 3.1 milliseconds", "7, 8 or 9%": numbers listed before one unit share it.
_LISTED = re.compile(r"[^\S\n]*(?:,|,?[^\S\n]+(?:and|or|vs\.?|versus)|/)[^\S\n]*")
_NUMBER_PART = re.compile(r"[~≈<>]?[^\S\n]*[-+\u2212]?[\d.,\u00a0\u2009\u202f]+")


def _shared_units(text: str, found: list[Quantity]) -> list[Quantity]:
    out = list(found)
    unit = ""  # the unit written after the next number, carried back along the list
    for i in range(len(out) - 2, -1, -1):
        q, nxt = out[i], out[i + 1]
        if nxt.dimension in (None, "count", "date", "rank") or not _LISTED.fullmatch(text, q.end, nxt.start):
            unit = ""
            continue
        number = _NUMBER_PART.match(nxt.surface)
        written = nxt.surface[number.end() :] if number else ""
        unit = written if written.strip() else unit
        if q.kind != "number" or not unit.strip():
            continue
        shared = parse_quantity(q.surface + unit)
        if shared is not None and shared.dimension == nxt.dimension:
            out[i] = dataclasses.replace(shared, start=q.start, end=q.end, surface=q.surface)
    return out


def _speed_before(text: str, q: Quantity) -> Quantity:
    if q.unit != "percent" or q.comparator != "=" or q.kind != "percent":
        return q
    m = P.SPEED_BEFORE.search(text, max(0, q.start - 24), q.start)
    if m is None:
        return q
    slower = m.group(1).lower() == "slower"
    value = 1 - abs(q.value) if slower else 1 + abs(q.value)
    return dataclasses.replace(
        q,
        start=m.start(),
        surface=text[m.start() : q.end],
        value=round(value, 10),
        unit="ratio",
        kind="ratio",
        dimension="ratio",
    )


_VAGUE_VALUE = {"tens": 10.0, "dozens": 24.0, "hundreds": 100.0, "thousands": 1e3, "millions": 1e6, "billions": 1e9}


def _vague_count(m: re.Match[str]) -> Quantity:
    value = _VAGUE_VALUE[m["a"].lower()] * (_VAGUE_VALUE[m["b"].lower()] if m["b"] else 1.0)
    return Quantity(
        start=m.start(),
        end=m.end(),
        surface=m.group(0),
        value=value,
        unit="count",
        comparator=">=",
        kind="count",
        dimension="count",
    )


def parse_quantity(surface: str) -> Quantity | None:
    """Normalise the text of one value span ("over 75%", "74k+", "half", "12h").

    Args:
        surface: The span's text; surrounding whitespace is ignored.

    Returns:
        The quantity covering the whole (stripped) surface with ``start=0, end=len(surface)``,
        or None when the text is not exactly one quantity.
    """
    stripped = surface.strip()
    cands = _scan(stripped, strict=False) if stripped else []
    if len(cands) != 1 or (cands[0][0], cands[0][1]) != (0, len(stripped)):
        return None
    return dataclasses.replace(_to_quantity(stripped, cands[0]), start=0, end=len(surface), surface=surface)


_UNIT_SCALES = tuple(
    sorted({10.0**k for k in range(-12, 13)} | {1024.0**k for k in range(1, 5)} | {60.0, 3600.0, 86400.0})
)


def _unit_scale(ratio: float) -> float:
    """The unit conversion a value went through (1e-3 for ms -> s, 1024**3 for GiB, 3600 for h), or 1 when the
    ratio is not one: "faster by 2%" is 1.02 from 0.02, a reading, not a change of unit."""
    r = abs(ratio)
    for scale in _UNIT_SCALES:
        if math.isclose(r, scale, rel_tol=1e-9):
            return scale
    return 1.0


@functools.lru_cache(maxsize=8192)
def _rounding(surface: str, value: float | None = None) -> float:
    """Rounding step of the number as written (70% -> 0.01, 74k -> 1000, 8.41% -> 0.0001, 2.5h -> 360 s).

    ``value``: the quantity's normalised value when its unit came from elsewhere (a table cell "16.78"
    under "Time (us)" is 1.678e-05 s): the step is scaled as the value was (0.01 us, not 0.01 s)."""
    stripped = surface.strip()
    cands = _scan(stripped, strict=False) if stripped else []
    if cands:
        cand = max(cands, key=lambda c: c[1] - c[0])
        step, parsed = cand[4], cand[3].get("value")
        if value is not None and parsed and value != parsed and math.isfinite(value):
            step *= _unit_scale(value / parsed)
        return step
    digits = re.search(r"\d+(?:\.(\d+))?", surface)
    return 10.0 ** -len(digits[1] or "") if digits else 0.0


_EXACT_KINDS = frozenset({"year", "date", "relative_date", "rank", "version", "ordinal"})


def interval(q: Quantity, *, tolerance: float = 0.05) -> tuple[float, float]:
    """The closed interval of values a quantity is consistent with.

    Args:
        q: A quantity from ``find_quantities`` or ``parse_quantity``.
        tolerance: Relative half-width for approximate values ("~").

    Returns:
        ``(low, high)``. "=" is widened by half the written rounding step; "~" by the larger of
        ``tolerance * |value|`` and that; open ends use ``math.nextafter``; a share tops out at 1.0.
    """
    v = q.value
    if q.comparator == "range":
        return v, q.value_high if q.value_high is not None else v
    exact = q.kind in _EXACT_KINDS or q.unit == "year"
    half = 0.0 if exact else _rounding(q.surface, v) / 2
    upper = 1.0 if q.unit == "percent" and v < 1 and q.dimension != "change" else math.inf
    lower = 0.0 if v >= 0 else -math.inf
    if q.comparator == "~":
        # Relative tolerance makes no sense for a calendar year (±100 years); a year is ±1.
        width = 1.0 if q.unit == "year" else max(tolerance * abs(v), half)
        return v - width, v + width
    if q.comparator == ">":
        return math.nextafter(v, math.inf), upper
    if q.comparator == ">=":
        return v, upper
    if q.comparator == "<":
        return lower, math.nextafter(v, -math.inf)
    if q.comparator == "<=":
        return lower, v
    if q.comparator == "up_to":
        return math.nextafter(0.0, 1.0), v
    return v - half, v + half
