"""Pure ASGI middlewares: the request body size limit (413), Prometheus request metrics, ``nosniff``.

Pure ASGI rather than ``BaseHTTPMiddleware``: no extra task per request, and the body limit can act on
the stream itself, so a client without a ``Content-Length`` cannot send more than the limit either.
"""

from __future__ import annotations

import time
from typing import Any

from fastapi import HTTPException
from prometheus_client import CollectorRegistry, Counter, Histogram
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.api.errors import error_response


class BodyLimit:
    """413 for request bodies over ``max_bytes``: at once by ``Content-Length``, else while reading."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None:
            try:
                size = int(declared)
            except ValueError:
                await error_response(400, "bad_request", "Content-Length is not a number")(scope, receive, send)
                return
            if size > self.max_bytes:
                await self._too_large(size)(scope, receive, send)
                return
        received = 0

        async def limited() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    # Raised inside the endpoint's body read; the error handler turns it into the 413 shape.
                    raise HTTPException(413, f"the request body is over the limit of {self.max_bytes:,} bytes")
            return message

        await self.app(scope, limited, send)

    def _too_large(self, size: int) -> Any:
        return error_response(
            413,
            "request_too_large",
            f"the request body ({size:,} bytes) is over the limit of {self.max_bytes:,} bytes",
            {"limit": self.max_bytes, "size": size},
        )


class RequestMetrics:
    """Requests by method, route template and status, and their latency, into the app's registry."""

    def __init__(self, app: ASGIApp, registry: CollectorRegistry) -> None:
        self.app = app
        self.requests = Counter(
            "claimgraph_http_requests", "HTTP requests.", ["method", "route", "status"], registry=registry
        )
        self.latency = Histogram(
            "claimgraph_http_request_seconds",
            "HTTP request latency.",
            ["method", "route"],
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.25, 0.5, 1, 2.5, 5, 10, 30),
            registry=registry,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def record_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, record_status)
        finally:
            # The route template, not the path: ids in paths would make a series per id.
            route = getattr(scope.get("route"), "path", None) or "unmatched"
            self.requests.labels(scope["method"], route, str(status)).inc()
            self.latency.labels(scope["method"], route).observe(time.perf_counter() - started)


class NoSniff:
    """``X-Content-Type-Options: nosniff`` on every answer: a browser takes JSON, GraphML or an error for
    what its content type says, never for a page to run."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_header(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                if not any(name.lower() == b"x-content-type-options" for name, _ in headers):
                    headers.append((b"x-content-type-options", b"nosniff"))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_header)
