"""``POST /extract``: an article in (JSON, or a raw text/HTML body), its claims with provenance out.

With ``?persist=true`` the article is stored as ``claimgraph ingest`` stores it, and the answer says
what its claims agree or conflict with among the claims already stored.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError

from pipelines.errors import EmptyInput
from pipelines.extract.pipeline import mention_record
from pipelines.ingest import Article, article_from_text, decode_bytes
from service import core
from service.api.batcher import ExtractionQueue
from service.api.deps import ExtractionDep, StoreDep, require_api_key
from service.api.errors import UnsupportedMediaType
from service.api.schemas import (
    CONTROL_CHARS,
    DATE_PATTERN,
    LINE_PATTERN,
    TEXT_PATTERN,
    URL_PATTERN,
    ErrorOut,
    ExtractIn,
    ExtractOut,
)
from service.store.repository import Store, document_id

router = APIRouter(tags=["extraction"])

_CONTROL = frozenset(CONTROL_CHARS)
RAW_FORMATS = {"text/plain": "text", "text/markdown": "markdown", "text/html": "html"}

_ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorOut, "description": why}
    for status, why in (
        (401, "API key missing or wrong (when one is configured)."),
        (413, "Body over the size limit, or an article with more numbers than one request may hold."),
        (415, "Body in a content type other than JSON, text/plain, text/markdown or text/html."),
        (422, "Invalid input; the message names the field."),
        (429, "Extraction queue full; retry after the Retry-After header's seconds."),
        (503, "Models not loaded yet, no result within the request deadline, or the store failed; retry."),
    )
}

_OPENAPI_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/ExtractIn"}},
            **{t: {"schema": {"type": "string", "pattern": TEXT_PATTERN}} for t in RAW_FORMATS},
        },
    }
}


def _invalid(field: str | None, message: str, kind: str = "value_error") -> RequestValidationError:
    loc = ("body", field) if field else ("body",)
    return RequestValidationError([{"type": kind, "loc": loc, "msg": message, "input": None}])


def _name(text: str, url: str | None) -> str:
    """An article's name: its URL, else a name made from its content (the same text, the same name)."""
    return url or f"api/{hashlib.sha256(text.encode('utf-8')).hexdigest()[:16]}"


def _from_json(body: bytes) -> Article:
    try:
        data = json.loads(body)
    except RecursionError:
        raise _invalid(None, "the body is not valid JSON (nested too deeply)", "json_invalid") from None
    except ValueError as exc:  # not JSON, not UTF-8/16/32, or an integer of more than 4,300 digits
        raise _invalid(None, f"the body is not valid JSON ({exc})", "json_invalid") from None
    if isinstance(data, dict):
        # Say which field is missing (the model's own check can only blame the whole body).
        has_text, has_html = data.get("text") is not None, data.get("html") is not None
        if not has_text and not has_html:
            raise _invalid("text", "give the article as text (or as html)", "missing")
        if has_text and has_html:
            raise _invalid("html", "give the article as text or as html, not both")
    try:
        given = ExtractIn.model_validate(data)
    except ValidationError as exc:
        errors: list[dict[str, Any]] = []
        for e in exc.errors(include_url=False, include_context=False):
            error: dict[str, Any] = dict(e, loc=("body", *e["loc"]))
            if e["type"] == "string_pattern_mismatch" and e["loc"] in (("text",), ("html",)):
                # The pattern itself would tell a client nothing; say what it means.
                error["msg"] = "must hold more than white space, and no control characters"
            errors.append(error)
        raise RequestValidationError(errors) from None
    field, text, fmt = ("html", given.html, "html") if given.html is not None else ("text", given.text, None)
    assert text is not None
    try:
        return article_from_text(
            text,
            name=_name(text, given.url),
            fmt=fmt,
            title=given.title,
            url=given.url,
            published=given.published,
            publisher=given.publisher,
        )
    except EmptyInput:
        raise _invalid(field, "the article has no text") from None


def _from_raw(body: bytes, fmt: str, meta: dict[str, str | None]) -> Article:
    text = decode_bytes(body, "body")  # charset detection, binary and empty bodies -> InputError (422)
    # The same rule as a JSON body's text (TEXT_PATTERN): control characters mean it is not an article.
    if any(c in _CONTROL for c in text):
        raise _invalid(None, "the body holds control characters: not the text of an article")
    try:
        return article_from_text(text, name=_name(text, meta.get("url")), fmt=fmt, **meta)
    except EmptyInput:
        raise _invalid(None, "the article has no text") from None


def _checked(extraction: ExtractionQueue, build: Callable[..., Article], *args: Any) -> Article:
    """``build(*args)``, refused when it holds more numbers than one request may ask the model about."""
    article = build(*args)
    extraction.check(article)
    return article


async def client_gone(request: Request) -> None:
    """Completes when the client closes its connection (after the body has been read): queued work for it
    is then dropped."""
    while (await request.receive())["type"] != "http.disconnect":
        pass


def related_claims(store: Store, claims: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """How each new claim relates to the stored claims of its cluster (claims of the same document left out)."""
    mine = {c["claim_id"] for c in claims}
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for subject, metric in sorted({(c["subject"] or "", c["metric"]) for c in claims}):
        for view in core.cluster_views(store, subject, metric):
            if view["cluster_id"] in seen or not mine & {c["claim_id"] for c in view["claims"]}:
                continue
            seen.add(view["cluster_id"])
            by_id = {c["claim_id"]: c for c in view["claims"]}
            for r in view["relations"]:
                if (r["a"] in mine) == (r["b"] in mine):
                    continue
                new, other = (r["a"], r["b"]) if r["a"] in mine else (r["b"], r["a"])
                out.append(
                    {
                        "claim_id": new,
                        "cluster_id": view["cluster_id"],
                        "subject": view["subject"],
                        "metric": view["metric"],
                        "relation": r["relation"],
                        "reason": r["reason"],
                        "other_claim_id": other,
                        "other_value_text": by_id[other]["value_text"],
                        "other_documents": sorted({m["document"] for m in by_id[other]["mentions"]}),
                    }
                )
    return out


@router.post(
    "/extract",
    response_model=ExtractOut,
    dependencies=[Depends(require_api_key)],
    openapi_extra=_OPENAPI_BODY,
    responses=_ERRORS,
)
async def extract(
    request: Request,
    extraction: ExtractionDep,
    store: StoreDep,
    persist: Annotated[bool, Query(description="Store the article and its claims (idempotent).")] = False,
    title: Annotated[str | None, Query(max_length=1000, pattern=LINE_PATTERN, description="Title, raw body.")] = None,
    url: Annotated[str | None, Query(max_length=2048, pattern=URL_PATTERN, description="URL, raw body.")] = None,
    published: Annotated[
        str | None, Query(max_length=32, pattern=DATE_PATTERN, description="Date, for a raw body.")
    ] = None,
    publisher: Annotated[
        str | None, Query(max_length=1000, pattern=LINE_PATTERN, description="Publisher, raw body.")
    ] = None,
) -> dict[str, Any]:
    """The claims of one article with provenance: the same fields as ``claimgraph extract``'s JSON lines.

    The body is JSON (``{"text" | "html", "title", "url", "published", "publisher"}``) or the article
    itself as ``text/plain``, ``text/markdown`` or ``text/html`` (metadata then in the query). Offsets
    index the text as sent: ``text[value_start:value_end] == value_text``.
    """
    extraction.admit()  # a full queue answers 429 before the body is read and parsed
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    body = await request.body()
    # Cleaning HTML and finding sentences is CPU work: off the event loop, like the model.
    if media == "application/json" or media.endswith("+json"):
        article = await run_in_threadpool(_checked, extraction, _from_json, body)
    elif media in RAW_FORMATS:
        meta = {"title": title, "url": url, "published": published, "publisher": publisher}
        article = await run_in_threadpool(_checked, extraction, _from_raw, body, RAW_FORMATS[media], meta)
    else:
        raise UnsupportedMediaType(
            f"cannot read a {media or 'body without a content type'}; send application/json, " + ", ".join(RAW_FORMATS),
            content_type=media or None,
        )
    out: dict[str, Any] = {
        "document": article.name,
        "document_id": document_id(article),
        "format": article.format,
        "title": article.title,
        "persisted": persist,
    }
    if not persist:
        mentions = await extraction.extract(article, client_gone(request))
        return out | {"claims": [mention_record(m) for m in mentions]}
    stored = await extraction.persist(article, client_gone(request))
    related = await run_in_threadpool(related_claims, store, stored["claims"])
    return out | {"claims": stored["claims"], "created": stored["created"], "related": related}
