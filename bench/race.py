"""Racing writers on one PostgreSQL database: no write answered and lost, none stored twice.

Two measurements, each on a fresh database of the PostgreSQL server on 127.0.0.1:5432:

1. **two servers** — two ``claimgraph serve`` processes on one database. Articles come in groups; the
   articles of a group are different texts about one framework and one catalogue metric, so each of them
   opens the same new cluster. A group's articles are posted at the same moment, alternately to the two
   servers, with ``?persist=true`` (several groups at once); every tenth group also posts one identical text
   to both servers. Afterwards every ``200`` answer's document is looked up in the database: lost = answered
   200 but not stored (target 0); each distinct text must be answered ``created: true`` exactly once.
   ``claimgraph_store_retries_total`` of both servers counts the articles that lost a race for a new
   cluster and were stored again: that the race happened.
2. **two ingests** — two ``claimgraph ingest`` processes, each over its own folder of such articles (the
   n-th files of the two folders open the same cluster), started together with batches of one article.
   Target: every article stored once, the two summaries' ``new_documents`` adding up to the documents
   stored, exit code 0 for both.

Usage: ``.venv/bin/python bench/race.py [--posts 600] [--articles 300] [--concurrency 8]``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from sqlalchemy import create_engine, make_url, text

REPO = Path(__file__).resolve().parents[1]
# A PostgreSQL server it may create databases on (as the tests' CLAIMGRAPH_TEST_POSTGRES_URL).
PG_ADMIN = os.environ.get("CLAIMGRAPH_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

TEMPLATES = (
    "{fw} was used in {n}% of the research papers we read in {year}.",
    "{fw} has about {n}k stars on GitHub, according to our count in {year}.",
    "In {year}, {fw} had {n} contributors committing code to its repository.",
    "{fw} was downloaded {n} million times in {year}, the package index says.",
    "{n}% of the developers we surveyed in {year} said they use {fw}.",
    "{fw} appeared in {n} job postings in {year}, up from the year before.",
)


def racing_groups(groups: int, per_group: int, seed: int = 7) -> list[list[str]]:
    """``groups`` groups of ``per_group`` distinct articles; the articles of a group open the same cluster
    (one framework of the catalogue, one metric), and no two groups share one."""
    from pipelines.catalogue import default_catalogue

    frameworks = sorted(f.name for f in default_catalogue().frameworks.values())
    pairs = [(fw, t) for t in TEMPLATES for fw in frameworks]
    if groups > len(pairs):
        sys.exit(f"at most {len(pairs)} groups (one per framework and metric)")
    rng = random.Random(seed)
    out = []
    for fw, template in pairs[:groups]:
        year = rng.choice((2022, 2023, 2024))
        tag = uuid.UUID(int=rng.getrandbits(128)).hex[:8]
        out.append(
            [f"Report {tag}\n" + template.format(fw=fw, n=n, year=year) for n in rng.sample(range(11, 99), per_group)]
        )
    return out


@contextmanager
def fresh_database(admin_url: str = PG_ADMIN) -> Iterator[str]:
    """A new database on the PostgreSQL server of ``admin_url``, dropped afterwards."""
    name = f"claimgraph_race_{uuid.uuid4().hex[:10]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def stored_documents(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return {r[0] for r in conn.execute(text("SELECT id FROM documents"))}
    finally:
        engine.dispose()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(url: str, log: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {
        **os.environ,
        "CLAIMGRAPH_DATABASE_URL": url,
        "CLAIMGRAPH_QUEUE_SIZE": "512",
        "CLAIMGRAPH_READ_CACHE_MB": "0",
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "service", "serve", "--port", str(port)],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log.open("w"),
    )
    return proc, f"http://127.0.0.1:{port}"


def wait_ready(procs: list[tuple[subprocess.Popen, str]], limit: float = 600) -> None:
    started = time.monotonic()
    for proc, base in procs:
        while True:
            if proc.poll() is not None:
                sys.exit(f"a server exited ({proc.returncode}) before it was ready")
            if time.monotonic() - started > limit:
                sys.exit("the servers never became ready")
            try:
                if httpx.get(f"{base}/readyz", timeout=5).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.5)


def retries(base: str) -> float:
    for line in httpx.get(f"{base}/metrics", timeout=30).text.splitlines():
        if line.startswith("claimgraph_store_retries_total"):
            return float(line.split()[-1])
    return 0.0


async def post_groups(
    bases: list[str], groups: list[list[str]], concurrency: int, twins_every: int = 10
) -> list[tuple[str, int, dict]]:
    """Post every group's articles at once, alternately to the servers, ``concurrency`` groups at a time.

    Returns (text, status, body) for every post.
    """
    results: list[tuple[str, int, dict]] = []
    limit = asyncio.Semaphore(concurrency)
    async with httpx.AsyncClient(timeout=600, limits=httpx.Limits(max_connections=256)) as client:

        async def post(base: str, article: str) -> None:
            response = await client.post(f"{base}/extract?persist=true", json={"text": article})
            body = response.json() if response.headers.get("content-type", "").startswith("application/json") else {}
            results.append((article, response.status_code, body))

        async def group(i: int, articles: list[str]) -> None:
            async with limit:
                posts = [post(bases[(i + k) % len(bases)], a) for k, a in enumerate(articles)]
                if twins_every and i % twins_every == 0:  # one identical text to every server at once
                    posts += [post(base, articles[0] + "\nSame text, every server.") for base in bases]
                await asyncio.gather(*posts)

        await asyncio.gather(*(group(i, g) for i, g in enumerate(groups)))
    return results


def check_posts(url: str, results: list[tuple[str, int, dict]]) -> dict[str, object]:
    """Lost writes (200 answered, not stored) and texts answered created: true other than once."""
    stored = stored_documents(url)
    ok = [(t, b) for t, s, b in results if s == 200]
    lost = [b["document_id"] for _, b in ok if b["document_id"] not in stored]
    created = Counter(t for t, b in ok if b.get("created"))
    answered = {t for t, _ in ok}
    return {
        "posts": len(results),
        "statuses": dict(Counter(s for _, s, _ in results)),
        "answered_200": len(ok),
        "distinct_texts": len({t for t, _, _ in results}),
        "documents_stored": len(stored),
        "answered_but_lost": len(lost),
        "created_not_once": sum(1 for t in answered if created[t] != 1),
    }


def race_servers(posts: int, concurrency: int, per_group: int = 2, admin_url: str = PG_ADMIN) -> dict[str, object]:
    groups = racing_groups(max(1, round(posts / (per_group + 0.2))), per_group)
    with fresh_database(admin_url) as url, tempfile.TemporaryDirectory() as tmp:
        servers = [start_server(url, Path(tmp) / f"server{i}.log") for i in range(2)]
        try:
            wait_ready(servers)
            started = time.perf_counter()
            results = asyncio.run(post_groups([b for _, b in servers], groups, concurrency))
            elapsed = time.perf_counter() - started
            report = check_posts(url, results)
            report["store_retries"] = sum(retries(b) for _, b in servers)
            report["seconds"] = round(elapsed, 1)
        finally:
            for proc, _ in servers:
                proc.terminate()
            for proc, _ in servers:
                proc.wait(timeout=120)
    return report


def race_ingests(articles: int, admin_url: str = PG_ADMIN) -> dict[str, object]:
    groups = racing_groups(articles, 2)
    with fresh_database(admin_url) as url, tempfile.TemporaryDirectory() as tmp:
        folders = [Path(tmp) / "a", Path(tmp) / "b"]
        for side, folder in enumerate(folders):
            folder.mkdir()
            for i, group in enumerate(groups):
                (folder / f"{i:05d}.txt").write_text(group[side] + "\n", encoding="utf-8")
        env = {**os.environ, "CLAIMGRAPH_DATABASE_URL": url, "CLAIMGRAPH_BATCH_SIZE": "1"}
        started = time.perf_counter()
        procs = [
            subprocess.Popen(
                [sys.executable, "-m", "service", "ingest", str(folder), "--json"],
                cwd=REPO,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for folder in folders
        ]
        outputs = [p.communicate(timeout=3600) for p in procs]
        elapsed = time.perf_counter() - started
        summaries = [json.loads(o[0].splitlines()[-1]) if o[0].strip() else {} for o in outputs]
        stored = stored_documents(url)
        new = sum(s.get("new_documents", 0) for s in summaries)
        return {
            "articles": 2 * len(groups),
            "exit_codes": [p.returncode for p in procs],
            "new_documents_reported": new,
            "documents_stored": len(stored),
            "failed": sum(len(s.get("failed", [])) for s in summaries),
            "answered_but_lost": max(0, new - len(stored)),
            "seconds": round(elapsed, 1),
            "stderr_tail": [o[1][-300:] for o, p in zip(outputs, procs, strict=True) if p.returncode],
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=600, help="racing POSTs to the two servers (about)")
    parser.add_argument("--articles", type=int, default=300, help="articles per ingest folder")
    parser.add_argument("--concurrency", type=int, default=8, help="groups posted at the same time")
    parser.add_argument("--skip-ingest", action="store_true")
    args = parser.parse_args()
    servers = race_servers(args.posts, args.concurrency)
    print(json.dumps({"two_servers": servers}, indent=2), flush=True)
    if not args.skip_ingest:
        print(json.dumps({"two_ingests": race_ingests(args.articles)}, indent=2), flush=True)


if __name__ == "__main__":
    main()
