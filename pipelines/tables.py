"""Tables in the clean view: which header row, column title and row header a cell stands under.

Two shapes are read, both as they appear in an article's clean view: Markdown pipe tables (a header
line, a ``|---|:---:|`` separator, body rows; outer pipes optional, tab-separated cells between pipes
tolerated) and HTML tables, which ``pipelines.ingest`` writes one row per line with ``" | "`` after every
cell and no separator line (the first row is the header). A cell's subject or metric is often only in
its row header (the first cell of its row) or its column title; a column title may also carry the unit
the cells are written in ("Latency (ms)", "Memory (GB)", "Stars (k)"), which ``header_unit`` reads and
``apply_header_unit`` applies to a bare number.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from functools import lru_cache

from pipelines.quantities.units import DURATION_SECONDS, PERIOD_WORDS, SIZE_BYTES, TIME_WORDS, size_unit
from pipelines.types import Quantity

_SEPARATOR = re.compile(r"^[^\S\n]*\|?(?:[^\S\n]*:?-{2,}:?[^\S\n]*\|)+(?:[^\S\n]*:?-{2,}:?[^\S\n]*)?[^\S\n]*$")
_SEPARATOR_ONE = re.compile(r"^[^\S\n]*\|?[^\S\n]*:?-{3,}:?[^\S\n]*\|[^\S\n]*$")
_CELL_SPLIT = re.compile(r"(?<!\\)\|")
_GRID = re.compile(r"^[^\S\n]*\+(?:[-=:]+\+)+[^\S\n]*$")


@dataclass(frozen=True, kw_only=True, slots=True)
class TextSpan:
    """A piece of the text a table was read from: ``text[start:end] == self.text`` (clean-view offsets)."""

    start: int
    end: int
    text: str


@dataclass(frozen=True, kw_only=True, slots=True)
class TableCell:
    """Where an offset stands in a table, with the header cells that name its row and column.

    ``row`` counts body rows from 0 (-1: the offset is in the header row itself); ``column`` counts cells
    from 0. ``row_header`` is the first cell of the row (None in column 0 or when empty); ``column_title``
    the header row's cell over the column (None when the header has none there); ``header`` every cell of
    the header row.
    """

    row: int
    column: int
    cell: TextSpan
    row_header: TextSpan | None
    column_title: TextSpan | None
    header: tuple[TextSpan, ...]
    caption: TextSpan | None = None
    """The short line just above the table, which often names what all its cells measure."""


def _line_bounds(text: str, pos: int) -> tuple[int, int]:
    start = text.rfind("\n", 0, pos) + 1
    end = text.find("\n", pos)
    return start, (len(text) if end < 0 else end)


def _is_row(line: str) -> bool:
    """A table row: at least one cell separator outside an escaped pipe, and not a code fence."""
    stripped = line.strip()
    return bool(_CELL_SPLIT.search(stripped)) and not stripped.startswith("```") and len(stripped) > 1


def is_table_row(line: str) -> bool:
    """Whether a line of text is a row of a text table ("| PyTorch | 34% | 46% |")."""
    return _is_row(line)


def _cells(text: str, start: int, end: int) -> tuple[TextSpan, ...]:
    """The cells of one row line, with their offsets; outer pipes open and close no cell, but an empty
    cell between two pipes ("|  | GPUs |") is a column."""
    line = text[start:end]
    edges = [-1, *(m.start() for m in _CELL_SPLIT.finditer(line)), len(line)]
    pieces = [(edges[i] + 1, edges[i + 1]) for i in range(len(edges) - 1)]
    if line.strip().startswith("|"):
        pieces = pieces[1:]
    if line.rstrip().endswith("|") and not line.rstrip().endswith("\\|"):
        pieces = pieces[:-1]
    out = []
    for lo, hi in pieces:
        piece = line[lo:hi]
        s = start + lo + len(piece) - len(piece.lstrip())
        out.append(TextSpan(start=s, end=s + len(piece.strip()), text=piece.strip()))
    return tuple(out)


def _is_separator(line: str) -> bool:
    return bool(_SEPARATOR.match(line) or _SEPARATOR_ONE.match(line) or _GRID.match(line))


@dataclass(frozen=True, slots=True)
class _Table:
    """One block of consecutive row lines (and separator or grid lines) read once: its rows, the index of
    its header row, the header's cells, and each data row's number below the header."""

    rows: tuple[tuple[int, int], ...]
    header_index: int
    header: tuple[TextSpan, ...]
    row_number: dict[int, int]
    """Row index -> body row number (0 for the first data row under the header)."""
    caption: TextSpan | None


@lru_cache(maxsize=8)
def _tables(text: str) -> dict[int, tuple[_Table, int]]:
    """Every table of ``text``, read in one pass: each data row line's start -> (its table, its row index).
    Cached for the last few texts, so that the cells of one article find their table in constant time
    (a table of n rows is read once, not once per cell)."""
    out: dict[int, tuple[_Table, int]] = {}
    block: list[tuple[int, int]] = []
    pos = 0
    n = len(text)
    while pos <= n:
        end = text.find("\n", pos)
        end = n if end < 0 else end
        line = text[pos:end]
        if _is_row(line) or _GRID.match(line):
            block.append((pos, end))
        else:
            _read_block(text, block, out)
            block = []
        pos = end + 1
    _read_block(text, block, out)
    return out


def _read_block(text: str, rows: list[tuple[int, int]], out: dict[int, tuple[_Table, int]]) -> None:
    """Add one block's data rows to ``out`` when it is a table (two data lines at least)."""
    kinds = ["sep" if _is_separator(text[a:b]) else "data" for a, b in rows]
    data = [i for i, k in enumerate(kinds) if k == "data"]
    if len(data) < 2:
        return  # one line with a pipe is no table
    markdown_sep = next((i for i in range(1, len(rows)) if kinds[i] == "sep" and kinds[i - 1] == "data"), None)
    # The header: the data line just above a Markdown separator, else the block's first data line
    # (HTML tables in the clean view have no separator; grid tables frame it with "+---+").
    header_index = (
        markdown_sep - 1 if markdown_sep is not None and _SEPARATOR.match(text[slice(*rows[markdown_sep])]) else data[0]
    )
    body = [i for i in data if i > header_index]
    table = _Table(
        rows=tuple(rows),
        header_index=header_index,
        header=_cells(text, *rows[header_index]),
        row_number={i: k for k, i in enumerate(body)},
        caption=_caption(text, rows[0][0]),
    )
    for i in data:
        if i >= header_index:  # a line above the header of a Markdown table is not part of it
            out[rows[i][0]] = (table, i)


def table_cell(text: str, offset: int) -> TableCell | None:
    """The table cell at ``offset`` of ``text`` with its header row, column title and row header.

    Args:
        text: An article's clean view (or any text holding the table).
        offset: A character offset inside the cell, e.g. a candidate quantity's ``start``.

    Returns:
        The cell and its headers, or None when ``offset`` is not in a table row.
    """
    if not 0 <= offset < len(text):
        return None
    lo, hi = _line_bounds(text, offset)
    found = _tables(text).get(lo)
    if found is None:
        return None
    table, here = found
    header = table.header
    cells = header if here == table.header_index else _cells(text, lo, hi)
    column = next((i for i, c in enumerate(cells) if c.start <= offset <= c.end), None)
    if column is None:
        # Between two cells (on a pipe or its spaces): the cell whose text starts after it.
        column = next((i for i, c in enumerate(cells) if c.start > offset), len(cells) - 1)
    row = -1 if here == table.header_index else table.row_number[here]
    first = cells[0] if cells and column > 0 and cells[0].text else None
    title = header[column] if row >= 0 and column < len(header) and header[column].text else None
    return TableCell(
        row=row,
        column=column,
        cell=cells[column],
        row_header=first,
        column_title=title,
        header=header,
        caption=table.caption,
    )


def _caption(text: str, block_start: int) -> TextSpan | None:
    """The short line just above a table (one blank line may stand between), e.g. "Latency (ms) by model"."""
    pos = block_start - 1
    for _ in range(2):
        if pos <= 0:
            return None
        lo, hi = _line_bounds(text, pos - 1)
        line = text[lo:hi]
        if line.strip():
            stripped = line.strip()
            if len(stripped) > 120 or _is_row(line):
                return None
            s = lo + len(line) - len(line.lstrip())
            return TextSpan(start=s, end=s + len(stripped), text=stripped)
        pos = lo
    return None


# --- units written once in a column title -------------------------------------------------------

_PAREN = re.compile(r"[(\[]([^)\]]{1,24})[)\]]")
_RATE_TITLE = re.compile(
    r"(?i)(?:[a-z]+[^\S\n]*/[^\S\n]*(?P<p1>s|sec|second|min|minute|h|hr|hour|day|week|month|year)\b"
    r"|\b(?:per|/)[^\S\n]*(?P<p2>second|sec|minute|min|hour|day|week|month|year)\b|\b(?P<rps>qps|rps|fps|tps)\b)"
)
_MULT_WORDS = {"k": 1e3, "thousand": 1e3, "thousands": 1e3, "m": 1e6, "million": 1e6, "millions": 1e6, "b": 1e9}
_SIZE_WORD = re.compile(r"^(?:[KMGTP]i?B|kB)$")
_RATIO_TITLE = re.compile(r"(?i)\b(?:speed-?ups?|ratio|relative|times)\b|^[x×]$")


@dataclass(frozen=True, kw_only=True, slots=True)
class HeaderUnit:
    """The unit a column title gives its cells: a dimension and what to multiply a bare cell number by."""

    dimension: str
    factor: float = 1.0
    unit: str = "other"
    kind: str = "number"
    time_unit: str | None = None
    size_unit: str | None = None
    per: str | None = None


def header_unit(title: str) -> HeaderUnit | None:
    """The unit a column title states for its cells ("Latency (ms)", "Memory [GiB]", "tokens/s", "%").

    Args:
        title: A column title (or a row header of a transposed table).

    Returns:
        The unit, or None when the title states none.
    """
    rate = _RATE_TITLE.search(title)
    if rate:
        per = PERIOD_WORDS[(rate["p1"] or rate["p2"] or "s").lower()]
        return HeaderUnit(dimension="rate", kind="rate", per=per)
    # "Latency (ms)", "Memory [GB]", a bare "ms", or the last words of a snake-case name ("kernel_us",
    # "time_s_bsz_1").
    snake = [t for t in title.split("_")[1:] if t] if "_" in title and " " not in title.strip() else []
    for words in [m[1] for m in _PAREN.finditer(title)] + [title] + snake:
        token = words.strip()
        lowered = token.lower()
        if token in ("%", "percent", "pct") or lowered == "%":
            return HeaderUnit(dimension="share", factor=0.01, unit="percent", kind="percent")
        if lowered in TIME_WORDS and (words is not title or len(token) > 2) and lowered not in ("m", "d"):
            code = TIME_WORDS[lowered]
            return HeaderUnit(dimension="duration", factor=DURATION_SECONDS[code], kind="duration", time_unit=code)
        if _SIZE_WORD.match(token):
            code = size_unit(token)
            return HeaderUnit(dimension="size", factor=float(SIZE_BYTES[code]), kind="size", size_unit=code)
        if words is not title and lowered in _MULT_WORDS:
            return HeaderUnit(dimension="count", factor=_MULT_WORDS[lowered], unit="count", kind="count")
        if lowered in ("usd", "$", "us$"):
            return HeaderUnit(dimension="money", unit="usd", kind="money")
    if "%" in title:
        return HeaderUnit(dimension="share", factor=0.01, unit="percent", kind="percent")
    if _RATIO_TITLE.search(title):
        return HeaderUnit(dimension="ratio", unit="ratio", kind="ratio")
    return None


def apply_header_unit(q: Quantity, unit: HeaderUnit | None) -> Quantity:
    """A bare number read in the unit its column title states ("12.93" under "Latency (ms)" -> 0.01293 s).

    Only a number written without a unit, percent sign, multiplier or currency changes; anything that
    carries its own unit keeps it.
    """
    if unit is None or q.kind not in ("number", "count") or q.dimension not in (None, "count"):
        return q
    if not re.fullmatch(r"[~≈<>]?\s*[\d.,\u00a0\u2009\u202f]+\+?", q.surface.strip()):
        return q
    value = q.value * unit.factor
    high = q.value_high * unit.factor if q.value_high is not None else None
    return dataclasses.replace(
        q,
        value=round(value, 12),
        value_high=high,
        unit=unit.unit if unit.unit != "other" or q.unit != "count" else "other",
        kind=unit.kind,
        dimension=unit.dimension,
        time_unit=unit.time_unit,
        size_unit=unit.size_unit,
        per=unit.per,
    )
