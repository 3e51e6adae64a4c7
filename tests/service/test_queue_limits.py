"""The extraction queue under work that takes too long: request deadlines, clients that go away, a model
stuck on a batch (``/readyz``, restart), and SIGTERM while the model is busy. Real models throughout.

A long article (the seeds several times over) keeps the model busy for seconds; deadlines far below that
make the cases happen without waiting for them. No assertion is about speed: each is about who is
answered what, in which order.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from pipelines.ingest import read_article
from service.api.app import create_app
from service.settings import Settings
from service.store import Store

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def long_text(seed_paths) -> str:
    """About 15,000 words: seconds of model work."""
    return "\n\n".join(read_article(p).original for p in seed_paths) * 3


def _settings(tmp_path, **overrides) -> Settings:
    defaults = {"database_url": f"sqlite:///{tmp_path / 'q.db'}", "max_request_bytes": 4 << 20}
    return Settings(**(defaults | {"max_candidates": 100_000} | overrides))


async def _until(condition, what: str, limit: float = 300) -> None:
    started = time.monotonic()
    while not condition():
        assert time.monotonic() - started < limit, f"never happened: {what}"
        await asyncio.sleep(0.01)


def test_a_request_behind_a_long_batch_is_answered_at_its_deadline(tmp_path, extractor, long_text):
    """The long article runs past its deadline: 503, and /readyz says the model is stuck until the batch
    ends. A short article queued behind it is answered 503 at its own deadline, while the long batch still
    runs, rather than after it."""
    app = create_app(_settings(tmp_path, request_deadline_s=1.0, max_batch=1, batch_wait_ms=0), extractor=extractor)
    queue = app.state.extraction

    async def run() -> None:
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://api", timeout=300) as client:
                long = asyncio.create_task(client.post("/extract", json={"text": long_text}))
                await _until(lambda: queue.running == 1, "the long article running")
                short = await client.post("/extract", json={"text": "PyTorch holds 70% of research papers."})
                assert queue.running == 1, "the short request should not have waited for the long batch"
                error = short.json()["error"]
                assert short.status_code == 503 and error["code"] == "deadline_exceeded", short.text
                assert int(short.headers["retry-after"]) >= 1
                first = await long
                assert first.status_code == 503 and first.json()["error"]["code"] == "deadline_exceeded"
                # Both were answered; the long batch is still running past every deadline in it: stuck.
                await _until(lambda: queue.stuck, "the worker reported stuck")
                ready = await client.get("/readyz")
                assert ready.status_code == 503 and ready.json()["error"]["detail"]["worker_stuck"] is True
                await _until(lambda: queue.running == 0, "the long batch finished")
                assert (await client.get("/readyz")).status_code == 200
                # The short job was dropped, not run after the long one.
                assert queue.batches == 1
                queue.deadline_s = 60
                assert (await client.post("/extract", json={"text": "JAX holds 9% of papers."})).status_code == 200

    asyncio.run(run())


def test_queued_work_of_a_client_that_has_gone_is_dropped(tmp_path, extractor, long_text):
    """A persist request waits behind a long batch; its client goes away: the article is never stored."""
    app = create_app(_settings(tmp_path, max_batch=1, batch_wait_ms=0), extractor=extractor)
    queue = app.state.extraction
    body = json.dumps({"text": "TensorFlow was used in 12% of the research papers we read in 2024."}).encode()

    async def run() -> None:
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://api", timeout=300) as client:
                long = asyncio.create_task(client.post("/extract", json={"text": long_text}))
                await _until(lambda: queue.running == 1, "the long article running")
                # The persist request, straight through ASGI, so that its client can hang up.
                sent: list[dict] = []
                delivered = False

                async def receive() -> dict:
                    nonlocal delivered
                    if not delivered:
                        delivered = True
                        return {"type": "http.request", "body": body, "more_body": False}
                    await _until(lambda: queue.depth == 1, "the persist request queued")
                    return {"type": "http.disconnect"}

                async def send(message: dict) -> None:
                    sent.append(message)

                scope = {
                    "type": "http",
                    "asgi": {"version": "3.0"},
                    "http_version": "1.1",
                    "method": "POST",
                    "scheme": "http",
                    "path": "/extract",
                    "raw_path": b"/extract",
                    "query_string": b"persist=true",
                    "root_path": "",
                    "headers": [(b"content-type", b"application/json"), (b"host", b"api")],
                    "client": ("127.0.0.1", 1),
                    "server": ("api", 80),
                }
                await app(scope, receive, send)
                assert (await long).status_code == 200
                await _until(lambda: queue.running == 0 and queue.depth == 0, "the queue drained")
        assert queue.batches == 1  # only the long article ran
        assert sent and sent[0]["status"] == 499
        store = Store(app.state.settings.database_url)
        assert store.counts()["documents"] == 0
        store.engine.dispose()

    asyncio.run(run())


def test_a_model_process_stuck_past_every_deadline_is_restarted(tmp_path, long_text):
    """The model in its own process (as ``serve`` runs it) is killed when a batch outlives the deadline of
    every request in it, and started again; /readyz is 503 meanwhile, and the next request is served."""
    app = create_app(_settings(tmp_path, request_deadline_s=0.5, max_batch=1, batch_wait_ms=0))
    queue = app.state.extraction
    assert queue.process is not None

    async def run() -> None:
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://api", timeout=300) as client:
                stuck = await client.post("/extract", json={"text": long_text})
                assert stuck.status_code == 503 and stuck.json()["error"]["code"] == "deadline_exceeded"
                await _until(lambda: queue.stuck, "the worker reported stuck")
                ready = await client.get("/readyz")
                assert ready.status_code == 503 and ready.json()["error"]["detail"]["worker_stuck"] is True
                await _until(lambda: queue.restarts == 1 and not queue.stuck, "the model process restarted")
                assert queue.batches == 1
                queue.deadline_s = 120
                again = await client.post("/extract", json={"text": "PyTorch holds 70% of research papers."})
                assert again.status_code == 200 and again.json()["claims"], again.text
                ready = (await client.get("/readyz")).json()
                assert ready["status"] == "ready" and ready["worker_restarts"] == 1

    asyncio.run(run())


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(c) for c in (task / "children").read_text().split()]
    return found


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] not in ("Z", "X")
    except FileNotFoundError:
        return False


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads child processes from /proc")
def test_sigterm_stops_a_busy_server_and_its_model_process(tmp_path, long_text):
    """``claimgraph serve`` with the model busy on a long article: SIGTERM ends the server and the model
    process without waiting for the batch; the request waiting for it is answered 503."""
    port = _free_port()
    env = {
        **os.environ,
        "CLAIMGRAPH_DATABASE_URL": f"sqlite:///{tmp_path / 'serve.db'}",
        "CLAIMGRAPH_MAX_REQUEST_BYTES": str(8 << 20),
        "CLAIMGRAPH_MAX_CANDIDATES": "1000000",
        "CLAIMGRAPH_SHUTDOWN_TIMEOUT_S": "2",
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "service", "serve", "--port", str(port)],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    outcome: dict[str, object] = {}
    try:
        started = time.monotonic()
        while True:
            assert server.poll() is None, server.stderr.read() if server.stderr else ""
            assert time.monotonic() - started < 300, "the server never became ready"
            try:
                if httpx.get(f"{base}/readyz", timeout=5).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.5)
        models = _children(server.pid)
        assert models, "the model runs in a process of its own"

        def post() -> None:
            try:
                outcome["status"] = httpx.post(f"{base}/extract", json={"text": long_text * 4}, timeout=600).status_code
            except httpx.TransportError as exc:
                outcome["error"] = exc

        poster = threading.Thread(target=post)
        poster.start()
        while poster.is_alive():
            ready = httpx.get(f"{base}/readyz").json()
            if ready.get("running", ready.get("error", {}).get("detail", {}).get("running")):
                break  # the model is running the long article
            time.sleep(0.2)
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=120)
        poster.join(timeout=120)
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
    # Answered at once, not cut off or left to the batch: the request waiting for the model gets a 503.
    assert outcome.get("status") == 503, outcome
    # The model process is told to stop with the server; on a loaded machine its exit can lag a moment.
    deadline = time.monotonic() + 10
    while any(_alive(pid) for pid in models) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(_alive(pid) for pid in models), "the model process outlived the server by more than 10 s"
