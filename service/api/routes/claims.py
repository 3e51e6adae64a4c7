"""``GET /claims`` and ``GET /claims/{claim_id}`` (with every mention and its offsets)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from service.api.deps import PageDep, StoreDep
from service.api.errors import NotFound
from service.api.routes.clusters import MetricQ, SubjectQ
from service.api.schemas import ClaimDetailOut, ClaimPageOut, ErrorOut
from service.listing import claim_record

router = APIRouter(tags=["claims"])


@router.get("/claims", response_model=ClaimPageOut)
def list_claims(store: StoreDep, page: PageDep, subject: SubjectQ = None, metric: MetricQ = None) -> dict:
    """Stored claims, by subject and metric."""
    rows, total = store.claims_page(subject, metric, page.limit, page.offset)
    return page.of([claim_record(member, mentions="none") for member in store.with_documents(rows)], total)


@router.get("/claims/{claim_id}", response_model=ClaimDetailOut, responses={404: {"model": ErrorOut}})
def get_claim(store: StoreDep, claim_id: Annotated[str, Path(max_length=64)]) -> dict:
    """One claim with its document and every mention: ``document.text[value_start:value_end] == value_text``."""
    found = store.claim(claim_id)
    if found is None:
        raise NotFound(f"no claim {claim_id!r}", claim_id=claim_id)
    _row, doc, _mentions = found
    return claim_record(found, mentions="full") | {
        "document": {
            "document_id": doc.id,
            "path": doc.path,
            "title": doc.title,
            "url": doc.url,
            "published": doc.published,
        },
    }
