"""API benchmark: ``claimgraph serve`` in a subprocess on a free port, driven by httpx (async).

Measured in one run, side by side:

1. offline extraction throughput (``Extractor.run`` in this process, batches of 8) on the same articles;
2. ``POST /extract`` of a ~1,000-word article, one client at a time: p50 / p99 latency;
3. served throughput with 8 concurrent clients, and its ratio to (1) (issue 5 target >= 0.6);
4. browsing endpoints (contradictions, clusters, claims, a claim, documents, a document) with 32
   concurrent clients while 8 extraction clients keep the model busy: p50 / p99 (target p99 <= 150 ms);
5. 4x the extraction capacity (running batch + queue) posting at once: how many 200 / 429 / 5xx, and
   how fast the 429s come back.

The articles are composed at run time from the seed articles in ../shared/corpus (never copied into the
project). Usage: ``.venv/bin/python bench/api_latency.py [--seconds 15]``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]
SEED_DIR = REPO.parent / "shared" / "corpus"
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


def compose_articles(n: int, words: int = 1000) -> list[str]:
    """``n`` articles of about ``words`` words: the seeds' paragraphs in rotation, each from a new start."""
    # Sentences (and lines), so an article can stop near the word count whatever the seeds' paragraphing.
    units = [
        u.strip()
        for path in sorted(SEED_DIR.glob("*.txt"))
        for u in re.split(r"(?<=[.!?])\s+|\n+", path.read_text(encoding="utf-8"))
        if u.strip()
    ]
    if not units:
        sys.exit(f"no seed articles in {SEED_DIR}")
    out = []
    for i in range(n):
        chosen: list[str] = []
        count, k = 0, (i * 37) % len(units)
        while count < words:
            unit = units[k % len(units)]
            chosen.append(unit)
            count += len(unit.split())
            k += 1
        out.append(" ".join(chosen))
    return out


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))]


def ms(values: list[float]) -> dict[str, float]:
    return {
        "n": len(values),
        "p50_ms": round(1000 * percentile(values, 50), 1),
        "p99_ms": round(1000 * percentile(values, 99), 1),
        "max_ms": round(1000 * max(values), 1),
    }


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def offline_throughput(articles: list[str]) -> float:
    """Articles per second through ``Extractor.run`` in this process, batches of 8, after a warm-up."""
    from pipelines.extract.pipeline import Extractor
    from pipelines.ingest import article_from_text

    extractor = Extractor()
    extractor.warm_up()
    docs = [article_from_text(t, name=f"a{i}") for i, t in enumerate(articles)]
    extractor.run(docs[:2])
    started = time.perf_counter()
    for i in range(0, len(docs), 8):
        extractor.run(docs[i : i + 8])
    return len(docs) / (time.perf_counter() - started)


async def wait_ready(client: httpx.AsyncClient, proc: subprocess.Popen, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            sys.exit(f"the server exited with {proc.returncode}")
        try:
            if (await client.get("/readyz")).status_code == 200:
                return
        except httpx.TransportError:
            pass
        await asyncio.sleep(0.5)
    sys.exit("the server did not get ready")


async def post(client: httpx.AsyncClient, text: str) -> tuple[int, float]:
    started = time.perf_counter()
    r = await client.post("/extract", json={"text": text})
    return r.status_code, time.perf_counter() - started


async def run(args: argparse.Namespace) -> dict:
    articles = compose_articles(16)
    words = [len(a.split()) for a in articles]
    print(f"articles: {len(articles)} of {min(words)}-{max(words)} words (from {SEED_DIR})", file=sys.stderr)
    offline = offline_throughput(articles)
    print(f"offline: {offline:.2f} articles/s", file=sys.stderr)

    port = free_port()
    tmp = tempfile.mkdtemp(prefix="claimgraph-bench-")
    # A queue of 8 (default 32) keeps the overload phase short: capacity = 8 running + 8 waiting.
    settings = {"queue_size": args.queue_size, "max_batch": 8}
    env = dict(
        os.environ,
        CLAIMGRAPH_DATABASE_URL=f"sqlite:///{tmp}/bench.db",
        CLAIMGRAPH_QUEUE_SIZE=str(settings["queue_size"]),
        CLAIMGRAPH_MAX_BATCH=str(settings["max_batch"]),
    )
    env.pop("CLAIMGRAPH_API_KEY", None)
    log = open(Path(tmp) / "server.log", "w")  # noqa: SIM115 (closed at the end)
    proc = subprocess.Popen(
        [str(REPO / ".venv" / "bin" / "claimgraph"), "serve", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    limits = httpx.Limits(max_connections=400, max_keepalive_connections=400)
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=300, limits=limits) as client:
            await wait_ready(client, proc)
            capacity = settings["queue_size"] + settings["max_batch"]
            # Something to browse: the five seeds, stored through the API.
            for path in sorted(SEED_DIR.glob("*.txt")):
                r = await client.post("/extract?persist=true", json={"text": path.read_text(encoding="utf-8")})
                assert r.status_code == 200, r.text

            # 2. one client at a time
            single = []
            for i in range(args.single):
                status, took = await post(client, articles[i % len(articles)])
                assert status == 200
                single.append(took)
            print(f"single client: {ms(single)}", file=sys.stderr)

            # 3. eight concurrent clients over the same 16 articles
            started = time.perf_counter()

            async def sequential_client(c: int) -> list[tuple[int, float]]:
                return [await post(client, articles[j]) for j in range(c, len(articles), 8)]

            results = await asyncio.gather(*(sequential_client(c) for c in range(8)))
            served_s = time.perf_counter() - started
            assert all(s == 200 for group in results for s, _ in group), [s for g in results for s, _ in g]
            served = len(articles) / served_s
            print(f"served, 8 clients: {served:.2f} articles/s", file=sys.stderr)

            # 4. browsing under extraction load
            claim_id = (await client.get("/claims?limit=1")).json()["items"][0]["claim_id"]
            doc_id = (await client.get("/documents?limit=1")).json()["items"][0]["document_id"]
            cluster_id = (await client.get("/contradictions?limit=1")).json()["items"][0]["cluster_id"]
            paths = [
                ("GET /contradictions", "/contradictions"),
                ("GET /contradictions/{id}", f"/contradictions/{cluster_id}"),
                ("GET /clusters", "/clusters?limit=20"),
                ("GET /claims", "/claims?limit=50"),
                ("GET /claims/{id}", f"/claims/{claim_id}"),
                ("GET /documents", "/documents"),
                ("GET /documents/{id}", f"/documents/{doc_id}"),
                ("GET /healthz", "/healthz"),
            ]
            stop = asyncio.Event()
            extraction_results: list[tuple[int, float]] = []
            browse: dict[str, list[float]] = {label: [] for label, _ in paths}
            browse_status: list[int] = []
            transport_errors: list[str] = []

            async def extractor_client(k: int) -> None:
                i = k
                while not stop.is_set():
                    extraction_results.append(await post(client, articles[i % len(articles)]))
                    i += 8

            async def browser_client(k: int) -> None:
                i = k
                while not stop.is_set():
                    label, path = paths[i % len(paths)]
                    started = time.perf_counter()
                    try:
                        r = await client.get(path)
                    except httpx.TransportError:
                        # A kept-alive connection the server closed as it was reused: counted, not fatal.
                        transport_errors.append(path)
                        continue
                    took = time.perf_counter() - started
                    browse_status.append(r.status_code)
                    browse[label].append(took)
                    i += 1

            workers = [asyncio.create_task(extractor_client(k)) for k in range(8)]
            await asyncio.sleep(2)  # the model is busy before the readers start
            readers = [asyncio.create_task(browser_client(k)) for k in range(32)]
            await asyncio.sleep(args.seconds)
            stop.set()
            await asyncio.gather(*readers, *workers)
            all_reads = [t for ts in browse.values() for t in ts]
            browsing = {"all": ms(all_reads)} | {p: ms(ts) for p, ts in browse.items() if ts}
            assert all(s == 200 for s in browse_status), set(browse_status)
            print(f"browsing with 32 clients under load: {browsing['all']}", file=sys.stderr)

            # 5. overload: 4x capacity posting at once
            overload: list[tuple[int, float]] = await asyncio.gather(
                *(post(client, articles[i % len(articles)]) for i in range(4 * capacity))
            )
            statuses = [s for s, _ in overload]
            rejected = [t for s, t in overload if s == 429]
            accepted = [t for s, t in overload if s == 200]
            print(f"overload: {len(accepted)} x 200, {len(rejected)} x 429", file=sys.stderr)
            return {
                "article_words": round(statistics.mean(words)),
                "offline_articles_per_s": round(offline, 3),
                "extract_single_client": ms(single),
                "served_articles_per_s_8_clients": round(served, 3),
                "served_over_offline": round(served / offline, 3),
                "browsing_under_load_32_clients": browsing,
                "browsing_requests": len(all_reads),
                "browsing_transport_errors": len(transport_errors),
                "extractions_during_browsing": len(extraction_results),
                "overload": {
                    "concurrent": 4 * capacity,
                    "capacity": capacity,
                    "ok_200": len(accepted),
                    "rejected_429": len(rejected),
                    "server_errors_5xx": sum(s >= 500 for s in statuses),
                    "other": sorted({s for s in statuses if s not in (200, 429) and s < 500}),
                    "429_latency": ms(rejected) if rejected else None,
                    "200_latency": ms(accepted) if accepted else None,
                },
            }
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=15, help="Length of the browsing-under-load phase.")
    parser.add_argument("--single", type=int, default=12, help="Sequential POST /extract calls for p50/p99.")
    parser.add_argument("--queue-size", type=int, default=8, help="The server's CLAIMGRAPH_QUEUE_SIZE.")
    result = asyncio.run(run(parser.parse_args()))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
