"""Responses of the read endpoints, kept until the store changes (a pure ASGI middleware).

Every browsing response (``/contradictions``, ``/clusters``, ``/claims``, ``/documents``, ``/graph``
and the web pages) is a function of the stored documents, claims and references only. ``Store.version()``
changes whenever those do — whoever wrote: this server, ``claimgraph ingest`` or another replica — so a
response rendered once is served again, byte for byte, until the version moves on. That takes the
database, the ORM and the JSON serialisation (35 ms of CPU for a page of contradictions on the seed
store) out of a hot read, which matters most when the model holds the CPU.

- The version is read once per request, off the event loop; requests that arrive while one such query
  is running share its answer.
- Writes made through this server (``POST /extract?persist=true``) are counted by the extraction queue
  and the count is part of the key, so a client reads its own writes at once whatever the timing of the
  version query.
- When the version cannot be read (the database is down), requests go through uncached.
- Only ``200`` answers to ``GET`` are kept, under a byte budget (least recently used evicted first).
- Each kept answer carries a strong ``ETag``; ``If-None-Match`` with it gets ``304`` and no body.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from anyio import to_thread
from prometheus_client import CollectorRegistry, Counter, Gauge
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.store.repository import Store

CACHED_PREFIXES = (
    "/contradictions",
    "/clusters",
    "/claims",
    "/documents",
    "/graph",
    "/web/clusters/",
    "/web/documents/",
)
"""Paths whose answers depend on the store alone (the web home page ``/`` too)."""

# Headers a kept answer is served with again; the server adds its own date and server headers.
_DROPPED = {b"date", b"server", b"content-length"}


def cacheable(path: str) -> bool:
    return path == "/" or path.startswith(CACHED_PREFIXES)


@dataclass(frozen=True)
class _Entry:
    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes
    etag: bytes
    route: Any  # the matched route, so request metrics label a hit like a miss


class ReadCache:
    """Keeps ``GET`` answers of ``cacheable`` paths per store version.

    Args:
        app: the application inside.
        store: whose ``version()`` keys the answers.
        local_writes: how many writes this process has made (part of the key).
        max_bytes: the budget for kept bodies; 0 turns the cache off.
        max_entry_bytes: larger answers are passed through, not kept.
        registry: Prometheus registry for hit/miss counters.
    """

    def __init__(
        self,
        app: ASGIApp,
        store: Store,
        local_writes: Callable[[], int] = lambda: 0,
        max_bytes: int = 64 * 1024 * 1024,
        max_entry_bytes: int = 8 * 1024 * 1024,
        registry: CollectorRegistry | None = None,
    ) -> None:
        self.app = app
        self.store = store
        self.max_bytes = max_bytes
        self.max_entry_bytes = min(max_entry_bytes, max_bytes)
        self._entries: OrderedDict[tuple[Any, ...], _Entry] = OrderedDict()
        self._size = 0
        self._key_version: Any = None
        self._local_writes = local_writes
        self._version_query: asyncio.Future[Any] | None = None
        registry = registry or CollectorRegistry()
        self._lookups = Counter(
            "claimgraph_read_cache_lookups", "Read-cache lookups by outcome.", ["outcome"], registry=registry
        )
        self._bytes = Gauge("claimgraph_read_cache_bytes", "Bytes of kept read answers.", registry=registry)

    async def _version(self) -> Any:
        """The store version, one query at a time: concurrent requests share the one running."""
        if self._version_query is None:
            loop = asyncio.get_running_loop()
            self._version_query = future = loop.create_future()
            try:
                future.set_result(await to_thread.run_sync(self.store.version))
            except BaseException as exc:
                future.set_exception(exc)
                future.exception()  # retrieved: the requests awaiting it get it raised
            finally:
                self._version_query = None
            return future.result()
        return await asyncio.shield(self._version_query)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.max_bytes <= 0 or scope["type"] != "http" or scope["method"] != "GET" or not cacheable(scope["path"]):
            await self.app(scope, receive, send)
            return
        local = self._local_writes()
        try:
            version = (await self._version(), local)
        except Exception:
            await self.app(scope, receive, send)
            return
        if version != self._key_version:
            self._entries.clear()
            self._size = 0
            self._key_version = version
        headers = dict(scope["headers"])
        key = (scope.get("scheme"), headers.get(b"host"), scope["path"], scope["query_string"])
        entry = self._entries.get(key)
        if entry is not None:
            self._entries.move_to_end(key)
            self._lookups.labels("hit").inc()
            scope["route"] = entry.route
            await self._replay(entry, headers.get(b"if-none-match"), send)
            return
        self._lookups.labels("miss").inc()
        await self._fill(scope, receive, send, key, version, headers.get(b"if-none-match"))

    async def _replay(self, entry: _Entry, if_none_match: bytes | None, send: Send) -> None:
        if if_none_match is not None and entry.etag in [t.strip() for t in if_none_match.split(b",")]:
            await send({"type": "http.response.start", "status": 304, "headers": [(b"etag", entry.etag)]})
            await send({"type": "http.response.body", "body": b""})
            return
        headers = [*entry.headers, (b"content-length", str(len(entry.body)).encode())]
        await send({"type": "http.response.start", "status": entry.status, "headers": headers})
        await send({"type": "http.response.body", "body": entry.body})

    async def _fill(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        key: tuple[Any, ...],
        version: Any,
        if_none_match: bytes | None,
    ) -> None:
        """Run the request; keep a 200 answer (with an ETag added) if the version did not move meanwhile."""
        start: Message | None = None
        chunks: list[bytes] = []
        size = 0
        keep = True

        async def capture(message: Message) -> None:
            nonlocal start, size, keep
            if message["type"] == "http.response.start":
                start = message
                keep = message["status"] == 200 and not any(k == b"set-cookie" for k, _ in message["headers"])
                if keep:
                    return  # sent with its ETag once the body is complete
            elif message["type"] == "http.response.body" and keep and start is not None:
                chunks.append(message.get("body", b""))
                size += len(chunks[-1])
                if message.get("more_body", False) and size <= self.max_entry_bytes:
                    return
                body = b"".join(chunks)
                if message.get("more_body", False):  # too large to keep: send what was held back and go on
                    keep = False
                    await send(start)
                    await send({"type": "http.response.body", "body": body, "more_body": True})
                    return
                etag = b'"' + hashlib.blake2b(body, digest_size=12).hexdigest().encode() + b'"'
                kept = [(k, v) for k, v in start["headers"] if k.lower() not in _DROPPED] + [(b"etag", etag)]
                entry = _Entry(start["status"], kept, body, etag, scope.get("route"))
                self._store(key, entry, version)
                await self._replay(entry, if_none_match, send)
                return
            await send(message)

        await self.app(scope, receive, capture)

    def _store(self, key: tuple[Any, ...], entry: _Entry, version: Any) -> None:
        # Rendered for an older version than the one now kept (a write landed meanwhile): not kept.
        if version != self._key_version or version[1] != self._local_writes() or len(entry.body) > self.max_entry_bytes:
            return
        old = self._entries.pop(key, None)
        if old is not None:
            self._size -= len(old.body)
        self._entries[key] = entry
        self._size += len(entry.body)
        while self._size > self.max_bytes and self._entries:
            _, evicted = self._entries.popitem(last=False)
            self._size -= len(evicted.body)
        self._bytes.set(self._size)
