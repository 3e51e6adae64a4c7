"""Text cut into pieces for highlighting, so templates can wrap spans without ever marking user text safe.

A page gets a list of ``Block``s: runs of text that are inside one outer span (a claim's sentence) or
outside every one, each cut into ``Piece``s that are inside an inner span (a claim's value) or not.
Templates escape every piece's text (Jinja autoescape) and add the tags around it; nothing here
produces HTML.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Mark:
    """A span to highlight: half-open offsets into the text, and what to say about it."""

    start: int
    end: int
    anchor: str = ""
    """Element id for links to this place (``m-<mention id>``); empty for none."""
    title: str = ""
    """Tooltip: the claim in words."""


@dataclass(frozen=True, slots=True)
class Piece:
    text: str
    mark: Mark | None = None


@dataclass(slots=True)
class Block:
    mark: Mark | None
    pieces: list[Piece] = field(default_factory=list)


def _first_covering(marks: Sequence[Mark], start: int, end: int) -> Mark | None:
    return next((m for m in marks if m.start <= start and end <= m.end), None)


def blocks(text: str, outer: Sequence[Mark], inner: Sequence[Mark], lo: int = 0, hi: int | None = None) -> list[Block]:
    """``text[lo:hi]`` cut at every span boundary, grouped by outer span, pieces tagged by inner span.

    Overlapping spans never produce crossed tags: each elementary run of characters belongs to at most
    one outer and one inner span (the first that covers it, in the order given).
    """
    hi = len(text) if hi is None else hi
    lo = max(0, min(lo, hi))
    outer = [m for m in outer if m.start < hi and m.end > lo and m.end > m.start]
    inner = [m for m in inner if m.start < hi and m.end > lo and m.end > m.start]
    cuts = {lo, hi}
    for m in (*outer, *inner):
        cuts.update(p for p in (m.start, m.end) if lo < p < hi)
    points = sorted(cuts)
    out: list[Block] = []
    for start, end in zip(points, points[1:], strict=False):
        o = _first_covering(outer, start, end)
        i = _first_covering(inner, start, end)
        if not out or out[-1].mark is not o:
            out.append(Block(mark=o))
        pieces = out[-1].pieces
        if pieces and pieces[-1].mark is i:
            pieces[-1] = Piece(text=pieces[-1].text + text[start:end], mark=i)
        else:
            pieces.append(Piece(text=text[start:end], mark=i))
    return out


def context_window(text: str, start: int, end: int, chars: int = 280) -> tuple[int, int]:
    """About ``chars`` characters on either side of ``[start, end)``, widened to whole words."""
    lo = max(0, start - chars)
    hi = min(len(text), end + chars)
    if lo > 0:
        space = text.find(" ", lo, start)
        lo = space + 1 if space != -1 else lo
    if hi < len(text):
        space = text.rfind(" ", end, hi)
        hi = space if space != -1 else hi
    return lo, hi
