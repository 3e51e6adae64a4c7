"""``/healthz`` (the process answers), ``/readyz`` (models loaded, store reachable), ``/metrics``."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from service.api.deps import ExtractionDep, StoreDep
from service.api.errors import error_response
from service.api.schemas import ErrorOut, HealthOut, ReadyOut

router = APIRouter(tags=["operations"])


@router.get("/healthz", response_model=HealthOut)
async def healthz() -> dict:
    """Liveness: answers as long as the event loop runs (no database, no model)."""
    return {"status": "ok"}


@router.get("/readyz", response_model=ReadyOut, responses={503: {"model": ErrorOut}})
def readyz(store: StoreDep, extraction: ExtractionDep) -> JSONResponse:
    """Readiness: 200 when the models are loaded and taking work and the store answers, else 503 (error
    ``not_ready``). ``worker_stuck`` is true while the model has run one batch longer than a request may
    wait, or is being started again after that."""
    reachable = store.ping()
    stuck = extraction.stuck
    body = {
        "status": "ready" if extraction.ready and reachable and not stuck else "not_ready",
        "models_loaded": extraction.ready,
        "store_reachable": reachable,
        "worker_stuck": stuck,
        "queue_depth": extraction.depth,
        "running": extraction.running,
        "worker_restarts": extraction.restarts,
    }
    if body["status"] == "ready":
        return JSONResponse(body)
    why = "the model is stuck on a batch" if stuck else "the models are not loaded or the store does not answer"
    return error_response(503, "not_ready", why, body)


@router.get(
    "/metrics",
    response_class=Response,
    responses={200: {"content": {"text/plain": {"schema": {"type": "string"}}}, "description": "Prometheus text."}},
)
def metrics(request: Request) -> Response:
    """Prometheus metrics: requests by route and status, latencies, queue depth, batch sizes, refusals."""
    return Response(generate_latest(request.app.state.metrics_registry), media_type=CONTENT_TYPE_LATEST)
