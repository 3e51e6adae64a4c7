"""Every error the API returns has one shape, ``{"error": {"code", "message", "detail"}}``, mapped here.

Library errors (``pipelines.errors.ClaimgraphError``) keep their stable ``code``; HTTP errors get a code
named after their status; validation errors name the fields at fault. Nothing a client sends should
reach the catch-all 500 handler.
"""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from pipelines.errors import (
    BinaryInput,
    ClaimgraphError,
    EmptyInput,
    EncodingProblem,
    InputError,
    InputTooLarge,
    ModelNotFound,
    UnsupportedFormat,
)
from service.store.repository import StoreError

log = logging.getLogger(__name__)


class QueueFull(ClaimgraphError):
    """The extraction queue has no room; the client should retry after ``retry_after`` seconds."""

    code = "queue_full"

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message, retry_after=retry_after)
        self.retry_after = retry_after


class NotReady(ClaimgraphError):
    """The models are not loaded yet (startup) or any more (shutdown)."""

    code = "not_ready"


class DeadlineExceeded(ClaimgraphError):
    """No result within the request deadline (the work is dropped); the client may retry."""

    code = "deadline_exceeded"


class ClientGone(ClaimgraphError):
    """The client closed the connection before its result was ready (the work is dropped)."""

    code = "client_closed_request"


class StoreConflict(ClaimgraphError):
    """An article kept losing races with other writers for the rows it writes; the client may retry."""

    code = "store_conflict"


class TooManyCandidates(InputError):
    """An article with more numbers than one request may ask the model about (413)."""

    code = "too_many_candidates"


class NotFound(ClaimgraphError):
    """No resource with that id."""

    code = "not_found"


class UnsupportedMediaType(ClaimgraphError):
    """A request body in a content type the endpoint does not read."""

    code = "unsupported_media_type"


# Most specific class first: the first match wins.
STATUS_BY_ERROR: tuple[tuple[type[ClaimgraphError], int], ...] = (
    (QueueFull, 429),
    (NotReady, 503),
    (DeadlineExceeded, 503),
    (StoreConflict, 503),
    (StoreError, 503),
    (ClientGone, 499),
    (NotFound, 404),
    (UnsupportedMediaType, 415),
    (InputTooLarge, 413),
    (TooManyCandidates, 413),
    (UnsupportedFormat, 415),
    (EmptyInput, 422),
    (BinaryInput, 422),
    (EncodingProblem, 422),
    (InputError, 422),
    (ModelNotFound, 503),
)

CODE_BY_STATUS = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    413: "request_too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    429: "queue_full",
    503: "not_ready",
}


def error_body(code: str, message: str, detail: Any = None) -> dict[str, Any]:
    """The one error shape."""
    return {"error": {"code": code, "message": message, "detail": detail}}


def error_response(
    status: int, code: str, message: str, detail: Any = None, headers: dict[str, str] | None = None
) -> JSONResponse:
    return JSONResponse(error_body(code, message, jsonable_encoder(detail)), status_code=status, headers=headers)


def status_of(exc: ClaimgraphError) -> int:
    return next((status for cls, status in STATUS_BY_ERROR if isinstance(exc, cls)), 400)


async def claimgraph_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ClaimgraphError)
    headers = None
    if isinstance(exc, QueueFull):
        headers = {"Retry-After": str(exc.retry_after)}
    elif isinstance(exc, NotReady | StoreConflict | StoreError):
        headers = {"Retry-After": "5"}
    elif isinstance(exc, DeadlineExceeded):
        headers = {"Retry-After": str(exc.detail.get("retry_after", 5))}
    return error_response(status_of(exc), exc.code, exc.message, exc.detail or None, headers)


async def http_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    status = exc.status_code
    code = CODE_BY_STATUS.get(status, "http_error")
    phrase = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else "Error"
    message = exc.detail if isinstance(exc.detail, str) else phrase
    detail = None if isinstance(exc.detail, str) else exc.detail
    return error_response(status, code, message, detail, dict(exc.headers or {}) or None)


def field_name(loc: tuple[Any, ...] | list[Any]) -> str:
    """``("body", "text")`` -> ``text``; ``("query", "limit")`` -> ``limit``: the name the client sent."""
    parts = [str(p) for p in loc[1:]] if loc and loc[0] in ("body", "query", "path", "header") else map(str, loc)
    return ".".join(parts) or "body"


async def validation_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    problems = [
        {"field": field_name(e.get("loc", ())), "in": (e.get("loc") or ["body"])[0], "message": e.get("msg", "")}
        for e in exc.errors()
    ]
    fields = list(dict.fromkeys(p["field"] for p in problems))
    message = "invalid " + ", ".join(fields) + ": " + "; ".join(p["message"] for p in problems)
    return error_response(422, "validation_error", message, {"fields": fields, "problems": problems})


async def unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    # A bug, not bad input: log it with the traceback, tell the client nothing internal.
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return error_response(500, "internal_error", "the server failed to handle this request")


def install(app: FastAPI) -> None:
    """Map every error to the one shape (called once by ``create_app``)."""
    app.add_exception_handler(ClaimgraphError, claimgraph_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(Exception, unexpected_error)
