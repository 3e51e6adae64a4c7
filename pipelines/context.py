"""Document context for claims: the period a value holds for, and the headings it stands under.

A claim's time is often not in its sentence: it sits in a heading, the title, a table header, an earlier
sentence or the document's date, out of the tagger's window. ``DocumentContext.period_for`` finds it, in
this order (``Period.basis`` records which, as ``annotations/README.md`` defines it):

1. ``sentence`` — a time stated in the value's sentence: a year, date, quarter or half ("in 2022",
   "Q1 2025", "March 2020"), nearest to the value; a relative time resolved against the document date
   ("last year" on a page of 2023 -> 2022; "this year", "three years ago") or, for "two years later" /
   "a year earlier", against the nearest year stated before it. A year right after a verb of release or
   "since" ("released in 2016") dates something else and is skipped. Present-tense markers ("currently",
   "now", "today", "as of today", "to date") give the document's date with basis ``document``.
2. ``context`` — the same, from the table column title, row header or caption of a table cell, then
   earlier sentences of the value's paragraph, then the headings above it (innermost first), then the title.
3. ``document`` — the document's date (``published``), at its own precision.

Periods are intervals: 2023 contains 2023-09, and two months of one year are different periods.
"""

from __future__ import annotations

import bisect
import calendar
import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from pipelines.errors import InvalidDate
from pipelines.headings import Heading, HeadingIndex, find_headings
from pipelines.quantities import find_quantities
from pipelines.quantities.numbers import number_of
from pipelines.tables import table_cell
from pipelines.types import Quantity

if TYPE_CHECKING:
    from pipelines.ingest import Article

PRECISIONS = ("day", "month", "quarter", "half", "year", "span")
BASES = ("sentence", "context", "document")


@dataclass(frozen=True, kw_only=True, slots=True)
class Period:
    """A period of time as a closed interval of days, with the precision it was stated at.

    ``basis`` says where it came from for a claim (``sentence``, ``context``, ``document``; None when it
    is not a claim's period), ``text`` the words that state it and ``text_start``/``text_end`` their
    offsets in the text they were read from (None for the document date).
    """

    start: dt.date
    end: dt.date
    precision: str
    basis: str | None = None
    text: str | None = None
    text_start: int | None = None
    text_end: int | None = None

    @classmethod
    def year(cls, year: int) -> Period:
        return cls(start=dt.date(year, 1, 1), end=dt.date(year, 12, 31), precision="year")

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        last = calendar.monthrange(year, month)[1]
        return cls(start=dt.date(year, month, 1), end=dt.date(year, month, last), precision="month")

    @classmethod
    def quarter(cls, year: int, quarter: int) -> Period:
        first = 3 * quarter - 2
        return replace(cls.month(year, first), end=cls.month(year, first + 2).end, precision="quarter")

    @classmethod
    def half(cls, year: int, half: int) -> Period:
        first = 6 * half - 5
        return replace(cls.month(year, first), end=cls.month(year, first + 5).end, precision="half")

    @classmethod
    def day(cls, day: dt.date) -> Period:
        return cls(start=day, end=day, precision="day")

    @property
    def label(self) -> str:
        """The period as the annotations write it: ``2023``, ``2023-09``, ``2023-09-12``, ``2023-Q3``,
        ``2024-H2``, ``2019/2021``."""
        s = self.start
        if self.precision == "year":
            return str(s.year)
        if self.precision == "month":
            return f"{s.year}-{s.month:02d}"
        if self.precision == "quarter":
            return f"{s.year}-Q{(s.month + 2) // 3}"
        if self.precision == "half":
            return f"{s.year}-H{1 if s.month <= 6 else 2}"
        if self.precision == "day":
            return s.isoformat()
        whole_years = (s.month, s.day, self.end.month, self.end.day) == (1, 1, 12, 31)
        if whole_years:
            return f"{s.year}/{self.end.year}"
        return f"{s.isoformat()}/{self.end.isoformat()}"

    def contains(self, other: Period) -> bool:
        """Whether ``other`` lies inside this period (2023 contains 2023-09)."""
        return self.start <= other.start and other.end <= self.end

    def overlaps(self, other: Period) -> bool:
        return self.start <= other.end and other.start <= self.end

    def anchored(self, basis: str, text: str | None = None, start: int | None = None, end: int | None = None) -> Period:
        """The same period as a claim's time, with its basis and the words that state it."""
        return replace(self, basis=basis, text=text, text_start=start, text_end=end)


# --- reading periods ---------------------------------------------------------------------------

_LABEL = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?|-Q([1-4])|-H([12]))?$")
# An ISO date with any time part, as the API accepts it ("2024-05-07T09:30:00Z", "2024-05-07 09:30").
_ISO_TIMESTAMP = re.compile(r"^(\d{4}(?:-\d{2}(?:-\d{2})?)?)[T ][0-9:.+\-Z]*$")


def _from_label(label: str) -> Period | None:
    m = _LABEL.match(label)
    if not m:
        return None
    year = int(m[1])
    try:
        if m[3]:
            return Period.day(dt.date(year, int(m[2]), int(m[3])))
        if m[2]:
            return Period.month(year, int(m[2]))
        if m[4]:
            return Period.quarter(year, int(m[4]))
        if m[5]:
            return Period.half(year, int(m[5]))
    except ValueError:
        return None
    return Period.year(year)


def period_of_quantity(q: Quantity) -> Period | None:
    """The period a date or year candidate names ("March 2020" -> 2020-03, "2019–2021", "2010s")."""
    if q.kind == "date" and q.date:
        return _from_label(q.date)
    if q.kind == "year":
        if q.value_high is not None:
            return Period(start=dt.date(int(q.value), 1, 1), end=dt.date(int(q.value_high), 12, 31), precision="span")
        return Period.year(int(q.value))
    return None


def parse_period(text: str) -> Period | None:
    """The period some words state: a label (``2023-Q3``, ``2019/2021``) or the first date or year in them.

    Args:
        text: A time phrase ("in Q1 2025", "March 2020", "2024-H2") or a ``time`` label.

    Returns:
        The period, or None when the words state none (relative words need ``resolve_relative``).
    """
    stripped = text.strip()
    if "/" in stripped and all(_LABEL.match(p) for p in stripped.split("/")):
        a, b = (_from_label(p) for p in stripped.split("/", 1))
        if a and b and a.start <= b.end:
            return Period(start=a.start, end=b.end, precision="span")
    if (p := _from_label(stripped)) is not None:
        return p
    for q in find_quantities(stripped):
        if (p := period_of_quantity(q)) is not None:
            return p
    return None


def period_of_time(text: str | None, basis: str | None = None, published: Period | None = None) -> Period | None:
    """A stored claim time read back as a period: ``2024``, ``2015-11``, ``2023-06-20``, ``2024-Q3``,
    ``Q3 2024``, ``2019-2021``, ``2019/2021``, or a relative phrase ("last year") against ``published``.

    Args:
        text: The ``time`` as stored (a label, or words of older rows).
        basis: Where it came from (``sentence``, ``context``, ``document``); kept on the period.
        published: The document's date, for relative words.

    Returns:
        The period anchored with ``basis``, or None when ``text`` names none.
    """
    if not text or not text.strip():
        return None
    period = parse_period(text)
    if period is None and published is not None:
        period = resolve_relative(text, published)
    if period is None:
        return None
    return period.anchored(basis, text.strip()) if basis else period


def parse_published(value: str, *, name: str = "published") -> Period:
    """A document date given by a user or read from metadata, validated.

    Args:
        value: ``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD``, an ISO timestamp ("2024-05-07T09:30:00Z") or a
            written date ("May 7, 2024", "7 May 2024").
        name: What the value is, for the error message (``--published``).

    Returns:
        The date at the precision given.

    Raises:
        InvalidDate: ``value`` is not a date (the message names it).
    """
    stripped = (value or "").strip()
    timestamp = _ISO_TIMESTAMP.match(stripped)
    candidate = timestamp[1] if timestamp else stripped
    period = _from_label(candidate)
    if period is None and candidate:
        found = find_quantities(candidate)
        if len(found) == 1 and found[0].kind == "date" and found[0].surface.strip(" .,") == candidate.strip(" .,"):
            period = period_of_quantity(found[0])
    if period is None or period.precision not in ("year", "month", "day"):
        raise InvalidDate(
            f"{name} {value!r} is not a date: give YYYY, YYYY-MM or YYYY-MM-DD "
            "(an ISO timestamp or a written date such as 'May 7, 2024' also works)",
            value=value,
        )
    return period


# --- relative times ----------------------------------------------------------------------------

_RELATIVE_WORDS = re.compile(
    r"(?i)^(?:(?:earlier|later)[^\S\n]+)?(?P<rel>last|this|next|previous|current|past|coming)[^\S\n]+"
    r"(?P<ru>year|quarter|month|week)\b"
    r"|^(?:over[^\S\n]+|about[^\S\n]+|nearly[^\S\n]+|almost[^\S\n]+)?(?P<n>an?|one|\w+|\d+)[^\S\n]+"
    r"(?P<nu>years?|months?|decades?)[^\S\n]+(?P<dir>ago|later|earlier|before|after|on)\b"
)
_PRESENT = re.compile(
    r"(?i)\b(?:currently|now|today|nowadays|these[^\S\n]+days|at[^\S\n]+present|at[^\S\n]+the[^\S\n]+moment"
    r"|as[^\S\n]+of[^\S\n]+(?:today|now|this[^\S\n]+writing|writing)|to[^\S\n]+date|so[^\S\n]+far|at[^\S\n]+the"
    r"[^\S\n]+time[^\S\n]+of[^\S\n]+writing)\b"
)
_OFFSET = {"last": -1, "previous": -1, "past": -1, "this": 0, "current": 0, "next": 1, "coming": 1}


def _shift_months(year: int, month: int, months: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + months
    return index // 12, index % 12 + 1


def resolve_relative(phrase: str | Quantity, anchor: Period) -> Period | None:
    """The period a relative time names, counted from ``anchor``.

    "last year" / "this year" / "next year", "last quarter", "last month" and "N years ago" count from the
    anchor's own date (the document's); "N years later" / "earlier" from the year before it (a year named
    earlier in the text). "currently", "now" and the like are the anchor itself.

    Args:
        phrase: The words (or a ``relative_date`` / duration candidate holding them).
        anchor: The date they are relative to.

    Returns:
        The period, at year precision for years, month for months, quarter for quarters; None when the
        words are not a relative time or the anchor is too coarse (a month before a year).
    """
    words = " ".join((phrase.surface if isinstance(phrase, Quantity) else phrase).split())
    if _PRESENT.fullmatch(words):
        return replace(anchor, basis=None, text=None, text_start=None, text_end=None)
    m = _RELATIVE_WORDS.match(words)
    if m is None:
        return None
    year, month = anchor.start.year, anchor.start.month
    fine = anchor.precision in ("day", "month")
    if m["rel"]:
        k, unit = _OFFSET[m["rel"].lower()], m["ru"].lower()
        if unit == "year":
            return Period.year(year + k)
        if unit == "quarter" and (fine or anchor.precision == "quarter"):
            y, mo = _shift_months(year, month, 3 * k)
            return Period.quarter(y, (mo + 2) // 3)
        if unit == "month" and fine:
            return Period.month(*_shift_months(year, month, k))
        if unit == "week" and anchor.precision == "day":
            # "last week" is read at month precision, as the annotations write it: the week's month.
            day = anchor.start - dt.timedelta(days=anchor.start.weekday()) + dt.timedelta(weeks=k)
            return Period.month(day.year, day.month)
        return None
    n = number_of(m["n"].lower())
    if not n:
        return None
    unit = m["nu"].lower()
    years = n * (10 if unit.startswith("decade") else 1)
    sign = -1 if m["dir"].lower() in ("ago", "earlier", "before") else 1
    if unit.startswith("month"):
        if not fine:
            return None
        return Period.month(*_shift_months(year, month, sign * n))
    return Period.year(year + sign * years)


# --- the document context ----------------------------------------------------------------------

# A year right after these words dates something other than the claim ("released in 2016").
_OTHER_EVENT = re.compile(
    r"(?i)\b(?:releas\w*|launch\w*|introduc\w*|found\w*|creat\w*|open[- ]?sourc\w*|debut\w*|announc\w*|born|"
    r"start\w*|began|begun|since|first\s+appeared|came\s+out|shipped|published)"
    r"(?:\s+\w+){0,3}?\s+(?:in|on|at|of|around|circa)?\s*$"
)
_PARAGRAPH = re.compile(r"\n[^\S\n]*\n")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"“A-Z0-9(])")


@dataclass(frozen=True, kw_only=True, slots=True)
class TimeMention:
    """A time expression of the text: an explicit period or a relative phrase not yet resolved."""

    start: int
    end: int
    text: str
    period: Period | None
    """The period it states outright (years, dates, quarters); None for a relative phrase."""
    relative: str | None = None
    """``document`` (last year, three years ago, currently) or ``antecedent`` (two years later)."""


@dataclass
class DocumentContext:
    """What a document says about time and structure, read once per document (clean-view offsets)."""

    text: str
    published: Period | None = None
    title: str | None = None
    headings: HeadingIndex = field(default_factory=lambda: HeadingIndex([]))
    times: list[TimeMention] = field(default_factory=list)
    _starts: list[int] = field(default_factory=list, repr=False)

    def __post_init__(self) -> None:
        self._starts = [t.start for t in self.times]

    def headings_at(self, pos: int) -> tuple[Heading, ...]:
        """The headings above ``pos``, outermost first (its section path)."""
        return self.headings.above(pos)

    def _between(self, start: int, end: int) -> list[TimeMention]:
        i = bisect.bisect_left(self._starts, start)
        j = bisect.bisect_left(self._starts, end)
        return [t for t in self.times[i:j] if t.end <= end]

    def _antecedent(self, before: int) -> Period | None:
        """The nearest explicit year or date stated before ``before`` (within the last 2,000 characters):
        what "two years later" counts from, a release year included."""
        for t in reversed(self._between(max(0, before - 2000), before)):
            if t.period is not None:
                return t.period
        return None

    def _resolve(self, t: TimeMention) -> tuple[Period | None, bool]:
        """The period of a time mention and whether it is the document's own date (present tense)."""
        if t.period is not None:
            return t.period, False
        if t.relative == "antecedent":
            anchor = self._antecedent(t.start)
            return (resolve_relative(t.text, anchor) if anchor else None), False
        if self.published is None:
            return None, False
        return resolve_relative(t.text, self.published), bool(_PRESENT.fullmatch(t.text))

    def _best(
        self,
        start: int,
        end: int,
        near: int,
        skip: tuple[int, int] | None,
        others: Sequence[tuple[int, int]] = (),
    ) -> tuple[TimeMention, Period, bool] | None:
        found = []
        for t in self._between(start, end):
            if skip and t.start < skip[1] and skip[0] < t.end:
                continue
            if skip and any(skip[1] <= o[0] and o[1] <= t.start for o in others):
                # Another value stands between this one and the time after it: the time is that value's
                # ("about 70% now, compared with 62% back in 2022").
                continue
            if t.period is not None and _OTHER_EVENT.search(self.text, max(0, t.start - 40), t.start):
                continue
            period, present = self._resolve(t)
            if period is not None:
                distance = t.start - near if t.start >= near else near - t.end
                found.append((distance, t.start, t, period, present))
        if not found:
            return None
        _, _, t, period, present = min(found, key=lambda f: f[:2])
        return t, period, present

    def period_for(
        self,
        sent_start: int,
        sent_end: int,
        value_start: int,
        value_end: int,
        *,
        use_document: bool = True,
        others: Sequence[tuple[int, int]] = (),
    ) -> Period | None:
        """The period a value holds for, with its basis (see the module docstring for the order).

        Args:
            sent_start, sent_end: The value's sentence (clean-view offsets).
            value_start, value_end: The value's span; a date value is never its own period.
            use_document: Fall back to the document's date (leave False for a date claim, which needs none).
            others: The spans of the other claims' values: a time in the sentence after another value that
                follows this one is that value's, not this one's.

        Returns:
            The period, or None when nothing gives one.
        """
        best = self._best(sent_start, sent_end, value_start, (value_start, value_end), others)
        if best is not None:
            t, period, present = best
            if present:
                return period.anchored("document")
            return period.anchored("sentence", t.text, t.start, t.end)
        for start, end in self._context_spans(sent_start, value_start):
            best = self._best(start, end, end, None)
            if best is not None:
                t, period, present = best
                if present:
                    continue
                return period.anchored("context", t.text, t.start, t.end)
        if self.title:
            title_period = parse_period(self.title)
            if title_period is not None:
                return title_period.anchored("context", self.title)
        if use_document and self.published is not None:
            return self.published.anchored("document")
        return None

    def _context_spans(self, sent_start: int, value_start: int) -> Iterable[tuple[int, int]]:
        """Where a time out of the sentence may stand, nearest first: the table headers of the value's
        cell, the earlier sentences of its paragraph, the headings above it."""
        cell = table_cell(self.text, value_start)
        if cell is not None:
            for span in (cell.column_title, cell.row_header, cell.caption):
                if span is not None:
                    yield span.start, span.end
        breaks = [m for m in _PARAGRAPH.finditer(self.text, max(0, sent_start - 3000), sent_start)]
        paragraph = max(breaks[-1].end() if breaks else 0, sent_start - 600)
        if paragraph < sent_start:
            yield paragraph, sent_start
        # A list or a table is introduced by the paragraph before it ("Growth in 2024:", "as of 2021-01-14:").
        if breaks:
            lead_start = breaks[-2].end() if len(breaks) >= 2 else max(0, breaks[-1].start() - 600)
            lead = self.text[lead_start : breaks[-1].start()]
            if lead.rstrip().endswith(":"):
                yield lead_start, breaks[-1].start()
        for heading in reversed(self.headings_at(sent_start)):
            yield heading.start, heading.end


def time_mentions(text: str, quantities: Iterable[Quantity] | None = None) -> list[TimeMention]:
    """Every time expression of ``text``: explicit periods, relative phrases and present-tense markers.

    Args:
        text: A clean view.
        quantities: ``find_quantities(text)`` when the caller has it already.
    """
    out = []
    for q in find_quantities(text) if quantities is None else quantities:
        period = period_of_quantity(q)
        if period is not None:
            out.append(TimeMention(start=q.start, end=q.end, text=q.surface, period=period))
        elif q.kind == "relative_date":
            out.append(TimeMention(start=q.start, end=q.end, text=q.surface, period=None, relative="document"))
        elif q.kind == "duration" and re.search(r"(?i)\b(?:later|after|earlier|before|on)$", q.surface):
            out.append(TimeMention(start=q.start, end=q.end, text=q.surface, period=None, relative="antecedent"))
    for m in _PRESENT.finditer(text):
        out.append(TimeMention(start=m.start(), end=m.end(), text=m.group(0), period=None, relative="document"))
    return sorted(out, key=lambda t: t.start)


def document_context(
    article: Article | None = None,
    *,
    text: str | None = None,
    published: str | Period | None = None,
    title: str | None = None,
    page_headings: Iterable[tuple[int, int, int]] = (),
) -> DocumentContext:
    """Read a document's time and structure once, for every claim in it.

    Args:
        article: An ingested article (its clean view, ``published``, ``title`` and HTML headings are used).
        text: The clean text, when there is no ``Article``.
        published: The document date (overrides the article's); validated like ``--published``.
        title: The title (overrides the article's).
        page_headings: ``(start, end, level)`` of headings known from markup, when there is no ``Article``.

    Returns:
        The context; ``period_for`` and ``headings_at`` answer per claim.
    """
    if article is not None:
        text = article.clean if text is None else text
        published = published if published is not None else article.published
        title = title if title is not None else article.title
        page_headings = page_headings or article.headings
    if text is None:
        raise ValueError("document_context needs an article or a text")
    if isinstance(published, str):
        published = parse_published(published)
    return DocumentContext(
        text=text,
        published=published,
        title=title,
        headings=HeadingIndex(find_headings(text, page_headings)),
        times=time_mentions(text),
    )


def sentence_bounds(text: str, pos: int) -> tuple[int, int]:
    """A simple sentence around ``pos`` (line breaks and sentence punctuation), for callers without spaCy."""
    start = max(text.rfind("\n", 0, pos) + 1, max((m.end() for m in _SENTENCE_END.finditer(text, 0, pos)), default=0))
    nxt = _SENTENCE_END.search(text, pos)
    line_end = text.find("\n", pos)
    ends = [e for e in (nxt.start() if nxt else -1, line_end) if e >= 0]
    return start, (min(ends) if ends else len(text))
