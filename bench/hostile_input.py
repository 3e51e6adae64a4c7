"""Hostile input stays cheap: timings of pathological texts, and thousands of hostile requests.

Five measurements:

1. **timings** — texts of one repeated character (``<``, ``(``, ``"``, ``$``, ``%``, ``7``, a letter, and
   a hostile mix of short runs of affix characters separated by spaces) of 8 KiB, 64 KiB and 1 MiB: the
   text path in this process (``article_from_text`` + ``Extractor.run``) and ``POST /extract`` to a
   ``claimgraph serve`` subprocess, side by side. Each row's growth from 64 KiB to 1 MiB is printed as a
   ratio to the growth of the input (16x): about 1 means linear.
2. **scanner** — the number scanner alone (``pipelines.quantities.find_quantities``) on texts that once made
   it backtrack for minutes (a long run of digits, number words, "1." or "1-" repeated, letters and digits,
   "2x" repeated) and on a repeated paragraph of ordinary claims, at 30,000 and 480,000 characters: the
   growth of its time as a ratio to the growth of the input (16x); about 1 means linear.
3. **behind** — a ``claimgraph serve`` subprocess with a short deadline: a long article (minutes of model
   work) is posted, then a normal one right behind it; the normal one must be answered (503) no later than
   the deadline, not after the long one.
4. **sigterm** — SIGTERM to a ``claimgraph serve`` whose model is busy with a long article: seconds until
   the server and its model process are gone.
5. **fuzz** — schemathesis over every operation of the OpenAPI schema (valid and invalid requests), then
   generated hostile requests (JSON with huge integers, deep nesting, NUL, lone surrogates and any value
   in any field; raw bodies in any bytes and encoding; every GET path and query with NUL, huge numbers and
   undecodable escapes; the paste form; repeated API key headers), against the app with the real
   extractor on SQLite and on PostgreSQL. Counted: responses >= 500 (target 0 of >= 5,000 per store).

Usage: ``.venv/bin/python bench/hostile_input.py [timings] [scanner] [behind] [sigterm] [fuzz] [--requests 5000]``.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

REPO = Path(__file__).resolve().parents[1]
SEED_DIR = REPO.parent / "shared" / "corpus"
# A PostgreSQL server it may create databases on (as the tests' CLAIMGRAPH_TEST_POSTGRES_URL).
PG_ADMIN = os.environ.get("CLAIMGRAPH_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

SIZES = (8 * 1024, 64 * 1024, 1024 * 1024)
CHARS = ("<", "(", '"', "$", "%", "7", "a")


def hostile_text(char: str, size: int) -> str:
    """``size`` characters: ``char`` repeated, or (``mix``) runs of 8-64 affix characters between spaces."""
    if char != "mix":
        return char * size
    rng = random.Random(size)
    out: list[str] = []
    n = 0
    while n < size:
        run = "".join(rng.choice("<>()[]{}\"'$%#&*;:,.!?-") for _ in range(rng.randint(8, 64))) + " "
        out.append(run)
        n += len(run)
    return "".join(out)[:size]


# --- 1. timings ------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def server(env: dict[str, str]) -> Iterator[str]:
    """``claimgraph serve`` on a free port with ``env`` added, ready; stopped afterwards."""
    port = free_port()
    with tempfile.TemporaryDirectory() as tmp:
        full = {**os.environ, "CLAIMGRAPH_DATABASE_URL": f"sqlite:///{tmp}/bench.db", **env}
        proc = subprocess.Popen(
            [sys.executable, "-m", "service", "serve", "--port", str(port)],
            cwd=REPO,
            env=full,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            started = time.monotonic()
            while True:
                if proc.poll() is not None:
                    sys.exit("the server exited before it was ready")
                if time.monotonic() - started > 600:
                    sys.exit("the server never became ready")
                try:
                    if httpx.get(f"{base}/readyz", timeout=5).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                time.sleep(0.5)
            yield base
        finally:
            proc.terminate()
            proc.wait(timeout=120)


def timings(chars: tuple[str, ...] = (*CHARS, "mix")) -> list[dict[str, Any]]:
    from pipelines.extract.pipeline import Extractor
    from pipelines.ingest import article_from_text

    extractor = Extractor()
    extractor.warm_up()
    rows = []
    with server({"CLAIMGRAPH_MAX_REQUEST_BYTES": str(2 << 20)}) as base:
        for char in chars:
            row: dict[str, Any] = {"text": char}
            for size in SIZES:
                text = hostile_text(char, size)
                started = time.perf_counter()
                extractor.run([article_from_text(text, name="bench")])
                row[f"offline_{size // 1024}k"] = round(time.perf_counter() - started, 3)
                started = time.perf_counter()
                response = httpx.post(
                    f"{base}/extract",
                    content=text.encode(),
                    headers={"content-type": "text/plain"},
                    timeout=600,
                )
                row[f"served_{size // 1024}k"] = round(time.perf_counter() - started, 3)
                row[f"status_{size // 1024}k"] = response.status_code
            for kind in ("offline", "served"):
                small, big = row[f"{kind}_64k"], row[f"{kind}_1024k"]
                row[f"{kind}_growth_per_16x"] = round(big / max(small, 1e-3) / 16, 2)
            rows.append(row)
            print(json.dumps(row), flush=True)
    return rows


# --- 2. the number scanner alone -------------------------------------------------------------------------

SCANNER_UNITS = {
    "digits": "7",
    "words": "one ",
    "number words": "twenty ",
    "dots": "1.",
    "dashes": "1-",
    "hyphens": "-",
    "letters and digits": "ab12",
    "multipliers": "2x",
    "claims": (
        "In 2023, PyTorch reached about 70% of papers (up from 62%), TensorFlow 2.15 fell to 9.3%, "
        "and JAX ran 1.8x faster on 64 TPUs; see https://example.com/a/1 or call 415-555-0132. "
    ),
}
SCANNER_SIZES = (30_000, 480_000)


def scanner(rounds: int = 3) -> list[dict[str, Any]]:
    from pipelines.quantities import find_quantities

    rows = []
    for name, unit in SCANNER_UNITS.items():
        row: dict[str, Any] = {"text": name}
        for size in SCANNER_SIZES:
            text = (unit * (size // len(unit) + 1))[:size]
            find_quantities(text[:1000])  # warm caches
            best = math.inf
            for _ in range(rounds):
                started = time.perf_counter()
                found = find_quantities(text)
                best = min(best, time.perf_counter() - started)
            row[f"s_{size // 1000}k"] = round(best, 4)
            row[f"found_{size // 1000}k"] = len(found)
        small, big = (row[f"s_{size // 1000}k"] for size in SCANNER_SIZES)
        row["growth_per_16x"] = round(big / max(small, 1e-4) / (SCANNER_SIZES[1] / SCANNER_SIZES[0]), 2)
        rows.append(row)
        print(json.dumps(row), flush=True)
    return rows


# --- 3. a normal request behind a hostile one ------------------------------------------------------------


def behind(deadline_s: float = 5.0) -> dict[str, Any]:
    import asyncio

    seeds = "\n\n".join(p.read_text(encoding="utf-8") for p in sorted(SEED_DIR.glob("*.txt")))
    long_article = seeds * 40  # minutes of model work on two cores
    env = {
        "CLAIMGRAPH_REQUEST_DEADLINE_S": str(deadline_s),
        "CLAIMGRAPH_MAX_REQUEST_BYTES": str(8 << 20),
        "CLAIMGRAPH_MAX_CANDIDATES": "1000000",
        "CLAIMGRAPH_MAX_BATCH": "1",
    }
    with server(env) as base:

        async def run() -> dict[str, Any]:
            async with httpx.AsyncClient(timeout=600) as client:
                started = time.perf_counter()
                long = asyncio.create_task(client.post(f"{base}/extract", json={"text": long_article}))
                while not (await client.get(f"{base}/readyz")).json().get("running"):
                    await asyncio.sleep(0.05)
                behind_at = time.perf_counter()
                normal = await client.post(f"{base}/extract", json={"text": "PyTorch holds 70% of research papers."})
                normal_s = time.perf_counter() - behind_at
                first = await long
                long_s = time.perf_counter() - started
                await asyncio.sleep(deadline_s + 2)
                stuck = (await client.get(f"{base}/readyz")).json()
                for _ in range(600):
                    ready = await client.get(f"{base}/readyz")
                    if ready.status_code == 200:
                        break
                    await asyncio.sleep(0.5)
                after = await client.post(f"{base}/extract", json={"text": "JAX holds 9% of research papers."})
                return {
                    "deadline_s": deadline_s,
                    "long_article_status": first.status_code,
                    "long_article_answered_s": round(long_s, 2),
                    "normal_behind_status": normal.status_code,
                    "normal_behind_answered_s": round(normal_s, 2),
                    "readyz_while_stuck": stuck.get("error", {}).get("detail", stuck),
                    "readyz_after": ready.json(),
                    "next_request_status": after.status_code,
                }

        return asyncio.run(run())


# --- 4. SIGTERM while busy -------------------------------------------------------------------------------


def sigterm() -> dict[str, Any]:
    """SIGTERM to ``claimgraph serve`` while its model runs a long article: seconds until the server and
    its model process are gone."""
    import signal
    import threading

    seeds = "\n\n".join(p.read_text(encoding="utf-8") for p in sorted(SEED_DIR.glob("*.txt")))
    port = free_port()
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            **os.environ,
            "CLAIMGRAPH_DATABASE_URL": f"sqlite:///{tmp}/bench.db",
            "CLAIMGRAPH_MAX_REQUEST_BYTES": str(8 << 20),
            "CLAIMGRAPH_MAX_CANDIDATES": "1000000",
        }
        proc = subprocess.Popen(
            [sys.executable, "-m", "service", "serve", "--port", str(port)],
            cwd=REPO,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{port}"
        while True:
            try:
                if httpx.get(f"{base}/readyz", timeout=5).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.5)
        children = [
            int(c) for t in Path(f"/proc/{proc.pid}/task").iterdir() for c in (t / "children").read_text().split()
        ]
        answer: dict[str, Any] = {}

        def post() -> None:
            try:
                answer["status"] = httpx.post(f"{base}/extract", json={"text": seeds * 40}, timeout=600).status_code
            except httpx.TransportError as exc:
                answer["status"] = type(exc).__name__

        threading.Thread(target=post, daemon=True).start()
        while not httpx.get(f"{base}/readyz").json().get("running"):
            time.sleep(0.05)
        time.sleep(1.0)
        started = time.perf_counter()
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=600)
        server_s = time.perf_counter() - started
        while any(
            Path(f"/proc/{c}").exists() and "Z" not in Path(f"/proc/{c}/stat").read_text().split()[2] for c in children
        ):
            time.sleep(0.05)
        return {
            "server_exit_s": round(server_s, 2),
            "model_process_gone_s": round(time.perf_counter() - started, 2),
            "exit_code": proc.returncode,
            "long_request": answer.get("status"),
        }


# --- 5. fuzz ---------------------------------------------------------------------------------------------

KEY = "bench-key"
FIELDS = ("text", "html", "title", "url", "published", "publisher")
NASTY_STRINGS = (
    "\x00",
    "a\x00b",
    "\ud800",
    "\udfff\ud800",
    "\x1b[31m",
    "http://[",
    "https://a.org/\x00",
    "javascript:alert(1)",
    "9" * 5000,
    "<" * 5000,
    "%" * 3000,
    "70% " * 800,
    "2025-01-01T" + "0" * 100,
    "",
    " ",
    "\u2028\u2029",
    "\ufeff",
    "PyTorch was used in 70% of papers in 2024.",
)


def _value(rng: random.Random, depth: int = 0) -> Any:
    kind = rng.randrange(12 if depth < 3 else 8)
    if kind == 0:
        return rng.choice(NASTY_STRINGS)
    if kind == 1:
        return "".join(chr(rng.choice([rng.randrange(0, 0x80), rng.randrange(0, 0x110000)])) for _ in range(20))
    if kind == 2:
        return rng.choice([0, -1, 2**63, -(2**64), 10 ** rng.randrange(1, 300)])
    if kind == 3:
        return rng.choice([0.5, -1e308, 1e-320, 3.14])
    if kind in (4, 5):
        return rng.choice([None, True, False])
    if kind in (6, 7):
        return f"PyTorch holds {rng.randrange(100)}% of papers. " * rng.randrange(1, 20)
    if kind in (8, 9):
        return [_value(rng, depth + 1) for _ in range(rng.randrange(4))]
    return {rng.choice([*FIELDS, "x", "\x00"]): _value(rng, depth + 1) for _ in range(rng.randrange(4))}


def _json_body(rng: random.Random) -> bytes:
    kind = rng.randrange(10)
    if kind == 0:
        return b'{"text": ' + b"7" * rng.randrange(4301, 20000) + b"}"
    if kind == 1:
        depth = rng.randrange(500, 5000)
        return b"[" * depth + b"]" * depth
    if kind == 2:
        depth = rng.randrange(500, 3000)
        return b'{"text": ' + b'{"a":' * depth + b"1" + b"}" * (depth + 1)
    if kind == 3:
        return rng.choice([b"NaN", b'{"text": NaN}', b'{"text": Infinity}', b"{", b"", b"\xff\xfe", b'"\\ud800"'])
    body = {f: _value(rng) for f in rng.sample(FIELDS, rng.randrange(1, 4))}
    if rng.random() < 0.5:
        body["text"] = rng.choice(NASTY_STRINGS[:-1] + ("PyTorch holds 70% of research papers in 2024.",))
    raw = json.dumps(body, ensure_ascii=rng.random() < 0.5).encode("utf-8", "surrogatepass")
    if rng.random() < 0.2:
        raw = raw.decode("utf-8", "surrogatepass").encode(
            rng.choice(["utf-16", "utf-32", "utf-16-le"]), "surrogatepass"
        )
        if rng.random() < 0.5:
            raw += b"x"
    return raw


def _raw_body(rng: random.Random) -> bytes:
    kind = rng.randrange(6)
    if kind == 0:
        return bytes(rng.randrange(256) for _ in range(rng.randrange(1, 3000)))
    if kind == 1:
        text = hostile_text(rng.choice([*CHARS, "mix"]), rng.randrange(1, 30000))
        return text.encode(rng.choice(["utf-8", "utf-16", "utf-32"]))
    if kind == 2:
        charset = rng.choice(["unicode_escape", "idna", "undefined", "zlib", "utf-7", "nope", "cp1252", "utf-16"])
        return f'<meta charset="{charset}"><p>caf\xe9 \\x00 \\ud800 70%</p>'.encode("latin-1")
    if kind == 3:
        return "PyTorch 70%".encode("utf-16") + b"x" * rng.randrange(1, 3)
    if kind == 4:
        return rng.choice(["<a", "<!--", "<![x[", "</", '<a href="']).encode() * rng.randrange(1, 3000)
    return f"PyTorch was used in {rng.randrange(100)}% of the papers in 2024.\n".encode() + bytes([rng.randrange(256)])


def _query_value(rng: random.Random) -> str:
    return rng.choice(
        ["%00", "a%00b", "%ff%fe", "%ED%A0%80", "9" * 400, "-1", "1e309", "%5B", "http://%5B", "2025-13-45", "x" * 3000]
    )


GET_PATHS = (
    "/claims",
    "/claims/{}",
    "/documents",
    "/documents/{}",
    "/clusters",
    "/clusters/{}",
    "/contradictions",
    "/contradictions/{}",
    "/graph",
    "/",
    "/web/clusters/{}",
    "/web/documents/{}",
    "/web/paste",
    "/readyz",
    "/healthz",
)
QUERY_NAMES = ("subject", "metric", "limit", "offset", "since", "relations", "format", "x")


def hostile_requests(n: int, seed: int = 14) -> Iterator[dict[str, Any]]:
    """``n`` generated requests (httpx ``request`` keyword arguments)."""
    rng = random.Random(seed)
    for _ in range(n):
        kind = rng.randrange(10)
        headers = [("X-API-Key", KEY)]
        if rng.random() < 0.1:
            headers.append(("X-API-Key", rng.choice([KEY, "wrong", ""])))
        if rng.random() < 0.1:
            headers.append(("Authorization", rng.choice([f"Bearer {KEY}", "Bearer", "Basic eDp5", "\x7f"])))
        query = "&".join(
            f"{rng.choice(QUERY_NAMES + ('title', 'url', 'published', 'publisher', 'persist'))}={_query_value(rng)}"
            for _ in range(rng.randrange(3))
        )
        if kind < 4:
            media = rng.choice(["application/json", "application/json; charset=utf-16", "application/ld+json"])
            yield {
                "method": "POST",
                "url": f"/extract?{query}",
                "content": _json_body(rng),
                "headers": [*headers, ("content-type", media)],
            }
        elif kind < 6:
            media = rng.choice(["text/plain", "text/html", "text/markdown", "text/plain; charset=latin-1", "image/png"])
            persist = "persist=true&" if rng.random() < 0.5 else ""
            yield {
                "method": "POST",
                "url": f"/extract?{persist}{query}",
                "content": _raw_body(rng),
                "headers": [*headers, ("content-type", media)],
            }
        elif kind < 9:
            path = rng.choice(GET_PATHS).format(
                rng.choice(["%00", "a%00", "%ff", "x" * 300, "k_0", "0" * 64, "%2e%2e"])
            )
            yield {"method": "GET", "url": f"{path}?{query}", "headers": headers}
        else:
            form = {
                k: rng.choice(NASTY_STRINGS)
                for k in rng.sample(["title", "text", "store", "api_key"], rng.randrange(1, 4))
            }
            # Encoded here: lone surrogates go out as the bytes a raw client can send (%ED%A0%80).
            body = urllib.parse.urlencode(form, errors="surrogatepass").encode()
            form_type = ("content-type", "application/x-www-form-urlencoded")
            yield {"method": "POST", "url": "/web/paste", "content": body, "headers": [*headers, form_type]}


def schemathesis_requests(app: Any, examples: int) -> Counter:
    """Schemathesis over every operation, valid and invalid data; statuses counted."""
    import schemathesis
    from hypothesis import HealthCheck, given, settings
    from hypothesis.errors import Unsatisfiable
    from schemathesis import GenerationMode

    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    statuses: Counter = Counter()
    unsent: Counter = Counter()
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
        for result in schema.get_all_operations():
            operation = result.ok()
            media = "application/json" if mode is GenerationMode.NEGATIVE and operation.body else None

            @settings(
                max_examples=examples,
                deadline=None,
                database=None,
                derandomize=True,
                suppress_health_check=list(HealthCheck),
            )
            @given(case=operation.as_strategy(generation_mode=mode, media_type=media))
            def check(case: Any) -> None:
                try:
                    response = case.call(headers={"X-API-Key": KEY})
                except Exception as exc:  # the client refused to send it (e.g. an invalid header value)
                    unsent[type(exc).__name__] += 1
                    return
                statuses[response.status_code] += 1

            try:
                check()
            except Unsatisfiable:
                continue
    if unsent:
        print(json.dumps({"schemathesis_cases_the_client_could_not_send": dict(unsent)}), flush=True)
    return statuses


@contextmanager
def fresh_postgres(admin_url: str = PG_ADMIN) -> Iterator[str]:
    from sqlalchemy import create_engine, make_url, text

    name = f"claimgraph_fuzz_{uuid.uuid4().hex[:10]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def fuzz_app(app: Any, requests: int, examples: int = 0, seed: int = 14) -> dict[str, Any]:
    """Send ``requests`` generated hostile requests (and schemathesis, ``examples`` per operation and mode)
    to ``app`` (lifespan started here); count the statuses."""
    from fastapi.testclient import TestClient

    statuses: Counter = Counter()
    fives: list[str] = []
    started = time.perf_counter()
    with TestClient(app) as client:
        client.post(
            "/extract?persist=true",
            json={"text": "PyTorch was used in 70% of papers in 2024."},
            headers={"X-API-Key": KEY},
        )
    if examples:  # schemathesis runs the app (and its lifespan) itself
        statuses.update(schemathesis_requests(app, examples))
    # A server error is a 500 to count, not an exception in this process.
    with TestClient(app, raise_server_exceptions=False) as client:
        for request in hostile_requests(requests, seed):
            response = client.request(**request)
            statuses[response.status_code] += 1
            if response.status_code >= 500:
                fives.append(
                    f"{request['method']} {request['url'][:80]} -> {response.status_code} {response.text[:120]}"
                )
    return {
        "requests": sum(statuses.values()),
        "statuses": dict(sorted(statuses.items())),
        "responses_5xx": sum(v for k, v in statuses.items() if k >= 500),
        "examples_5xx": fives[:10],
        "seconds": round(time.perf_counter() - started, 1),
    }


def build_app(url: str, extractor: Any) -> Any:
    from service.api.app import create_app
    from service.settings import Settings

    # Small body and candidate limits keep the model time of a generated article well inside the request
    # deadline on a busy machine (over them: 413); what is measured is how each request is answered.
    settings = Settings(database_url=url, api_key=KEY, max_request_bytes=64 * 1024, max_candidates=200, queue_size=64)
    return create_app(settings, extractor=extractor)


def fuzz(requests: int, examples: int) -> dict[str, Any]:
    from pipelines.extract.pipeline import Extractor

    extractor = Extractor()
    extractor.warm_up()
    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        out["sqlite"] = fuzz_app(build_app(f"sqlite:///{tmp}/fuzz.db", extractor), requests, examples)
        print(json.dumps({"sqlite": out["sqlite"]}), flush=True)
    with fresh_postgres() as url:
        out["postgres"] = fuzz_app(build_app(url, extractor), requests, examples)
        print(json.dumps({"postgres": out["postgres"]}), flush=True)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "what",
        nargs="*",
        default=["timings", "scanner", "behind", "sigterm", "fuzz"],
        choices=["timings", "scanner", "behind", "sigterm", "fuzz"],
    )
    parser.add_argument("--requests", type=int, default=5000, help="generated hostile requests per store")
    parser.add_argument("--examples", type=int, default=25, help="schemathesis examples per operation and mode")
    parser.add_argument("--deadline", type=float, default=5.0, help="request deadline of the 'behind' server")
    args = parser.parse_args()
    if "timings" in args.what:
        timings()
    if "scanner" in args.what:
        scanner()
    if "behind" in args.what:
        print(json.dumps({"behind": behind(args.deadline)}, indent=2), flush=True)
    if "sigterm" in args.what:
        print(json.dumps({"sigterm": sigterm()}, indent=2), flush=True)
    if "fuzz" in args.what:
        fuzz(args.requests, args.examples)


if __name__ == "__main__":
    main()
