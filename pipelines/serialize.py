"""The one place a claim, a relation and a cluster become plain data (JSON-ready dictionaries).

The CLI, the API, the web pages and the exports all show what these functions return, so a field added
to :class:`pipelines.claims.Claim` is added here once. What the store carries along for display and is not
part of the claim itself (its mentions, its fact-check, whether it is shown as another subject's figure)
travels in ``Claim.extra``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

from pipelines.claims import Claim, Cluster, Kind, Relation, TimeBasis
from pipelines.context import Period
from pipelines.relations.periods import claim_period


def period_dict(period: Period | None) -> dict[str, Any] | None:
    if period is None:
        return None
    return {
        "start": period.start.isoformat(),
        "end": period.end.isoformat(),
        "precision": period.precision,
        "basis": period.basis,
    }


def shown_time(claim: Claim) -> tuple[str | None, str]:
    """The period a listing shows for a claim and where it comes from (``text``, ``published``, ``none``).

    It is the period the relations are judged on (``claim_period``): the claim's own, else its page's date
    at month precision, so a listing, its filters and the reasons it gives speak of the same period.
    """
    period = claim_period(claim)
    if period is None:
        return None, "none"
    return period.label, "published" if period.basis == TimeBasis.DOCUMENT else "text"


def claim_dict(claim: Claim) -> dict[str, Any]:
    comparative = claim.kind is Kind.COMPARATIVE
    extra = claim.extra
    time, time_from = shown_time(claim)
    return {
        "claim_id": claim.id,
        "cluster_id": claim.cluster_id,
        "document_id": claim.document_id,
        "kind": str(claim.kind),
        "subject": claim.subject,
        "subjects": list(claim.subjects),
        "object": claim.other,
        "form": claim.form,
        "version": claim.version,
        "direction": str(claim.comparator) if comparative else None,
        "metric": claim.metric,
        "metric_phrase": claim.metric_phrase,
        "dimension": claim.dimension,
        "value_text": claim.value_text,
        "value": claim.value,
        "value_high": claim.value_high,
        "comparator": str(claim.comparator),
        "unit": str(claim.unit),
        "per": claim.per,
        "time": time,
        "time_from": time_from,
        "time_basis": str(claim.time_basis),
        "period": period_dict(claim.period),
        "scope": claim.scope,
        "source": claim.source,
        "confidence": claim.confidence,
        "mentions": extra.get("mentions", []),
        "fact_check": extra.get("fact_check", {"verdict": "unverifiable", "reference": None}),
        "counterpart": bool(extra.get("counterpart", False)),
    }


def relation_dict(relation: Relation) -> dict[str, Any]:
    return {"a": relation.a, "b": relation.b, "relation": str(relation.kind), "reason": relation.reason}


def cluster_dict(cluster: Cluster, claim_as: Callable[[Claim], dict[str, Any]] = claim_dict) -> dict[str, Any]:
    """The cluster as plain data; ``claim_as`` serialises its claims (a caller may keep them serialised)."""
    relations = [relation_dict(r) for r in cluster.relations]
    return {
        "cluster_id": cluster.id,
        "subject": cluster.subject,
        "metric": cluster.metric,
        "dimension": cluster.dimension,
        "key": cluster.key,
        "verdict": str(cluster.verdict),
        "reason": cluster.reason,
        "consensus": cluster.consensus,
        "claims": [claim_as(c) for c in cluster.claims],
        "relations": relations,
        "relation_counts": dict(Counter(r["relation"] for r in relations)),
        "relations_exhaustive": cluster.exhaustive,
    }
