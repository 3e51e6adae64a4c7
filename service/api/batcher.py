"""The bounded micro-batching queue between HTTP requests and the one copy of the models.

Requests put a job on a bounded ``asyncio.Queue`` and await its future; one worker task takes whatever
is waiting (up to ``max_batch``, lingering ``batch_wait_ms`` for company when it finds a lone job) and
runs ``Extractor.run`` over the whole batch on a dedicated thread, so the event loop never runs model
code and the tagger sees concurrent requests as one batch. When the queue is full a request fails at
once with ``QueueFull`` (429 + ``Retry-After``) rather than waiting without bound.

Storing (``persist``) runs on the same thread right after its batch: the clustering step embeds claim
keys with the same model copy, and one thread means the models are never used concurrently.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import multiprocessing
import os
import threading
import time
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from pipelines.consolidate import claim_id
from pipelines.errors import ClaimgraphError
from pipelines.extract.pipeline import Extractor, mention_record
from pipelines.ingest import Article, article_from_text
from pipelines.types import Mention
from service.api.errors import NotReady, QueueFull
from service.core import cluster_claims
from service.settings import Settings
from service.store.repository import Store, document_id

log = logging.getLogger(__name__)

# A short text with a claim in it: the first real run pays for lazy initialisation, not a client.
WARM_UP_TEXT = "PyTorch was used in 70% of research papers in 2024."


EXTRACTION_NICENESS = 10
"""How much lower than the request threads the model thread runs (Linux ``nice``): reads come first."""


def _lower_priority() -> None:
    """Run the calling thread (and the torch threads it starts, which inherit it) at a lower priority.

    The model keeps the cores busy while a batch runs; lowered, it yields them to the threads that
    answer reads, so browsing stays fast while extraction runs at capacity. Best effort: on systems
    without per-thread priorities this does nothing.
    """
    try:
        tid = threading.get_native_id()
        os.setpriority(os.PRIO_PROCESS, tid, min(19, os.getpriority(os.PRIO_PROCESS, tid) + EXTRACTION_NICENESS))
    except (AttributeError, OSError):
        pass


@dataclass
class _Job:
    article: Article
    persist: bool
    future: asyncio.Future[Any]
    queued_at: float = field(default_factory=time.perf_counter)


@dataclass
class Stored:
    """What persisting an article did."""

    document_id: str
    created: bool
    mentions: list[Mention]


class ExtractionQueue:
    """Extraction (and storing) for the API: bounded, batched, off the event loop.

    Args:
        extractor: the one Extractor (one model copy); warmed up by ``start``.
        store: where ``persist`` writes.
        queue_size: jobs that may wait; one more gets ``QueueFull``.
        max_batch: most jobs run through the model together.
        batch_wait_ms: how long a worker holding fewer than ``max_batch`` jobs waits for more.
        registry: Prometheus registry for the queue's metrics (the app's own, not the global one).
    """

    def __init__(
        self,
        extractor: Extractor,
        store: Store,
        *,
        queue_size: int = 32,
        max_batch: int = 8,
        batch_wait_ms: float = 5.0,
        registry: CollectorRegistry | None = None,
        process: Settings | None = None,
    ) -> None:
        self.extractor = extractor
        self.process = process
        self.store = store
        self.queue_size = max(1, queue_size)
        self.max_batch = max(1, max_batch)
        self.batch_wait = max(0.0, batch_wait_ms) / 1000
        self.ready = False
        self.batches = 0
        self.running = 0
        """Jobs in the batch the model is running now."""
        self.writes = 0
        """Batches that stored articles (counted before their requests are answered)."""
        self._queue: asyncio.Queue[_Job] | None = None
        self._worker: asyncio.Task[None] | None = None
        # One worker: the models are used by one batch at a time, never concurrently.
        self._executor: Executor | None = None
        self._seconds_per_batch = 1.0
        registry = registry or CollectorRegistry()
        self._depth = Gauge("claimgraph_extraction_queue_depth", "Jobs waiting for the model.", registry=registry)
        self._batch_size = Histogram(
            "claimgraph_extraction_batch_size",
            "Articles per model batch.",
            buckets=(1, 2, 4, 8, 16, 32, 64),
            registry=registry,
        )
        self._batch_seconds = Histogram(
            "claimgraph_extraction_batch_seconds", "Time to extract (and store) one batch.", registry=registry
        )
        self._rejected = Counter(
            "claimgraph_extraction_rejected", "Requests refused because the queue was full.", registry=registry
        )

    # --- life cycle ------------------------------------------------------------------------------

    async def start(self) -> None:
        """Load the models (on the worker thread) and start taking jobs."""
        loop = asyncio.get_running_loop()
        started = time.perf_counter()
        if self.process is not None:
            # spawn: a fresh interpreter, not a fork of a process running an event loop and threads.
            self._executor = ProcessPoolExecutor(
                max_workers=1,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_child_init,
                initargs=(self.process,),
            )
            await loop.run_in_executor(self._executor, _child_warm_up)
        else:
            self._executor = ThreadPoolExecutor(
                max_workers=1, thread_name_prefix="claimgraph-extract", initializer=_lower_priority
            )
            await loop.run_in_executor(self._executor, self._warm_up)
        self._queue = asyncio.Queue(maxsize=self.queue_size)
        log.info("models loaded in %.1f s", time.perf_counter() - started)
        self._worker = asyncio.create_task(self._work(), name="claimgraph-extraction-worker")
        self.ready = True

    def _warm_up(self) -> None:
        self.extractor.warm_up()
        self.extractor.run([article_from_text(WARM_UP_TEXT, name="warm-up")])

    async def stop(self) -> None:
        """Stop taking jobs; jobs still waiting fail with ``NotReady``."""
        self.ready = False
        if self._worker is not None:
            self._worker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._worker
            self._worker = None
        if self._queue is not None:
            while not self._queue.empty():
                job = self._queue.get_nowait()
                if not job.future.done():
                    job.future.set_exception(NotReady("the service is shutting down"))
        if self._executor is not None:
            self._executor.shutdown(wait=True)
            self._executor = None

    @property
    def depth(self) -> int:
        """Jobs waiting (not counting the batch being run)."""
        return self._queue.qsize() if self._queue is not None else 0

    # --- the two things a request can ask --------------------------------------------------------

    async def extract(self, article: Article) -> list[Mention]:
        """The claim mentions of ``article``, extracted in a batch with whatever else is waiting.

        Raises:
            QueueFull: the queue has no room (the client should retry after ``retry_after`` seconds).
            NotReady: the models are not loaded.
        """
        result = await self._submit(article, persist=False)
        assert isinstance(result, list)
        return result

    async def persist(self, article: Article) -> dict[str, Any]:
        """Extract ``article`` and store it with its claims as ``claimgraph ingest`` does.

        Idempotent: an article already stored (same text, by SHA-256) is not stored again, even when two
        requests race (``created`` is then False for all but one).

        Returns:
            ``{"document_id", "created", "claims"}``; ``claims`` are mention records (the CLI's JSON
            fields) with the ``claim_id`` each belongs to.

        Raises:
            QueueFull: the queue has no room.
            NotReady: the models are not loaded.
        """
        stored = await self._submit(article, persist=True)
        assert isinstance(stored, Stored)
        return {
            "document_id": stored.document_id,
            "created": stored.created,
            "claims": [mention_record(m) | {"claim_id": claim_id(stored.document_id, m)} for m in stored.mentions],
        }

    def admit(self) -> None:
        """Refuse at once what ``extract``/``persist`` would refuse now: called before a request's body
        is read and parsed, so that an overloaded server answers 429 without doing that work first.

        Raises:
            NotReady: the models are not loaded.
            QueueFull: the queue has no room.
        """
        if not self.ready or self._queue is None:
            raise NotReady("the extraction models are not loaded yet")
        if self._queue.full():
            raise self._full()

    def _full(self) -> QueueFull:
        self._rejected.inc()
        return QueueFull(
            f"the extraction queue is full ({self.queue_size} waiting); retry later", retry_after=self.retry_after()
        )

    async def _submit(self, article: Article, *, persist: bool) -> list[Mention] | Stored:
        self.admit()
        assert self._queue is not None
        job = _Job(article, persist, asyncio.get_running_loop().create_future())
        try:
            self._queue.put_nowait(job)
        except asyncio.QueueFull:
            raise self._full() from None
        self._depth.set(self._queue.qsize())
        return await job.future

    def retry_after(self) -> int:
        """Seconds until the queue has likely drained: batches ahead times the recent time per batch."""
        batches_ahead = math.ceil((self.depth + 1) / self.max_batch) + 1
        return max(1, math.ceil(batches_ahead * self._seconds_per_batch))

    # --- the worker ------------------------------------------------------------------------------

    async def _work(self) -> None:
        assert self._queue is not None
        loop = asyncio.get_running_loop()
        while True:
            batch = [await self._queue.get()]
            deadline = loop.time() + self.batch_wait
            while len(batch) < self.max_batch:
                try:
                    batch.append(self._queue.get_nowait())
                    continue
                except asyncio.QueueEmpty:
                    pass
                remaining = deadline - loop.time()
                if remaining <= 0:
                    break
                try:
                    batch.append(await asyncio.wait_for(self._queue.get(), remaining))
                except TimeoutError:
                    break
            self._depth.set(self._queue.qsize())
            # Requests whose client went away are not worth model time.
            batch = [job for job in batch if not job.future.done()]
            if not batch:
                continue
            started = time.perf_counter()
            self.running = len(batch)
            try:
                jobs = [(j.article, j.persist) for j in batch]
                run = _child_run if self.process is not None else self._run
                outcomes = await loop.run_in_executor(self._executor, run, jobs)
            except Exception as exc:  # the worker must outlive any one batch
                log.exception("extraction batch failed")
                outcomes = [exc] * len(batch)
            finally:
                self.running = 0
            elapsed = time.perf_counter() - started
            # A moving average keeps Retry-After honest as load and article sizes change.
            self._seconds_per_batch = 0.7 * self._seconds_per_batch + 0.3 * elapsed
            self.batches += 1
            if any(job.persist for job in batch):
                self.writes += 1
            self._batch_size.observe(len(batch))
            self._batch_seconds.observe(elapsed)
            for job, outcome in zip(batch, outcomes, strict=True):
                if job.future.done():
                    continue
                if isinstance(outcome, BaseException):
                    job.future.set_exception(outcome)
                else:
                    job.future.set_result(outcome)

    def _run(self, jobs: list[tuple[Article, bool]]) -> list[list[Mention] | Stored | BaseException]:
        return run_jobs(self.extractor, self.store, jobs)


def run_jobs(
    extractor: Extractor, store: Store, jobs: list[tuple[Article, bool]]
) -> list[list[Mention] | Stored | BaseException]:
    """On the model's thread or process: extract the batch, then store the articles that asked for it."""
    articles = [a for a, _ in jobs]
    try:
        per_article = extractor.run(articles)
    except Exception as exc:
        if len(articles) == 1:
            log.exception("extracting %s failed", articles[0].name)
            return [exc]
        # One article must not fail the others: run them one by one to find which.
        return [out for job in jobs for out in run_jobs(extractor, store, [job])]
    outcomes: list[list[Mention] | Stored | BaseException] = []
    for (article, persist), mentions in zip(jobs, per_article, strict=True):
        if not persist:
            outcomes.append(mentions)
            continue
        try:
            # The same two steps as ``service.core.ingest_paths``: place the claims, store in one transaction.
            clusters = cluster_claims(store, extractor, article, mentions)
            created = store.add_document(article, mentions, clusters)
            outcomes.append(Stored(document_id(article), created, mentions))
        except Exception as exc:  # reported to that request only
            log.exception("storing %s failed", article.name)
            outcomes.append(exc)
    return outcomes


# --- the model in its own process -----------------------------------------------------------------

_CHILD: dict[str, Any] = {}
"""The worker process's Extractor and Store (set by ``_child_init``)."""


def _child_init(settings: Settings) -> None:
    """In the model process: lowest priority of the server's work, then its own Extractor and Store."""
    with contextlib.suppress(OSError):
        os.nice(EXTRACTION_NICENESS)
    extractor = Extractor(inference=settings.inference, onnx_dir=settings.onnx_dir, threads=settings.model_threads)
    _CHILD["extractor"] = extractor
    _CHILD["store"] = Store(settings.database_url)


def _child_warm_up() -> None:
    extractor = _CHILD["extractor"]
    extractor.warm_up()
    extractor.run([article_from_text(WARM_UP_TEXT, name="warm-up")])


def _child_run(jobs: list[tuple[Article, bool]]) -> list[list[Mention] | Stored | BaseException]:
    outcomes = run_jobs(_CHILD["extractor"], _CHILD["store"], jobs)
    # Library errors travel back as they are; anything else as a plain error (it may not unpickle).
    safe = (ClaimgraphError, list, Stored)
    return [o if isinstance(o, safe) else RuntimeError(f"{type(o).__name__}: {o}") for o in outcomes]
