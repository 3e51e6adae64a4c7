"""``GET /documents`` and ``GET /documents/{document_id}`` (original text with every claim span)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Path

from service import core
from service.api.deps import PageDep, StoreDep
from service.api.errors import NotFound
from service.api.schemas import DocumentDetailOut, DocumentPageOut, ErrorOut

router = APIRouter(tags=["documents"])


def _utc(when: datetime) -> datetime:
    # Stored in UTC; SQLite hands it back without its zone, and RFC 3339 date-times need one.
    return when if when.tzinfo else when.replace(tzinfo=UTC)


@router.get("/documents", response_model=DocumentPageOut)
def list_documents(store: StoreDep, page: PageDep) -> dict:
    """Stored documents (without their text), by path, with their number of claims."""
    rows, total = store.document_summaries(page.limit, page.offset)
    items = [{**core.document_fields(doc), "ingested_at": _utc(doc.ingested_at), "claims": n} for doc, n in rows]
    return page.of(items, total)


@router.get("/documents/{document_id}", response_model=DocumentDetailOut, responses={404: {"model": ErrorOut}})
def get_document(store: StoreDep, document_id: Annotated[str, Path(max_length=64)]) -> dict:
    """The original text as received, with every claim and its mentions' offsets into that text."""
    view = core.document_view(store, document_id)
    if view is None:
        raise NotFound(f"no document {document_id!r}", document_id=document_id)
    return view
