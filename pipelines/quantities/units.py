"""Unit tables: time units in seconds, sizes in bytes, rate periods, and conversions between dimensions.

The factors are those of ``annotations/README.md`` (a month is 1/12 of a Gregorian year), so a candidate's
``value`` is in the same unit as a gold claim's built ``value``: durations in seconds, sizes in bytes.
"""

from __future__ import annotations

import math
import re

from pipelines.types import Quantity

YEAR_SECONDS = 31556952.0
DURATION_SECONDS = {
    "ns": 1e-9,
    "us": 1e-6,
    "ms": 0.001,
    "s": 1.0,
    "min": 60.0,
    "h": 3600.0,
    "day": 86400.0,
    "week": 604800.0,
    "month": YEAR_SECONDS / 12,
    "year": YEAR_SECONDS,
}
"""Seconds per ``Quantity.time_unit`` (the annotation codes, plus ``ns`` and ``us``)."""
SIZE_BYTES = {
    "B": 1,
    "KB": 10**3,
    "MB": 10**6,
    "GB": 10**9,
    "TB": 10**12,
    "PB": 10**15,
    "KiB": 2**10,
    "MiB": 2**20,
    "GiB": 2**30,
    "TiB": 2**40,
}
"""Bytes per ``Quantity.size_unit``."""

# Spellings -> time unit code. Case-sensitive short forms ("ms", "h") are matched by the patterns.
TIME_WORDS = {
    "ns": "ns",
    "nanosecond": "ns",
    "nanoseconds": "ns",
    "us": "us",
    "µs": "us",
    "μs": "us",
    "microsecond": "us",
    "microseconds": "us",
    "ms": "ms",
    "msec": "ms",
    "msecs": "ms",
    "millisecond": "ms",
    "milliseconds": "ms",
    "s": "s",
    "sec": "s",
    "secs": "s",
    "second": "s",
    "seconds": "s",
    "m": "min",
    "min": "min",
    "mins": "min",
    "minute": "min",
    "minutes": "min",
    "h": "h",
    "hr": "h",
    "hrs": "h",
    "hour": "h",
    "hours": "h",
    "d": "day",
    "day": "day",
    "days": "day",
    "wk": "week",
    "wks": "week",
    "week": "week",
    "weeks": "week",
    "mo": "month",
    "month": "month",
    "months": "month",
    "yr": "year",
    "yrs": "year",
    "year": "year",
    "years": "year",
    "decade": "year",
    "decades": "year",
}
# A decade is counted in years: "a decade" -> 10 years.
TIME_MULTIPLE = {"decade": 10, "decades": 10}
PERIOD_WORDS = {
    "s": "second",
    "sec": "second",
    "second": "second",
    "min": "minute",
    "minute": "minute",
    "h": "hour",
    "hr": "hour",
    "hour": "hour",
    "d": "day",
    "day": "day",
    "wk": "week",
    "week": "week",
    "mo": "month",
    "month": "month",
    "yr": "year",
    "year": "year",
    "annum": "year",
}
"""Spellings of a rate's period -> ``Quantity.per`` (one of ``catalogue.RATE_PERIODS``)."""
_LESS_END = re.compile(r"(?i)(?:less|lower|smaller|reductions?)$")
SI_PREFIX = {"": 1.0, "K": 1e3, "k": 1e3, "M": 1e6, "G": 1e9, "T": 1e12, "P": 1e15, "E": 1e18}


def size_unit(spelling: str) -> str:
    """The size unit code of a spelling ("kB" -> "KB", "gib" -> "GiB")."""
    s = spelling.strip()
    if s[1:2].lower() == "i":
        return s[0].upper() + "iB"
    return s[0].upper() + "B" if len(s) > 1 else "B"


def written_value(q: Quantity) -> float:
    """The number as written: a duration in its own ``time_unit``, a size in its ``size_unit``.

    ``Quantity.value`` holds durations in seconds and sizes in bytes (the annotations' built values);
    this gives back the annotation's ``num`` ("12h" -> 12.0).
    """
    if q.time_unit and q.dimension == "duration":
        return q.value / DURATION_SECONDS[q.time_unit]
    if q.size_unit and q.dimension == "size":
        return q.value / SIZE_BYTES[q.size_unit]
    return q.value


def value_as(q: Quantity, dimension: str) -> float | None:
    """The quantity's value read in another dimension, where the conventions define the conversion.

    A percentage is a share (0.7) or a relative change (+0.12); a ratio ``r`` is the change ``r - 1`` and
    back ("25% faster" = ratio 1.25 = change 0.25); a count or a bare number stays itself. None when the
    reading makes no sense (a date as a share, a duration as a count).

    Args:
        q: A candidate quantity.
        dimension: The dimension a decoder settled on (``catalogue.DIMENSIONS``).
    """
    have = q.dimension
    if have == dimension or math.isnan(q.value):
        return q.value
    if have is None and dimension in ("count", "share", "rank", "money", "ratio"):
        return q.value
    if have == "share" and dimension == "change":
        return q.value
    if have == "change" and dimension == "share":
        return abs(q.value)  # "a 2% drop" is a share of 0.02 of what it drops from
    if have == "ratio" and dimension == "change":
        # "25% faster" (1.25) is +0.25; "65% less" (old/new = 1/0.35) is -0.65.
        return 1 / q.value - 1 if _LESS_END.search(q.surface) and q.value else q.value - 1
    if have == "change" and dimension == "ratio":
        return q.value + 1
    if have in (None, "count") and dimension == "rate":
        return q.value  # a count per a period the words around it give ("monthly downloads: 6,000")
    return None
