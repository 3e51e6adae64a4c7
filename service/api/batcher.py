"""The bounded micro-batching queue between HTTP requests and the one copy of the models.

Requests put a job on a bounded ``asyncio.Queue`` and await its future; one worker task takes whatever
is waiting (up to ``max_batch``, lingering ``batch_wait_ms`` for company when it finds a lone job) and
runs ``Extractor.run`` over the whole batch in the model's own process (or on a dedicated thread), so the
event loop never runs model code and the tagger sees concurrent requests as one batch. When the queue is
full a request fails at once with ``QueueFull`` (429 + ``Retry-After``) rather than waiting without bound.

Every request has a deadline (``deadline_s``): past it the request is answered ``DeadlineExceeded`` (503)
whatever the model is doing, and a request whose client has gone is dropped the same way; neither costs
model time once it is answered. A batch still running when the last of its requests has been answered
is stuck: ``stuck`` says so (``/readyz`` answers 503), and a model process is killed and started again.
An article with more numbers than ``max_candidates`` is refused before it is queued (413).

Storing (``persist``) runs in the model's process right after its batch, through ``service.core.store_article``
like every other writer: the clustering step embeds claim keys with the same model copy, and one thread
means the models are never used concurrently.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import itertools
import logging
import math
import multiprocessing
import os
import queue
import re
import signal
import threading
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import Executor, Future
from dataclasses import dataclass, field
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from pipelines.consolidate import claim_id
from pipelines.errors import ClaimgraphError
from pipelines.extract.pipeline import Extractor, mention_record
from pipelines.ingest import Article, article_from_text
from pipelines.types import Mention
from service.api.errors import ClientGone, DeadlineExceeded, NotReady, QueueFull, StoreConflict, TooManyCandidates
from service.core import extract_each, store_article
from service.settings import Settings
from service.store.repository import NotStorable, Store

log = logging.getLogger(__name__)

# A short text with a claim in it: the first real run pays for lazy initialisation, not a client.
WARM_UP_TEXT = "PyTorch was used in 70% of research papers in 2024."


EXTRACTION_NICENESS = 10
"""How much lower than the request threads the model thread runs (Linux ``nice``): reads come first."""

KILL_GRACE_S = 1.0
"""How long a batch may run after the deadline of the last of its requests before it counts as stuck."""

_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


def count_numbers(text: str, limit: int) -> int:
    """Numbers written with digits in ``text`` (each a candidate claim), counting no further than ``limit + 1``."""
    return sum(1 for _ in itertools.islice(_NUMBER.finditer(text), limit + 1))


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


class _DaemonThread(Executor):
    """One daemon thread running what is submitted, in order.

    Unlike a ``ThreadPoolExecutor``, whose threads the interpreter waits for at exit, a call stuck in
    here never keeps a stopping server alive.
    """

    def __init__(self, name: str, initializer: Callable[[], None] | None = None) -> None:
        self._calls: queue.SimpleQueue[tuple[Future[Any], Callable[..., Any], tuple[Any, ...]] | None] = (
            queue.SimpleQueue()
        )
        self._initializer = initializer
        self._thread = threading.Thread(target=self._loop, name=name, daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        if self._initializer is not None:
            self._initializer()
        while (call := self._calls.get()) is not None:
            future, fn, args = call
            if future.set_running_or_notify_cancel():
                try:
                    future.set_result(fn(*args))
                except BaseException as exc:
                    future.set_exception(exc)

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        future: Future[Any] = Future()
        self._calls.put((future, lambda *a: fn(*a, **kwargs), args))
        return future

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self._calls.put(None)
        if wait:
            self._thread.join()


@dataclass
class _Job:
    article: Article
    persist: bool
    future: asyncio.Future[Any]
    deadline: float
    """Event-loop time when the request is answered DeadlineExceeded if it has no result yet."""
    queued_at: float = field(default_factory=time.perf_counter)


@dataclass
class Stored:
    """What persisting an article did."""

    document_id: str
    created: bool
    mentions: list[Mention]
    attempts: int = 1
    """Transactions it took (more than one after a lost race with another writer)."""


class ExtractionQueue:
    """Extraction (and storing) for the API: bounded, batched, off the event loop, with a deadline.

    Args:
        extractor: the one Extractor (one model copy) when the model runs in a thread; warmed up by ``start``.
        store: where ``persist`` writes (thread mode).
        queue_size: jobs that may wait; one more gets ``QueueFull``.
        max_batch: most jobs run through the model together.
        batch_wait_ms: how long a worker holding fewer than ``max_batch`` jobs waits for more.
        registry: Prometheus registry for the queue's metrics (the app's own, not the global one).
        process: run the model in a process of its own, built from these settings (else in a thread).
        deadline_s: the longest a request waits for its result.
        max_candidates: most numbers an article may hold.
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
        deadline_s: float = 60.0,
        max_candidates: int = 1000,
    ) -> None:
        self.extractor = extractor
        self.process = process
        self.store = store
        self.queue_size = max(1, queue_size)
        self.max_batch = max(1, max_batch)
        self.batch_wait = max(0.0, batch_wait_ms) / 1000
        self.deadline_s = max(0.001, deadline_s)
        self.max_candidates = max(0, max_candidates)
        self.ready = False
        self.batches = 0
        self.running = 0
        """Jobs in the batch the model is running now."""
        self.restarts = 0
        """Times the model process was killed (stuck past every deadline, or dead) and started again."""
        self.writes = 0
        """Batches that stored articles (counted before their requests are answered)."""
        self._loop: asyncio.AbstractEventLoop | None = None
        self._running_since: float | None = None
        self._running_jobs: list[_Job] = []
        self._restarting = False
        self._queue: asyncio.Queue[_Job] | None = None
        self._worker: asyncio.Task[None] | None = None
        # One worker: the models are used by one batch at a time, never concurrently.
        self._executor: _DaemonThread | None = None
        self._model: _ModelProcess | None = None
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
        self._abandoned = Counter(
            "claimgraph_extraction_abandoned",
            "Requests answered without their result: deadline passed or client gone.",
            ["reason"],
            registry=registry,
        )
        self._restarts = Counter(
            "claimgraph_extraction_restarts", "Model processes killed and started again.", registry=registry
        )
        self._store_retries = Counter(
            "claimgraph_store_retries",
            "Articles stored again after losing a race with another writer for a row they write (a new cluster).",
            registry=registry,
        )

    # --- life cycle ------------------------------------------------------------------------------

    async def start(self) -> None:
        """Load the models (in their process, or on the worker thread) and start taking jobs."""
        loop = self._loop = asyncio.get_running_loop()
        started = time.perf_counter()
        if self.process is not None:
            # The thread only waits on the model process's pipe.
            self._executor = _DaemonThread("claimgraph-model-pipe")
            self._model = _ModelProcess(self.process)
            await loop.run_in_executor(self._executor, self._model.start)
        else:
            self._executor = _DaemonThread("claimgraph-extract", initializer=_lower_priority)
            await loop.run_in_executor(self._executor, self._warm_up)
        self._queue = asyncio.Queue(maxsize=self.queue_size)
        log.info("models loaded in %.1f s", time.perf_counter() - started)
        self._worker = asyncio.create_task(self._work(), name="claimgraph-extraction-worker")
        self.ready = True

    def _warm_up(self) -> None:
        self.extractor.warm_up()
        self.extractor.run([article_from_text(WARM_UP_TEXT, name="warm-up")])

    def shut_down_soon(self) -> None:
        """From any thread (a signal handler): refuse new work and answer every waiting or running request
        ``NotReady`` now, so that a stopping server's open requests end at once; ``stop`` does the rest."""
        loop = self._loop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(self._refuse_all)

    def _refuse_all(self) -> None:
        self.ready = False
        pending = list(self._running_jobs)
        if self._queue is not None:
            pending += list(self._queue._queue)  # type: ignore[attr-defined]  # left for the worker to skip
        for job in pending:
            if not job.future.done():
                job.future.set_exception(NotReady("the service is shutting down"))

    async def stop(self) -> None:
        """Stop at once: every request still waiting or running fails with ``NotReady``, and a model
        process is killed rather than waited for (a stopping server never waits on the model)."""
        self.ready = False
        pending = list(self._running_jobs)
        if self._worker is not None:
            self._worker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._worker
            self._worker = None
        if self._queue is not None:
            while not self._queue.empty():
                pending.append(self._queue.get_nowait())
        for job in pending:
            if not job.future.done():
                job.future.set_exception(NotReady("the service is shutting down"))
        if self._model is not None:
            self._model.kill()
            self._model = None
        if self._executor is not None:
            self._executor.shutdown(wait=False)
            self._executor = None

    @property
    def depth(self) -> int:
        """Jobs waiting (not counting the batch being run)."""
        return self._queue.qsize() if self._queue is not None else 0

    @property
    def stuck(self) -> bool:
        """Whether the model is not taking work: a batch has run longer than a request may wait, or the
        model process is being started again."""
        if self._restarting:
            return True
        since = self._running_since
        return since is not None and time.monotonic() - since > self.deadline_s

    # --- the two things a request can ask --------------------------------------------------------

    async def extract(self, article: Article, disconnected: Awaitable[Any] | None = None) -> list[Mention]:
        """The claim mentions of ``article``, extracted in a batch with whatever else is waiting.

        Args:
            article: the article.
            disconnected: completes when the client has gone; the job is then dropped (``ClientGone``).

        Raises:
            TooManyCandidates: the article holds more than ``max_candidates`` numbers.
            QueueFull: the queue has no room (the client should retry after ``retry_after`` seconds).
            NotReady: the models are not loaded.
            DeadlineExceeded: no result within ``deadline_s``.
        """
        result = await self._submit(article, persist=False, disconnected=disconnected)
        assert isinstance(result, list)
        return result

    async def persist(self, article: Article, disconnected: Awaitable[Any] | None = None) -> dict[str, Any]:
        """Extract ``article`` and store it with its claims as ``claimgraph ingest`` does
        (``service.core.store_article``).

        Idempotent: an article already stored (same text, by SHA-256) is not stored again, even when two
        requests race (``created`` is then False for all but one). An answer is only given once the
        article is in the store; a request answered ``DeadlineExceeded`` may still be stored.

        Returns:
            ``{"document_id", "created", "claims"}``; ``claims`` are mention records (the CLI's JSON
            fields) with the ``claim_id`` each belongs to.

        Raises:
            TooManyCandidates, QueueFull, NotReady, DeadlineExceeded: as ``extract``.
            StoreConflict: the article kept losing races with other writers (503, retry).
            StoreError: the database failed (503).
            NotStorable: the database refused this article's data (422).
        """
        stored = await self._submit(article, persist=True, disconnected=disconnected)
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

    def check(self, article: Article) -> None:
        """Refuse an article with more numbers than one request may ask the model about (CPU work: call it
        off the event loop, where the article was built).

        Raises:
            TooManyCandidates: over ``max_candidates``.
        """
        found = count_numbers(article.clean, self.max_candidates)
        if found > self.max_candidates:
            raise TooManyCandidates(
                f"the article holds more than {self.max_candidates:,} numbers, the most one request may ask the "
                "model about; split it",
                limit=self.max_candidates,
            )

    def _full(self) -> QueueFull:
        self._rejected.inc()
        return QueueFull(
            f"the extraction queue is full ({self.queue_size} waiting); retry later", retry_after=self.retry_after()
        )

    async def _submit(
        self, article: Article, *, persist: bool, disconnected: Awaitable[Any] | None
    ) -> list[Mention] | Stored:
        loop = asyncio.get_running_loop()
        job = _Job(article, persist, loop.create_future(), deadline=loop.time() + self.deadline_s)
        try:
            self.admit()
            assert self._queue is not None
            try:
                self._queue.put_nowait(job)
            except asyncio.QueueFull:
                raise self._full() from None
        except BaseException:
            if asyncio.iscoroutine(disconnected):
                disconnected.close()  # never started: no warning that it was never awaited
            raise
        self._depth.set(self._queue.qsize())
        gone = asyncio.ensure_future(disconnected) if disconnected is not None else None
        try:
            waiting: set[asyncio.Future[Any]] = {job.future} | ({gone} if gone else set())
            await asyncio.wait(waiting, timeout=job.deadline - loop.time(), return_when=asyncio.FIRST_COMPLETED)
            if job.future.done():
                return job.future.result()
            # No result: cancelled here, the job is skipped by the worker (or its result dropped).
            job.future.cancel()
            if gone is not None and gone.done():
                self._abandoned.labels("client_gone").inc()
                raise ClientGone("the client closed the connection before the result was ready")
            self._abandoned.labels("deadline").inc()
            raise DeadlineExceeded(
                f"no result within the deadline of {self.deadline_s:g} s; retry later, or send a shorter article",
                deadline_s=self.deadline_s,
                retry_after=self.retry_after(),
            )
        finally:
            if gone is not None:
                gone.cancel()

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
            # Requests already answered (deadline passed, client gone) are not worth model time.
            batch = [job for job in batch if not job.future.done()]
            if not batch:
                continue
            started = time.perf_counter()
            outcomes = await self._run_batch(loop, batch)
            elapsed = time.perf_counter() - started
            # A moving average keeps Retry-After honest as load and article sizes change.
            self._seconds_per_batch = 0.7 * self._seconds_per_batch + 0.3 * elapsed
            self.batches += 1
            if any(job.persist for job in batch):
                self.writes += 1
            self._batch_size.observe(len(batch))
            self._batch_seconds.observe(elapsed)
            for job, outcome in zip(batch, outcomes, strict=True):
                if isinstance(outcome, Stored) and outcome.attempts > 1:
                    self._store_retries.inc(outcome.attempts - 1)
                if job.future.done():
                    continue
                if isinstance(outcome, BaseException):
                    job.future.set_exception(outcome)
                else:
                    job.future.set_result(outcome)

    async def _run_batch(self, loop: asyncio.AbstractEventLoop, batch: list[_Job]) -> list[Any]:
        """Run one batch; a batch that outlives every request in it is stopped (process) or waited out."""
        assert self._executor is not None
        jobs = [(j.article, j.persist) for j in batch]
        if self._model is not None:
            running = loop.run_in_executor(self._executor, self._model.run, jobs)
        else:
            running = loop.run_in_executor(self._executor, run_jobs, self.extractor, self.store, jobs)
        self.running, self._running_jobs, self._running_since = len(batch), batch, time.monotonic()
        try:
            patience = max(j.deadline for j in batch) - loop.time() + KILL_GRACE_S
            done, _ = await asyncio.wait({running}, timeout=max(0.0, patience))
            if not done and self._model is not None:
                log.error("a model batch ran past every deadline in it: restarting the model process")
                await self._restart(running)
                return [DeadlineExceeded("stopped: the model was stuck on this batch")] * len(batch)
            # A thread cannot be stopped: it is waited for, and /readyz reports it stuck meanwhile.
            return list(await running)
        except Exception as exc:  # the worker must outlive any one batch
            log.exception("extraction batch failed")
            if self._model is not None and not self._model.alive:
                await self._restart(running)
            return [exc] * len(batch)
        finally:
            self.running, self._running_jobs, self._running_since = 0, [], None

    async def _restart(self, running: asyncio.Future[Any]) -> None:
        """Kill the model process and start another (its models load again)."""
        assert self.process is not None and self._executor is not None
        self._restarting = True
        try:
            if self._model is not None:
                self._model.kill()
            with contextlib.suppress(Exception):
                await running  # the pipe closed under it: done at once
            self.restarts += 1
            self._restarts.inc()
            self._model = _ModelProcess(self.process)
            await asyncio.get_running_loop().run_in_executor(self._executor, self._model.start)
        finally:
            self._restarting = False


def run_jobs(
    extractor: Extractor, store: Store, jobs: list[tuple[Article, bool]]
) -> list[list[Mention] | Stored | BaseException]:
    """On the model's thread or process: extract the batch, then store the articles that asked for it.

    One article's failure (extraction or storing) is its request's alone.
    """
    outcomes: list[list[Mention] | Stored | BaseException] = []
    for (article, persist), mentions in zip(jobs, extract_each(extractor, [a for a, _ in jobs]), strict=True):
        if isinstance(mentions, BaseException) or not persist:
            outcomes.append(mentions)
            continue
        try:
            # The store step every writer takes (service.core): a lost race for a new cluster is tried again.
            outcome = store_article(store, extractor, article, mentions)
        except Exception as exc:  # StoreError, or a bug: reported to that request only
            log.exception("storing %s failed", article.name)
            outcomes.append(exc)
            continue
        if outcome.failure is not None:
            _, code, message = outcome.failure
            outcomes.append(StoreConflict(message) if code == StoreConflict.code else NotStorable(message))
        else:
            outcomes.append(Stored(outcome.document_id, outcome.stored, mentions, outcome.attempts))
    return outcomes


# --- the model in its own process -----------------------------------------------------------------


class _ModelProcess:
    """The models in a process of their own, driven over a pipe one batch at a time; it can be killed.

    ``start`` and ``run`` block (call them on a thread); ``kill`` may be called from any thread, and makes
    a blocked ``run`` fail at once.
    """

    def __init__(self, settings: Settings) -> None:
        # spawn: a fresh interpreter, not a fork of a process running an event loop and threads.
        context = multiprocessing.get_context("spawn")
        self._conn, child = context.Pipe()
        self._process = context.Process(
            target=_child_main, args=(settings, child), name="claimgraph-model", daemon=True
        )
        self._child_conn = child

    def start(self) -> None:
        self._process.start()
        self._child_conn.close()
        message = self._conn.recv()
        if message[0] != "ready":
            raise NotReady(f"the model process failed to start: {message[1]}")

    def run(self, jobs: list[tuple[Article, bool]]) -> list[Any]:
        try:
            self._conn.send(jobs)
            return self._conn.recv()
        except (EOFError, OSError) as exc:
            raise NotReady("the model process stopped; it is being started again") from exc

    @property
    def alive(self) -> bool:
        return self._process.is_alive()

    def kill(self) -> None:
        if self._process.pid is not None and self._process.is_alive():
            self._process.kill()
            self._process.join(timeout=5)
        self._conn.close()


def _die_with_parent() -> None:
    """Linux: the model process gets SIGKILL when the server that started it dies (even by kill -9)."""
    with contextlib.suppress(Exception):
        pr_set_pdeathsig = 1
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL)


def _child_main(settings: Settings, conn: Any) -> None:
    """The model process: lowest priority of the server's work, its own Extractor and Store, then one batch
    per message until the pipe closes."""
    # Ctrl-C in a terminal reaches the whole process group: the server stops this process itself.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _die_with_parent()
    with contextlib.suppress(OSError):
        os.nice(EXTRACTION_NICENESS)
    try:
        extractor = Extractor(inference=settings.inference, onnx_dir=settings.onnx_dir, threads=settings.model_threads)
        store = Store(settings.database_url)
        extractor.warm_up()
        extractor.run([article_from_text(WARM_UP_TEXT, name="warm-up")])
    except Exception as exc:
        conn.send(("error", f"{type(exc).__name__}: {exc}"))
        return
    conn.send(("ready", None))
    # Library errors travel back as they are; anything else as a plain error (it may not unpickle).
    safe = (ClaimgraphError, list, Stored)
    while True:
        try:
            jobs = conn.recv()
        except (EOFError, OSError):
            return
        outcomes = run_jobs(extractor, store, jobs)
        conn.send([o if isinstance(o, safe) else RuntimeError(f"{type(o).__name__}: {o}") for o in outcomes])
