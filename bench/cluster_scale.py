"""Clustering and relating 10k, 100k and 1M synthetic claims; an incremental add to a 1M-claim store.

Printed, per size n (each stage in its own subprocess, so that peak memory is that stage's alone):

* cluster assignment (``pipelines.cluster.assign`` with the ``OtherIndex``, article by article as
  ingest places them): time and peak RSS;
* relating every cluster (``pipelines.relations.relate_cluster``: all pairs up to 50 claims, a
  summary above): time and peak RSS;
* growth exponents log(t2/t1)/log(n2/n1) between sizes (targets: time <= 1.2, memory <= 1.0);
* on a real SQLite store (``service.store.Store``, migrated) holding 1M claims: the time to add one new
  article's claims — ``service.core.cluster_claims`` (the incremental path) then ``Store.add_document``
  — median and p95 over 50 articles (target < 50 ms). Extraction (the models) is not in that time; the
  MiniLM embedding of an article's ``other`` keys is measured on its own and printed beside it.

The synthetic claims are seeded and columnar (numpy): subjects are the catalogue's frameworks
(Zipf-weighted), 70% catalogue metrics and 30% ``other`` metrics written with paraphrased phrases,
values scattered around a per-(subject, metric, year) level with the comparators people write, periods
and scopes often missing. Embedding a million keys with MiniLM on 2 cores would take hours, so the fixed
pool of distinct ``other`` keys (subject × phrase) is embedded once with the real MiniLM and the vectors
reused (cached under the cache folder); the per-key cost is measured and printed.

    .venv/bin/python bench/cluster_scale.py            # 10k, 100k, 1M + the 1M store
    .venv/bin/python bench/cluster_scale.py --quick    # 10k and 100k, store of 100k
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import pickle
import shutil
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

if str(Path(__file__).resolve().parent) not in sys.path:  # loaded by path (the tests), not run as a script
    sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np  # noqa: E402
from _common import (  # noqa: E402  (before pipelines: offline models, this checkout on sys.path)
    CACHE,
    building_store,
    exponent,
    remove_sqlite,
    reset_peak,
    rss_mb,
    run_stage,
    schema_digest,
)

from pipelines.catalogue import Catalogue, default_catalogue  # noqa: E402
from pipelines.claims import Claim, Comparator, Kind, TimeBasis, Unit  # noqa: E402
from pipelines.cluster import ClaimFrame, ClusterRef, OtherIndex, assign, metric_text  # noqa: E402
from pipelines.context import parse_period  # noqa: E402
from pipelines.relations import relate_cluster  # noqa: E402
from pipelines.relations.cluster_verdict import ALL_PAIRS_UP_TO  # noqa: E402

VERSION = 2
"""Bump when the generator changes: cached embeddings, assignments and stores are keyed by it."""
SEED = 20261121

# Ways people write a property no catalogue metric covers: concepts × paraphrases × qualifiers.
CONCEPTS = [
    ("GPU memory use", "GPU memory consumption", "memory used on the GPU"),
    ("cold start time", "startup latency", "time to first prediction"),
    ("energy use per inference", "power draw per prediction", "energy consumed per inference"),
    ("number of tutorials", "count of tutorials online", "tutorials published"),
    ("Stack Overflow questions", "questions on Stack Overflow", "Stack Overflow question count"),
    ("compile time", "time spent compiling the model", "graph compilation time"),
    ("binary size", "size of the installed package", "wheel size"),
    ("open issues on GitHub", "GitHub issues still open", "unresolved GitHub issues"),
    ("share of Kaggle notebooks", "Kaggle notebook share", "percentage of Kaggle notebooks"),
    ("cloud training cost", "cost of training in the cloud", "training bill on cloud GPUs"),
    ("time to train ResNet-50", "ResNet-50 training time", "hours to train a ResNet-50"),
    ("tokens per second", "token throughput", "tokens generated per second"),
    ("accuracy on ImageNet", "ImageNet top-1 accuracy", "top-1 accuracy on ImageNet"),
    ("lines of code for a training loop", "code length of a training loop", "boilerplate lines per model"),
    ("number of supported operators", "operator coverage", "ops supported"),
    ("mobile app installs", "installs in mobile apps", "apps shipping the runtime"),
    ("conference talks", "talks at ML conferences", "conference presentations"),
    ("university courses teaching it", "courses that teach the framework", "university classes using it"),
    ("pull requests merged per month", "monthly merged pull requests", "PRs merged each month"),
    ("time to fix security issues", "security patch turnaround", "days to patch a vulnerability"),
    ("YouTube video views", "views of tutorial videos", "video tutorial views"),
    ("books published", "number of books about it", "books written about the framework"),
    ("docker image pulls", "container image pulls", "Docker Hub pulls"),
    ("models exported to mobile", "on-device model exports", "models deployed on phones"),
    ("research labs using it", "labs that rely on it", "AI labs adopting it"),
    ("peak TFLOPS reached", "achieved TFLOPS", "measured TFLOPS on A100"),
    ("test coverage", "share of code under test", "unit test coverage"),
    ("release frequency", "releases per year", "number of releases a year"),
    ("Reddit mentions", "mentions on Reddit", "Reddit threads about it"),
    ("developer satisfaction score", "satisfaction among developers", "how satisfied developers are"),
]
QUALIFIERS = ("", " during training", " in production", " on mobile devices")
PHRASES = [p + q for concept in CONCEPTS for p in concept for q in QUALIFIERS]
OTHER_SUBJECTS = ("pytorch", "tensorflow", "jax", "keras", "scikit_learn", "onnx", "hf_transformers", "xgboost")
SCOPES = [
    "NeurIPS papers", "ICML papers", "all papers", "arXiv preprints", "papers with code",
    "Kaggle respondents", "survey respondents", "professional developers", "students", "data scientists",
    "enterprise teams", "startups", "Fortune 500 companies", "production deployments", "mobile apps",
    "job postings in the US", "job postings in Europe", "GitHub repositories", "Hugging Face models",
    "cloud customers",
]  # fmt: skip
PERIODS = [str(y) for y in range(2016, 2026)] + ["2024-Q1", "2024-Q2", "2025-Q1"]
_PERIODS_PARSED = [replace(parse_period(p), basis="sentence") for p in PERIODS]  # type: ignore[arg-type]
COMPARATORS = ("=", "~", ">", ">=", "up_to", "range")
COMPARATOR_P = (0.58, 0.15, 0.1, 0.07, 0.05, 0.05)
UNITS = ("percent", "count", "ratio", "year", "rank")
KIND_UNIT = {"share": 0, "percent_change": 0, "count": 1, "ratio": 2, "year": 3, "rank": 4}


@dataclass
class Synthetic:
    """n synthetic claims, one array per field; ``article`` numbers the article each claim is in."""

    subjects: list[str]
    metrics: list[str]
    subject: np.ndarray
    metric: np.ndarray
    phrase: np.ndarray  # index into PHRASES, -1 for a catalogue metric
    value: np.ndarray
    value_high: np.ndarray  # NaN unless a range
    comparator: np.ndarray
    unit: np.ndarray
    period: np.ndarray  # index into PERIODS, -1: none given
    scope: np.ndarray  # index into SCOPES, -1: none given
    article: np.ndarray

    def __len__(self) -> int:
        return len(self.subject)

    def claim(self, i: int) -> tuple[str, str, str | None]:
        """(subject, metric, metric phrase) as ``assign`` takes them."""
        p = int(self.phrase[i])
        return self.subjects[self.subject[i]], self.metrics[self.metric[i]], PHRASES[p] if p >= 0 else None

    def surface(self, i: int) -> str:
        v, unit, comp = float(self.value[i]), UNITS[self.unit[i]], COMPARATORS[self.comparator[i]]
        if unit == "percent":
            text = f"{v * 100:.0f}%"
            if comp == "range":
                return f"{v * 100:.0f}–{self.value_high[i] * 100:.0f}%"
        elif unit == "count":
            text = f"{v:,.0f}"
            if comp == "range":
                return f"{v:,.0f}–{self.value_high[i]:,.0f}"
        elif unit == "ratio":
            text = f"{v:.1f}x"
            if comp == "range":
                return f"{v:.1f}–{self.value_high[i]:.1f}x"
        else:
            text = f"{v:.0f}" if unit == "year" else f"#{v:.0f}"
        word = {"~": "about ", ">": "over ", ">=": "at least ", "up_to": "up to "}.get(comp, "")
        return word + text

    def value_of(self, i: int) -> Claim:
        """What relating needs, as ``service.core`` builds it from a stored claim."""
        p, s = int(self.period[i]), int(self.scope[i])
        high = float(self.value_high[i])
        period = _PERIODS_PARSED[p] if p >= 0 else None
        return Claim(
            id=f"c{i:07d}",
            document_id=f"d{int(self.article[i])}",
            kind=Kind.NUMERIC,
            subjects=("x",),
            metric="m",
            value_text=self.surface(i),
            value=float(self.value[i]),
            value_high=None if math.isnan(high) else high,
            unit=Unit(UNITS[self.unit[i]]),
            comparator=Comparator(COMPARATORS[self.comparator[i]]),
            time=PERIODS[p] if p >= 0 else None,
            time_basis=TimeBasis.SENTENCE if p >= 0 else TimeBasis.NONE,
            period=period,
            scope=SCOPES[s] if s >= 0 else None,
        )


def generate(n: int, seed: int = SEED, catalogue: Catalogue | None = None) -> Synthetic:
    """n claims, deterministic for (n, seed); the first claims of a larger n are not those of a smaller."""
    catalogue = catalogue or default_catalogue()
    rng = np.random.default_rng(seed)
    subjects = list(catalogue.frameworks)
    metrics = [m for m in catalogue.metrics if m != "other"] + ["other"]
    other = len(metrics) - 1
    zipf = 1.0 / np.arange(1, len(subjects) + 1) ** 1.1
    subject = rng.choice(len(subjects), size=n, p=zipf / zipf.sum()).astype(np.int16)
    mzipf = 1.0 / np.arange(1, other + 1) ** 0.8
    metric = rng.choice(other, size=n, p=mzipf / mzipf.sum()).astype(np.int16)
    is_other = rng.random(n) < 0.3
    metric[is_other] = other
    # `other` claims are about the frameworks people write most about (the embedded key pool).
    other_subjects = np.asarray([subjects.index(s) for s in OTHER_SUBJECTS], dtype=np.int16)
    subject[is_other] = rng.choice(other_subjects, size=int(is_other.sum()))
    phrase = np.full(n, -1, dtype=np.int16)
    pzipf = 1.0 / np.arange(1, len(PHRASES) + 1) ** 0.7
    phrase[is_other] = rng.permutation(len(PHRASES))[
        rng.choice(len(PHRASES), size=int(is_other.sum()), p=pzipf / pzipf.sum())
    ]
    kinds = [catalogue.metrics[m].unit_kind for m in metrics]
    unit = np.asarray([KIND_UNIT.get(k, 0) for k in kinds], dtype=np.int8)[metric]
    unit[is_other] = rng.choice([0, 1, 2], size=int(is_other.sum()))
    period = np.where(rng.random(n) < 0.35, -1, rng.choice(len(PERIODS), size=n)).astype(np.int16)
    scope = np.where(rng.random(n) < 0.6, -1, rng.choice(len(SCOPES), size=n)).astype(np.int16)
    comparator = rng.choice(len(COMPARATORS), size=n, p=COMPARATOR_P).astype(np.int8)
    # A level per (subject, metric, phrase), drifting with the year; claims scatter around it.
    level_rng = np.random.default_rng(seed + 1)
    level = level_rng.random((len(subjects), len(metrics), len(PHRASES) + 1))
    base = level[subject, metric, phrase + 1]
    year = np.where(period >= 0, np.asarray([int(p[:4]) for p in PERIODS])[period], 2022)
    noise = rng.normal(0, 1, n) * np.where(rng.random(n) < 0.7, 0.02, 0.12)
    share = np.clip(base * 0.8 + 0.1 + 0.01 * (year - 2022) + noise, 0.01, 0.99)
    value = np.empty(n)
    value_high = np.full(n, np.nan)
    value[unit == 0] = np.round(share[unit == 0], 2)
    value[unit == 1] = np.round(10 ** (3 + 3 * share[unit == 1]), -3)
    value[unit == 2] = np.round(1 + 4 * share[unit == 2], 1)
    value[unit == 3] = 2010 + np.round(share[unit == 3] * 10)
    value[unit == 4] = 1 + np.round(share[unit == 4] * 9)
    exact = (unit == 3) | (unit == 4)
    comparator[exact] = 0
    ranged = comparator == COMPARATORS.index("range")
    value_high[ranged] = np.where(unit[ranged] == 0, np.minimum(value[ranged] + 0.1, 0.99), value[ranged] * 1.3)
    value_high[ranged & (unit == 2)] = np.round(value_high[ranged & (unit == 2)], 1)
    value_high[ranged & (unit == 1)] = np.round(value_high[ranged & (unit == 1)], -3)
    sizes = rng.integers(3, 15, size=n // 3 + 2)
    article = np.repeat(np.arange(len(sizes), dtype=np.int32), sizes)[:n]
    return Synthetic(
        subjects, metrics, subject, metric, phrase, value, value_high, comparator, unit, period, scope, article
    )


# --- embeddings of `other` keys: the real MiniLM, once per distinct key -------------------------------


class PoolEmbedder:
    """An ``Embedder`` over a fixed pool of keys, each embedded once with the packaged MiniLM.

    Asking for a key outside the pool is an error: every vector used is a real MiniLM vector."""

    def __init__(self, keys: Sequence[str], vectors: np.ndarray) -> None:
        self._rows = {k: n for n, k in enumerate(keys)}
        self._vectors = vectors

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        return self._vectors[[self._rows[t] for t in texts]]


def embedded_text(catalogue: Catalogue, claim: tuple[str, str, str | None]) -> str:
    """What ``assign`` embeds for an ``other`` claim: its metric phrase without framework names."""
    return metric_text(catalogue, ClaimFrame.of(claim))


def pool_keys(catalogue: Catalogue, subjects: Sequence[str] = OTHER_SUBJECTS) -> list[str]:
    return sorted({embedded_text(catalogue, (s, "other", p)) for s in subjects for p in PHRASES})


def pool_embedder(
    catalogue: Catalogue, keys: Sequence[str] | None = None, log: Callable[[str], None] = print
) -> PoolEmbedder:
    """The pool's MiniLM vectors, from the cache folder or embedded now (and cached)."""
    keys = list(keys) if keys is not None else pool_keys(catalogue)
    digest = hashlib.sha256("\n".join(keys).encode()).hexdigest()[:12]
    path = CACHE / f"keys_v{VERSION}_{digest}.npy"
    if path.exists():
        vectors = np.load(path)
        log(f"embeddings: {len(keys)} distinct `other` keys, MiniLM vectors read from {path}")
        return PoolEmbedder(keys, vectors)
    from pipelines.embed import MiniLMEmbedder

    embedder = MiniLMEmbedder()
    embedder.embed(keys[:2])  # load the model outside the timing
    t0 = time.perf_counter()
    vectors = embedder.embed(keys)
    took = time.perf_counter() - t0
    log(
        f"embeddings: {len(keys)} distinct `other` keys embedded once with MiniLM in {took:.1f} s "
        f"({1000 * took / len(keys):.2f} ms a key), reused for every claim with that key"
    )
    CACHE.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp.npy")
    np.save(tmp, vectors)
    tmp.replace(path)
    return PoolEmbedder(keys, vectors)


# --- the two stages ------------------------------------------------------------------------------------


def assign_all(data: Synthetic, catalogue: Catalogue, embedder: PoolEmbedder) -> tuple[np.ndarray, list[ClusterRef]]:
    """Place every claim, article by article, as ingest does: each article's claims are assigned against
    the index of the clusters stored before it, then its new ``other`` clusters join the index.

    Returns the cluster number of each claim and the clusters (numbered in order of creation)."""
    index = OtherIndex()
    numbers: dict[str, int] = {}
    refs: list[ClusterRef] = []
    cluster_of = np.empty(len(data), dtype=np.int32)
    bounds = np.flatnonzero(np.diff(data.article)) + 1
    starts = [0, *bounds.tolist()]
    ends = [*bounds.tolist(), len(data)]
    for start, end in zip(starts, ends, strict=True):
        claims = [data.claim(i) for i in range(start, end)]
        for i, ref in zip(range(start, end), assign(catalogue, embedder, claims, index), strict=True):
            n = numbers.get(ref.id)
            if n is None:
                n = numbers[ref.id] = len(refs)
                refs.append(ref)
            index.add(ref)  # committed: later articles can join it (and must be close to its new member)
            cluster_of[i] = n
    return cluster_of, refs


def relate_all(data: Synthetic, cluster_of: np.ndarray, all_pairs_up_to: int = ALL_PAIRS_UP_TO) -> dict:
    """relate_cluster over every cluster; what it found, counted."""
    order = np.argsort(cluster_of, kind="stable")
    sorted_clusters = cluster_of[order]
    bounds = np.flatnonzero(np.diff(sorted_clusters)) + 1
    verdicts: Counter[str] = Counter()
    summarised = pairs = largest = 0
    for members in np.split(order, bounds):
        values = [data.value_of(int(i)) for i in members]
        result = relate_cluster(values, all_pairs_up_to=all_pairs_up_to)
        verdicts[str(result.verdict)] += 1
        summarised += not result.exhaustive
        pairs += len(result.relations)
        largest = max(largest, len(values))
    return {
        "clusters": int(len(bounds) + 1),
        "summarised": summarised,
        "largest": largest,
        "relations": pairs,
        "verdicts": dict(sorted(verdicts.items())),
    }


# --- measuring one stage in a subprocess ----------------------------------------------------------------


def _stage(args: argparse.Namespace) -> dict:
    catalogue = default_catalogue()
    data = generate(args.n, catalogue=catalogue)
    assigned = CACHE / f"assign_v{VERSION}_{args.n}.pkl"
    if args.stage == "assign":
        embedder = pool_embedder(catalogue, log=lambda m: print(m, file=sys.stderr))
        base, _ = rss_mb()
        reset_peak()
        t0, c0 = time.perf_counter(), time.process_time()
        cluster_of, refs = assign_all(data, catalogue, embedder)
        took, cpu = time.perf_counter() - t0, time.process_time() - c0
        _, peak = rss_mb()
        with assigned.open("wb") as fh:
            pickle.dump((cluster_of, refs), fh)
        others = sum(r.metric == "other" for r in refs)
        return {
            "seconds": took,
            "cpu_seconds": cpu,
            "base_mb": base,
            "peak_mb": peak,
            "clusters": len(refs),
            "other_clusters": others,
            "load": os.getloadavg()[0],
        }
    with assigned.open("rb") as fh:
        cluster_of, _refs = pickle.load(fh)
    base, _ = rss_mb()
    reset_peak()
    t0, c0 = time.perf_counter(), time.process_time()
    found = relate_all(data, cluster_of)
    took, cpu = time.perf_counter() - t0, time.process_time() - c0
    _, peak = rss_mb()
    return {"seconds": took, "cpu_seconds": cpu, "base_mb": base, "peak_mb": peak, "load": os.getloadavg()[0], **found}


# --- the store: 1M claims in SQLite, then incremental adds -----------------------------------------------


def article_text(data: Synthetic, catalogue: Catalogue, rows: Sequence[int]) -> tuple[str, list[tuple[int, int]]]:
    """An article stating claims ``rows``, one sentence each; the value span of each in the text."""
    parts, spans, pos = [], [], 0
    for i in rows:
        subject, metric, phrase = data.claim(i)
        what = phrase if metric == "other" else catalogue.metrics[metric].description
        head = f"{catalogue.frameworks[subject].name}: {what} stood at "
        value = data.surface(i)
        s, p = int(data.scope[i]), int(data.period[i])
        tail = (f" among {SCOPES[s]}" if s >= 0 else "") + (f" in {PERIODS[p]}" if p >= 0 else "") + ".\n"
        spans.append((pos + len(head), pos + len(head) + len(value)))
        parts.append(head + value + tail)
        pos += len(head) + len(value) + len(tail)
    return "".join(parts), spans


def mentions_of(data: Synthetic, text: str, spans: Sequence[tuple[int, int]], rows: Sequence[int], name: str) -> list:
    """The Mentions an extractor would give for the article (offsets exact in ``text``)."""
    from pipelines.types import Mention

    out = []
    for i, (start, end) in zip(rows, spans, strict=True):
        subject, metric, phrase = data.claim(i)
        line_start = text.rfind("\n", 0, start) + 1
        line_end = text.index("\n", end)
        cv = data.value_of(i)
        out.append(
            Mention(
                document=name,
                value_start=start,
                value_end=end,
                value_text=text[start:end],
                sentence=text[line_start:line_end],
                sentence_start=line_start,
                sentence_end=line_end,
                subject=subject,
                subjects=(subject,),
                metric=metric,
                metric_phrase=phrase,
                value=cv.value,
                value_high=cv.value_high,
                unit=str(cv.unit),
                comparator=str(cv.comparator),
                time=cv.time,
                time_from="text" if cv.time else "none",
                scope=cv.scope,
                source=None,
                confidence=0.9,
            )
        )
    return out


def build_store(
    path: Path, data: Synthetic, cluster_of: np.ndarray, refs: Sequence[ClusterRef], catalogue: Catalogue
) -> float:
    """A migrated SQLite store holding every claim of ``data`` (one mention each) in its clusters, bulk
    loaded with SQLAlchemy core executemany; returns the seconds it took. Built beside ``path`` and
    renamed into place, so an interrupted build never leaves a half store behind."""
    from sqlalchemy import insert

    from pipelines.types import content_id
    from service.store.tables import ClaimRow, ClusterRow, DocumentRow, MentionRow

    t0 = time.perf_counter()
    with building_store(path) as store:
        now = datetime.now(UTC)
        has_kind = "kind" in ClaimRow.__table__.c
        with store.engine.begin() as conn:
            conn.exec_driver_sql("PRAGMA synchronous=OFF")
            conn.execute(
                insert(ClusterRow.__table__),
                [
                    {
                        "id": r.id,
                        "subject": r.subject,
                        "metric": r.metric,
                        "key": r.key,
                        "embedding": list(r.embedding) if r.embedding else None,
                    }
                    for r in refs
                ],
            )
        bounds = np.flatnonzero(np.diff(data.article)) + 1
        starts, ends = [0, *bounds.tolist()], [*bounds.tolist(), len(data)]
        chunk = 2000  # articles per transaction
        for c in range(0, len(starts), chunk):
            docs, claims, mentions = [], [], []
            for start, end in zip(starts[c : c + chunk], ends[c : c + chunk], strict=True):
                rows = list(range(start, end))
                text_, spans = article_text(data, catalogue, rows)
                doc_id = hashlib.sha256(text_.encode("utf-8")).hexdigest()
                name = f"synthetic/{int(data.article[start]):07d}.txt"
                docs.append(
                    {
                        "id": doc_id,
                        "path": name,
                        "title": None,
                        "url": None,
                        "published": None,
                        "publisher": None,
                        "format": "text",
                        "text": text_,
                        "ingested_at": now,
                    }
                )
                for m in mentions_of(data, text_, spans, rows, name):
                    cid = content_id(doc_id, m.value_start, prefix="c_")
                    claim = {
                        "id": cid,
                        "document_id": doc_id,
                        "subject": m.subject,
                        "subjects": list(m.subjects),
                        "metric": m.metric,
                        "metric_phrase": m.metric_phrase,
                        "value_text": m.value_text,
                        "value": m.value,
                        "value_high": m.value_high,
                        "unit": m.unit,
                        "comparator": m.comparator,
                        "time": m.time,
                        "time_from": m.time_from,
                        "scope": m.scope,
                        "source": None,
                        "confidence": m.confidence,
                        "cluster_id": None,
                    }
                    if has_kind:
                        claim["kind"] = "numeric"
                    claims.append(claim)
                    mentions.append(
                        {
                            "id": content_id(doc_id, m.value_start, m.value_end, prefix="m_"),
                            "claim_id": cid,
                            "document_id": doc_id,
                            "value_start": m.value_start,
                            "value_end": m.value_end,
                            "value_text": m.value_text,
                            "sentence": m.sentence,
                            "sentence_start": m.sentence_start,
                            "sentence_end": m.sentence_end,
                            "confidence": m.confidence,
                            "spans": {},
                        }
                    )
                for claim, i in zip(claims[len(claims) - len(rows) :], rows, strict=True):
                    claim["cluster_id"] = refs[int(cluster_of[i])].id
            with store.engine.begin() as conn:
                conn.exec_driver_sql("PRAGMA synchronous=OFF")
                conn.execute(insert(DocumentRow.__table__), docs)
                conn.execute(insert(ClaimRow.__table__), claims)
                conn.execute(insert(MentionRow.__table__), mentions)
    return time.perf_counter() - t0


def timed_adds(
    store_path: Path, catalogue: Catalogue, embedder: PoolEmbedder, adds: int = 50, seed: int = SEED + 7
) -> dict:
    """Add ``adds`` new articles to a copy of the store through the service's incremental path
    (``service.core.cluster_claims`` + ``Store.add_document``); milliseconds per article."""
    from pipelines.extract.pipeline import Extractor
    from pipelines.ingest import article_from_text
    from service.core import cluster_claims
    from service.store import Store

    work = store_path.with_suffix(".adds.db")
    remove_sqlite(work)
    shutil.copyfile(store_path, work)
    store = Store(f"sqlite:///{work}")
    store.migrate()
    extractor = Extractor(catalogue=catalogue, embedder=embedder)  # cheap: no model is loaded
    fresh = generate(30 * (adds + 1), seed=seed, catalogue=catalogue)
    bounds = np.flatnonzero(np.diff(fresh.article)) + 1
    starts, ends = [0, *bounds.tolist()], [*bounds.tolist(), len(fresh)]
    articles = []
    for a, (start, end) in enumerate(zip(starts, ends, strict=True)):
        rows = list(range(start, end))
        text_, spans = article_text(fresh, catalogue, rows)
        name = f"new/{a:04d}.txt"
        articles.append((article_from_text(text_, name=name, fmt="text"), mentions_of(fresh, text_, spans, rows, name)))
    before = store.counts()
    t0 = time.perf_counter()
    old_load = len(store.other_clusters())
    old_ms = 1000 * (time.perf_counter() - t0)
    times, placing, writing, cpu, claims, other = [], [], [], [], 0, 0
    for article, mentions in articles[: adds + 1]:
        t0, c0 = time.perf_counter(), time.process_time()
        clusters = cluster_claims(store, extractor, article, mentions)
        t1 = time.perf_counter()
        stored = store.add_document(article, mentions, clusters)
        t2, c2 = time.perf_counter(), time.process_time()
        times.append(1000 * (t2 - t0))
        placing.append(1000 * (t1 - t0))
        writing.append(1000 * (t2 - t1))
        cpu.append(1000 * (c2 - c0))
        assert stored, "a fresh synthetic article must be new"
        claims += len(mentions)
        other += sum(m.metric == "other" for m in mentions)
    after = store.counts()
    store.engine.dispose()
    remove_sqlite(work)
    warm = sorted(times[1:])

    def p95(values: list[float]) -> float:
        ordered = sorted(values[1:])
        return ordered[min(len(ordered) - 1, math.ceil(0.95 * len(ordered)) - 1)]

    return {
        "cluster_claims_median_ms": statistics.median(placing[1:]),
        "cluster_claims_p95_ms": p95(placing),
        "add_document_median_ms": statistics.median(writing[1:]),
        "add_document_p95_ms": p95(writing),
        "cpu_median_ms": statistics.median(cpu[1:]),
        "cpu_p95_ms": p95(cpu),
        "store_claims": before["claims"],
        "added_claims": after["claims"] - before["claims"],
        "articles": len(warm),
        "claims_per_article": claims / len(times),
        "other_share": other / max(claims, 1),
        "first_add_ms": times[0],
        "median_ms": statistics.median(warm),
        "p95_ms": warm[min(len(warm) - 1, math.ceil(0.95 * len(warm)) - 1)],
        "max_ms": warm[-1],
        "old_other_clusters_load_ms": old_ms,
        "other_clusters": old_load,
    }


def embedding_cost(catalogue: Catalogue, articles: int = 20) -> float:
    """Median ms to embed one article's `other` keys with MiniLM (what the pool saves the benchmark)."""
    from pipelines.embed import MiniLMEmbedder

    embedder = MiniLMEmbedder()
    data = generate(30 * articles, seed=SEED + 11, catalogue=catalogue)
    embedder.embed(["warm up"])
    times = []
    for a in range(articles):
        rows = np.flatnonzero((data.article == a) & (data.metric == len(data.metrics) - 1))
        keys = [embedded_text(catalogue, data.claim(int(i))) for i in rows]
        if keys:
            t0 = time.perf_counter()
            embedder.embed(keys)
            times.append(1000 * (time.perf_counter() - t0))
    return statistics.median(times)


def _store_stage(args: argparse.Namespace) -> dict:
    catalogue = default_catalogue()
    with (CACHE / f"assign_v{VERSION}_{args.n}.pkl").open("rb") as fh:
        cluster_of, refs = pickle.load(fh)
    path = CACHE / f"store_v{VERSION}_{schema_digest()}_{args.n}.db"
    built = None
    if not path.exists():
        built = build_store(path, generate(args.n, catalogue=catalogue), cluster_of, refs, catalogue)
    embedder = pool_embedder(catalogue, log=lambda m: print(m, file=sys.stderr))
    result = timed_adds(path, catalogue, embedder, adds=args.adds)
    result["build_seconds"] = built
    result["store_path"] = str(path)
    result["store_mb"] = path.stat().st_size / 2**20
    result["load"] = os.getloadavg()[0]
    result["embed_article_ms"] = embedding_cost(catalogue)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="10k and 100k only (store of 100k)")
    parser.add_argument("--sizes", type=int, nargs="*", help="claim counts (default 10k 100k 1M)")
    parser.add_argument("--adds", type=int, default=50, help="articles added to the big store")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--stage", choices=["assign", "relate", "store"], help=argparse.SUPPRESS)
    parser.add_argument("--n", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    CACHE.mkdir(parents=True, exist_ok=True)
    if args.stage:
        result = _store_stage(args) if args.stage == "store" else _stage(args)
        print(json.dumps(result))
        return
    sizes = args.sizes or ([10_000, 100_000] if args.quick else [10_000, 100_000, 1_000_000])
    print(f"cluster_scale v{VERSION}: sizes {sizes}, seed {SEED}, cache {CACHE}, {os.cpu_count()} CPUs")
    print(f"relate_cluster: every pair up to {ALL_PAIRS_UP_TO} claims, summary above")
    rows = []
    for n in sizes:
        a = run_stage(__file__, "--stage", "assign", "--n", str(n))
        r = run_stage(__file__, "--stage", "relate", "--n", str(n))
        rows.append({"n": n, "assign": a, "relate": r})
        print(
            f"n={n:>9,}  assign {a['seconds']:7.2f} s wall {a['cpu_seconds']:7.2f} s CPU  peak RSS"
            f" {a['peak_mb']:6.1f} MiB (+{a['peak_mb'] - a['base_mb']:5.1f})  load {a['load']:4.1f}"
            f"  clusters {a['clusters']:,} ({a['other_clusters']:,} other)"
        )
        print(
            f"{'':13}relate {r['seconds']:7.2f} s wall {r['cpu_seconds']:7.2f} s CPU  peak RSS"
            f" {r['peak_mb']:6.1f} MiB (+{r['peak_mb'] - r['base_mb']:5.1f})  load {r['load']:4.1f}"
            f"  summarised {r['summarised']:,}, largest {r['largest']:,}, verdicts {r['verdicts']}"
        )
    exps = []
    for first, second in zip(rows, rows[1:], strict=False):
        e = {"from": first["n"], "to": second["n"]}
        for stage in ("assign", "relate"):
            s1, s2 = first[stage], second[stage]
            e[f"{stage}_time"] = exponent(first["n"], second["n"], s1["cpu_seconds"], s2["cpu_seconds"])
            e[f"{stage}_wall"] = exponent(first["n"], second["n"], s1["seconds"], s2["seconds"])
            e[f"{stage}_memory"] = exponent(
                first["n"], second["n"], s1["peak_mb"] - s1["base_mb"], s2["peak_mb"] - s2["base_mb"]
            )
        exps.append(e)
        print(
            f"growth {first['n']:,} -> {second['n']:,}: assign time {e['assign_time']:.2f} (wall "
            f"{e['assign_wall']:.2f}), memory {e['assign_memory']:.2f}; relate time {e['relate_time']:.2f} (wall "
            f"{e['relate_wall']:.2f}), memory {e['relate_memory']:.2f}"
        )
    print(
        "targets: time <= 1.2, memory <= 1.0. Time exponents from CPU time (the machine is shared: wall time"
        " grows with the load average), memory from the peak RSS above the stage's starting RSS."
    )
    store = run_stage(__file__, "--stage", "store", "--n", str(sizes[-1]), "--adds", str(args.adds))
    built = f"built in {store['build_seconds']:.0f} s" if store["build_seconds"] else "cached"
    print(
        f"store: {store['store_claims']:,} claims, {store['other_clusters']:,} `other` clusters, "
        f"{store['store_mb']:.0f} MiB SQLite ({built}: {store['store_path']})"
    )
    print(
        f"incremental add of one article ({store['claims_per_article']:.1f} claims, "
        f"{100 * store['other_share']:.0f}% `other`), cluster_claims + add_document, extraction excluded: "
        f"median {store['median_ms']:.1f} ms, p95 {store['p95_ms']:.1f} ms, max {store['max_ms']:.1f} ms over "
        f"{store['articles']} articles (target < 50 ms); first add, loading the subjects' index: "
        f"{store['first_add_ms']:.0f} ms; load average {store['load']:.1f} on {os.cpu_count()} CPUs"
    )
    print(
        f"  of which cluster_claims (the incremental placement): median {store['cluster_claims_median_ms']:.1f} ms,"
        f" p95 {store['cluster_claims_p95_ms']:.1f} ms; Store.add_document (SQLite transaction, fsync, WAL"
        f" checkpoints): median {store['add_document_median_ms']:.1f} ms, p95 {store['add_document_p95_ms']:.1f} ms;"
        f" CPU time of the whole add: median {store['cpu_median_ms']:.1f} ms, p95 {store['cpu_p95_ms']:.1f} ms"
    )
    print(
        f"for comparison: reading every `other` cluster (what each add did before the index): "
        f"{store['old_other_clusters_load_ms']:.0f} ms; MiniLM embedding of one article's `other` keys "
        f"(not in the add time): median {store['embed_article_ms']:.1f} ms"
    )
    if args.json:
        args.json.write_text(json.dumps({"sizes": rows, "growth": exps, "store": store}, indent=2))


if __name__ == "__main__":
    main()
