"""``GET /graph``: the whole claim graph as node-link JSON, GraphML or JSON-LD."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response

from service.api.deps import ViewsDep

router = APIRouter(tags=["graph"])

MEDIA_TYPES = {"json": "application/json", "graphml": "application/xml", "jsonld": "application/ld+json"}


_CONTENT = {t: {"schema": {"type": "string" if t.endswith("xml") else "object"}} for t in MEDIA_TYPES.values()}


@router.get(
    "/graph",
    response_class=Response,
    responses={200: {"content": _CONTENT, "description": "The graph in the asked format."}},
)
def get_graph(
    views: ViewsDep,
    fmt: Annotated[Literal["json", "graphml", "jsonld"], Query(alias="format", description="Output format.")] = "json",
) -> Response:
    """Documents, sources, frameworks, metrics, claims and clusters as nodes; provenance and relations as edges."""
    return Response(views.graph(fmt), media_type=MEDIA_TYPES[fmt])
