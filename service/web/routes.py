"""The server-rendered pages: home, clusters, a cluster, documents, a document, and a paste-an-article form.

Pages read the store through ``service.core`` (the cluster views the API caches per store version, and
the document views); ``service.web.present`` shapes them for reading. The paste form runs the same
``app.state.extraction`` as ``POST /extract``. Every string from an article reaches the HTML through
Jinja's autoescape: highlighting is done by cutting text into pieces (``service.web.highlight``), never
by building markup from it. Read pages are plain ``def`` handlers, so their database work runs in the
thread pool and the event loop stays free. Lists and pages offer their data as CSV and JSON downloads
(``?download=csv|json``) with the filters applied.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
import secrets
from collections.abc import Callable, Sequence
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
from service.display import compact, format_value
from service.filters import fold
from service.store.repository import Store
from service.web import present
from service.web.chart import timelines
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
_env.filters["compact"] = compact
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
HOME_CLUSTERS = 25
PAGE_SIZE = 50
SOURCES_SHOWN = 4
"""Sources listed under a figure before the rest fold away."""
PAIRS_SHOWN = 40
PAIRS_OPEN = 10
"""Conflicting pairs listed open; the rest up to PAIRS_SHOWN fold away, beyond that they are in the downloads."""
EXCERPT_CHARS = 90


def _store(request: Request) -> Store:
    return request.app.state.store


def _catalogue(request: Request) -> Catalogue:
    return getattr(request.app.state, "catalogue", None) or default_catalogue()


def _views(request: Request, subject: str | None = None, metric: str | None = None) -> list[dict]:
    """Every cluster view (``core.cluster_views``), from the app's per-version cache when there is one."""
    cached = getattr(request.app.state, "cluster_views", None)
    return cached.views(subject, metric) if cached is not None else core.cluster_views(_store(request), subject, metric)


class SummaryRows:
    """``present.summary_row`` of each cluster view, kept per view: the app's views cache hands out the same
    view dicts until a write changes their cluster, so after a write only the changed clusters' rows are made
    again (a thousand articles give 2,600 clusters, whose rows take longer to make than the rest of the page).
    The ranking reads the documents and latest period it sorts by from the rows."""

    def __init__(self, name_of: Callable[[str], str]) -> None:
        self.name_of = name_of
        self._rows: dict[int, tuple[dict, dict[str, Any]]] = {}  # id(view) -> (view, row): the view is held
        self._largest = 0  # the longest listing ranked: a short (filtered) one does not let the others' rows go

    def row(self, view: dict) -> dict[str, Any]:
        """``present.summary_row(view, name_of)``; callers must not modify it."""
        found = self._rows.get(id(view))
        if found is None or found[0] is not view:
            found = self._rows[id(view)] = (view, present.summary_row(view, self.name_of))
        return found[1]

    def rank(self, views: Sequence[dict]) -> list[dict]:
        """``present.rank(views)``; rows of views no longer listed are let go once there are many more rows
        than the longest listing holds (writes replace views; filtered listings are parts of the whole)."""
        self._largest = max(self._largest, len(views))
        if len(self._rows) > 2 * self._largest + 1000 and len(views) == self._largest:
            self._rows = {id(v): self._rows[id(v)] for v in views if self._rows.get(id(v), (None,))[0] is v}
        return present.rank(
            views, documents=lambda v: self.row(v)["documents"], latest=lambda v: self.row(v)["latest_period"] or ""
        )


def _summary_rows(request: Request) -> SummaryRows:
    """The app's ``SummaryRows`` (made on first use)."""
    found = getattr(request.app.state, "web_summary_rows", None)
    if found is None:
        found = request.app.state.web_summary_rows = SummaryRows(_names(request)["framework"])
    return found


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


def _download(name: str, fmt: str, rows: Sequence[dict], columns: Sequence[str]) -> Response:
    """``rows`` as a CSV (``columns``, nested values as JSON) or JSON attachment named ``name``."""
    if fmt == "json":
        body = json.dumps(list(rows), indent=2, ensure_ascii=False)
        media = "application/json"
    else:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow(
                [json.dumps(v, ensure_ascii=False) if isinstance(v, list | dict) else v for v in map(row.get, columns)]
            )
        body, media, fmt = buffer.getvalue(), "text/csv; charset=utf-8", "csv"
    headers = {"Content-Disposition": f'attachment; filename="{name}.{fmt}"', "X-Content-Type-Options": "nosniff"}
    return Response(body, media_type=media, headers=headers)


def _want(download: str | None) -> str | None:
    return download if download in ("csv", "json") else None


# --- home and the cluster list ------------------------------------------------------------------------------


@router.get("/", response_class=HTMLResponse, name="home_page")
def home_page(request: Request) -> HTMLResponse:
    """The clusters worth a look first (established conflicts, then most documents, then most recent)."""
    store = _store(request)
    views = _views(request)
    summaries = _summary_rows(request)
    ranked = summaries.rank(views)
    counts = store.counts()
    return _page(
        request,
        "home.html",
        {
            "rows": [summaries.row(v) for v in ranked[:HOME_CLUSTERS]],
            "total": len(views),
            "conflicts": sum(1 for v in views if present.established(v)),
            "counts": counts,
            "facets": _facets(store),
        },
    )


def _facets(store: Store) -> dict[str, list[str]]:
    pairs = store.cluster_facets()
    return {"subjects": sorted({s for s, _ in pairs}), "metrics": sorted({m for _, m in pairs})}


CLUSTER_COLUMNS = "cluster_id framework metric verdict reason claims figures documents latest_period values".split()


@router.get("/web/clusters/", response_class=HTMLResponse, name="clusters_page")
def clusters_page(
    request: Request,
    q: str = "",
    subject: str = "",
    metric: str = "",
    verdict: str = "",
    since: str = "",
    until: str = "",
    page: int = 1,
    download: str | None = None,
) -> Response:
    """Every cluster, ranked as on the home page, with search and filters (framework, metric, verdict, period)."""
    subject, metric, verdict = subject.strip(), metric.strip(), verdict.strip()
    first, last = present.year_or_none(since), present.year_or_none(until)
    views = _views(request, subject or None, metric or None)
    name_of = _names(request)["framework"]
    summaries = _summary_rows(request)
    chosen = [
        v
        for v in summaries.rank(views)
        if (not verdict or v["verdict"] == verdict)
        and present.in_period(v, first, last)
        and present.matches(v, q, name_of)
    ]
    rows = [summaries.row(v) for v in chosen]
    if _want(download):
        return _download("clusters", download or "", rows, CLUSTER_COLUMNS)
    form = {"q": q, "subject": subject, "metric": metric, "verdict": verdict, "since": since, "until": until}
    return _page(
        request,
        "clusters.html",
        {
            **_listing(rows, page, form),
            "facets": _facets(_store(request)),
            "verdicts": sorted({v["verdict"] for v in _views(request)}),
        },
    )


def _listing(rows: list[dict], page: int, form: dict[str, str]) -> dict[str, Any]:
    """What a filtered list page shows: page ``page`` of ``rows`` (clamped to the pages there are), how many
    matched, and the filter form with the query string its links keep (the filled fields)."""
    pages = max(1, math.ceil(len(rows) / PAGE_SIZE))
    page = min(max(page, 1), pages)
    return {
        "rows": rows[(page - 1) * PAGE_SIZE : page * PAGE_SIZE],
        "matching": len(rows),
        "page": page,
        "pages": pages,
        "form": form,
        "query": {k: v for k, v in form.items() if v},
    }


# --- one cluster --------------------------------------------------------------------------------------------


def _sources(store: Store, figure: present.Figure) -> list[dict]:
    """Where each claim of a figure was written: the document, the place in it, the sentence, the source URL."""
    out = []
    for claim in figure.claims:
        found = store.claim(claim["claim_id"])
        if found is None:  # removed between the two reads
            continue
        _, doc, mentions = found
        first = mentions[0] if mentions else None
        excerpt = None
        if first is not None:
            # The sentence around the value, cut to a readable length on word boundaries.
            lo, hi = context_window(doc.text, first.value_start, first.value_end, chars=EXCERPT_CHARS)
            lo, hi = max(lo, first.sentence_start), min(hi, first.sentence_end)
            excerpt = {
                "blocks": blocks(doc.text, [], [Mark(first.value_start, first.value_end)], lo, hi),
                "cut_before": lo > first.sentence_start,
                "cut_after": hi < first.sentence_end,
            }
        url = doc.url if doc.url and doc.url.startswith(("http://", "https://")) else None
        out.append(
            {
                "claim": claim,
                "document_id": doc.id,
                "document_title": doc.title or Path(doc.path).name,
                "published": doc.published,
                "anchor": f"m-{first.id}" if first is not None else "",
                "url": url,
                "excerpt": excerpt,
                "written": doc.text[first.value_start : first.value_end] if first is not None else "",
                "mentions": len(mentions),
            }
        )
    return out


def _figure_row(store: Store, figure: present.Figure) -> dict:
    """A figure with its sources, and its written forms led by those its shown excerpts highlight."""
    sources = _sources(store, figure)
    written = figure.written_first(s["written"] for s in sources[:SOURCES_SHOWN])
    return {"figure": figure, "sources": sources, "written": written}


def _others(store: Store, figs: Sequence[present.Figure]) -> list[tuple[str, list[dict]]]:
    """The figures of other frameworks that a comparison is checked against, by framework."""
    by_subject: dict[str, list[dict]] = {}
    for f in figs:
        if f.counterpart:
            by_subject.setdefault(f.subject, []).append(_figure_row(store, f))
    return sorted(by_subject.items())


CLAIM_COLUMNS = (
    "cluster_id framework metric verdict claim_id figure value_text value value_high unit comparator time scope "
    "source document value_start value_end sentence conflicting"
).split()


@router.get("/web/clusters/{cluster_id}", response_class=HTMLResponse, name="cluster_page")
def cluster_page(request: Request, cluster_id: str, download: str | None = None) -> Response:
    """A cluster: one row per distinct figure with its sources, a chart per unit, the conflicting pairs."""
    store = _store(request)
    cached = getattr(request.app.state, "cluster_views", None)
    view = cached.view(cluster_id) if cached is not None else core.cluster_view(store, cluster_id)
    if view is None:
        return _not_found(request, "cluster")
    names = _names(request)
    figs = present.figures(view)
    if _want(download):
        rows = [
            {
                "cluster_id": view["cluster_id"],
                "framework": names["framework"](view["subject"]),
                "metric": view["metric"],
                "verdict": view["verdict"],
                "figure": f.text,
                "conflicting": f.conflicting,
                **{k: c.get(k) for k in ("claim_id", "value_text", "value", "value_high", "unit", "comparator")},
                **{k: c.get(k) for k in ("time", "scope", "source")},
                **{k: c["mentions"][0][k] if c["mentions"] else None for k in ("document", "value_start", "value_end")},
                "sentence": c["mentions"][0]["sentence"] if c["mentions"] else None,
            }
            for f in figs
            for c in f.claims
        ]
        return _download(f"cluster-{cluster_id}", download or "", rows, CLAIM_COLUMNS)
    pairs = present.conflict_pairs(view, figs)
    counts = view.get("relation_counts") or {}
    return _page(
        request,
        "cluster.html",
        {
            "view": view,
            "subject_label": present.subject_label(view, names["framework"]),
            "reason": present.readable_reason(view["reason"]),
            "figures": [_figure_row(store, f) for f in figs if not f.counterpart],
            "others": _others(store, figs),
            "charts": timelines(figs),
            "pairs": pairs[:PAIRS_SHOWN],
            "pairs_open": PAIRS_OPEN,
            "more_pairs": max(0, len(pairs) - PAIRS_SHOWN),
            "relation_counts": sorted(counts.items(), key=lambda kv: -kv[1]),
            "sources_shown": SOURCES_SHOWN,
            "unit": next((f.unit for f in figs if f.value is not None), "other"),
        },
    )


# --- documents ----------------------------------------------------------------------------------------------

DOCUMENT_COLUMNS = "document_id title path url publisher published format claims ingested_at".split()


def _document_rows(store: Store, name_of: Callable[[str], str]) -> list[dict]:
    """Every stored document (without its text) with its claim count and the frameworks its claims are about."""
    summaries, _ = store.document_summaries(limit=1_000_000)
    subjects: dict[str, set[str]] = {}
    for claim in store.claims():
        subjects.setdefault(claim.document_id, set()).add(claim.subject)
    return [
        {
            "document_id": doc.id,
            "title": doc.title or Path(doc.path).name,
            "path": doc.path,
            "url": doc.url if doc.url and doc.url.startswith(("http://", "https://")) else None,
            "publisher": doc.publisher,
            "published": doc.published,
            "format": doc.format,
            "claims": n,
            "subjects": sorted(subjects.get(doc.id, ())),
            "frameworks": sorted({name_of(s) for s in subjects.get(doc.id, ())}, key=str.casefold),
            "ingested_at": doc.ingested_at.isoformat() if doc.ingested_at else None,
        }
        for doc, n in summaries
    ]


@router.get("/web/documents/", response_class=HTMLResponse, name="documents_page")
def documents_page(
    request: Request,
    q: str = "",
    subject: str = "",
    since: str = "",
    until: str = "",
    page: int = 1,
    download: str | None = None,
) -> Response:
    """Every stored document, newest first, with search (title, file, publisher, address) and filters."""
    store = _store(request)
    name_of = _names(request)["framework"]
    words = fold(q).split()
    first, last = present.year_or_none(since), present.year_or_none(until)
    subject = subject.strip()

    def keep(row: dict) -> bool:
        text = fold(" ".join(str(row[k] or "") for k in ("title", "path", "publisher", "url")))
        year = present.year_or_none((row["published"] or "")[:4])
        return (
            all(w in text for w in words)
            and (not subject or subject in row["subjects"])
            and (first is None or (year is not None and year >= first))
            and (last is None or (year is not None and year <= last))
        )

    rows = [r for r in _document_rows(store, name_of) if keep(r)]
    rows.sort(key=lambda r: r["title"].casefold())
    rows.sort(key=lambda r: r["published"] or "", reverse=True)
    if _want(download):
        return _download("documents", download or "", rows, DOCUMENT_COLUMNS)
    form = {"q": q, "subject": subject, "since": since, "until": until}
    return _page(
        request,
        "documents.html",
        {
            **_listing(rows, page, form),
            "facets": _facets(store),
        },
    )


def _claim_title(request: Request, claim: dict) -> str:
    """A claim in words for a tooltip: "PyTorch · research paper share · 70%"."""
    names = _names(request)
    value = format_value(claim["value"], claim["unit"])
    return f"{names['framework'](claim['subject'])} · {names['metric'](claim['metric'])} · {value}"


DOCUMENT_CLAIM_COLUMNS = (
    "claim_id cluster_id subject metric value_text value value_high unit comparator time scope source value_start "
    "value_end sentence"
).split()


@router.get("/web/documents/{doc_id}", response_class=HTMLResponse, name="document_page")
def document_page(request: Request, doc_id: str, view: str = "readable", download: str | None = None) -> Response:
    """A stored document with every claim's sentence and value highlighted: as readable text (HTML without
    its markup and page chrome, mojibake repaired), or exactly as received (``?view=original``)."""
    found = core.document_view(_store(request), doc_id)
    if found is None:
        return _not_found(request, "document")
    if _want(download):
        rows = [
            {**claim, **{k: m[k] for k in ("value_start", "value_end", "sentence")}}
            for claim in found["claims"]
            for m in claim["mentions"][:1]
        ]
        return _download(f"document-{doc_id[:12]}", download or "", rows, DOCUMENT_CLAIM_COLUMNS)
    original = view == "original"
    sentences, values, dropped = [], [], 0
    article = None if original else _readable(found)
    for claim in found["claims"]:
        title = _claim_title(request, claim)
        for m in claim["mentions"]:
            spans = [(m["sentence_start"], m["sentence_end"]), (m["value_start"], m["value_end"])]
            if article is not None:
                mapped = [article.to_clean(*span) for span in spans]
                if mapped[1] is None:  # the value sits in text the readable view leaves out
                    dropped += 1
                    continue
                spans = [span if span is not None else mapped[1] for span in mapped]
            sentences.append(Mark(*spans[0]))
            values.append(Mark(*spans[1], anchor=f"m-{m['mention_id']}", title=title))
    text = article.clean if article is not None else found["text"]
    return _page(
        request,
        "document.html",
        {
            "doc": found,
            "display_title": found["title"] or Path(found["path"]).name,
            "blocks": blocks(text, sentences, values),
            "original": original,
            "dropped": dropped,
            "url": found["url"] if found["url"] and found["url"].startswith(("http://", "https://")) else None,
        },
    )


def _readable(doc: dict):
    """The article the extractor read, rebuilt from the stored original: its clean view maps every character
    back to the original, so the stored offsets find their place in it."""
    try:
        fmt = doc["format"] if doc["format"] in ("text", "markdown", "html") else None
        return article_from_text(doc["text"], name=doc["path"], fmt=fmt)
    except ClaimgraphError:  # text the cleaner refuses today: show the original instead
        return None


# --- paste an article ---------------------------------------------------------------------------------------


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
