"""Ray engine for ``claimgraph ingest --engine ray``: a thin adapter over ``core.process_batch``.

The driver reads the files, skips documents already stored and sends each new article's text to a Ray
Data pipeline; an actor pool runs ``core.process_batch`` on batches of them. Each actor builds and warms
its ``Extractor`` and opens its ``Store`` once, so the models load once per actor, not per batch. Every
article is committed by the actor that processed it in its own transaction, so drivers on several
machines (or several actors) writing to one PostgreSQL database store each article exactly once (the
document's content hash is its primary key).

Needs the ``[distributed]`` extra (``pip install 'claimgraph[distributed]'``); on a remote cluster
(``address``), Claimgraph must be installed on every node and the database reachable from each.
"""

from __future__ import annotations

import hashlib
import logging
import math
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from pipelines.errors import ClaimgraphError, InputError
from pipelines.extract.pipeline import Extractor
from pipelines.ingest import Article, article_from_text, read_source
from service.core import ArticleOutcome, IngestRun, process_batch
from service.extraction import read_each
from service.store.repository import Store, StoreError

# Set for every Ray worker: no model hub access, and tokenizers must not start their own thread pools.
WORKER_ENV = {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"}


class EngineError(ClaimgraphError):
    """The Ray engine cannot run as asked (Ray missing, or a store the workers cannot share)."""

    code = "engine_error"


def text_id(text: str) -> str:
    """The id of the document with this original text, as ``store.document_id`` computes it from an article."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def local_cpus() -> int:
    """CPU cores this process may use (its affinity mask, else the machine's count)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def worker_database_url(url: str, address: str | None) -> str:
    """The database URL as the workers must see it; refuses SQLite on a remote cluster.

    SQLite works with a local Ray instance: the actors are processes on this machine writing one file, one
    transaction at a time (WAL, 30 s busy timeout). Its path is made absolute because Ray workers do not
    run in this directory. A cluster's workers on other machines cannot share the file.
    """
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return url
    if address is not None:
        raise EngineError(
            "--engine ray with --address needs a database every node can reach (PostgreSQL); "
            f"{url} is a SQLite file on this machine",
            url=url,
        )
    if not parsed.database or parsed.database == ":memory:":
        raise EngineError("--engine ray cannot share an in-memory SQLite database between processes", url=url)
    return parsed.set(database=str(Path(parsed.database).resolve())).render_as_string(hide_password=False)


class ExtractActor:
    """One actor of the pool: models and store loaded once, then ``core.process_batch`` per batch."""

    def __init__(self, database_url: str, extractor: Extractor, threads: int) -> None:
        import torch

        torch.set_num_threads(threads)
        self.store = Store(database_url)
        self.extractor = extractor
        self.extractor.warm_up()

    def __call__(self, batch: dict[str, Any]) -> dict[str, list]:
        articles: list[Article] = []
        outcomes: list[ArticleOutcome] = []
        for name, text, fmt in zip(batch["name"], batch["text"], batch["format"], strict=True):
            doc_id = text_id(str(text))
            if self.store.has_document(doc_id):  # stored since the driver looked (by another driver, say)
                outcomes.append(ArticleOutcome(str(name), doc_id, False))
                continue
            try:
                articles.append(article_from_text(str(text), name=str(name), fmt=str(fmt)))
            except InputError as exc:
                outcomes.append(ArticleOutcome(str(name), doc_id, False, failure=(str(name), exc.code, exc.message)))
        if articles:
            try:
                outcomes += process_batch(articles, self.store, self.extractor)
            except StoreError as exc:  # the driver stops at this and reports it (see _run_pool)
                outcomes += [
                    ArticleOutcome(a.name, text_id(a.original), False, failure=(a.name, exc.code, exc.message))
                    for a in articles
                ]
        return {
            "name": [o.name for o in outcomes],
            "document_id": [o.document_id for o in outcomes],
            "stored": [o.stored for o in outcomes],
            "claims": [o.claims for o in outcomes],
            "error_code": [o.failure[1] if o.failure else "" for o in outcomes],
            "error_message": [o.failure[2] if o.failure else "" for o in outcomes],
        }


def ingest_ray(
    paths: Sequence[Path],
    database_url: str,
    extractor: Extractor,
    run: IngestRun,
    *,
    workers: int | None = None,
    address: str | None = None,
    batch_size: int = 16,
    progress: Callable[[int], None] | None = None,
) -> IngestRun:
    """``core.ingest_paths`` over Ray: the same articles stored with the same claims, by an actor pool.

    Args:
        paths: article files or folders.
        database_url: the store every actor writes to (PostgreSQL; SQLite only with a local Ray instance).
        extractor: an extractor not yet warmed up (cheap to send); each actor warms its own copy.
        run: the totals to fill, as ``ingest_paths`` does.
        workers: actors in the pool (default: one per CPU of the Ray cluster).
        address: ``auto``, ``ray://host:10001`` or a GCS address of a running cluster; None starts Ray here,
            limited to this process's CPU cores, and shuts it down afterwards.
        batch_size: articles per ``process_batch`` call.
        progress: called with the number of articles finished.
    """
    try:
        import ray
    except ImportError as exc:
        raise EngineError("--engine ray needs the [distributed] extra: pip install 'claimgraph[distributed]'") from exc
    if extractor.nlp is not None:
        raise EngineError("ingest_ray wants an extractor that is not warmed up: each actor loads its own models")
    url = worker_database_url(database_url, address)
    store = Store(url)
    store.migrate()  # once here, so that the actors do not race to create the schema

    # The driver only reads and hashes the files; building the clean view is the actors' work.
    items: list[dict[str, str]] = []
    for path, (text, fmt) in read_each(paths, run, read_source):
        if store.has_document(text_id(text)):
            run.unchanged += 1
            if progress:
                progress(1)
            continue
        items.append({"name": str(path), "text": text, "format": fmt})
    store.engine.dispose()
    if not items:
        return run

    started_here = not ray.is_initialized()
    if started_here:
        env = {"env_vars": {**WORKER_ENV}}
        if address is None:
            ray.init(
                "local",  # a new instance, even where RAY_ADDRESS or a `ray start` cluster is around
                num_cpus=local_cpus(),
                # The pipeline holds only article texts: a small object store, not Ray's 30% of memory.
                object_store_memory=512 * 1024**2,
                include_dashboard=False,
                logging_level=logging.ERROR,
                runtime_env=env,
            )
        else:
            ray.init(address=address, logging_level=logging.ERROR, runtime_env=env)
    try:
        _run_pool(ray, items, url, extractor, run, workers, batch_size, progress)
    finally:
        if started_here:
            ray.shutdown()
    # What the actors report stored is read back here, as the in-process loop does after each batch.
    failed = next((f for f in run.failures if f[1] == StoreError.code), None)
    if failed is not None:
        raise StoreError(failed[2])
    reported = Store(url)
    try:
        reported.verify(run.stored_ids)
        reported.quick_check()
    finally:
        reported.engine.dispose()
    return run


def _run_pool(
    ray: Any,
    items: list[dict[str, str]],
    url: str,
    extractor: Extractor,
    run: IngestRun,
    workers: int | None,
    batch_size: int,
    progress: Callable[[int], None] | None,
) -> IngestRun:
    from ray.data import ActorPoolStrategy, DataContext

    context = DataContext.get_current()
    context.enable_progress_bars = False
    logging.getLogger("ray.data").setLevel(logging.ERROR)
    cpus = max(1, int(ray.cluster_resources().get("CPU", 1)))
    workers = workers or cpus
    # Each actor gets an equal share of the cores, as Ray CPUs and as torch threads.
    threads = max(1, cpus // workers)
    dataset = ray.data.from_items(items, override_num_blocks=max(1, math.ceil(len(items) / batch_size)))
    results = dataset.map_batches(
        ExtractActor,
        fn_constructor_kwargs={"database_url": url, "extractor": extractor, "threads": threads},
        batch_size=batch_size,
        batch_format="numpy",
        compute=ActorPoolStrategy(size=workers),
        num_cpus=min(threads, cpus / workers),
    )
    for batch in results.iter_batches(batch_size=None, batch_format="numpy"):
        for i, name in enumerate(batch["name"]):
            code, message = str(batch["error_code"][i]), str(batch["error_message"][i])
            run.count(
                ArticleOutcome(
                    str(name),
                    str(batch["document_id"][i]),
                    bool(batch["stored"][i]),
                    int(batch["claims"][i]),
                    failure=(str(name), code, message) if code else None,
                )
            )
        if progress:
            progress(len(batch["name"]))
    return run
