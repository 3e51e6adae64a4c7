"""How the ``claimgraph`` command prints: one format vocabulary, tables with headers, progress on a terminal.

Every listing command takes ``--format table|json|jsonl|csv``: ``table`` for people (a header row, columns
cut to a readable width), ``json`` one document, ``jsonl`` one object per line, ``csv`` a header row and
flat columns (nested values as JSON). Results go to standard output; progress, summaries and errors go to
standard error, so that a pipe only ever receives results.

Progress bars (rich) are drawn only when standard error is a terminal and ``--quiet`` was not given.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import click

FORMATS = ("table", "json", "jsonl", "csv")


def format_option(default: str, choices: tuple[str, ...] = FORMATS, help: str = "") -> Callable:
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(choices, case_sensitive=False),
        default=default,
        show_default=True,
        help=help or "table for people; json, jsonl (one object per line) or csv for programs.",
    )


quiet_option = click.option(
    "--quiet", "-q", is_flag=True, help="No progress bar and no summary on standard error (errors still show)."
)


@dataclass(frozen=True)
class Column:
    """One column of a listing: its header, how to read it from a record, and its widest table cell."""

    header: str
    get: Callable[[dict], Any]
    width: int = 30
    keep_end: bool = False
    """Cut a long table cell at its start, not its end (a path keeps its file name)."""


def cell(value: Any) -> str:
    """A value as one table or CSV cell: nothing for None, JSON for lists and dicts."""
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, list | tuple | dict):
        return json.dumps(value, ensure_ascii=False)
    return " ".join(str(value).split())  # one line: a newline inside a cell would break the table


def _cut(text: str, width: int, keep_end: bool = False) -> str:
    if len(text) <= width:
        return text
    return "…" + text[len(text) - width + 1 :] if keep_end else text[: max(width - 1, 0)] + "…"


def table_lines(columns: Sequence[Column], records: Iterable[dict]) -> list[str]:
    """A plain-text table: the header row, a rule, one row per record; columns as wide as their content."""
    rows = [[_cut(cell(c.get(r)), c.width, c.keep_end) for c in columns] for r in records]
    widths = [max([len(c.header), *(len(row[i]) for row in rows)]) for i, c in enumerate(columns)]

    def line(values: Sequence[str]) -> str:
        return "  ".join(v.ljust(w) for v, w in zip(values, widths, strict=True)).rstrip()

    return [line([c.header for c in columns]), line(["-" * w for w in widths]), *(line(row) for row in rows)]


def csv_lines(columns: Sequence[Column], records: Iterable[dict], header: bool = True) -> Iterator[str]:
    """CSV text, a line at a time: the header row (unless ``header`` is false), then one row per record."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="")
    rows = ([c.header for c in columns],) if header else ()
    for row in itertools.chain(rows, ([cell(c.get(r)) for c in columns] for r in records)):
        writer.writerow(row)
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()


def emit(records: Iterable[dict], fmt: str, columns: Sequence[Column], json_of: Callable[[dict], Any] = dict) -> int:
    """Print ``records`` in ``fmt`` to standard output; returns how many were printed.

    ``columns`` shape the table and CSV; ``json_of`` the JSON forms (the whole record by default).
    """
    count = 0
    if fmt == "jsonl":
        for r in records:
            click.echo(json.dumps(json_of(r), ensure_ascii=False))
            count += 1
    elif fmt == "json":
        items = [json_of(r) for r in records]
        click.echo(json.dumps(items, indent=2, ensure_ascii=False))
        count = len(items)
    elif fmt == "csv":
        for i, line in enumerate(csv_lines(columns, records)):
            click.echo(line)
            count = i
    else:
        items = list(records)
        for text in table_lines(columns, items):
            click.echo(text)
        count = len(items)
    return count


def note(message: str, quiet: bool = False) -> None:
    """A line for the person at the terminal (standard error), unless ``--quiet``."""
    if not quiet:
        click.echo(message, err=True)


def error(code: str, message: str) -> None:
    """An error line in the one shape every command uses: ``error (code): message``."""
    click.echo(f"error ({code}): {message}", err=True)


class Progress:
    """What a long command reports as it goes; drawn as a bar on a terminal, else silent.

    ``log`` lines are printed above the bar on a terminal, and to standard error otherwise (unless quiet).
    """

    def __init__(self, bar: Any = None, task: Any = None, quiet: bool = False) -> None:
        self._bar, self._task, self._quiet = bar, task, quiet

    def advance(self, n: float = 1) -> None:
        if self._bar is not None:
            self._bar.advance(self._task, n)

    def update(self, *, description: str | None = None, completed: float | None = None, total: float | None = None):
        if self._bar is not None:
            fields: dict[str, Any] = {}
            if description is not None:
                fields["description"] = description
            if completed is not None:
                fields["completed"] = completed
            if total is not None:
                fields["total"] = total
            self._bar.update(self._task, **fields)

    def log(self, message: str) -> None:
        if self._bar is not None:
            self._bar.console.print(message, markup=False, highlight=False)
        elif not self._quiet:
            click.echo(message, err=True)


def on_terminal() -> bool:
    return sys.stderr.isatty()


@contextmanager
def progress(description: str, total: float | None = None, quiet: bool = False) -> Iterator[Progress]:
    """A progress bar on standard error while the block runs (a spinner when ``total`` is unknown).

    Nothing is drawn when standard error is not a terminal (a pipe, a log file, CI) or with ``quiet``.
    """
    if quiet or not on_terminal():
        yield Progress(quiet=quiet)
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        ProgressColumn,
        SpinnerColumn,
        TaskProgressColumn,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )
    from rich.progress import Progress as Bar
    from rich.text import Text

    class WhenCounted(ProgressColumn):
        """A column shown only while the task has a total (counts and the time left mean nothing without)."""

        def __init__(self, column: ProgressColumn) -> None:
            super().__init__()
            self.column = column

        def render(self, task: Any) -> Any:
            return self.column.render(task) if task.total is not None else Text("")

    counted = [MofNCompleteColumn(), TaskProgressColumn(), TextColumn("eta"), TimeRemainingColumn()]
    columns = [SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn()]
    columns += [WhenCounted(c) for c in counted]
    # Results printed while the bar runs go above it when standard output is this terminal too, and
    # straight to their file or pipe otherwise.
    bar = Bar(*columns, console=Console(stderr=True), transient=True, redirect_stdout=sys.stdout.isatty())
    with bar:
        yield Progress(bar, bar.add_task(description, total=total))
