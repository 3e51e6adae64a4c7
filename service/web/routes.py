"""The server-rendered pages: contradictions, a cluster, a document, and a paste-an-article form.

Pages read through ``service.core`` and the store on ``app.state``; the paste form runs the same
``app.state.extraction`` as ``POST /extract``. Every string from an article reaches the HTML through
Jinja's autoescape: highlighting is done by cutting text into pieces (``service.web.highlight``),
never by building markup from it. Read pages are plain ``def`` handlers, so their database work runs
in the thread pool and the event loop stays free.
"""

from __future__ import annotations

import re
import secrets
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, HTMLResponse, Response
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, select_autoescape

from pipelines.catalogue import Catalogue, default_catalogue
from pipelines.errors import ClaimgraphError, InputError, InputTooLarge
from pipelines.extract.pipeline import mention_record
from pipelines.ingest import Article, article_from_text
from service import core
from service.api.errors import TooManyCandidates
from service.api.routes.extract import client_gone
from service.api.schemas import CONTROL_CHARS
from service.store.repository import Store
from service.web.chart import format_value, timeline
from service.web.highlight import Mark, blocks, context_window

HERE = Path(__file__).resolve().parent
STATIC_DIR = HERE / "static"
STATIC_FILES = {p.name: p for p in STATIC_DIR.iterdir() if p.is_file()} if STATIC_DIR.is_dir() else {}
"""Served by name only, so no request path can reach outside the folder."""

# Autoescape for every template, whatever its suffix: the pages show other people's articles.
_env = Environment(
    loader=FileSystemLoader(HERE / "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)
_env.filters["value"] = format_value
templates = Jinja2Templates(env=_env)

router = APIRouter(include_in_schema=False)

PASTE_LIMIT_BYTES = 1024 * 1024
"""Default size limit of a pasted article, the same as the API's default body limit."""
# The pages run no script at all: a policy that forbids scripts is a second wall behind autoescape.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
        "base-uri 'none'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}
TITLE_LIMIT = 500
_CONTROL = re.compile(f"[{re.escape(CONTROL_CHARS)}]")
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _store(request: Request) -> Store:
    return request.app.state.store


def _catalogue(request: Request) -> Catalogue:
    return getattr(request.app.state, "catalogue", None) or default_catalogue()


def _names(request: Request) -> dict[str, Any]:
    """Helpers every template gets: framework and metric ids in words."""
    catalogue = _catalogue(request)

    def framework(fid: str | None) -> str:
        f = catalogue.frameworks.get(fid or "")
        return f.name if f else (fid or "–")

    def metric(mid: str | None) -> str:
        return (mid or "–").replace("_", " ")

    def metric_help(mid: str | None) -> str:
        m = catalogue.metrics.get(mid or "")
        return m.description if m else ""

    return {"framework": framework, "metric": metric, "metric_help": metric_help}


def _page(
    request: Request,
    name: str,
    context: dict[str, Any],
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    headers = {**SECURITY_HEADERS, **(headers or {})}
    return templates.TemplateResponse(
        request, name, {**_names(request), **context}, status_code=status_code, headers=headers
    )


def _not_found(request: Request, what: str) -> HTMLResponse:
    return _page(request, "not_found.html", {"what": what}, status_code=404)


@router.get("/", response_class=HTMLResponse, name="contradictions_page")
def contradictions_page(request: Request, subject: str | None = None, metric: str | None = None) -> HTMLResponse:
    """Clusters whose claims conflict, filtered by subject and metric (empty form fields mean "any")."""
    store = _store(request)
    subject = (subject or "").strip() or None
    metric = (metric or "").strip() or None
    views = [v for v in core.cluster_views(store, subject, metric) if v["verdict"] == "conflicts"]
    facets = store.cluster_facets()
    return _page(
        request,
        "contradictions.html",
        {
            "clusters": views,
            "selected_subject": subject or "",
            "selected_metric": metric or "",
            "subjects": sorted({s for s, _ in facets}),
            "metrics": sorted({m for _, m in facets}),
        },
    )


@router.get("/web/clusters/{cluster_id}", response_class=HTMLResponse, name="cluster_page")
def cluster_page(request: Request, cluster_id: str) -> HTMLResponse:
    """A cluster's claims side by side with their sources, relations, consensus and a chart over time."""
    store = _store(request)
    view = core.cluster_view(store, cluster_id)
    if view is None:
        return _not_found(request, "cluster")
    # Figures in time order and by value, so conflicting numbers sit next to each other; comparisons last.
    claims = sorted(
        view["claims"],
        key=lambda c: (c["value"] is None, str(c.get("time") or "~"), c["value"] or 0.0, c["value_text"]),
    )
    letters = {c["claim_id"]: LETTERS[i % len(LETTERS)] for i, c in enumerate(claims)}
    conflicting = {x for r in view["relations"] if r["relation"] == "conflicts" for x in (r["a"], r["b"])}
    cards = []
    for claim in claims:
        found = store.claim(claim["claim_id"])
        if found is None:  # removed between the two reads
            continue
        _, doc, mentions = found
        first = mentions[0] if mentions else None
        excerpt = None
        if first is not None:
            lo, hi = context_window(doc.text, first.sentence_start, first.sentence_end, chars=160)
            sentence = Mark(first.sentence_start, first.sentence_end, anchor=f"s-{first.id}")
            value = Mark(first.value_start, first.value_end)
            excerpt = {
                "blocks": blocks(doc.text, [sentence], [value], lo, hi),
                "cut_before": lo > 0,
                "cut_after": hi < len(doc.text),
                "mention_id": first.id,
            }
        cards.append(
            {
                **claim,
                "letter": letters[claim["claim_id"]],
                "conflicting": claim["claim_id"] in conflicting,
                "document_id": doc.id,
                "document_title": doc.title or Path(doc.path).name,
                "published": doc.published,
                "excerpt": excerpt,
                "more_mentions": [m.id for m in mentions[1:]],
            }
        )
    return _page(
        request,
        "cluster.html",
        {
            "view": view,
            "cards": cards,
            "letters": letters,
            "chart": timeline(claims, letters, conflicting),
        },
    )


def _claim_title(request: Request, claim: dict) -> str:
    """A claim in words for a tooltip: "PyTorch · research paper share · 70%"."""
    names = _names(request)
    value = format_value(claim["value"], claim["unit"])
    return f"{names['framework'](claim['subject'])} · {names['metric'](claim['metric'])} · {value}"


@router.get("/web/documents/{doc_id}", response_class=HTMLResponse, name="document_page")
def document_page(request: Request, doc_id: str) -> HTMLResponse:
    """A stored document's original text with every claim's sentence and value highlighted."""
    view = core.document_view(_store(request), doc_id)
    if view is None:
        return _not_found(request, "document")
    sentences, values = [], []
    for claim in view["claims"]:
        title = _claim_title(request, claim)
        for m in claim["mentions"]:
            sentences.append(Mark(m["sentence_start"], m["sentence_end"]))
            values.append(Mark(m["value_start"], m["value_end"], anchor=f"m-{m['mention_id']}", title=title))
    return _page(
        request,
        "document.html",
        {
            "doc": view,
            "display_title": view["title"] or Path(view["path"]).name,
            "blocks": blocks(view["text"], sentences, values),
        },
    )


def _key_required(request: Request) -> bool:
    settings = getattr(request.app.state, "settings", None)
    return getattr(settings, "api_key", None) is not None


def _key_ok(request: Request, given: str) -> bool:
    """The form's key against ``CLAIMGRAPH_API_KEY``: the form runs the models as ``POST /extract`` does, under
    the same rule (a key, when one is configured)."""
    key = getattr(getattr(request.app.state, "settings", None), "api_key", None)
    if key is None:
        return True
    # compare_digest: the time taken says nothing about how much of the key matched.
    return secrets.compare_digest(given.encode(), key.get_secret_value().encode())


@router.get("/web/paste", response_class=HTMLResponse, name="paste_page")
def paste_page(request: Request) -> HTMLResponse:
    """The paste-an-article form."""
    return _page(
        request,
        "paste.html",
        {"title": "", "text": "", "store": False, "key_required": _key_required(request), "error": None},
    )


@router.post("/web/paste", response_class=HTMLResponse, name="paste_submit")
async def paste_submit(
    request: Request,
    title: Annotated[str, Form()] = "",
    text: Annotated[str, Form()] = "",
    store: Annotated[bool, Form()] = False,
    api_key: Annotated[str, Form()] = "",
) -> HTMLResponse:
    """Extract the claims of a pasted article with the service's extraction queue (as ``POST /extract``
    does, with the same API key rule) and, when asked, store it (as ``?persist=true`` does)."""
    title = title.strip()
    # Browsers send a textarea's line breaks as CRLF (HTML form encoding); the article has plain newlines, so
    # that the same text pasted here or posted to the API is the same document (same content hash).
    text = text.replace("\r\n", "\n")
    form = {"title": title, "text": text, "store": store, "key_required": _key_required(request)}
    settings = getattr(request.app.state, "settings", None)
    limit = getattr(settings, "max_request_bytes", None) or PASTE_LIMIT_BYTES
    extraction = request.app.state.extraction
    stored = None
    try:
        size = len(text.encode("utf-8"))
        if size > limit:
            raise InputTooLarge(f"the article is {size:,} bytes, over the limit of {limit:,}", size=size)
        if len(title) > TITLE_LIMIT:
            raise InputError(f"the title is {len(title):,} characters, over the limit of {TITLE_LIMIT}")
        if not _key_ok(request, api_key):
            return _page(request, "paste.html", {**form, "error": "This service needs its API key to extract."}, 401)
        if _CONTROL.search(title) or _CONTROL.search(text):
            raise InputError("the title or the text holds control characters: not the text of an article")
        extraction.admit()
        # Building the clean view (HTML is recognised) is CPU work: off the event loop, as for POST /extract.
        article = await run_in_threadpool(_pasted_article, extraction, text, title)
        if store:
            stored = await extraction.persist(article, client_gone(request))
            records = stored["claims"]
        else:
            records = [mention_record(m) for m in await extraction.extract(article, client_gone(request))]
    except (InputTooLarge, TooManyCandidates) as exc:
        return _page(request, "paste.html", {**form, "error": exc.message}, status_code=413)
    except InputError as exc:
        return _page(request, "paste.html", {**form, "error": exc.message}, status_code=422)
    except ClaimgraphError as exc:
        # The extraction queue is full (429, as the API answers) or the models are not loaded: say so, keep the text.
        headers = {"Retry-After": str(exc.detail["retry_after"])} if "retry_after" in exc.detail else None
        status = 429 if exc.code == "queue_full" else 503
        return _page(request, "paste.html", {**form, "error": exc.message}, status_code=status, headers=headers)
    names = _names(request)
    sentences = [Mark(r["sentence_start"], r["sentence_end"]) for r in records]
    values = [
        Mark(r["value_start"], r["value_end"], anchor=f"v-{i}", title=_claim_title(request, r))
        for i, r in enumerate(records)
    ]
    rows = [
        {
            "claim": r,
            "anchor": f"v-{i}",
            "subjects": " vs ".join(names["framework"](s) for s in (r["subjects"] or [r["subject"]])),
            "sentence": blocks(
                article.original, [], [Mark(r["value_start"], r["value_end"])], r["sentence_start"], r["sentence_end"]
            ),
        }
        for i, r in enumerate(records)
    ]
    result = {"rows": rows, "blocks": blocks(article.original, sentences, values), "stored": stored}
    return _page(request, "paste.html", {**form, "error": None, "result": result})


def _pasted_article(extraction: Any, text: str, title: str) -> Article:
    article = article_from_text(text, name=title or "pasted article", title=title or None)
    extraction.check(article)
    return article


@router.get("/web/static/{name}", name="web_static")
def web_static(name: str) -> Response:
    """The pages' own CSS (vendored; no CDN)."""
    path = STATIC_FILES.get(name)
    if path is None:
        return Response("not found", status_code=404, media_type="text/plain")
    return FileResponse(path, headers={"Cache-Control": "public, max-age=3600"})
