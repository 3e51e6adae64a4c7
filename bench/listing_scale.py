"""The cluster listings (``claimgraph clusters`` / ``contradictions``, ``GET /clusters`` / ``/contradictions``)
on stores of 200, 1,000 and 3,000 generated articles with comparative claims; the API's first read after a write.

Printed, per store size (articles; each listing timed in its own fresh subprocess, so that its peak RSS is
its own):

* the clusters listing: ``service.core.cluster_views(store)``, as ``claimgraph clusters`` and the API's
  cache compute it;
* the contradictions listing: ``cluster_views(store)`` kept to the clusters whose verdict is
  ``conflicts``, as ``claimgraph contradictions`` does;
* wall time, process CPU time and peak RSS of each; what the views hold (clusters, claims, comparative
  claims, relations with a comparative on one side, conflicting clusters);
* growth exponents log(t2/t1)/log(n2/n1) between sizes and from the first size to the last (target
  <= 1.2 from 200 to 3,000 articles);
* the real API (``service.api.app.create_app`` under FastAPI's ``TestClient``, in process) on the
  1,000-article store: listings read once to warm the views cache, then one new article stored through
  ``service.core.store_article`` and the first ``GET /clusters`` timed; again for ``GET /contradictions``
  and the web page ``GET /web/clusters/`` (target <= 1 s).

Articles are generated (seeded) and written through the product's write path (``store_article``: cluster
placement, then ``Store.add_document`` in one transaction) into a migrated SQLite store; extraction is not
run — each article comes with the ``Mention`` objects an extractor would give for its text, offsets exact.
Each article states 8–12 figures about Zipf-weighted catalogue frameworks on Zipf-weighted catalogue
metrics (never ``other``, so no embedding is needed), values scattered around a level per (framework,
metric, year), the comparators people write, periods often missing, scopes sometimes given; plus one or two
comparatives ("PyTorch has surpassed TensorFlow in …", value None, direction > < ~, subjects [a, b]) between
popular frameworks on the same metrics, mostly in the direction the levels say. Stores are cached under the
cache folder by generator version, size and migration files (``--rebuild`` writes them again).

    .venv/bin/python bench/listing_scale.py                  # 200, 1,000, 3,000 articles; API on 1,000
    .venv/bin/python bench/listing_scale.py --quick          # 100 and 400; API on 400
    .venv/bin/python bench/listing_scale.py --json out.json
    .venv/bin/python bench/listing_scale.py --stage-timeout 300   # a listing past 300 s: a lower bound
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import statistics
import sys
import tempfile
import time
import zlib
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

if str(Path(__file__).resolve().parent) not in sys.path:  # loaded by path (the tests), not run as a script
    sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import (  # noqa: E402  (before pipelines: offline models, this checkout on sys.path)
    CACHE,
    building_store,
    exponent,
    reset_peak,
    rss_mb,
    run_stage,
    schema_digest,
)

from pipelines.catalogue import Catalogue, default_catalogue  # noqa: E402

VERSION = 1
"""Bump when the generator changes: cached stores are keyed by it."""
SEED = 20261204
TARGET_EXPONENT = 1.2
TARGET_FIRST_READ_S = 1.0

# The unit a figure of each metric kind is written in (as the quantity rules parse it); other kinds
# (rates, durations, sizes, money, `other`) are left out.
KIND_UNIT = {
    "share": "percent",
    "change": "percent",
    "count": "count",
    "ratio": "ratio",
    "rank": "rank",
    "date": "year",
}
# Frameworks people compare with each other, most written-about first.
POPULAR = ("pytorch", "tensorflow", "jax", "keras", "scikit_learn", "hf_transformers", "onnx", "xgboost")
# Metrics comparatives are written about ("has surpassed … in stars").
COMPARED = (
    "github_stars", "github_forks", "research_paper_share", "developer_usage_share", "downloads",
    "job_postings", "model_hub_count", "citations", "training_speed_ratio", "inference_speed_ratio",
)  # fmt: skip
SCOPES = (
    "NeurIPS papers", "ICML papers", "arXiv preprints", "papers with code", "Kaggle respondents",
    "survey respondents", "professional developers", "students", "data scientists", "enterprise teams",
    "startups", "production deployments", "job postings in the US", "job postings in Europe",
    "GitHub repositories", "Hugging Face models",
)  # fmt: skip
YEARS = tuple(range(2017, 2026))
COMPARATORS = ("=", "~", ">", ">=", "up_to", "range")
COMPARATOR_P = (0.58, 0.15, 0.1, 0.07, 0.05, 0.05)
WORDS = {"~": "about ", ">": "over ", ">=": "at least ", "up_to": "up to "}
PHRASES = {
    ">": ("has surpassed", "is ahead of", "has overtaken", "leads"),
    "<": ("trails", "lags behind", "is behind"),
    "~": ("is on par with", "is level with"),
}
RATIO_PHRASES = {">": ("is faster than",), "<": ("is slower than",), "~": ("is as fast as",)}


# --- the generated articles -----------------------------------------------------------------------------


def _zipf(n: int, s: float) -> list[float]:
    return [1.0 / (k**s) for k in range(1, n + 1)]


def _level(subject: str, metric: str, year: int, seed: int) -> float:
    """A framework's standing on a metric in a year, in (0, 1): a fixed level per (subject, metric), drifting."""
    base = random.Random(zlib.crc32(f"{seed}|{subject}|{metric}".encode())).random()
    return base * 0.8 + 0.1 + 0.01 * (year - 2021)


def _figure(unit: str, share: float, comparator: str) -> tuple[float, float | None, str]:
    """(value, value_high, surface) of a figure at ``share`` of its metric's range, as people write it."""
    share = min(max(share, 0.01), 0.99)
    if unit == "percent":
        v = round(share, 2)
        if comparator == "range":
            hi = round(min(v + 0.1, 0.99), 2)
            return v, hi, f"{v * 100:.0f}–{hi * 100:.0f}%"
        text = f"{v * 100:.0f}%"
    elif unit == "count":
        v = float(round(10 ** (3 + 3 * share), -3))
        if comparator == "range":
            hi = float(round(v * 1.3, -3))
            return v, hi, f"{v:,.0f}–{hi:,.0f}"
        text = f"{v:,.0f}"
    elif unit == "ratio":
        v = round(1 + 4 * share, 1)
        if comparator == "range":
            hi = round(v * 1.3, 1)
            return v, hi, f"{v:.1f}–{hi:.1f}x"
        text = f"{v:.1f}x"
    elif unit == "rank":
        v = float(1 + round(share * 9))
        text = f"#{v:.0f}"
    else:  # year
        v = float(2010 + round(share * 10))
        text = f"{v:.0f}"
    return v, None, WORDS.get(comparator, "") + text


class Generator:
    """Seeded articles (text and the Mentions an extractor would give for it), one after another."""

    def __init__(self, catalogue: Catalogue, seed: int = SEED) -> None:
        self.catalogue = catalogue
        self.seed = seed
        self.rng = random.Random(seed)
        self.subjects = list(catalogue.frameworks)
        self.subject_w = _zipf(len(self.subjects), 1.1)
        self.metrics = [m for m, spec in catalogue.metrics.items() if spec.unit_kind in KIND_UNIT and m != "other"]
        self.metric_w = _zipf(len(self.metrics), 0.8)
        self.popular_w = _zipf(len(POPULAR), 1.0)
        self.compared = [m for m in COMPARED if m in catalogue.metrics]
        self.count = 0

    def _unit(self, metric: str) -> str:
        return KIND_UNIT[self.catalogue.metrics[metric].unit_kind]

    def article(self) -> tuple[object, list]:
        """The next article: (``Article`` as ``pipelines.ingest.article_from_text`` builds it, its Mentions)."""
        from pipelines.ingest import article_from_text
        from pipelines.types import Mention

        rng, cat = self.rng, self.catalogue
        number = self.count
        self.count += 1
        name = f"bench/{number:06d}.txt"
        published_year = rng.choice(YEARS) if rng.random() < 0.5 else None
        sentences: list[tuple[str, str, str, dict]] = []  # (head, value phrase, tail, mention fields)
        for _ in range(rng.randint(8, 12)):
            subject = rng.choices(self.subjects, self.subject_w)[0]
            metric = rng.choices(self.metrics, self.metric_w)[0]
            unit = self._unit(metric)
            year = rng.choice(YEARS) if rng.random() < 0.6 else None
            scope = rng.choice(SCOPES) if rng.random() < 0.35 else None
            comparator = rng.choices(COMPARATORS, COMPARATOR_P)[0] if unit not in ("rank", "year") else "="
            basis_year = year or published_year or 2022
            noise = rng.gauss(0, 0.02 if rng.random() < 0.7 else 0.12)
            value, high, surface = _figure(unit, _level(subject, metric, basis_year, self.seed) + noise, comparator)
            subjects: tuple[str, ...] = (subject,)
            form = "single"
            if unit == "ratio" and rng.random() < 0.7:  # "3x faster than TensorFlow"
                baseline = rng.choice([p for p in POPULAR if p != subject])
                subjects, form = (subject, baseline), "versus"
            head = f"{cat.frameworks[subject].name}: {cat.metrics[metric].description} stood at "
            tail = (f" among {scope}" if scope else "") + (f" in {year}" if year else "")
            if len(subjects) > 1:
                tail += f" against {cat.frameworks[subjects[1]].name}"
            fields = {
                "subject": subject,
                "subjects": subjects,
                "metric": metric,
                "value": value,
                "value_high": high,
                "unit": unit,
                "comparator": comparator,
                "time": str(year) if year else None,
                "scope": scope,
                "form": form,
                "dimension": cat.metrics[metric].dimension,
                "kind": "numeric",
            }
            sentences.append((head, surface, tail + ".", fields))
        for _ in range(1 + (rng.random() < 0.5)):
            a, b = rng.sample(POPULAR, 2) if rng.random() < 0.3 else self._pair()
            metric = rng.choice(self.compared)
            unit = self._unit(metric)
            year = rng.choice(YEARS) if rng.random() < 0.5 else None
            basis_year = year or published_year or 2022
            diff = _level(a, metric, basis_year, self.seed) - _level(b, metric, basis_year, self.seed)
            direction = "~" if abs(diff) < 0.03 else (">" if diff > 0 else "<")
            if rng.random() < 0.25:  # written against the figures: the conflicts the listing is for
                direction = {">": "<", "<": ">", "~": rng.choice("<>")}[direction]
            phrases = RATIO_PHRASES if unit == "ratio" else PHRASES
            phrase = rng.choice(phrases[direction])
            what = (
                f" in {cat.metrics[metric].description}" if unit != "ratio" else f" ({cat.metrics[metric].description})"
            )
            head = f"{cat.frameworks[a].name} "
            tail = f" {cat.frameworks[b].name}{what}" + (f" in {year}" if year else "") + "."
            fields = {
                "subject": a,
                "subjects": (a, b),
                "metric": metric,
                "value": None,
                "value_high": None,
                "unit": unit,
                "comparator": direction,
                "time": str(year) if year else None,
                "scope": None,
                "form": "versus",
                "dimension": None,
                "kind": "comparative",
            }
            sentences.append((head, phrase, tail, fields))
        rng.shuffle(sentences)
        text, mentions, pos = "", [], 0
        for head, value_text, tail, fields in sentences:
            start = pos + len(head)
            end = start + len(value_text)
            line = head + value_text + tail
            mentions.append(
                Mention(
                    document=name,
                    value_start=start,
                    value_end=end,
                    value_text=value_text,
                    sentence=line,
                    sentence_start=pos,
                    sentence_end=pos + len(line),
                    metric_phrase=None,
                    time_from="text" if fields["time"] else "none",
                    time_basis="sentence" if fields["time"] else "none",
                    source=None,
                    confidence=0.9,
                    **fields,
                )
            )
            text += line + "\n"
            pos += len(line) + 1
        published = f"{published_year}-06-01" if published_year else None
        article = article_from_text(text, name=name, fmt="text", published=published)
        assert all(article.original[m.value_start : m.value_end] == m.value_text for m in mentions)
        return article, mentions

    def _pair(self) -> tuple[str, str]:
        a = self.rng.choices(POPULAR, self.popular_w)[0]
        others = [(p, w) for p, w in zip(POPULAR, self.popular_w, strict=True) if p != a]
        b = self.rng.choices([p for p, _ in others], [w for _, w in others])[0]
        return a, b


def store_path(n: int) -> Path:
    return CACHE / f"listing_v{VERSION}_{schema_digest()}_{SEED}_{n}.db"


def build_store(path: Path, n: int, seed: int = SEED) -> dict:
    """A migrated SQLite store of ``n`` generated articles, each written with ``service.core.store_article``.
    Built beside ``path`` and renamed into place, so an interrupted build never leaves a half store behind."""
    from pipelines.extract.pipeline import Extractor
    from service.core import store_article

    catalogue = default_catalogue()
    extractor = Extractor(catalogue=catalogue)  # its catalogue places claims; no model is loaded (no `other`)
    gen = Generator(catalogue, seed)
    with building_store(path) as store:
        t0 = time.perf_counter()
        adds = []
        for _ in range(n):
            article, mentions = gen.article()
            a0 = time.perf_counter()
            outcome = store_article(store, extractor, article, mentions)
            adds.append(time.perf_counter() - a0)
            if not outcome.stored:
                raise RuntimeError(f"{article.name} not stored: {outcome.failure}")
        took = time.perf_counter() - t0
        counts = store.counts()
        with store.engine.begin() as conn:
            counts["clusters"] = conn.exec_driver_sql("SELECT count(*) FROM clusters").scalar_one()
    return {"seconds": took, "add_median_ms": 1000 * statistics.median(adds), "counts": counts}


# --- measuring in a fresh subprocess --------------------------------------------------------------------


def describe(views: Sequence[dict]) -> dict:
    """What the views hold, read from their public shape only (cluster_id, verdict, claims, relations)."""
    own = comparatives = comparative_relations = comparative_conflicts = relations = 0
    verdicts: Counter[str] = Counter()
    for view in views:
        kinds = {c["claim_id"]: c.get("kind") for c in view["claims"]}
        own += sum(not c.get("counterpart") for c in view["claims"])
        comparatives += sum(k == "comparative" for k in kinds.values())
        verdicts[view["verdict"]] += 1
        relations += len(view["relations"])
        for r in view["relations"]:
            if "comparative" in (kinds.get(r["a"]), kinds.get(r["b"])):
                comparative_relations += 1
                comparative_conflicts += r["relation"] == "conflicts"
    return {
        "clusters": len(views),
        "claims_shown": own,
        "comparatives_shown": comparatives,
        "relations": relations,
        "comparative_relations": comparative_relations,
        "comparative_conflicts": comparative_conflicts,
        "verdicts": dict(sorted(verdicts.items())),
    }


class StageTimeout(Exception):
    """The listing ran past ``--stage-timeout``."""


def _stop(_signum: int, _frame: object) -> None:
    raise StageTimeout


def _listing_stage(db: Path, listing: str, timeout: float | None = None) -> dict:
    from service.core import cluster_views
    from service.store import Store

    store = Store(f"sqlite:///{db}")
    counts = store.counts()  # connects; the engine's start-up is not the listing's
    comparatives = len(store.comparatives())
    base, _ = rss_mb()
    reset_peak()
    if timeout:
        signal.signal(signal.SIGALRM, _stop)
        signal.setitimer(signal.ITIMER_REAL, timeout)
    t0, c0 = time.perf_counter(), time.process_time()
    try:
        views = cluster_views(store)
        if listing == "contradictions":  # as `claimgraph contradictions` keeps them
            views = [v for v in views if v["verdict"] == "conflicts"]
    except StageTimeout:
        took, cpu = time.perf_counter() - t0, time.process_time() - c0
        _, peak = rss_mb()
        return {
            "timed_out": True,
            "seconds": took,
            "cpu_seconds": cpu,
            "base_mb": base,
            "peak_mb": peak,
            "load": os.getloadavg()[0],
        }
    took, cpu = time.perf_counter() - t0, time.process_time() - c0
    signal.setitimer(signal.ITIMER_REAL, 0)
    _, peak = rss_mb()
    store.engine.dispose()
    return {
        "seconds": took,
        "cpu_seconds": cpu,
        "base_mb": base,
        "peak_mb": peak,
        "load": os.getloadavg()[0],
        "stored_claims": counts["claims"],
        "stored_comparatives": comparatives,
        "listed": len(views),
        **describe(views),
    }


def _api_stage(db: Path, writes: int) -> dict:
    """First reads after a write through the real app, on a copy of the store."""
    from fastapi.testclient import TestClient

    from pipelines.extract.pipeline import Extractor
    from service.api.app import create_app
    from service.core import store_article
    from service.settings import Settings

    work = Path(tempfile.mkdtemp(prefix="listing_api_"))
    try:
        copy = work / "store.db"
        shutil.copyfile(db, copy)
        catalogue = default_catalogue()
        extractor = Extractor(catalogue=catalogue)  # handed in: reads need no model, none is loaded
        app = create_app(Settings(database_url=f"sqlite:///{copy}"), extractor=extractor)
        # Without the lifespan the models are not loaded (reads do not need them); the store is migrated here.
        app.state.store.migrate()
        client = TestClient(app)
        store = app.state.store
        paths = {"clusters": "/clusters", "contradictions": "/contradictions", "web_clusters": "/web/clusters/"}
        cold, warm = {}, {}
        for key, path in paths.items():
            t0 = time.perf_counter()
            response = client.get(path)
            cold[key] = time.perf_counter() - t0
            assert response.status_code == 200, (path, response.status_code, response.text[:300])
        for key, path in paths.items():
            t0 = time.perf_counter()
            assert client.get(path).status_code == 200
            warm[key] = time.perf_counter() - t0
        gen = Generator(catalogue, seed=SEED + 101)  # articles the store does not hold
        first: dict[str, list[float]] = {k: [] for k in paths}
        write_ms: list[float] = []
        totals: dict[str, int] = {}
        for _ in range(writes):
            for key, path in paths.items():
                article, mentions = gen.article()
                t0 = time.perf_counter()
                outcome = store_article(store, extractor, article, mentions)
                write_ms.append(1000 * (time.perf_counter() - t0))
                assert outcome.stored, outcome.failure
                t0 = time.perf_counter()
                response = client.get(path)
                first[key].append(time.perf_counter() - t0)
                assert response.status_code == 200, (path, response.status_code)
                if key != "web_clusters":
                    totals[key] = response.json()["total"]
        client.close()
        store.engine.dispose()
        return {
            "cold_seconds": cold,
            "cached_seconds": warm,
            "first_read_after_write_seconds": first,
            "first_read_after_write_median": {k: statistics.median(v) for k, v in first.items()},
            "first_read_after_write_max": {k: max(v) for k, v in first.items()},
            "write_median_ms": statistics.median(write_ms),
            "listed_totals": totals,
            "load": os.getloadavg()[0],
        }
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="100 and 400 articles; the API on 400")
    parser.add_argument("--sizes", type=int, nargs="*", help="articles per store (default 200 1000 3000)")
    parser.add_argument("--api-size", type=int, help="the store the API runs on (default 1000, --quick 400)")
    parser.add_argument("--writes", type=int, default=3, help="writes (each followed by a first read) per page")
    parser.add_argument(
        "--stage-timeout",
        type=float,
        help="stop a listing after this many seconds and report its time as a lower bound (default: no limit)",
    )
    parser.add_argument("--rebuild", action="store_true", help="write the stores again, not from the cache")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--stage", choices=["build", "clusters", "contradictions", "api"], help=argparse.SUPPRESS)
    parser.add_argument("--n", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--timeout", type=float, help=argparse.SUPPRESS)
    args = parser.parse_args()
    CACHE.mkdir(parents=True, exist_ok=True)
    if args.stage:
        path = store_path(args.n)
        if args.stage == "build":
            result = build_store(path, args.n)
        elif args.stage == "api":
            result = _api_stage(path, args.writes)
        else:
            result = _listing_stage(path, args.stage, args.timeout)
        print(json.dumps(result))
        return
    sizes = sorted(args.sizes or ([100, 400] if args.quick else [200, 1000, 3000]))
    api_size = args.api_size or (400 if args.quick else 1000)
    load0 = os.getloadavg()[0]
    print(
        f"listing_scale v{VERSION}: {sizes} articles, API on {api_size}, seed {SEED}, cache {CACHE}, "
        f"{os.cpu_count()} CPUs, load average {load0:.1f}"
    )
    builds = {}
    for n in sorted({*sizes, api_size}):
        path = store_path(n)
        if args.rebuild or not path.exists():
            builds[n] = run_stage(__file__, "--stage", "build", "--n", str(n))
            b = builds[n]
            print(
                f"store of {n:,} articles built through store_article in {b['seconds']:.1f} s (median "
                f"{b['add_median_ms']:.1f} ms an article): {b['counts']['claims']:,} claims, "
                f"{b['counts']['clusters']:,} clusters"
            )
        else:
            builds[n] = None
    rows = []
    for n in sizes:
        row: dict = {"articles": n, "built": builds[n]}
        for listing in ("clusters", "contradictions"):
            if listing == "contradictions" and row["clusters"].get("timed_out"):
                # The same cluster_views underneath: it would time out too.
                row[listing] = {**row["clusters"], "skipped": "the clusters listing timed out"}
                print(f"n={n:>6,} {listing:>14}: not run (the clusters listing, the same views, timed out)")
                continue
            limit = ["--timeout", str(args.stage_timeout)] if args.stage_timeout else []
            r = row[listing] = run_stage(__file__, "--stage", listing, "--n", str(n), *limit)
            if r.get("timed_out"):
                print(
                    f"n={n:>6,} {listing:>14}: > {r['seconds']:.1f} s wall (stopped), > {r['cpu_seconds']:.1f} s CPU,"
                    f" peak RSS {r['peak_mb']:7.1f} MiB (+{r['peak_mb'] - r['base_mb']:6.1f}) when stopped  "
                    f"load {r['load']:4.1f}"
                )
                continue
            print(
                f"n={n:>6,} {listing:>14}: {r['seconds']:8.2f} s wall {r['cpu_seconds']:8.2f} s CPU  peak RSS "
                f"{r['peak_mb']:7.1f} MiB (+{r['peak_mb'] - r['base_mb']:6.1f})  load {r['load']:4.1f}  "
                f"{r['listed']:,} listed"
            )
        c = row["clusters"]
        if c.get("timed_out"):
            rows.append(row)
            continue
        print(
            f"{'':9}store {c['stored_claims']:,} claims ({c['stored_comparatives']:,} comparative); views: "
            f"{c['clusters']:,} clusters, {c['claims_shown']:,} claims, {c['comparatives_shown']:,} comparatives "
            f"shown, {c['relations']:,} relations ({c['comparative_relations']:,} with a comparative, "
            f"{c['comparative_conflicts']:,} of them conflicts), verdicts {c['verdicts']}"
        )
        rows.append(row)
    growth = []
    pairs = list(zip(rows, rows[1:], strict=False))
    if len(rows) > 2:
        pairs.append((rows[0], rows[-1]))
    for first, second in pairs:
        n1, n2 = first["articles"], second["articles"]
        e: dict = {"from": n1, "to": n2}
        words = []
        for listing in ("clusters", "contradictions"):
            a, b = first[listing], second[listing]
            if a.get("timed_out"):
                continue
            # A stage stopped at its timeout gives a lower bound on the exponent (wall time only).
            bound = ">= " if b.get("timed_out") else ""
            e[f"{listing}_lower_bound"] = bool(bound)
            e[f"{listing}_wall"] = exponent(n1, n2, a["seconds"], b["seconds"])
            text = f"{listing} time {bound}{e[f'{listing}_wall']:.2f}"
            e[f"{listing}_cpu"] = exponent(n1, n2, a["cpu_seconds"], b["cpu_seconds"])
            e[f"{listing}_memory"] = exponent(
                n1, n2, max(a["peak_mb"] - a["base_mb"], 0.1), max(b["peak_mb"] - b["base_mb"], 0.1)
            )
            text += f" (CPU {bound}{e[f'{listing}_cpu']:.2f}), memory {bound}{e[f'{listing}_memory']:.2f}"
            words.append(text)
        growth.append(e)
        print(f"growth {n1:,} -> {n2:,} articles: " + "; ".join(words))
    print(
        f"target: listing time growth exponent <= {TARGET_EXPONENT} from 200 to 3,000 articles (wall; CPU time "
        "beside it, steadier on a shared machine); memory: peak RSS above the stage's starting RSS"
    )
    api = run_stage(__file__, "--stage", "api", "--n", str(api_size), "--writes", str(args.writes))
    print(f"API on the {api_size:,}-article store (TestClient in process), load {api['load']:.1f}:")
    for key in ("clusters", "contradictions", "web_clusters"):
        times = ", ".join(f"{t:.2f}" for t in api["first_read_after_write_seconds"][key])
        print(
            f"  GET {key:<15} cold {api['cold_seconds'][key]:7.2f} s,"
            f" cached {1000 * api['cached_seconds'][key]:6.1f} ms,"
            f" first read after a write {api['first_read_after_write_median'][key]:6.2f} s median"
            f" (max {api['first_read_after_write_max'][key]:.2f}; each: {times})"
        )
    print(
        f"  one article stored through store_article: median {api['write_median_ms']:.1f} ms; "
        f"target: first read after a write <= {TARGET_FIRST_READ_S:.0f} s on 1,000 articles"
    )
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "version": VERSION,
                    "seed": SEED,
                    "command": sys.argv,
                    "cpus": os.cpu_count(),
                    "load_start": load0,
                    "load_end": os.getloadavg()[0],
                    "sizes": rows,
                    "growth": growth,
                    "api_size": api_size,
                    "api": api,
                    "targets": {"exponent": TARGET_EXPONENT, "first_read_after_write_s": TARGET_FIRST_READ_S},
                },
                indent=2,
            )
        )


if __name__ == "__main__":
    main()
