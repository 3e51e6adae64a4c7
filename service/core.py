"""Use cases written once; the CLI (and later the API) are thin shells around these functions."""

from __future__ import annotations

import csv
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from pipelines.catalogue import Catalogue
from pipelines.cluster import ClaimFrame, assign
from pipelines.consolidate import claim_id, group_mentions
from pipelines.errors import ClaimgraphError, InputError
from pipelines.extract.pipeline import Extractor
from pipelines.graph import EXPORTERS, build_graph
from pipelines.ingest import Article, expand_paths
from pipelines.quantities import parse_quantity
from pipelines.types import Mention, content_id
from service.extraction import ExtractionRun, read_articles
from service.listing import (  # noqa: F401  (the listings' public names, re-exported)
    RATIO_METRICS,
    ListingMemo,
    claim_record,
    cluster_view,
    cluster_views,
    fact_check,
    mention_view,
)
from service.store.repository import NotStorable, Store, document_id
from service.store.tables import DocumentRow, ReferenceRow

T = TypeVar("T")
log = logging.getLogger(__name__)


@dataclass
class IngestRun:
    """What an ingest did; documented in the README with the exit codes."""

    files: int = 0
    new: int = 0
    unchanged: int = 0
    claims: int = 0
    failures: list[tuple[str, str, str]] = field(default_factory=list)
    stored_ids: list[str] = field(default_factory=list, repr=False)
    """Documents this run stored (what ``Store.verify`` reads back)."""

    def summary(self) -> dict[str, object]:
        return {
            "files": self.files,
            "new_documents": self.new,
            "unchanged_documents": self.unchanged,
            "new_claims": self.claims,
            "failed": [{"file": f, "code": c, "message": m} for f, c, m in self.failures],
        }

    def count(self, outcome: ArticleOutcome) -> None:
        """Add one processed article to the totals."""
        if outcome.failure:
            self.failures.append(outcome.failure)
        elif outcome.stored:
            self.new += 1
            self.claims += outcome.claims
            self.stored_ids.append(outcome.document_id)
        else:
            self.unchanged += 1


@dataclass(frozen=True)
class ArticleOutcome:
    """What processing one article did: stored now (with its number of claims), or already there."""

    name: str
    document_id: str
    stored: bool
    claims: int = 0
    failure: tuple[str, str, str] | None = None
    """(file, error code, message) when the article could not be stored."""
    attempts: int = 1
    """Transactions it took: more than one when a race with another writer was lost and tried again."""


# A racing writer can commit a cluster this article also opens; the article is then tried again.
STORE_ATTEMPTS = 5


def store_article(store: Store, extractor: Extractor, article: Article, mentions: Sequence[Mention]) -> ArticleOutcome:
    """Place an article's claims in clusters and store it with them in one transaction: the one store step
    of every writer (``claimgraph ingest``, ``POST /extract?persist=true``, the Ray actors).

    Safe with other writers on the same database: an article another writer stored first is reported as
    not stored (``stored=False``), and one whose transaction failed only because another writer committed
    a cluster it opens too is placed again and stored against that cluster. An article the database
    refuses, or that keeps losing races, comes back with ``failure`` set.

    Raises:
        StoreError: the database failed as a whole; nothing more can be stored.
    """
    doc_id, name = document_id(article), article.name
    for attempt in range(1, STORE_ATTEMPTS + 1):
        try:
            stored = store.add_document(article, mentions, cluster_claims(store, extractor, article, mentions))
        except NotStorable as exc:
            return ArticleOutcome(name, doc_id, False, failure=(name, exc.code, exc.message), attempts=attempt)
        if stored:
            claims = len({claim_id(doc_id, m) for m in mentions})
            return ArticleOutcome(name, doc_id, True, claims, attempts=attempt)
        if store.has_document(doc_id):
            return ArticleOutcome(name, doc_id, False, attempts=attempt)
    message = f"{name}: not stored after {STORE_ATTEMPTS} attempts (integrity conflicts)"
    return ArticleOutcome(name, doc_id, False, failure=(name, "store_conflict", message), attempts=STORE_ATTEMPTS)


class ExtractionFailed(ClaimgraphError):
    """The extractor failed on an article (a bug, reported for that article only)."""

    code = "extraction_failed"


def extract_each(extractor: Extractor, articles: Sequence[Article]) -> list[list[Mention] | ClaimgraphError]:
    """``extractor.run`` over a batch; when it fails, each article alone, so one article's failure is its own."""
    try:
        return list(extractor.run(articles))
    except Exception as exc:
        if len(articles) == 1:
            log.exception("extracting %s failed", articles[0].name)
            error = exc if isinstance(exc, ClaimgraphError) else ExtractionFailed(f"{articles[0].name}: {exc!r}")
            return [error]
    return [out for article in articles for out in extract_each(extractor, [article])]


def process_batch(articles: Sequence[Article], store: Store, extractor: Extractor) -> list[ArticleOutcome]:
    """Extract, cluster and store a batch of articles, each in its own transaction: the core batch function.

    Engine-independent: the in-process loop (``ingest_paths``) and the Ray actors (``service.distributed``)
    both call it; every article goes through ``store_article``. An article that cannot be extracted or
    stored is an outcome with ``failure`` set; the others are stored.

    Raises:
        StoreError: the database failed as a whole.
    """
    outcomes = []
    for article, mentions in zip(articles, extract_each(extractor, articles), strict=True):
        if isinstance(mentions, ClaimgraphError):
            failure = (article.name, mentions.code, mentions.message)
            outcomes.append(ArticleOutcome(article.name, document_id(article), False, failure=failure))
            continue
        outcomes.append(store_article(store, extractor, article, mentions))
    return outcomes


def ingest_paths(
    paths: Sequence[Path],
    store: Store,
    extractor: Extractor,
    run: IngestRun,
    batch_size: int = 16,
    progress: Callable[[int], None] | None = None,
    on_article: Callable[[ArticleOutcome], None] | None = None,
    published: str | None = None,
) -> IngestRun:
    """Store the articles under ``paths`` that are new or changed (by content hash), with their claims.

    Each article is committed on its own, so an interrupted run loses at most the batch in flight and a
    second run finishes the work; a document already stored is never extracted again. ``progress`` hears
    how many articles were just finished, ``on_article`` what became of each (files that cannot be read
    are in ``run.failures``). After every batch the documents it stored are read back through a new
    connection, and at the end (SQLite) the whole file is checked, so that nothing is counted as stored
    that is not.

    Raises:
        StoreError: the database failed (gone, damaged, full, read-only): what was stored is not reported.
    """
    extract_run = ExtractionRun()
    pending: list[Article] = []

    def flush() -> None:
        outcomes = process_batch(pending, store, extractor)
        store.verify([o.document_id for o in outcomes if o.stored])
        for outcome in outcomes:
            run.count(outcome)
            if on_article:
                on_article(outcome)
        if progress:
            progress(len(pending))
        pending.clear()

    for article in read_articles(paths, extract_run, published):
        if store.has_document(document_id(article)):
            run.unchanged += 1
            if progress:
                progress(1)
            if on_article:
                on_article(ArticleOutcome(article.name, document_id(article), False))
            continue
        pending.append(article)
        if len(pending) >= batch_size:
            flush()
    if pending:
        flush()
    if run.stored_ids:
        store.quick_check()
        store.verify(run.stored_ids)
    run.files = extract_run.files
    run.failures = extract_run.failures + run.failures
    return run


def cluster_claims(store: Store, extractor: Extractor, article: Article, mentions: Sequence[Mention]) -> dict:
    """Claim id -> cluster for one article's claims (incremental: only this article's claims are placed)."""
    groups = group_mentions(document_id(article), mentions)
    if not groups:
        return {}
    frames = [ClaimFrame.from_mention(g[0]) for g in groups.values()]
    # The store's index of `other` clusters, for these subjects only: no scan over every cluster stored.
    others = store.other_index({f.subject for f in frames if f.metric == "other"})
    refs = assign(extractor.catalogue, extractor.embedder, frames, others)
    return dict(zip(groups, refs, strict=True))


EXPORT_FORMATS = tuple(EXPORTERS)


def export_graph(store: Store, fmt: str) -> str:
    """The whole claim graph in one of EXPORT_FORMATS."""
    documents = [{"id": d.id, "path": d.path, "title": d.title, "published": d.published} for d in store.documents()]
    graph = build_graph(cluster_views(store), documents)
    return EXPORTERS[fmt].write(graph)


def snapshot(paths: Sequence[Path]) -> dict[Path, tuple[int, int]]:
    """(size, mtime) of every article file under ``paths``: a cheap test for new or changed files."""
    out = {}
    for p in expand_paths(list(paths)):
        try:
            st = p.stat()
        except OSError:
            continue
        out[p] = (st.st_size, st.st_mtime_ns)
    return out


def watch_paths(
    paths: Sequence[Path],
    store: Store,
    extractor: Extractor,
    report: Callable[[IngestRun], None],
    interval: float = 2.0,
    should_stop: Callable[[], bool] = lambda: False,
    batch_size: int = 16,
    on_article: Callable[[ArticleOutcome], None] | None = None,
) -> None:
    """Ingest ``paths`` now and again whenever a file appears or changes, until ``should_stop()``.

    Polling keeps it dependable on every file system (network mounts, containers); changed files are
    re-read and stored only when their content hash is new.
    """
    seen: dict[Path, tuple[int, int]] = {}
    while not should_stop():
        current = snapshot(paths)
        changed = [p for p, sig in current.items() if seen.get(p) != sig]
        if changed:
            report(ingest_paths(changed, store, extractor, IngestRun(), batch_size, on_article=on_article))
        seen = current
        deadline = time.monotonic() + interval
        while time.monotonic() < deadline and not should_stop():
            time.sleep(min(0.2, interval))


REFERENCE_COLUMNS = ("subject", "metric", "value", "time", "source_url")


def load_references(path: Path, store: Store, catalogue: Catalogue) -> int:
    """Read trusted figures from CSV (subject, metric, value, time, source_url) and store them.

    Every row is checked first; one bad row rejects the file with every problem listed, and nothing
    is stored (what was stored before stays).
    """
    try:
        with path.open(newline="", encoding="utf-8") as fh:
            reader = csv.DictReader(fh)
            missing = [c for c in REFERENCE_COLUMNS if c not in (reader.fieldnames or [])]
            if missing:
                raise InputError(f"{path}: missing column(s) {', '.join(missing)}", columns=reader.fieldnames)
            raw = list(reader)
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read ({exc})") from exc
    rows, problems = [], []
    for line, r in enumerate(raw, start=2):
        subject = (r["subject"] or "").strip()
        subject = subject if subject in catalogue.frameworks else (catalogue.framework_of(subject) or "")
        metric = (r["metric"] or "").strip()
        q = parse_quantity((r["value"] or "").strip())
        url = (r["source_url"] or "").strip()
        if not subject:
            problems.append(f"line {line}: unknown framework {r['subject']!r}")
        if metric not in catalogue.metrics:
            problems.append(f"line {line}: unknown metric {metric!r}")
        if q is None:
            problems.append(f"line {line}: value {r['value']!r} is not a quantity")
        if not url.startswith(("http://", "https://")):
            problems.append(f"line {line}: source_url must be an http(s) URL")
        if problems or q is None:
            continue
        time_ = (r["time"] or "").strip() or None
        rows.append(
            ReferenceRow(
                id=content_id(subject, metric, q.surface, time_, url, prefix="r_"),
                subject=subject,
                metric=metric,
                value_text=q.surface,
                value=q.value,
                value_high=q.value_high,
                unit=q.unit,
                comparator=q.comparator,
                time=time_,
                source_url=url,
            )
        )
    if problems:
        raise InputError(f"{path}: " + "; ".join(problems), problems=problems)
    return store.add_references(rows)


def document_fields(doc: DocumentRow) -> dict:
    """A stored document's metadata as the API and the pages show it (without its text)."""
    return {
        "document_id": doc.id,
        "path": doc.path,
        "title": doc.title,
        "url": doc.url,
        "published": doc.published,
        "publisher": doc.publisher,
        "format": doc.format,
    }


def document_view(store: Store, doc_id: str) -> dict | None:
    """A stored document: its original text and metadata, with every claim and the offsets of its mentions."""
    found = store.document(doc_id)
    if found is None:
        return None
    doc, pairs = found
    return {
        **document_fields(doc),
        "text": doc.text,
        "claims": [claim_record((claim, doc, mentions), mentions="full") for claim, mentions in pairs],
    }
