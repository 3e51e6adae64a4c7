"""``GET /graph``: the whole claim graph as node-link JSON, GraphML or JSON-LD."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response

from pipelines.graph import EXPORTERS
from service.api.deps import ViewsDep

router = APIRouter(tags=["graph"])

MEDIA_TYPES = {e.name: e.media_type for e in EXPORTERS.values()}
ExportFormat = StrEnum("ExportFormat", {name: name for name in EXPORTERS})  # type: ignore[misc]
DEFAULT_FORMAT = ExportFormat("json")


_CONTENT = {t: {"schema": {"type": "string" if t.endswith("xml") else "object"}} for t in MEDIA_TYPES.values()}


@router.get(
    "/graph",
    response_class=Response,
    responses={200: {"content": _CONTENT, "description": "The graph in the asked format."}},
)
def get_graph(
    views: ViewsDep,
    fmt: Annotated[ExportFormat, Query(alias="format", description="Output format.")] = DEFAULT_FORMAT,
) -> Response:
    """Documents, sources, frameworks, metrics, claims and clusters as nodes; provenance and relations as edges."""
    return Response(views.graph(str(fmt)), media_type=MEDIA_TYPES[str(fmt)])
