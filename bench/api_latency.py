"""API benchmark: ``claimgraph serve`` in a subprocess on a free port, driven by httpx (async).

Measured in one run, side by side:

1. offline extraction throughput (``Extractor.run`` in this process, batches of 8) on the same articles;
2. ``POST /extract`` of a ~1,000-word article, one client at a time: p50 / p99 latency;
3. served throughput with 8 concurrent clients, and its ratio to (1) (issue 5 target >= 0.6);
4. browsing endpoints (contradictions, clusters, claims, documents, each listing and several ids of
   each, and two web pages) with 32 concurrent clients while 8 extraction clients keep the model busy:
   p50 / p99 (target p99 <= 150 ms). The readers run in a separate process with a minimal HTTP/1.1
   client (httpx in this process cost more CPU per request than the server's answer: on two cores its
   own queueing was most of the figure); their CPU time is printed. ``--read-cache-mb 0`` measures it
   with every read rendered afresh, ``--persist`` with every extraction batch writing to the store (so
   the read cache is emptied every batch);
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


async def post(client: httpx.AsyncClient, text: str, persist: bool = False) -> tuple[int, float]:
    started = time.perf_counter()
    r = await client.post("/extract", params={"persist": "true"} if persist else None, json={"text": text})
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
        CLAIMGRAPH_READ_CACHE_MB=str(args.read_cache_mb),
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

            # 4. browsing under extraction load: several ids per endpoint, read by a separate process
            claims = (await client.get("/claims?limit=40")).json()["items"]
            docs = (await client.get("/documents")).json()["items"]
            conflicts = (await client.get("/contradictions?limit=20")).json()["items"]
            paths: dict[str, list[str]] = {
                "GET /contradictions": ["/contradictions", "/contradictions?limit=10"],
                "GET /contradictions/{id}": [f"/contradictions/{c['cluster_id']}" for c in conflicts],
                "GET /clusters": ["/clusters?limit=20", "/clusters?limit=20&offset=20"],
                "GET /claims": ["/claims?limit=50", "/claims?limit=50&offset=50"],
                "GET /claims/{id}": [f"/claims/{c['claim_id']}" for c in claims],
                "GET /documents": ["/documents"],
                "GET /documents/{id}": [f"/documents/{d['document_id']}" for d in docs],
                "GET / (web page)": ["/"],
                "GET /web/clusters/{id}": [f"/web/clusters/{c['cluster_id']}" for c in conflicts],
                "GET /healthz": ["/healthz"],
            }
            stop = asyncio.Event()
            extraction_results: list[tuple[int, float]] = []

            async def extractor_client(k: int) -> None:
                i = k
                while not stop.is_set():
                    # --persist: every article is new (a numbered last line), so every batch writes.
                    text = articles[i % len(articles)] + (f"\n\nBench copy {i}." if args.persist else "")
                    extraction_results.append(await post(client, text, persist=args.persist))
                    i += 8

            workers = [asyncio.create_task(extractor_client(k)) for k in range(8)]
            await asyncio.sleep(2)  # the model is busy before the readers start
            reader = await asyncio.create_subprocess_exec(
                sys.executable,
                __file__,
                "--browse-worker",
                str(port),
                "--clients",
                "32",
                "--seconds",
                str(args.seconds),
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
            )
            out, _ = await reader.communicate(json.dumps(paths).encode())
            stop.set()
            await asyncio.gather(*workers)
            read = json.loads(out)
            browse: dict[str, list[float]] = read["latencies"]
            all_reads = [t for ts in browse.values() for t in ts]
            browsing = {"all": ms(all_reads)} | {p: ms(ts) for p, ts in browse.items() if ts}
            assert read["statuses"] == {"200": len(all_reads)}, read["statuses"]
            print(f"browsing with 32 clients under load: {browsing['all']}", file=sys.stderr)
            transport_errors = read["transport_errors"]

            # 5. overload: 4x capacity posting at once
            overload: list[tuple[int, float]] = await asyncio.gather(
                *(post(client, articles[i % len(articles)]) for i in range(4 * capacity))
            )
            statuses = [s for s, _ in overload]
            rejected = [t for s, t in overload if s == 429]
            accepted = [t for s, t in overload if s == 200]
            print(f"overload: {len(accepted)} x 200, {len(rejected)} x 429", file=sys.stderr)
            return {
                "settings": {"read_cache_mb": args.read_cache_mb, "persist_during_browsing": args.persist},
                "article_words": round(statistics.mean(words)),
                "offline_articles_per_s": round(offline, 3),
                "extract_single_client": ms(single),
                "served_articles_per_s_8_clients": round(served, 3),
                "served_over_offline": round(served / offline, 3),
                "browsing_under_load_32_clients": browsing,
                "browsing_requests": len(all_reads),
                "browsing_transport_errors": transport_errors,
                "browsing_reader_cpu_s": read["cpu_s"],
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


async def _read_one(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, path: str) -> tuple[int, bytes]:
    """One GET on a kept-alive HTTP/1.1 connection: (status, body)."""
    writer.write(f"GET {path} HTTP/1.1\r\nHost: bench\r\n\r\n".encode())
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    status = int(lines[0].split()[1])
    fields = {k.strip().lower(): v.strip() for k, _, v in (line.partition(b":") for line in lines[1:] if line)}
    if b"content-length" in fields:
        return status, await reader.readexactly(int(fields[b"content-length"]))
    body = b""  # chunked
    while size := int((await reader.readuntil(b"\r\n")).strip(), 16):
        body += await reader.readexactly(size + 2)
    await reader.readuntil(b"\r\n")
    return status, body


async def browse(port: int, clients: int, seconds: float, paths: dict[str, list[str]]) -> dict:
    """``clients`` closed-loop readers, each on its own kept-alive connection, cycling through ``paths``.

    A minimal HTTP/1.1 client rather than httpx: it spends a fraction of the CPU per request, so on two
    cores the figure is the server's latency, not the load generator's own queueing.
    """
    order = [(label, path) for label, group in paths.items() for path in group]
    latencies: dict[str, list[float]] = {label: [] for label in paths}
    statuses: dict[str, int] = {}
    errors = 0
    deadline = time.perf_counter() + seconds

    async def reader_task(k: int) -> None:
        nonlocal errors
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        i = k * 7
        while time.perf_counter() < deadline:
            label, path = order[i % len(order)]
            i += 1
            started = time.perf_counter()
            try:
                status, _ = await _read_one(reader, writer, path)
            except (OSError, asyncio.IncompleteReadError):
                errors += 1
                writer.close()
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
                continue
            latencies[label].append(time.perf_counter() - started)
            statuses[str(status)] = statuses.get(str(status), 0) + 1
        writer.close()

    await asyncio.gather(*(reader_task(k) for k in range(clients)))
    return {
        "latencies": latencies,
        "statuses": statuses,
        "transport_errors": errors,
        "cpu_s": round(time.process_time(), 2),
    }


def main() -> None:
    if len(sys.argv) > 2 and sys.argv[1] == "--browse-worker":
        worker = argparse.ArgumentParser()
        worker.add_argument("port", type=int)
        worker.add_argument("--clients", type=int, default=32)
        worker.add_argument("--seconds", type=float, default=15)
        a = worker.parse_args(sys.argv[2:])
        print(json.dumps(asyncio.run(browse(a.port, a.clients, a.seconds, json.loads(sys.stdin.read())))))
        return
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=15, help="Length of the browsing-under-load phase.")
    parser.add_argument("--single", type=int, default=12, help="Sequential POST /extract calls for p50/p99.")
    parser.add_argument("--queue-size", type=int, default=8, help="The server's CLAIMGRAPH_QUEUE_SIZE.")
    parser.add_argument(
        "--read-cache-mb", type=int, default=64, help="The server's CLAIMGRAPH_READ_CACHE_MB (0: every read renders)."
    )
    parser.add_argument(
        "--persist", action="store_true", help="Extraction clients store what they post: the store changes all along."
    )
    result = asyncio.run(run(parser.parse_args()))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
