"""Headings of a text and, for any position, the headings it stands under (its section path).

Found in the clean view: Markdown ATX headings (``## Results``, level = number of ``#``), setext headings
(a line underlined with ``===``, level 1, or ``---``, level 2), HTML ``<h1>``–``<h6>`` written in the text,
the spans ``pipelines.ingest`` recorded for an HTML page's heading elements, and — only in a text that has
none of those — short title-like lines (a capitalised line of at most ten words without closing
punctuation, between a blank line or the start and more text), which plain web-page text uses as headings
(level 7, below every marked level). Nothing inside a fenced code block or a front-matter block counts.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

# Each written so that matching is linear in the text: the ATX text is greedy (its closing #s are stripped
# after), the setext line's first part cannot overlap its \S, and an HTML heading's text is bounded.
_ATX = re.compile(r"(?m)^[^\S\n]{0,3}(?P<hashes>#{1,6})[^\S\n]+(?P<text>[^\n]*)$")
_SETEXT = re.compile(r"(?m)^(?P<text>[^\S\n]*\S[^\n]*)\n[^\S\n]{0,3}(?P<rule>=+|-{2,})[^\S\n]*$")
_HTML_H = re.compile(r"(?is)<h(?P<level>[1-6])\b[^>]*>(?P<text>.{0,500}?)</h(?P=level)\s*>")
_FENCE = re.compile(r"(?m)^[^\S\n]*(```|~~~)[^\n]*\n.*?(?:^[^\S\n]*\1[^\S\n]*$|\Z)", re.S)
_FRONT_MATTER = re.compile(r"\A(?:---|\+\+\+)[^\S\n]*\n.*?\n(?:---|\+\+\+)[^\S\n]*(?:\n|\Z)", re.S)
_TAG = re.compile(r"<[^>]+>")
_LIST_OR_QUOTE = re.compile(r"^\s*(?:[-*+•>]|\d{1,3}[.)])\s")
TITLE_LINE_LEVEL = 7


@dataclass(frozen=True, kw_only=True, slots=True)
class Heading:
    """One heading: ``text`` is its words (markup removed); ``start``/``end`` the span of those words."""

    start: int
    end: int
    level: int
    text: str
    source: str
    """``markdown``, ``setext``, ``html`` (in the text), ``page`` (an HTML page's heading element) or ``line``."""


def _blocked_ranges(text: str) -> list[tuple[int, int]]:
    ranges = [m.span() for m in _FENCE.finditer(text)]
    front = _FRONT_MATTER.match(text)
    if front:
        ranges.append(front.span())
    return sorted(ranges)


def _inside(ranges: list[tuple[int, int]], pos: int) -> bool:
    i = bisect.bisect_right(ranges, (pos, float("inf"))) - 1
    return i >= 0 and ranges[i][0] <= pos < ranges[i][1]


def _title_like(line: str) -> bool:
    s = line.strip()
    words = s.split()
    if not 1 <= len(words) <= 10 or len(s) > 80 or len(s) < 3:
        return False
    if s[-1] in ".,;!?|" or "|" in s or _LIST_OR_QUOTE.match(line) or s.startswith(("#", "<", "```", "[", "!")):
        return False
    if not (s[0].isupper() or s[0].isdigit()):
        return False
    return sum(c.isalpha() for c in s) >= max(3, len(s) // 2)


def _title_lines(text: str, blocked: list[tuple[int, int]]) -> list[Heading]:
    lines: list[tuple[int, int]] = []
    pos = 0
    for line in text.split("\n"):
        lines.append((pos, pos + len(line)))
        pos += len(line) + 1
    out = []
    for i, (a, b) in enumerate(lines):
        line = text[a:b]
        if _inside(blocked, a) or not _title_like(line):
            continue
        before_blank = i == 0 or not text[lines[i - 1][0] : lines[i - 1][1]].strip()
        after = next((text[c:d] for c, d in lines[i + 1 :] if text[c:d].strip()), "")
        # A heading opens a block and is followed by longer text (a paragraph), not by another short line
        # of a list of links.
        if before_blank and len(after.strip()) > max(len(line.strip()), 40):
            s = a + len(line) - len(line.lstrip())
            out.append(
                Heading(start=s, end=s + len(line.strip()), level=TITLE_LINE_LEVEL, text=line.strip(), source="line")
            )
    return out


def find_headings(text: str, page_headings: Iterable[tuple[int, int, int]] = ()) -> list[Heading]:
    """Every heading of ``text`` in text order.

    Args:
        text: A clean view (or any text).
        page_headings: ``(start, end, level)`` spans of headings known from the page's markup
            (``Article.headings`` for HTML input).

    Returns:
        The headings, sorted by position; title-like lines only when nothing else marks a heading.
    """
    blocked = _blocked_ranges(text)
    found: list[Heading] = [
        Heading(start=s, end=e, level=level, text=text[s:e].strip(), source="page") for s, e, level in page_headings
    ]
    for m in _ATX.finditer(text):
        words = m["text"].rstrip().rstrip("#").rstrip()  # "## Results ##" -> "Results"
        if not _inside(blocked, m.start()) and words.strip():
            s = m.start("text")
            found.append(
                Heading(start=s, end=s + len(words), level=len(m["hashes"]), text=words.strip(), source="markdown")
            )
    for m in _SETEXT.finditer(text):
        line = m["text"]
        if _inside(blocked, m.start()) or "|" in line or _LIST_OR_QUOTE.match(line) or len(line.strip()) > 120:
            continue
        # A setext heading's text is one line after a blank line (or the start), not a paragraph's last line.
        prev_end = m.start() - 1
        if prev_end > 0 and text[text.rfind("\n", 0, prev_end) + 1 : prev_end].strip():
            continue
        s, e = m.span("text")
        level = 1 if m["rule"].startswith("=") else 2
        found.append(Heading(start=s, end=e, level=level, text=line.strip(), source="setext"))
    for m in _HTML_H.finditer(text):
        if not _inside(blocked, m.start()):
            words = " ".join(_TAG.sub(" ", m["text"]).split())
            if words:
                s, e = m.span("text")
                found.append(Heading(start=s, end=e, level=int(m["level"]), text=words, source="html"))
    if not found:
        found = _title_lines(text, blocked)
    found.sort(key=lambda h: (h.start, h.level))
    # One heading per position (a page heading also written as Markdown).
    unique: list[Heading] = []
    for h in found:
        if unique and unique[-1].start < h.end and h.start < unique[-1].end:
            continue
        unique.append(h)
    return unique


class HeadingIndex:
    """The section path at any position: the headings above it, outermost first."""

    def __init__(self, headings: Sequence[Heading]) -> None:
        self.headings = list(headings)
        self._starts = [h.start for h in self.headings]
        self._paths: list[tuple[Heading, ...]] = []
        stack: list[Heading] = []
        for h in self.headings:
            while stack and stack[-1].level >= h.level:
                stack.pop()
            stack.append(h)
            self._paths.append(tuple(stack))

    def holding(self, pos: int) -> Heading | None:
        """The heading whose own words hold ``pos``, if any."""
        i = bisect.bisect_right(self._starts, pos) - 1
        return self.headings[i] if i >= 0 and pos < self.headings[i].end else None

    def above(self, pos: int) -> tuple[Heading, ...]:
        """The headings whose sections hold ``pos``, outermost first.

        Args:
            pos: A character offset of the text the headings were found in. A position inside a
                heading's own words is under that heading's parents, not under the heading.
        """
        i = bisect.bisect_right(self._starts, pos) - 1
        if i < 0:
            return ()
        path = self._paths[i]
        return path[:-1] if pos < self.headings[i].end else path
