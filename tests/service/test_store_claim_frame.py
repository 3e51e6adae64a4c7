"""The store keeps the claim frame (form, versions, dimension, rate period, time basis, date), reads it back
as typed records, and upgrades older stores without losing a claim (SQLite and PostgreSQL)."""

import datetime as dt
import json

import numpy as np
import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, text

from pipelines.catalogue import load_catalogue
from pipelines.claims import Kind, TimeBasis, Unit
from pipelines.cluster import ClaimFrame, assign
from pipelines.consolidate import group_mentions
from pipelines.ingest import article_from_text
from pipelines.types import Mention, content_id
from service.store import Store
from service.store.records import to_claim
from service.store.repository import MIGRATIONS, document_id
from service.store.tables import ClusterRow, ClusterVectorRow


def _mention(article, value_text, **frame):
    start = article.original.index(value_text)
    line_start = article.original.rfind("\n", 0, start) + 1
    line_end = article.original.find("\n", start)
    line_end = len(article.original) if line_end < 0 else line_end
    fields = dict(
        document=article.name,
        value_start=start,
        value_end=start + len(value_text),
        value_text=value_text,
        sentence=article.original[line_start:line_end],
        sentence_start=line_start,
        sentence_end=line_end,
        subject="tensorflow",
        subjects=("tensorflow",),
        metric="release_year",
        metric_phrase="released",
        value=2019.0,
        value_high=None,
        unit="year",
        comparator="=",
        time=None,
        time_from="none",
        scope=None,
        source=None,
        confidence=0.9,
    )
    fields.update(frame)
    return Mention(**fields)


class TableEmbedder:
    def __init__(self, table):
        self.table = {k: np.asarray(v, dtype=np.float32) / np.linalg.norm(v) for k, v in table.items()}

    def embed(self, texts):
        return np.stack([self.table[t] for t in texts])


def _store(store, article, mentions, embedder=None):
    groups = group_mentions(document_id(article), mentions)
    frames = [ClaimFrame.from_mention(g[0]) for g in groups.values()]
    index = store.other_index({f.subject for f in frames if f.metric == "other"})
    refs = assign(load_catalogue(), embedder, frames, index)
    assert store.add_document(article, mentions, dict(zip(groups, refs, strict=True)))
    return dict(zip(groups, refs, strict=True))


def test_the_frame_is_written_and_read_back(store_url):
    store = Store(store_url)
    store.migrate()
    text = (
        "TensorFlow 2.0 was released on 30 September 2019.\n"
        "TensorFlow was released in 2015.\n"
        "PyTorch trains 1.3x faster than TensorFlow.\n"
        "PyTorch had 10,000 downloads per day in 2023.\n"
    )
    article = article_from_text(text, name="frame.txt", fmt="text", published="2024-05-07")
    mentions = [
        _mention(article, "30 September 2019", version="2.0", dimension="date", date="2019-09-30"),
        _mention(article, "2015", value=2015.0, dimension="date"),
        _mention(
            article,
            "1.3x",
            subject="pytorch",
            subjects=("pytorch", "tensorflow"),
            form="versus",
            metric="training_speed_ratio",
            metric_phrase="trains faster",
            value=1.3,
            unit="ratio",
            dimension="ratio",
        ),
        _mention(
            article,
            "10,000",
            subject="pytorch",
            subjects=("pytorch",),
            metric="download_rate",
            metric_phrase="downloads per day",
            value=10000.0,
            unit="count",
            dimension="rate",
            per="day",
            time="2023",
            time_from="text",
            time_basis="sentence",
        ),
    ]
    placed = _store(store, article, mentions)
    by_value = {}
    for claim_id, ref in placed.items():
        row, doc, _ = store.claim(claim_id)
        by_value[row.value_text] = (row, doc, ref)

    row, doc, ref = by_value["30 September 2019"]
    assert (row.version, row.dimension, row.date, row.form, row.time_basis) == (
        "2.0",
        "date",
        "2019-09-30",
        "single",
        "none",
    )
    claim = to_claim(row, doc)
    assert claim.version == "2.0" and claim.date == "2019-09-30" and claim.unit is Unit.YEAR
    assert claim.period is None and claim.time_basis is TimeBasis.NONE  # a date is its own time
    tf_year = by_value["2015"][2]
    assert ref.id != tf_year.id  # TensorFlow 2.0's release date is not TensorFlow's release year

    row, doc, ref = by_value["1.3x"]
    assert row.form == "versus" and row.subjects == ["pytorch", "tensorflow"]
    claim = to_claim(row, doc)
    assert claim.form == "versus" and claim.other == "tensorflow"
    # Present tense, no time of its own: the document's date, basis document.
    assert claim.time_basis is TimeBasis.DOCUMENT and claim.period.label == "2024-05-07"

    row, doc, ref = by_value["10,000"]
    assert (row.per, row.dimension, row.time_basis) == ("day", "rate", "sentence")
    claim = to_claim(row, doc)
    assert claim.period.label == "2023" and claim.period.basis == "sentence" and claim.time_basis is TimeBasis.SENTENCE

    with store.session() as s:
        clusters = {c.id: c for c in s.query(ClusterRow)}
    assert clusters[by_value["30 September 2019"][2].id].dimension == "date"
    assert clusters[by_value["30 September 2019"][2].id].subject_key == "tensorflow@2.0"
    assert clusters[by_value["1.3x"][2].id].subject_key == "pytorch|versus|tensorflow"
    assert clusters[tf_year.id].subject_key is None and clusters[tf_year.id].id == content_id(
        "tensorflow", "release_year", prefix="k_"
    )


def test_other_members_are_stored_and_seen_by_another_writer(store_url):
    embedder = TableEmbedder({"a": [1, 0, 0], "b": [0.8, 0.6, 0], "c": [0.8, -0.6, 0]})
    store = Store(store_url)
    store.migrate()

    def article(n, phrase, value):
        art = article_from_text(f"JAX {phrase} was {value}.\nArticle {n}.", name=f"o{n}.txt", fmt="text")
        return art, [
            _mention(
                art,
                str(value),
                subject="jax",
                subjects=("jax",),
                metric="other",
                metric_phrase=phrase,
                value=float(value),
                unit="count",
                dimension="count",
            )
        ]

    (first,) = _store(store, *article(1, "a", 11), embedder=embedder).values()
    (second,) = _store(store, *article(2, "b", 12), embedder=embedder).values()
    assert second.id == first.id and second.member is not None
    with store.session() as s:
        vectors = list(s.query(ClusterVectorRow))
        cluster = s.get(ClusterRow, first.id)
    assert [v.cluster_id for v in vectors] == [first.id] and cluster.dimension == "count"
    # Another process: its index is read from the database, members included. "c" is close to "a" (the
    # cluster's first phrase) but not to "b" (a member), so it opens a cluster of its own.
    other = Store(store_url)
    (third,) = _store(other, *article(3, "c", 13), embedder=embedder).values()
    assert third.id != first.id
    assert other.other_index(["jax"]).count("jax") == 2


def _config(connection):
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def test_a_store_of_revision_0005_upgrades_keeping_its_claims(store_url):
    engine = create_engine(store_url)
    with engine.begin() as connection:
        command.upgrade(_config(connection), "0005")
        connection.execute(
            text(
                "INSERT INTO documents (id, path, title, url, published, publisher, format, text, ingested_at) "
                "VALUES ('d1', 'old.txt', NULL, NULL, '2023-03', NULL, 'text', 'PyTorch has 74k stars.', :at)"
            ),
            {"at": dt.datetime(2024, 1, 1, tzinfo=dt.UTC)},
        )
        connection.execute(
            text(
                "INSERT INTO clusters (id, subject, metric, key, embedding) "
                "VALUES ('k_old', 'pytorch', 'github_stars', 'PyTorch — stars', NULL)"
            )
        )
        connection.execute(
            text(
                "INSERT INTO claims (id, document_id, subject, subjects, metric, metric_phrase, value_text, value, "
                "value_high, unit, comparator, time, time_from, scope, source, confidence, cluster_id, kind) "
                "VALUES ('c_old', 'd1', 'pytorch', :subjects, 'github_stars', 'stars', '74k', 74000, NULL, 'count', "
                "'=', NULL, 'none', NULL, NULL, 0.9, 'k_old', 'numeric')"
            ),
            {"subjects": json.dumps(["pytorch"])},
        )
    engine.dispose()
    store = Store(store_url)
    store.migrate()
    row, doc, _ = store.claim("c_old")
    assert (row.value, row.cluster_id, row.kind) == (74000, "k_old", "numeric")
    assert (row.form, row.time_basis, row.version, row.dimension, row.per, row.date) == (
        "single",
        "none",
        None,
        None,
        None,
        None,
    )
    claim = to_claim(row, doc)
    assert claim.dimension == "count"  # the metric's catalogue dimension
    assert claim.kind is Kind.NUMERIC and claim.period.label == "2023-03" and claim.time_basis is TimeBasis.DOCUMENT
    assert store.cluster("k_old").dimension is None
    assert store.counts() == {"documents": 1, "claims": 1, "mentions": 0}
    # A new claim of the same (subject, metric) lands in the old cluster and gives it its dimension.
    article = article_from_text("PyTorch has 80k GitHub stars.", name="new.txt", fmt="text")
    mention = _mention(
        article,
        "80k",
        subject="pytorch",
        subjects=("pytorch",),
        metric="github_stars",
        metric_phrase="GitHub stars",
        value=80000.0,
        unit="count",
        dimension="count",
    )
    (ref,) = _store(store, article, [mention]).values()
    assert ref.id == content_id("pytorch", "github_stars", prefix="k_")


@pytest.mark.parametrize("revision", ["0005"])
def test_downgrade_removes_the_frame_columns(tmp_path, revision):
    url = f"sqlite:///{tmp_path / 'down.db'}"
    Store(url).migrate()
    engine = create_engine(url)
    with engine.begin() as connection:
        command.downgrade(_config(connection), revision)
        columns = {r[1] for r in connection.execute(text("PRAGMA table_info(claims)"))}
        tables = {r[0] for r in connection.execute(text("SELECT name FROM sqlite_master WHERE type='table'"))}
    assert "form" not in columns and "kind" in columns and "cluster_vectors" not in tables
