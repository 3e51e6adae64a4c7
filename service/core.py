"""Use cases written once; the CLI (and later the API) are thin shells around these functions."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pipelines.errors import InputError
from pipelines.extract.pipeline import Extractor, iter_mentions
from pipelines.ingest import Article, expand_paths, read_article
from pipelines.types import Mention


@dataclass
class ExtractionRun:
    """What a batch extraction did: per-file failures are kept, never fatal to the batch."""

    files: int = 0
    mentions: int = 0
    failures: list[tuple[str, str, str]] = field(default_factory=list)
    """(file, error code, message)."""


def read_articles(paths: Sequence[Path], run: ExtractionRun) -> Iterator[Article]:
    """Articles of every file under ``paths``; unreadable files are recorded in ``run`` and skipped."""
    for path in expand_paths(list(paths)):
        run.files += 1
        if not path.exists():
            run.failures.append((str(path), "not_found", f"{path}: no such file or folder"))
            continue
        try:
            yield read_article(path)
        except InputError as exc:
            run.failures.append((str(path), exc.code, exc.message))


def extract_paths(
    paths: Sequence[Path], extractor: Extractor, run: ExtractionRun
) -> Iterator[tuple[Article, list[Mention]]]:
    """Extract claim mentions from files and folders, streaming one article's results at a time."""
    for article, mentions in iter_mentions(extractor, read_articles(paths, run)):
        run.mentions += len(mentions)
        yield article, mentions
