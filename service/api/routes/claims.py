"""``GET /claims`` and ``GET /claims/{claim_id}`` (with every mention and its offsets)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path

from service.api.deps import PageDep, StoreDep
from service.api.errors import NotFound
from service.api.routes.clusters import MetricQ, SubjectQ
from service.api.schemas import ClaimDetailOut, ClaimPageOut, ErrorOut
from service.store.tables import ClaimRow

router = APIRouter(tags=["claims"])


def claim_out(row: ClaimRow) -> dict[str, Any]:
    """A stored claim as the API shows it (the CLI's ``claims --format jsonl`` fields and its cluster)."""
    return {
        "claim_id": row.id,
        "document_id": row.document_id,
        "cluster_id": row.cluster_id,
        "subject": row.subject,
        "subjects": list(row.subjects),
        "metric": row.metric,
        "metric_phrase": row.metric_phrase,
        "value_text": row.value_text,
        "value": row.value,
        "value_high": row.value_high,
        "unit": row.unit,
        "comparator": row.comparator,
        "time": row.time,
        "time_from": row.time_from,
        "scope": row.scope,
        "source": row.source,
        "confidence": row.confidence,
        "kind": row.kind,
        "object": row.subjects[1] if len(row.subjects) > 1 else None,
    }


@router.get("/claims", response_model=ClaimPageOut)
def list_claims(store: StoreDep, page: PageDep, subject: SubjectQ = None, metric: MetricQ = None) -> dict:
    """Stored claims, by subject and metric."""
    rows, total = store.claims_page(subject, metric, page.limit, page.offset)
    return page.of([claim_out(r) for r in rows], total)


@router.get("/claims/{claim_id}", response_model=ClaimDetailOut, responses={404: {"model": ErrorOut}})
def get_claim(store: StoreDep, claim_id: Annotated[str, Path(max_length=64)]) -> dict:
    """One claim with its document and every mention: ``document.text[value_start:value_end] == value_text``."""
    found = store.claim(claim_id)
    if found is None:
        raise NotFound(f"no claim {claim_id!r}", claim_id=claim_id)
    row, doc, mentions = found
    return claim_out(row) | {
        "document": {
            "document_id": doc.id,
            "path": doc.path,
            "title": doc.title,
            "url": doc.url,
            "published": doc.published,
        },
        "mentions": [
            {
                "mention_id": m.id,
                "value_start": m.value_start,
                "value_end": m.value_end,
                "value_text": m.value_text,
                "sentence": m.sentence,
                "sentence_start": m.sentence_start,
                "sentence_end": m.sentence_end,
                "confidence": m.confidence,
                "spans": m.spans,
            }
            for m in mentions
        ],
    }
