"""The one class that writes SQL. Same code on SQLite (default, WAL) and PostgreSQL."""

from __future__ import annotations

import functools
import hashlib
import sqlite3
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NamedTuple, ParamSpec, TypeVar
from urllib.parse import quote

from sqlalchemy import Select, create_engine, event, func, select, text, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DataError, IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session, defer, sessionmaker

from pipelines.cluster import ClusterRef, OtherIndex
from pipelines.consolidate import group_mentions
from pipelines.errors import ClaimgraphError, InputError
from pipelines.ingest import Article
from pipelines.types import Mention, content_id
from service.store.tables import ClaimRow, ClusterRow, ClusterVectorRow, DocumentRow, MentionRow, ReferenceRow

MIGRATIONS = Path(__file__).with_name("migrations")
READ_BACK_CHUNK = 500
"""Ids per query when reading back what was committed."""

P = ParamSpec("P")
R = TypeVar("R")


class ClaimKey(NamedTuple):
    """What a listing reads of a stored claim before its rows: ``Store.cluster_member_keys``."""

    id: str
    kind: str | None
    subjects: list[str] | None
    metric: str


@dataclass(frozen=True)
class ListingState:
    """``Store.listing_state``: enough to find what changed between two reads of the listings."""

    documents: frozenset[str]
    clusters: list[tuple[str, str, str]]
    """(id, subject, metric) of every cluster, in the listings' order."""
    counts: dict[str, int]
    """Claims per cluster id."""
    comparatives: list[tuple[tuple[str, ...], str, str | None]]
    """(subjects, metric, cluster id) of every comparative claim."""
    references: int


def _with_documents_and_mentions(
    s: Session, claims: list[ClaimRow], *, mentions_too: bool = True
) -> list[tuple[ClaimRow, DocumentRow, list[MentionRow]]]:
    """Each claim with its document (its text not loaded) and its mentions in text order, read in two queries
    (one, and no mentions, when ``mentions_too`` is False)."""
    docs = {
        d.id: d
        for d in s.scalars(
            select(DocumentRow)
            .where(DocumentRow.id.in_({c.document_id for c in claims}))
            .options(defer(DocumentRow.text))
        )
    }
    mentions: dict[str, list[MentionRow]] = {}
    if mentions_too:
        ids = [c.id for c in claims]
        for m in s.scalars(select(MentionRow).where(MentionRow.claim_id.in_(ids)).order_by(MentionRow.value_start)):
            mentions.setdefault(m.claim_id, []).append(m)
    return [(c, docs[c.document_id], mentions.get(c.id, [])) for c in claims]


class StoreError(ClaimgraphError):
    """The database failed as a whole (gone, corrupt, full, read-only, unreachable): nothing more can be
    stored, and what was reported stored must not be trusted without reading it back."""

    code = "store_failed"


class NotStorable(InputError):
    """The database refused one article's data (the others can still be stored)."""

    code = "not_storable"


def _one_line(exc: BaseException) -> str:
    """A database error in one line: the driver's own message, without SQL, parameters or traceback."""
    orig = getattr(exc, "orig", None) or exc
    first = (str(orig).strip().splitlines() or [type(orig).__name__])[0]
    return first[:300]


def database_errors(method: Callable[P, R]) -> Callable[P, R]:
    """Turn a database failure inside a ``Store`` method into ``StoreError`` with a one-line message."""

    @functools.wraps(method)
    def guarded(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return method(*args, **kwargs)
        except SQLAlchemyError as exc:
            raise StoreError(f"the database failed: {_one_line(exc)}", error=type(exc).__name__) from exc
        except sqlite3.Error as exc:  # a raw connection (verify, quick_check)
            raise StoreError(f"the database failed: {_one_line(exc)}", error=type(exc).__name__) from exc

    return guarded


def _findable(*values: str | None) -> bool:
    """Whether a key or filter can match a row: text holding NUL never can (PostgreSQL refuses it outright)."""
    return all(v is None or "\x00" not in v for v in values)


def document_id(article: Article) -> str:
    """The content hash that identifies an article: same text, same document, whatever the path."""
    return hashlib.sha256(article.original.encode("utf-8")).hexdigest()


def mention_id(doc_id: str, m: Mention) -> str:
    """A stored mention's id: where its value stands; a comparative phrase may hold one per metric."""
    extra = (m.metric,) if m.kind == "comparative" else ()
    return content_id(doc_id, m.value_start, m.value_end, *extra, prefix="m_")


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    # In WAL mode NORMAL never corrupts the file and keeps every commit across a killed process (the
    # kill -9 test); only the last commits before a power cut may be lost. It removes the fsync per
    # article that dominated an add to a large store.
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


class Store:
    """Documents, claims and mentions. ``migrate()`` brings the schema to the latest Alembic revision."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine: Engine = create_engine(url, future=True)
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        # The `other` clusters as a nearest-neighbour index, loaded per subject on first use (other_index).
        self._other_index = OtherIndex()
        self._other_rows: dict[str, tuple[int, int]] = {}  # subject -> (clusters, member vectors) loaded
        self._other_lock = threading.Lock()
        self._file_identity: tuple[int, int] | None = None

    @property
    def sqlite_path(self) -> Path | None:
        """The SQLite database file (None for PostgreSQL or an in-memory database)."""
        if self.engine.dialect.name != "sqlite":
            return None
        database = self.engine.url.database
        if not database or database == ":memory:" or database.startswith("file:"):
            return None
        return Path(database)

    @database_errors
    def migrate(self) -> None:
        from alembic import command
        from alembic.config import Config

        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        with self.engine.begin() as connection:
            if self.engine.dialect.name == "postgresql":
                # Processes starting together on a fresh database migrate one at a time.
                connection.execute(text("SELECT pg_advisory_xact_lock(74210)"))
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
        path = self.sqlite_path
        if path is not None:
            st = path.stat()
            self._file_identity = (st.st_dev, st.st_ino)

    def session(self) -> Session:
        return self._sessions()

    # --- writing ---------------------------------------------------------------------------------

    @database_errors
    def has_document(self, doc_id: str) -> bool:
        if not _findable(doc_id):
            return False
        with self.session() as s:
            return s.get(DocumentRow, doc_id) is not None

    @database_errors
    def add_document(
        self, article: Article, mentions: Sequence[Mention], clusters: Mapping[str, ClusterRef] | None = None
    ) -> bool:
        """Store an article with its claims in one transaction; False when it was already stored, or when
        another writer committed a row it writes too (a cluster it opens): ``has_document`` tells which.

        Two processes racing on the same article both try; the primary key lets exactly one win. Use
        ``service.core.store_article``, which tries again after a lost race, rather than this directly.

        Raises:
            NotStorable: the database refuses this article's data (text holding NUL, a value too long).
            StoreError: the database failed as a whole.
        """
        doc_id = document_id(article)
        fields = (article.name, article.title, article.url, article.published, article.publisher, article.original)
        if not _findable(*fields):
            raise NotStorable(f"{article.name!r}: text or metadata holding NUL characters cannot be stored")
        with self.session() as s:
            if s.get(DocumentRow, doc_id) is not None:
                return False
            try:
                s.add(
                    DocumentRow(
                        id=doc_id,
                        path=article.name,
                        title=article.title,
                        url=article.url,
                        published=article.published,
                        publisher=article.publisher,
                        format=article.format,
                        text=article.original,
                        ingested_at=datetime.now(UTC),
                    )
                )
                s.flush()  # the document row first: claims and mentions point at it
                clusters = clusters or {}
                opened: list[ClusterRef] = []
                distinct = {ref.id: ref for ref in clusters.values()}
                # One query for the clusters already stored (s.get would load and decode each embedding).
                stored = (
                    set(s.scalars(select(ClusterRow.id).where(ClusterRow.id.in_(list(distinct)))))
                    if distinct
                    else set()
                )
                for ref in distinct.values():
                    if ref.id not in stored:
                        opened.append(ref)
                        s.add(
                            ClusterRow(
                                id=ref.id,
                                subject=ref.subject,
                                metric=ref.metric,
                                key=ref.key,
                                embedding=list(ref.embedding) if ref.embedding else None,
                                dimension=ref.dimension,
                                subject_key=ref.subject_key,
                            )
                        )
                # Clusters stored before their dimension was kept learn it from the first claim placed in them.
                for ref in sorted(distinct.values(), key=lambda r: r.id):  # one lock order for every writer
                    if ref.id in stored and ref.dimension is not None:
                        s.execute(
                            update(ClusterRow)
                            .where(ClusterRow.id == ref.id, ClusterRow.dimension.is_(None))
                            .values(dimension=ref.dimension)
                        )
                s.flush()  # cluster rows before the member vectors that point at them
                members = self._new_members(s, clusters.values())
                s.add_all(members)
                rows = self._rows(doc_id, mentions)
                for row in rows:
                    if isinstance(row, ClaimRow) and row.id in clusters:
                        row.cluster_id = clusters[row.id].id
                s.add_all(rows)
                s.commit()
            except IntegrityError:
                s.rollback()
                return False
            except DataError as exc:
                s.rollback()
                raise NotStorable(f"{article.name!r}: the database refused it ({_one_line(exc)})") from exc
        self._index_opened(opened, members)
        return True

    @staticmethod
    def _new_members(s: Session, refs: Iterable[ClusterRef]) -> list[ClusterVectorRow]:
        """The member vectors ``assign`` asked to keep that no writer has stored yet."""
        wanted = {ref.member_id: ref for ref in refs if ref.member is not None and ref.member_id is not None}
        if not wanted:
            return []
        have = set(s.scalars(select(ClusterVectorRow.id).where(ClusterVectorRow.id.in_(list(wanted)))))
        return [
            ClusterVectorRow(id=mid, cluster_id=ref.id, subject=ref.subject, embedding=list(ref.member or ()))
            for mid, ref in wanted.items()
            if mid not in have
        ]

    def _index_opened(self, opened: Sequence[ClusterRef], members: Sequence[ClusterVectorRow] = ()) -> None:
        """Clusters and member vectors this store just committed join the in-memory index (subjects
        already loaded only)."""
        with self._other_lock:
            for ref in opened:
                if ref.metric == "other" and ref.subject in self._other_rows:
                    clusters, vectors = self._other_rows[ref.subject]
                    self._other_rows[ref.subject] = (clusters + 1, vectors)
                    self._other_index.add(ref)
            for row in members:
                if row.subject in self._other_rows:
                    clusters, vectors = self._other_rows[row.subject]
                    self._other_rows[row.subject] = (clusters, vectors + 1)
                    self._other_index.add_member(row.cluster_id, row.embedding, row.id)

    @staticmethod
    def _rows(doc_id: str, mentions: Sequence[Mention]) -> list[ClaimRow | MentionRow]:
        claims: list[ClaimRow | MentionRow] = []
        rows: list[ClaimRow | MentionRow] = []
        for cid, group in group_mentions(doc_id, mentions).items():
            first = group[0]
            claims.append(
                ClaimRow(
                    id=cid,
                    document_id=doc_id,
                    subject=first.subject or "",
                    subjects=list(first.subjects),
                    metric=first.metric,
                    metric_phrase=first.metric_phrase,
                    value_text=first.value_text,
                    value=first.value,
                    value_high=first.value_high,
                    unit=first.unit,
                    comparator=first.comparator,
                    time=first.time,
                    time_from=first.time_from,
                    scope=first.scope,
                    source=first.source,
                    confidence=max(m.confidence for m in group),
                    kind=first.kind,
                    form=first.form,
                    version=first.version,
                    version2=first.version2,
                    dimension=first.dimension,
                    per=first.per,
                    time_basis=first.time_basis,
                    date=first.date,
                )
            )
            rows += [
                MentionRow(
                    id=mention_id(doc_id, m),
                    claim_id=cid,
                    document_id=doc_id,
                    value_start=m.value_start,
                    value_end=m.value_end,
                    value_text=m.value_text,
                    sentence=m.sentence,
                    sentence_start=m.sentence_start,
                    sentence_end=m.sentence_end,
                    confidence=m.confidence,
                    spans={k: [[sp.start, sp.end] for sp in v] for k, v in m.spans.items()},
                )
                for m in group
            ]
        return claims + rows

    # --- checking what was written ----------------------------------------------------------------

    @database_errors
    def verify(self, doc_ids: Sequence[str]) -> None:
        """Read back through a new connection that every one of ``doc_ids`` is stored.

        On SQLite the file must also still be the one this store opened: a connection already open keeps
        writing into a file deleted (or replaced) under it, and those writes are lost when it closes.

        Raises:
            StoreError: the file is gone or replaced, the database cannot be read, or a document is missing.
        """
        wanted = list(dict.fromkeys(doc_ids))
        path = self.sqlite_path
        if path is not None:
            try:
                st = path.stat()
            except FileNotFoundError:
                raise StoreError(f"the database file {path} is gone (deleted while in use)") from None
            if self._file_identity is not None and (st.st_dev, st.st_ino) != self._file_identity:
                raise StoreError(f"the database file {path} was replaced while in use")
            found = self._sqlite_read_back(path, wanted)
        else:
            found = set()
            with self.engine.connect() as connection:
                for start in range(0, len(wanted), READ_BACK_CHUNK):
                    chunk = wanted[start : start + READ_BACK_CHUNK]
                    rows = connection.execute(select(DocumentRow.id).where(DocumentRow.id.in_(chunk)))
                    found.update(r[0] for r in rows)
        missing = [d for d in wanted if d not in found]
        if missing:
            raise StoreError(
                f"{len(missing)} of {len(wanted)} documents just committed are not in the database when read back",
                missing=missing[:20],
            )

    @staticmethod
    def _sqlite_read_back(path: Path, wanted: list[str]) -> set[str]:
        # mode=rw: a deleted file is an error, never silently created again (empty).
        connection = sqlite3.connect(f"file:{quote(str(path))}?mode=rw", uri=True, timeout=30)
        try:
            found: set[str] = set()
            for start in range(0, len(wanted), READ_BACK_CHUNK):
                chunk = wanted[start : start + READ_BACK_CHUNK]
                marks = ",".join("?" * len(chunk))
                found.update(r[0] for r in connection.execute(f"SELECT id FROM documents WHERE id IN ({marks})", chunk))
            return found
        finally:
            connection.close()

    @database_errors
    def quick_check(self) -> None:
        """SQLite's ``PRAGMA quick_check`` over the whole file, through a new connection (no-op on PostgreSQL).

        Raises:
            StoreError: the file is gone or damaged.
        """
        path = self.sqlite_path
        if path is None:
            return
        if not path.exists():
            raise StoreError(f"the database file {path} is gone (deleted while in use)")
        connection = sqlite3.connect(f"file:{quote(str(path))}?mode=rw", uri=True, timeout=30)
        try:
            rows = [r[0] for r in connection.execute("PRAGMA quick_check")]
        finally:
            connection.close()
        if rows != ["ok"]:
            raise StoreError(f"the database file {path} is damaged: {rows[0]}", problems=rows[:20])

    # --- reading ---------------------------------------------------------------------------------

    @database_errors
    def counts(self) -> dict[str, int]:
        with self.session() as s:
            return {
                "documents": s.scalar(select(func.count()).select_from(DocumentRow)) or 0,
                "claims": s.scalar(select(func.count()).select_from(ClaimRow)) or 0,
                "mentions": s.scalar(select(func.count()).select_from(MentionRow)) or 0,
            }

    @database_errors
    def other_index(self, subjects: Iterable[str]) -> OtherIndex:
        """The ``other`` clusters of ``subjects`` as a nearest-cluster index (``pipelines.cluster.assign``).

        Kept in this Store: a subject's clusters are read once, clusters this Store stores are added as
        they are committed, and one indexed count per call picks up clusters other processes stored
        (only those rows are read). So placing an article costs no work proportional to the store.
        """
        wanted = sorted(set(subjects))
        if not wanted:
            return self._other_index
        with self.session() as s:
            counts = dict(
                s.execute(
                    select(ClusterRow.subject, func.count())
                    .where(ClusterRow.metric == "other", ClusterRow.subject.in_(wanted))
                    .group_by(ClusterRow.subject)
                ).all()
            )
            vector_counts = dict(
                s.execute(
                    select(ClusterVectorRow.subject, func.count())
                    .where(ClusterVectorRow.subject.in_(wanted))
                    .group_by(ClusterVectorRow.subject)
                ).all()
            )
            for subject in wanted:
                now = (counts.get(subject, 0), vector_counts.get(subject, 0))
                if subject in self._other_rows and now == self._other_rows[subject]:
                    continue
                ids = s.scalars(
                    select(ClusterRow.id).where(ClusterRow.metric == "other", ClusterRow.subject == subject)
                ).all()
                missing = [i for i in ids if i not in self._other_index]
                rows: list[Any] = []
                for start in range(0, len(missing), 500):
                    rows += s.execute(
                        select(
                            ClusterRow.id,
                            ClusterRow.key,
                            ClusterRow.embedding,
                            ClusterRow.dimension,
                            ClusterRow.subject_key,
                        ).where(ClusterRow.id.in_(missing[start : start + 500]))
                    ).all()
                order = {cid: n for n, cid in enumerate(ids)}  # keep the table's order, as other_clusters does
                member_ids = s.scalars(
                    select(ClusterVectorRow.id).where(ClusterVectorRow.subject == subject).order_by(ClusterVectorRow.id)
                ).all()
                new_members = [i for i in member_ids if not self._other_index.has_member(i)]
                members: list[Any] = []
                for start in range(0, len(new_members), 500):
                    members += s.execute(
                        select(ClusterVectorRow.id, ClusterVectorRow.cluster_id, ClusterVectorRow.embedding).where(
                            ClusterVectorRow.id.in_(new_members[start : start + 500])
                        )
                    ).all()
                with self._other_lock:
                    for cid, key, embedding, dimension, skey in sorted(rows, key=lambda r: order[r[0]]):
                        vector = tuple(embedding) if embedding else None
                        self._other_index.add(
                            ClusterRef(cid, subject, "other", key, vector, dimension=dimension, subject_key=skey)
                        )
                    for mid, cid, embedding in sorted(members):
                        self._other_index.add_member(cid, embedding, mid)
                    self._other_rows[subject] = now
        return self._other_index

    @database_errors
    def other_clusters(self) -> list[ClusterRef]:
        """Clusters of ``other`` metrics with the vector of the phrase that opened each (the phrases that joined
        later are in ``cluster_vectors``; ``other_index`` holds both, as ``assign`` needs them)."""
        with self.session() as s:
            rows = s.scalars(select(ClusterRow).where(ClusterRow.metric == "other"))
            return [
                ClusterRef(
                    r.id,
                    r.subject,
                    r.metric,
                    r.key,
                    tuple(r.embedding) if r.embedding else None,
                    dimension=r.dimension,
                    subject_key=r.subject_key,
                )
                for r in rows
            ]

    @staticmethod
    def _clusters_query(
        s: Session, subject: str | None, metric: str | None, pairs: Iterable[tuple[str, str]] | None
    ) -> Select[ClusterRow] | None:
        """The clusters of a listing (filtered by subject and metric, or of these (subject, metric) pairs), in
        listing order; None when none can match."""
        if not _findable(subject, metric):
            return None
        wanted_pairs = sorted(p for p in set(pairs) if _findable(*p)) if pairs is not None else None
        if wanted_pairs is not None and not wanted_pairs:
            return None
        query = select(ClusterRow).order_by(ClusterRow.subject, ClusterRow.metric, ClusterRow.id)
        if subject:
            query = query.where(ClusterRow.subject == subject)
        if metric:
            query = query.where(ClusterRow.metric == metric)
        if wanted_pairs is not None:
            # The pairs' cluster ids first (a list of pairs compiles slowly as SQL; ids go as one
            # expanding parameter, compiled once).
            chosen = set(wanted_pairs)
            ids = [
                cid
                for cid, subj, met in s.execute(select(ClusterRow.id, ClusterRow.subject, ClusterRow.metric))
                if (subj, met) in chosen
            ]
            query = query.where(ClusterRow.id.in_(ids))
        return query

    @database_errors
    def cluster_members(
        self, subject: str | None = None, metric: str | None = None, *, pairs: Iterable[tuple[str, str]] | None = None
    ) -> list[tuple[ClusterRow, list[tuple[ClaimRow, DocumentRow, list[MentionRow]]]]]:
        """Every cluster (filtered) with its claims, each with its document (its text not loaded) and mentions;
        ``pairs``: the clusters of these (subject, metric) pairs only (in the same four queries)."""
        with self.session() as s:
            query = self._clusters_query(s, subject, metric, pairs)
            if query is None:
                return []
            clusters = list(s.scalars(query))
            # Three queries whatever the size: claims, their documents, their mentions.
            wanted = query.with_only_columns(ClusterRow.id).order_by(None).scalar_subquery()
            claim_query = select(ClaimRow).where(ClaimRow.cluster_id.in_(wanted)).order_by(ClaimRow.id)
            claims = list(s.scalars(claim_query))
            claim_ids = claim_query.with_only_columns(ClaimRow.id).order_by(None).scalar_subquery()
            doc_ids = claim_query.with_only_columns(ClaimRow.document_id).order_by(None).scalar_subquery()
            docs = {
                d.id: d
                for d in s.scalars(
                    select(DocumentRow).where(DocumentRow.id.in_(doc_ids)).options(defer(DocumentRow.text))
                )
            }
            mentions: dict[str, list[MentionRow]] = {}
            for m in s.scalars(
                select(MentionRow).where(MentionRow.claim_id.in_(claim_ids)).order_by(MentionRow.value_start)
            ):
                mentions.setdefault(m.claim_id, []).append(m)
            by_cluster: dict[str, list[tuple[ClaimRow, DocumentRow, list[MentionRow]]]] = {}
            for claim in claims:
                by_cluster.setdefault(claim.cluster_id or "", []).append(
                    (claim, docs[claim.document_id], mentions.get(claim.id, []))
                )
            out = [(cluster, by_cluster.get(cluster.id, [])) for cluster in clusters]
            return out

    @database_errors
    def cluster_member_keys(
        self, subject: str | None = None, metric: str | None = None, *, pairs: Iterable[tuple[str, str]] | None = None
    ) -> list[tuple[ClusterRow, list[ClaimKey]]]:
        """``cluster_members`` without the rows: each claim's (id, kind, subjects, metric), in the same order, for
        a caller that keeps the claims it has converted (``service.listing.ListingMemo``; ``claim_members``
        reads the rows of the others). Two queries, of columns only."""
        with self.session() as s:
            query = self._clusters_query(s, subject, metric, pairs)
            if query is None:
                return []
            clusters = list(s.scalars(query))
            wanted = query.with_only_columns(ClusterRow.id).order_by(None).scalar_subquery()
            by_cluster: dict[str, list[ClaimKey]] = {}
            for cid, kind, subjects, claim_metric, cluster in s.execute(
                select(ClaimRow.id, ClaimRow.kind, ClaimRow.subjects, ClaimRow.metric, ClaimRow.cluster_id)
                .where(ClaimRow.cluster_id.in_(wanted))
                .order_by(ClaimRow.id)
            ):
                by_cluster.setdefault(cluster or "", []).append(ClaimKey(cid, kind, subjects, claim_metric))
            return [(cluster, by_cluster.get(cluster.id, [])) for cluster in clusters]

    @database_errors
    def comparative_keys(self, metric: str | None = None) -> list[ClaimKey]:
        """``comparatives`` without the rows: (id, kind, subjects, metric) of each, in the same order."""
        if not _findable(metric):
            return []
        query = select(ClaimRow.id, ClaimRow.kind, ClaimRow.subjects, ClaimRow.metric).where(
            ClaimRow.kind == "comparative"
        )
        if metric:
            query = query.where(ClaimRow.metric == metric)
        with self.session() as s:
            return [ClaimKey(*row) for row in s.execute(query.order_by(ClaimRow.id))]

    @database_errors
    def with_documents(self, claims: Sequence[ClaimRow]) -> list[tuple[ClaimRow, DocumentRow, list[MentionRow]]]:
        """Claims already read (``claims``, ``claims_page``), each with its document (its text not loaded) and
        no mentions: what a list of claims shows, read a chunk at a time."""
        out: list[tuple[ClaimRow, DocumentRow, list[MentionRow]]] = []
        with self.session() as s:
            for start in range(0, len(claims), READ_BACK_CHUNK):
                chunk = list(claims[start : start + READ_BACK_CHUNK])
                out += _with_documents_and_mentions(s, chunk, mentions_too=False)
        return out

    @database_errors
    def claim_members(self, claim_ids: Iterable[str]) -> dict[str, tuple[ClaimRow, DocumentRow, list[MentionRow]]]:
        """These claims by id, each with its document (its text not loaded) and its mentions in text order, as
        ``cluster_members`` gives them; unknown ids are left out."""
        wanted = sorted(set(claim_ids))
        out: dict[str, tuple[ClaimRow, DocumentRow, list[MentionRow]]] = {}
        with self.session() as s:
            for start in range(0, len(wanted), READ_BACK_CHUNK):
                chunk = wanted[start : start + READ_BACK_CHUNK]
                claims = list(s.scalars(select(ClaimRow).where(ClaimRow.id.in_(chunk))))
                out.update((row[0].id, row) for row in _with_documents_and_mentions(s, claims))
        return out

    @database_errors
    def add_references(self, rows: Sequence[ReferenceRow]) -> int:
        """Store reference values in one transaction (all or nothing); returns how many were new."""
        with self.session() as s:
            new = [r for r in rows if s.get(ReferenceRow, r.id) is None]
            s.add_all(new)
            s.commit()
            return len(new)

    @database_errors
    def references(self) -> list[ReferenceRow]:
        with self.session() as s:
            return list(s.scalars(select(ReferenceRow).order_by(ReferenceRow.subject, ReferenceRow.metric)))

    @database_errors
    def documents(self) -> list[DocumentRow]:
        with self.session() as s:
            return list(s.scalars(select(DocumentRow).order_by(DocumentRow.path)))

    @database_errors
    def claims(self, subject: str | None = None, metric: str | None = None) -> list[ClaimRow]:
        if not _findable(subject, metric):
            return []
        query = select(ClaimRow).order_by(ClaimRow.subject, ClaimRow.metric, ClaimRow.id)
        if subject:
            query = query.where(ClaimRow.subject == subject)
        if metric:
            query = query.where(ClaimRow.metric == metric)
        with self.session() as s:
            return list(s.scalars(query))

    @database_errors
    def claim(self, claim_id: str) -> tuple[ClaimRow, DocumentRow, list[MentionRow]] | None:
        if not _findable(claim_id):
            return None
        with self.session() as s:
            row = s.get(ClaimRow, claim_id)
            if row is None:
                return None
            doc = s.get(DocumentRow, row.document_id)
            assert doc is not None
            mentions = list(
                s.scalars(select(MentionRow).where(MentionRow.claim_id == claim_id).order_by(MentionRow.value_start))
            )
            return row, doc, mentions

    @database_errors
    def comparatives(self, metric: str | None = None) -> list[tuple[ClaimRow, DocumentRow, list[MentionRow]]]:
        """Comparative claims (no number of their own), with document (its text not loaded) and mentions."""
        if not _findable(metric):
            return []
        with self.session() as s:
            query = select(ClaimRow).where(ClaimRow.kind == "comparative").order_by(ClaimRow.id)
            if metric:
                query = query.where(ClaimRow.metric == metric)
            return _with_documents_and_mentions(s, list(s.scalars(query)))

    @database_errors
    def cluster(self, cluster_id: str) -> ClusterRow | None:
        if not _findable(cluster_id):
            return None
        with self.session() as s:
            return s.get(ClusterRow, cluster_id)

    @database_errors
    def listing_state(self) -> ListingState:
        """What a cached listing needs to tell which clusters a write touched, in one read transaction:
        every document id, every cluster (in listing order) and how many claims each holds, the comparatives'
        subjects, and the references' count. Not one snapshot on every database: a caller compares its parts
        (a write between two of them shows as a mismatch)."""
        with self.session() as s:
            documents = frozenset(s.scalars(select(DocumentRow.id)))
            clusters = [
                (cid, subject, metric)
                for cid, subject, metric in s.execute(
                    select(ClusterRow.id, ClusterRow.subject, ClusterRow.metric).order_by(
                        ClusterRow.subject, ClusterRow.metric, ClusterRow.id
                    )
                )
            ]
            counts = {
                cid: int(n)
                for cid, n in s.execute(
                    select(ClaimRow.cluster_id, func.count())
                    .where(ClaimRow.cluster_id.is_not(None))
                    .group_by(ClaimRow.cluster_id)
                )
                if cid is not None  # as the query asks; said again for the type
            }
            comparatives = [
                (tuple(subjects or ()), metric, cid)
                for subjects, metric, cid in s.execute(
                    select(ClaimRow.subjects, ClaimRow.metric, ClaimRow.cluster_id).where(
                        ClaimRow.kind == "comparative"
                    )
                )
            ]
            refs = int(s.scalar(select(func.count()).select_from(ReferenceRow)) or 0)
            return ListingState(documents, clusters, counts, comparatives, refs)

    @database_errors
    def claims_of_documents(self, doc_ids: Iterable[str]) -> list[tuple[str, str, tuple[str, ...], str, str | None]]:
        """(id, kind, subjects, metric, cluster id) of the claims of these documents."""
        wanted = list(doc_ids)
        out: list[tuple[str, str, tuple[str, ...], str, str | None]] = []
        with self.session() as s:
            for start in range(0, len(wanted), 500):
                query = select(ClaimRow.id, ClaimRow.kind, ClaimRow.subjects, ClaimRow.metric, ClaimRow.cluster_id)
                for cid, kind, subjects, metric, cluster in s.execute(
                    query.where(ClaimRow.document_id.in_(wanted[start : start + 500]))
                ):
                    out.append((cid, kind or "numeric", tuple(subjects or ()), metric, cluster))
        return out

    @database_errors
    def cluster_facets(self) -> list[tuple[str, str]]:
        """Distinct (subject, metric) pairs of the stored clusters: the choices of a filter form."""
        with self.session() as s:
            query = (
                select(ClusterRow.subject, ClusterRow.metric).distinct().order_by(ClusterRow.subject, ClusterRow.metric)
            )
            return [(subject, metric) for subject, metric in s.execute(query)]

    @database_errors
    def document(self, doc_id: str) -> tuple[DocumentRow, list[tuple[ClaimRow, list[MentionRow]]]] | None:
        """A document with its claims, each with its mentions in text order (None when unknown)."""
        if not _findable(doc_id):
            return None
        with self.session() as s:
            doc = s.get(DocumentRow, doc_id)
            if doc is None:
                return None
            claims = list(s.scalars(select(ClaimRow).where(ClaimRow.document_id == doc_id)))
            mentions: dict[str, list[MentionRow]] = {}
            for m in s.scalars(
                select(MentionRow).where(MentionRow.document_id == doc_id).order_by(MentionRow.value_start)
            ):
                mentions.setdefault(m.claim_id, []).append(m)
            pairs = [(claim, mentions.get(claim.id, [])) for claim in claims]
            # Text order: a document page reads top to bottom.
            pairs.sort(key=lambda p: (p[1][0].value_start if p[1] else 0, p[0].id))
            return doc, pairs

    # --- API reads (paged) -----------------------------------------------------------------------

    def ping(self) -> bool:
        """True when the database answers a trivial query (readiness probe)."""
        try:
            with self.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
            return True
        except Exception:
            return False

    @database_errors
    def claims_page(
        self, subject: str | None = None, metric: str | None = None, limit: int = 50, offset: int = 0
    ) -> tuple[list[ClaimRow], int]:
        """One page of claims (same order and filters as ``claims``) and how many match in all."""
        if not _findable(subject, metric):
            return [], 0
        where = []
        if subject:
            where.append(ClaimRow.subject == subject)
        if metric:
            where.append(ClaimRow.metric == metric)
        with self.session() as s:
            total = s.scalar(select(func.count()).select_from(ClaimRow).where(*where)) or 0
            page = select(ClaimRow).where(*where).order_by(ClaimRow.subject, ClaimRow.metric, ClaimRow.id)
            return list(s.scalars(page.limit(limit).offset(offset))), total

    @database_errors
    def document_summaries(self, limit: int = 50, offset: int = 0) -> tuple[list[tuple[DocumentRow, int]], int]:
        """One page of documents (by path) with their number of claims, without loading their text."""
        claims = select(ClaimRow.document_id, func.count().label("n")).group_by(ClaimRow.document_id).subquery()
        query = (
            select(DocumentRow, func.coalesce(claims.c.n, 0))
            .outerjoin(claims, claims.c.document_id == DocumentRow.id)
            .options(defer(DocumentRow.text))
            .order_by(DocumentRow.path, DocumentRow.id)
            .limit(limit)
            .offset(offset)
        )
        with self.session() as s:
            total = s.scalar(select(func.count()).select_from(DocumentRow)) or 0
            return [(doc, int(n)) for doc, n in s.execute(query)], total

    @database_errors
    def version(self) -> tuple[int, str, int]:
        """What changes whenever the stored claims or references do (documents are only ever added):
        a cheap key for caching views of the whole store."""
        with self.session() as s:
            docs, latest = s.execute(select(func.count(), func.max(DocumentRow.ingested_at))).one()
            refs = s.scalar(select(func.count()).select_from(ReferenceRow)) or 0
            return int(docs), str(latest), int(refs)
