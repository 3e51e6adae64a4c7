"""``GET /clusters`` and ``GET /clusters/{cluster_id}``: every group of claims about one subject and metric."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from service.api.deps import PageDep, ViewsDep
from service.api.errors import NotFound
from service.api.schemas import ClusterOut, ClusterPageOut, ErrorOut

router = APIRouter(tags=["clusters"])

SubjectQ = Annotated[str | None, Query(max_length=64, description="Framework id, e.g. pytorch.")]
MetricQ = Annotated[str | None, Query(max_length=64, description="Metric id, e.g. research_paper_share.")]
ClusterIdP = Annotated[str, Path(max_length=64, description="A cluster id from a listing.")]


@router.get("/clusters", response_model=ClusterPageOut)
def list_clusters(views: ViewsDep, page: PageDep, subject: SubjectQ = None, metric: MetricQ = None) -> dict:
    """Every cluster with its claims side by side, their pairwise relations, verdict and consensus."""
    return page.of(views.views(subject, metric))


@router.get("/clusters/{cluster_id}", response_model=ClusterOut, responses={404: {"model": ErrorOut}})
def get_cluster(views: ViewsDep, cluster_id: ClusterIdP) -> dict:
    """One cluster, whatever its verdict."""
    view = views.view(cluster_id)
    if view is None:
        raise NotFound(f"no cluster {cluster_id!r}", cluster_id=cluster_id)
    return view
