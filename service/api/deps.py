"""What endpoints need from the app, as FastAPI dependencies: the store, the queue, the key check, paging."""

from __future__ import annotations

import secrets
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Query, Request, Security
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from service.api.batcher import ExtractionQueue
from service.api.views import ClusterViews
from service.settings import Settings
from service.store.repository import Store

MAX_PAGE = 500


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_store(request: Request) -> Store:
    return request.app.state.store


def get_extraction(request: Request) -> ExtractionQueue:
    return request.app.state.extraction


def get_cluster_views(request: Request) -> ClusterViews:
    return request.app.state.cluster_views


# auto_error=False: with no key configured the headers are optional, and a missing key gets our 401.
_api_key_header = APIKeyHeader(name="X-API-Key", auto_error=False, description="The key in CLAIMGRAPH_API_KEY.")
_bearer = HTTPBearer(auto_error=False, description="The key in CLAIMGRAPH_API_KEY, as a bearer token.")


def require_api_key(
    request: Request,
    settings: Annotated[Settings, Depends(get_settings)],
    api_key: Annotated[str | None, Security(_api_key_header)] = None,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Security(_bearer)] = None,
) -> None:
    """Write endpoints: when ``CLAIMGRAPH_API_KEY`` is set, the request must carry it (reads stay open).

    Every credential presented must be right: a good ``X-API-Key`` beside a malformed or wrong
    ``Authorization`` header is refused, so a client's mistake never passes unnoticed.
    """
    if settings.api_key is None:
        return
    expected = settings.api_key.get_secret_value().encode()
    # Every header sent counts, not only the first of a name (the security schemes above read one each).
    presented = request.headers.getlist("x-api-key")
    for authorization in request.headers.getlist("authorization"):
        # A header that is not "Bearer <token>" is a wrong credential too.
        scheme, _, token = authorization.strip().partition(" ")
        presented.append(token.strip() if scheme.lower() == "bearer" else "")
    # compare_digest: the time taken says nothing about how much of the key matched.
    if not presented or not all(secrets.compare_digest(p.encode(), expected) for p in presented):
        raise HTTPException(
            401,
            "missing or wrong API key (send X-API-Key or Authorization: Bearer)",
            headers={"WWW-Authenticate": "Bearer"},
        )


class Page:
    """``limit`` and ``offset`` query parameters."""

    def __init__(
        self,
        limit: Annotated[int, Query(ge=1, le=MAX_PAGE, description="Items per page.")] = 50,
        offset: Annotated[int, Query(ge=0, le=10**9, description="Items to skip.")] = 0,
    ) -> None:
        self.limit = limit
        self.offset = offset

    def of(self, items: list[Any], total: int | None = None) -> dict[str, Any]:
        """The page's response: ``items`` cut to this page (or already cut, with ``total`` given)."""
        if total is None:
            total, items = len(items), items[self.offset : self.offset + self.limit]
        return {"items": items, "total": total, "limit": self.limit, "offset": self.offset}


StoreDep = Annotated[Store, Depends(get_store)]
ExtractionDep = Annotated[ExtractionQueue, Depends(get_extraction)]
PageDep = Annotated[Page, Depends()]
ViewsDep = Annotated[ClusterViews, Depends(get_cluster_views)]
