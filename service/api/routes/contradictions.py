"""``GET /contradictions`` and ``GET /contradictions/{cluster_id}``: the clusters whose claims conflict."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, Query

from service.api.deps import PageDep, ViewsDep
from service.api.errors import NotFound
from service.api.routes.clusters import ClusterIdP, MetricQ, RelationsQ, SubjectQ, listing
from service.api.schemas import ClusterOut, ClusterPageOut, ErrorOut

router = APIRouter(tags=["contradictions"])

SinceQ = Annotated[
    str | None,
    Query(
        pattern=r"^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$",
        description="A year, YYYY-MM or a date: only conflicts with a claim about a period ending on or after it.",
    ),
]

_QUARTER_START = {"1": "01-01", "2": "04-01", "3": "07-01", "4": "10-01"}
_QUARTER_END = {"1": "03-31", "2": "06-30", "3": "09-30", "4": "12-31"}


def period_end(period: str | None) -> str | None:
    """The last day a claim's period covers, as ``YYYY-MM-DD`` (string order is date order).

    Periods are years (``2025``), quarters (``2025-Q2``), months or dates; anything else counts by its
    leading year, and a period with no year has no end.
    """
    if not period:
        return None
    m = re.match(r"^(\d{4})(?:-Q([1-4])|-(\d{2})(?:-(\d{2}))?)?", period)
    if not m:
        return None
    year, quarter, month, day = m.groups()
    if quarter:
        return f"{year}-{_QUARTER_END[quarter]}"
    if month:
        return f"{year}-{month}-{day or '31'}"
    return f"{year}-12-31"


def since_start(since: str) -> str:
    """``2025`` -> ``2025-01-01``; ``2025-06`` -> ``2025-06-01``."""
    return since + "-01-01"[len(since) - 4 :] if len(since) < 10 else since


def touches_since(view: dict, since: str) -> bool:
    start = since_start(since)
    return any((end := period_end(c.get("time"))) is not None and end >= start for c in view["claims"])


@router.get("/contradictions", response_model=ClusterPageOut)
def list_contradictions(
    views: ViewsDep,
    page: PageDep,
    subject: SubjectQ = None,
    metric: MetricQ = None,
    since: SinceQ = None,
    relations: RelationsQ = "conflicts",
) -> dict:
    """Clusters whose claims conflict, with the claims side by side and the reason in words."""
    found = [v for v in views.views(subject, metric) if v["verdict"] == "conflicts"]
    if since:
        found = [v for v in found if touches_since(v, since)]
    return listing(page, found, relations)


@router.get("/contradictions/{cluster_id}", response_model=ClusterOut, responses={404: {"model": ErrorOut}})
def get_contradiction(views: ViewsDep, cluster_id: ClusterIdP) -> dict:
    """One conflicting cluster; 404 when there is no such cluster or its claims do not conflict."""
    view = views.view(cluster_id)
    if view is None:
        raise NotFound(f"no cluster {cluster_id!r}", cluster_id=cluster_id)
    if view["verdict"] != "conflicts":
        raise NotFound(
            f"cluster {cluster_id!r} has no conflict (verdict {view['verdict']}); see /clusters/{cluster_id}",
            cluster_id=cluster_id,
            verdict=view["verdict"],
        )
    return view
