"""The FastAPI application: ``create_app()`` builds it; nothing happens at import time.

``app.state`` holds what routes (API and web pages) share:

- ``settings``: the ``Settings`` it was built with;
- ``store``: the ``Store`` (migrated when the app starts);
- ``extraction``: the ``ExtractionQueue`` (``await extract(article)``, ``await persist(article)``), whose
  one ``Extractor`` loads its models when the app starts;
- ``catalogue``: the frameworks and metrics catalogue;
- ``cluster_views``: ``ClusterViews``, the cluster views and graph exports cached per store version;
- ``metrics_registry``: this app's Prometheus registry (one per app, so tests can build many apps).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.concurrency import run_in_threadpool
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from prometheus_client import CollectorRegistry

from pipelines.extract.pipeline import Extractor
from service.api import errors
from service.api.batcher import ExtractionQueue
from service.api.cache import ReadCache
from service.api.middleware import BodyLimit, NoSniff, RequestMetrics
from service.api.routes import OPS_ROUTERS, ROUTERS
from service.api.schemas import ExtractIn
from service.api.views import ClusterViews
from service.settings import Settings, get_settings
from service.store.repository import Store

log = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).resolve().parent / "static"
STATIC_URL = "/api-static"

DESCRIPTION = """\
Quantitative claims about ML frameworks, with provenance, grouped and checked against each other.

* Reads are open; `POST /extract` needs `X-API-Key` (or `Authorization: Bearer`) when the server has
  `CLAIMGRAPH_API_KEY` set.
* Every error is `{"error": {"code", "message", "detail"}}`: 422 names the invalid field, 413 a body
  over the size limit, 429 (with `Retry-After`) a full extraction queue.
* Offsets index a document's original text: `text[value_start:value_end] == value_text`.
"""


def create_app(settings: Settings | None = None, *, extractor: Extractor | None = None) -> FastAPI:
    """Build the API and the web pages.

    Args:
        settings: where it runs; default: the environment (``CLAIMGRAPH_*``).
        extractor: the extractor to serve, in a thread of this process; default: the shipped models in a
            worker process of their own (``settings.extraction_process``, else a thread). Loaded when the
            app starts, not here.
    """
    settings = settings or get_settings()
    # The model runs in a worker process unless an extractor is handed in (tests share one already loaded).
    process = settings if extractor is None and settings.extraction_process else None
    extractor = extractor or Extractor(inference=settings.inference, onnx_dir=settings.onnx_dir)
    registry = CollectorRegistry()
    store = Store(settings.database_url)
    extraction = ExtractionQueue(
        extractor,
        store,
        queue_size=settings.queue_size,
        max_batch=settings.max_batch,
        batch_wait_ms=settings.batch_wait_ms,
        registry=registry,
        process=process,
        deadline_s=settings.request_deadline_s,
        max_candidates=settings.max_candidates,
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await run_in_threadpool(store.migrate)
        await extraction.start()
        try:
            yield
        finally:
            await extraction.stop()
            store.engine.dispose()

    app = FastAPI(
        title="Claimgraph",
        version="0.1.0",
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,  # served below from vendored assets: the page must work offline
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.store = store
    app.state.cluster_views = ClusterViews(store)
    app.state.extraction = extraction
    app.state.catalogue = extractor.catalogue
    app.state.metrics_registry = registry

    errors.install(app)
    # POST /extract reads its body itself (JSON or raw text), so the schema of its JSON body is added here.
    app.openapi = lambda: _openapi_with_bodies(app)  # type: ignore[method-assign]
    app.add_middleware(
        ReadCache,
        store=store,
        local_writes=lambda: extraction.writes,
        max_bytes=settings.read_cache_mb * 1024 * 1024,
        registry=registry,
    )
    app.add_middleware(RequestMetrics, registry=registry)
    app.add_middleware(BodyLimit, max_bytes=settings.max_request_bytes)
    app.add_middleware(NoSniff)  # outermost: every answer, errors and 413s included

    for router in ROUTERS + OPS_ROUTERS:
        app.include_router(router)
    app.mount(STATIC_URL, StaticFiles(directory=STATIC_DIR), name="api-static")

    @app.get("/docs", include_in_schema=False)
    async def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title="Claimgraph API",
            swagger_js_url=f"{STATIC_URL}/swagger-ui-bundle.js",
            swagger_css_url=f"{STATIC_URL}/swagger-ui.css",
            swagger_favicon_url=f"{STATIC_URL}/favicon-32x32.png",
        )

    # The web pages live under /web/ and at /; the API's routes are included first, so they win any clash.
    from service.web.routes import router as web_router

    app.include_router(web_router)
    return app


def _openapi_with_bodies(app: FastAPI) -> dict[str, Any]:
    """The OpenAPI schema, with the models of bodies that routes read themselves in its components: every
    ``$ref`` resolves, so clients and schema-driven tests (Schemathesis) see and send every body."""
    if app.openapi_schema is None:
        schema = FastAPI.openapi(app)  # builds and keeps it in app.openapi_schema
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        extract_in = ExtractIn.model_json_schema(ref_template="#/components/schemas/{model}")
        components.update(extract_in.pop("$defs", {}))
        components["ExtractIn"] = extract_in
        app.openapi_schema = schema
    return app.openapi_schema
