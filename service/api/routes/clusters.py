"""``GET /clusters`` and ``GET /clusters/{cluster_id}``: every group of claims about one subject and metric."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query

from service.api.deps import Page, PageDep, ViewsDep
from service.api.errors import NotFound
from service.api.schemas import ClusterOut, ClusterPageOut, ErrorOut

router = APIRouter(tags=["clusters"])

SubjectQ = Annotated[str | None, Query(max_length=64, description="Framework id, e.g. pytorch.")]
MetricQ = Annotated[str | None, Query(max_length=64, description="Metric id, e.g. research_paper_share.")]
ClusterIdP = Annotated[str, Path(max_length=64, description="A cluster id from a listing.")]
RelationsQ = Annotated[
    Literal["conflicts", "all", "none"],
    Query(
        description="The pairwise relations each listed cluster carries: the conflicting pairs (default), all, "
        "or none. `relation_counts` counts them all; a single cluster's endpoint always carries them all."
    ),
]


def shown(view: dict, relations: str = "all") -> dict:
    """A cluster view with the relations asked for (``relation_counts`` still counts them all).

    A cluster of n claims has up to n(n-1)/2 relations; listings carry the conflicting ones by default.
    """
    if relations == "all":
        return view
    kept = [r for r in view["relations"] if r["relation"] == "conflicts"] if relations == "conflicts" else []
    return {**view, "relations": kept}


def listing(page: Page, views: list[dict], relations: str) -> dict:
    """A page of cluster views as a listing shows them (see ``shown``)."""
    out = page.of(views)
    out["items"] = [shown(v, relations) for v in out["items"]]
    return out


@router.get("/clusters", response_model=ClusterPageOut)
def list_clusters(
    views: ViewsDep,
    page: PageDep,
    subject: SubjectQ = None,
    metric: MetricQ = None,
    relations: RelationsQ = "conflicts",
) -> dict:
    """Every cluster with its claims side by side, their pairwise relations, verdict and consensus."""
    return listing(page, views.views(subject, metric), relations)


@router.get("/clusters/{cluster_id}", response_model=ClusterOut, responses={404: {"model": ErrorOut}})
def get_cluster(views: ViewsDep, cluster_id: ClusterIdP) -> dict:
    """One cluster, whatever its verdict."""
    view = views.view(cluster_id)
    if view is None:
        raise NotFound(f"no cluster {cluster_id!r}", cluster_id=cluster_id)
    return view
