"""Recognisers of dates, quarters, decades and relative dates ("last year", "three years ago").

Dates keep the precision they are written with: "4 June 2024" -> ``2024-06-04``, "Feb 2016" ->
``2016-02``, "Q3 2023" -> ``2023-Q3``; the value is the year. An impossible day ("Feb 30, 2025") keeps
the month. A relative date's value is its signed offset in ``time_unit`` steps from the date it is
relative to; ``pipelines.context.resolve_relative`` anchors it.
"""

from __future__ import annotations

import datetime as dt
import re

from pipelines.quantities import patterns as P
from pipelines.quantities.numbers import ORD_N, Cand, comparator, comparator_before, number_of
from pipelines.quantities.units import DURATION_SECONDS, TIME_MULTIPLE, TIME_WORDS

MONTHS = {m: i + 1 for i, m in enumerate("jan feb mar apr may jun jul aug sep oct nov dec".split())}
_NUMERIC_YMD = re.compile(r"(\d{4})[-./](\d{1,2})[-./](\d{1,2})")
_NUMERIC_MDY = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
_YEAR = re.compile(rf"(?<!\d){P.YR}(?!\d)|['’](\d\d)(?!\d)")
_DAY = re.compile(r"(?<![\d'’])(\d{1,2})(?:st|nd|rd|th)?(?!\d)")
_RELATIVE_OFFSET = {"last": -1, "previous": -1, "this": 0, "current": 0, "next": 1}


def two_digit_year(yy: str) -> int:
    """'23 -> 2023, '98 -> 1998."""
    n = int(yy)
    return 2000 + n if n < 50 else 1900 + n


def _iso(year: int, month: int, day: int | None) -> str | None:
    if not 1 <= month <= 12:
        return None
    if day is None:
        return f"{year}-{month:02d}"
    try:
        return dt.date(year, month, day).isoformat()
    except ValueError:
        return None


def parse_date(surface: str) -> tuple[int, str] | None:
    """(year, ISO date at the written precision) of a span the date pattern matched, or None."""
    s = " ".join(surface.split())
    if m := _NUMERIC_YMD.fullmatch(s):
        iso = _iso(int(m[1]), int(m[2]), int(m[3]))
        return (int(m[1]), iso) if iso else None
    if m := _NUMERIC_MDY.fullmatch(s):
        a, b, year = int(m[1]), int(m[2]), int(m[3])
        iso = _iso(year, a, b) or _iso(year, b, a)  # month first, as US pages write it, else day first
        return (year, iso) if iso else None
    name = re.search(r"[A-Za-z]{3}", s)
    year_m = _YEAR.search(s)
    if year_m is None and (bracketed := re.fullmatch(r"([A-Za-z]{3})[a-z]*\.?\s?(\d\d)", s)):
        s = f"{bracketed[1]} '{bracketed[2]}"  # "[Apr 25]": April 2025
        year_m = _YEAR.search(s)
    if name is None or year_m is None or name[0].lower() not in MONTHS:
        return None
    year = int(year_m[0]) if year_m[1] is None else two_digit_year(year_m[1])
    month = MONTHS[name[0].lower()]
    day_m = _DAY.search(s[: year_m.start()] + " " + s[year_m.end() :])
    day = int(day_m[1]) if day_m else None
    # An impossible day ("February 30") keeps the month.
    iso = _iso(year, month, day) or _iso(year, month, None)
    return (year, iso) if iso else None


def date(m: re.Match[str], text: str, strict: bool) -> list[Cand]:
    parsed = parse_date(m[0])
    if parsed is None:
        return []
    year, iso = parsed
    fields = {"value": float(year), "unit": "year", "kind": "date", "dimension": "date", "date": iso}
    return [(m.start(), m.end(), 0, fields, 0.0)]


def date_part(m: re.Match[str], text: str, strict: bool) -> list[Cand]:
    raw = m["y1"] or m["y2"] or m["y3"]
    year = int(raw) if len(raw) == 4 else two_digit_year(raw)
    if m["qw"]:
        n = ORD_N[m["qw"].lower()]
        part = f"{'H' if m['qh'].lower() == 'half' else 'Q'}{n}"
    else:
        part = (m["p1"] or m["p2"]).upper()
    if part[0] == "H" and part[1] not in "12":
        return []
    fields = {"value": float(year), "unit": "year", "kind": "date", "dimension": "date", "date": f"{year}-{part}"}
    return [(m.start(), m.end(), 0, fields, 0.0)]


def decade(m: re.Match[str], text: str, strict: bool) -> list[Cand]:
    d = float(m["d"])
    fields = {
        "value": d,
        "value_high": d + 9,
        "unit": "year",
        "kind": "year",
        "dimension": "date",
        "comparator": "range",
    }
    return [(m.start(), m.end(), 9, fields, 0.0)]


def relative(m: re.Match[str], text: str, strict: bool) -> list[Cand]:
    """ "last year", "this quarter": a date relative to the document's."""
    fields = {
        "value": float(_RELATIVE_OFFSET[m["rel"].lower()]),
        "unit": "year",
        "kind": "relative_date",
        "dimension": "date",
        "time_unit": m["ru"].lower(),
    }
    return [(m.start(), m.end(), 0, fields, 0.0)]


def relative_unit(m: re.Match[str], text: str, strict: bool) -> list[Cand]:
    """ "three years ago" is a relative date; "two years later" a gap (a duration)."""
    count = P.COUNT_BEFORE.search(text, max(0, m.start() - 48), m.start())
    if count is None:
        return []
    token = count["n"].lower()
    n = float(token) if token[0].isdigit() else number_of(token)
    if not n:
        return []
    start, pre = comparator_before(text, count.start())
    word = m["nu"].lower()
    code = TIME_WORDS[word]
    steps = n * TIME_MULTIPLE.get(word, 1)
    comp = comparator(pre)
    if m["dir"].lower() == "ago":
        fields = {"value": -steps, "unit": "year", "kind": "relative_date", "dimension": "date", "time_unit": code}
        return [(start, m.end(), 0, fields | {"comparator": comp}, 0.0)]
    seconds = steps * DURATION_SECONDS[code]
    fields = {"value": seconds, "unit": "other", "kind": "duration", "dimension": "duration", "time_unit": code}
    fields["comparator"] = comp
    return [(start, m.end(), 0, fields, DURATION_SECONDS[code] * TIME_MULTIPLE.get(word, 1))]
