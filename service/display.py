"""Numbers as people read them, for the web pages and the command line: ``70%``, ``1.25×``, ``74k``, ``$1.2M``.

Stored values are normalised (70% is 0.7, "74k stars" is 74000); these functions turn them back into
words. ``format_value`` keeps every digit that matters; ``compact`` is for axis ticks and short cells.
"""

from __future__ import annotations

import math
import re

SUFFIXES = ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k"))
_SCIENTIFIC = re.compile(r"(?<![\w.])-?\d+(?:\.\d+)?e[+-]\d+(?![\w.])")


def _trim(number: float, digits: int = 3) -> str:
    """``number`` with up to ``digits`` significant digits and no exponent: 0.5, 12, 1250, 0.00012."""
    if number == 0:
        return "0"
    text = f"{number:.{digits}g}"
    if "e" in text:  # 1.25e+06 -> 1250000; 1.2e-05 -> 0.000012
        text = f"{number:.{max(0, digits - 1 - math.floor(math.log10(abs(number))))}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def short_number(number: float) -> str:
    """A count in a few characters: 950, 74k, 1.2M, 3B."""
    size = abs(number)
    for scale, suffix in SUFFIXES:
        if size >= scale:
            return f"{_trim(number / scale)}{suffix}"
    return _trim(number)


def format_value(value: float | None, unit: str) -> str:
    """A normalised value as a reader expects it: 0.7 percent -> "70%", 1.255 ratio -> "1.25×"."""
    if value is None or math.isnan(value):
        return "–"
    if math.isinf(value):
        return "∞" if value > 0 else "−∞"
    if unit == "percent":
        return f"{_trim(value * 100, 4)}%"
    if unit == "ratio":
        return f"{_trim(value)}×"
    if unit == "year":
        return str(int(value))
    if unit == "rank":
        return f"#{int(value)}"
    if unit in ("usd", "money"):
        return f"${value:,.0f}" if abs(value) >= 1 else f"${_trim(value)}"
    if unit == "count":
        return f"{value:,.0f}" if abs(value) >= 1 else _trim(value)
    return _trim(value, 4)


def compact(value: float, unit: str) -> str:
    """A value in a few characters, for chart axes: "40%", "74k", "1.2M", "$3M", "2×", "2024"."""
    if math.isnan(value):
        return "–"
    if unit == "percent":
        return f"{_trim(value * 100)}%"
    if unit == "ratio":
        return f"{_trim(value)}×"
    if unit == "year":
        return str(int(round(value)))
    if unit == "rank":
        return f"#{_trim(value)}"
    if unit in ("usd", "money"):
        return f"${short_number(value)}"
    return short_number(value)


def _readable_number(match: re.Match[str]) -> str:
    number = float(match.group(0))
    return f"{number:,.0f}" if abs(number) >= 1 else f"{number:.4g}"


def readable_reason(reason: str) -> str:
    """A relation's reason as a person reads it: no exponent notation ("[1.349e+04, …]" -> "[13,490, …]")."""
    return _SCIENTIFIC.sub(_readable_number, reason or "")
