"""Extraction from files without a store: what ``claimgraph extract`` runs, kept apart from ``service.core`` so
that reading a file and printing its claims never imports the database layer (start-up time)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from pipelines.errors import InputError
from pipelines.extract.pipeline import Extractor, iter_mentions
from pipelines.ingest import Article, expand_paths, read_article
from pipelines.types import Mention

if TYPE_CHECKING:
    from service.core import IngestRun

T = TypeVar("T")
log = logging.getLogger("service.core")


@dataclass
class ExtractionRun:
    """What a batch extraction did: per-file failures are kept, never fatal to the batch."""

    files: int = 0
    mentions: int = 0
    failures: list[tuple[str, str, str]] = field(default_factory=list)
    """(file, error code, message)."""


def read_each(
    paths: Sequence[Path], run: ExtractionRun | IngestRun, read: Callable[[Path], T]
) -> Iterator[tuple[Path, T]]:
    """``read(path)`` of every file under ``paths``, counted in ``run``; a file that is missing or cannot be
    read (whatever the reason) is recorded in ``run.failures`` and skipped: one bad file never stops the rest."""
    for path in expand_paths(list(paths)):
        run.files += 1
        if not path.exists():
            run.failures.append((str(path), "not_found", f"{path}: no such file or folder"))
            continue
        try:
            item = read(path)
        except InputError as exc:
            run.failures.append((str(path), exc.code, exc.message))
            continue
        except Exception as exc:  # a reader's bug must cost this file only
            log.exception("reading %s failed", path)
            run.failures.append((str(path), "unreadable", f"{path}: cannot be read ({type(exc).__name__}: {exc})"))
            continue
        yield path, item


def read_articles(paths: Sequence[Path], run: ExtractionRun, published: str | None = None) -> Iterator[Article]:
    """Articles of every file under ``paths``; unreadable files are recorded in ``run`` and skipped.
    ``published`` (a checked date) is given to every article as its publication date."""
    for _, article in read_each(paths, run, lambda path: read_article(path, published=published)):
        yield article


def extract_paths(
    paths: Sequence[Path], extractor: Extractor, run: ExtractionRun, published: str | None = None
) -> Iterator[tuple[Article, list[Mention]]]:
    """Extract claim mentions from files and folders, streaming one article's results at a time."""
    for article, mentions in iter_mentions(extractor, read_articles(paths, run, published)):
        run.mentions += len(mentions)
        yield article, mentions
