"""What the API reads (``...In``) and writes (``...Out``): pydantic v2 models, the OpenAPI schema's source.

The output models mirror the dictionaries ``service.core`` builds (``mention_record``, ``cluster_views``,
``document_view``), so the CLI's JSON and the API's agree field for field. Fields that newer claim kinds
add (``kind``, ``object``, ``direction`` of comparative claims) are optional and default to None.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema, model_validator

Relation = Literal["agrees", "conflicts", "trend", "different_scope", "unresolved"]
Verdict = Literal["agrees", "conflicts", "trend", "different_scope", "unresolved", "single"]
ClaimKind = Literal["numeric", "comparative"]
Direction = Literal[">", "<", "~"]
DATE_PATTERN = r"^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?([T ][0-9:.+\-Z]*)?$"
"""A year, year-month or ISO date, optionally with a time: what ``published`` may hold."""
CONTROL_CHARS = "".join(map(chr, [*range(0x00, 0x09), *range(0x0E, 0x20)]))
"""Control characters no article text holds (tab, line breaks, form feed excepted): a sign of binary data."""
TEXT_PATTERN = r"^[^\x00-\x08\x0e-\x1f]*[^\s\x00-\x08\x0e-\x1f][^\x00-\x08\x0e-\x1f]*$"
"""Article text: something besides white space, and no control characters."""
LINE_PATTERN = r"^[^\x00-\x08\x0e-\x1f]*$"
"""Metadata (title, publisher): no control characters (tab and line breaks excepted)."""
URL_PATTERN = r"^https?://[^\s\x00-\x1f\x7f/?#\[\]@]+([/?#][^\s\x00-\x1f\x7f]*)?$"
"""An http(s) URL with a host name (or address) and no user part; IPv6 literals are not accepted."""

# Null is accepted as "not given" but not advertised (the schema's oneOf says which one to give); a
# nullable string rather than a union, so errors are located at the field itself ("text", not "text.str").
ArticleText = Annotated[
    str | None, Field(pattern=TEXT_PATTERN), WithJsonSchema({"type": "string", "pattern": TEXT_PATTERN})
]


class ExtractIn(BaseModel):
    """An article to extract claims from: its ``text`` or its ``html`` (exactly one), and metadata."""

    # The JSON schema says "exactly one of text and html" (oneOf) as the validator below checks it.
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"oneOf": [{"required": ["text"]}, {"required": ["html"]}]}
    )

    text: ArticleText = Field(None, description="Plain text or Markdown of the article.")
    html: ArticleText = Field(None, description="The article's HTML page; the main text is found in it.")
    title: str | None = Field(None, max_length=1000, pattern=LINE_PATTERN)
    url: str | None = Field(None, max_length=2048, pattern=URL_PATTERN)
    published: str | None = Field(
        None, max_length=32, pattern=DATE_PATTERN, description="Publication date, e.g. 2025-03-01."
    )
    publisher: str | None = Field(None, max_length=1000, pattern=LINE_PATTERN)

    @model_validator(mode="after")
    def one_body(self) -> ExtractIn:
        if (self.text is None) == (self.html is None):
            raise ValueError("give exactly one of text or html")
        return self


class MentionOut(BaseModel):
    """One claim mention with provenance: the CLI's ``extract`` JSON line, field for field."""

    document: str
    value_start: int
    value_end: int
    value_text: str
    sentence: str
    sentence_start: int
    sentence_end: int
    subject: str | None
    subjects: list[str]
    metric: str
    metric_phrase: str | None
    value: float | None
    value_high: float | None
    unit: str
    comparator: str
    time: str | None
    time_from: str
    scope: str | None
    source: str | None
    confidence: float
    date: str | None = None
    kind: ClaimKind | None = None
    object: str | None = None
    direction: Direction | None = None
    version: str | None = Field(None, description="Version of the subject the claim is about (TensorFlow 2.0).")
    version2: str | None = Field(None, description="Version of the second subject, if any.")
    form: Literal["single", "versus", "either", "sum", "migration"] = Field(
        "single", description="How the subjects combine: one; the first relative to the second; A or B; A + B; A to B."
    )
    dimension: str | None = Field(None, description="Unit dimension of the value (share, count, rate, duration…).")
    per: str | None = Field(None, description="For a rate: the period it counts per.")
    time_basis: Literal["sentence", "context", "document", "none"] = Field(
        "none", description="Where the period comes from: its sentence, a heading/title/earlier text, the page date."
    )
    spans: dict[str, list[list[int]]] = Field(default_factory=dict)
    claim_id: str | None = Field(None, description="The stored claim this mention belongs to (persist only).")


class RelatedOut(BaseModel):
    """How a claim of the posted article relates to a claim already stored."""

    claim_id: str
    cluster_id: str
    subject: str
    metric: str
    relation: Relation
    reason: str
    other_claim_id: str
    other_value_text: str | None
    other_documents: list[str]


class ExtractOut(BaseModel):
    """The claims of a posted article; with ``persist=true`` also where it was stored and what it touches."""

    document: str = Field(description="The name the article was given (its URL, else a content-hash name).")
    document_id: str = Field(description="SHA-256 of the text: the id it has (or would have) in the store.")
    format: str
    title: str | None
    claims: list[MentionOut]
    persisted: bool
    created: bool | None = Field(None, description="False when the same article was stored before.")
    related: list[RelatedOut] = Field(default_factory=list)


class MentionViewOut(BaseModel):
    """Where a stored mention stands (in cluster views)."""

    document: str
    document_id: str | None = None
    value_start: int
    value_end: int
    value_text: str
    sentence: str
    sentence_start: int | None = None
    sentence_end: int | None = None


class ReferenceOut(BaseModel):
    value_text: str
    time: str | None
    source_url: str


class FactCheckOut(BaseModel):
    verdict: Literal["supported", "refuted", "unverifiable"]
    reference: ReferenceOut | None


class ClusterClaimOut(BaseModel):
    """A claim as a cluster shows it: value as written, period (and where it came from), mentions."""

    claim_id: str
    value_text: str | None
    value: float | None
    value_high: float | None
    comparator: str
    unit: str
    time: str | None
    time_from: str
    scope: str | None
    source: str | None
    kind: ClaimKind | None = None
    object: str | None = None
    direction: Direction | None = None
    mentions: list[MentionViewOut]
    fact_check: FactCheckOut | None = None


class RelationOut(BaseModel):
    a: str
    b: str
    relation: Relation
    reason: str


class LatestOut(BaseModel):
    value_text: str | None
    value: float | None
    time: str | None


class ConsensusOut(BaseModel):
    best_estimate: float | None = Field(
        description="Median over independent figures (copies of one figure count once)."
    )
    spread: float | None
    independent_sources: int
    independent_figures: int | None = None
    documents: int
    latest: LatestOut | None


class ClusterOut(BaseModel):
    """Claims about one subject and metric side by side, their pairwise relations and the verdict."""

    cluster_id: str
    subject: str
    metric: str
    key: str
    verdict: Verdict
    reason: str
    consensus: ConsensusOut
    claims: list[ClusterClaimOut]
    relations: list[RelationOut] = Field(
        description="Pairwise relations of the claims; a listing carries the conflicting ones unless asked for more."
    )
    relation_counts: dict[str, int] = Field(description="Every relation of the cluster, counted by kind.")


class ClaimOut(BaseModel):
    """A stored claim: one distinct statement of one document."""

    claim_id: str
    document_id: str
    cluster_id: str | None
    subject: str
    subjects: list[str]
    metric: str
    metric_phrase: str | None
    value_text: str | None
    value: float | None
    value_high: float | None
    unit: str
    comparator: str
    time: str | None
    time_from: str
    scope: str | None
    source: str | None
    confidence: float
    kind: ClaimKind | None = None
    object: str | None = None
    direction: Direction | None = None
    form: Literal["single", "versus", "either", "sum", "migration"] = "single"
    version: str | None = None
    dimension: str | None = None
    per: str | None = None
    time_basis: Literal["sentence", "context", "document", "none"] = Field(
        "none", description="Where the claim's own time came from; `time_from` says where the shown `time` did."
    )


class StoredMentionOut(BaseModel):
    """One place a stored claim is written: offsets into the document's original text."""

    mention_id: str
    value_start: int
    value_end: int
    value_text: str
    sentence: str
    sentence_start: int
    sentence_end: int
    confidence: float
    spans: dict[str, list[list[int]]]


class DocumentRefOut(BaseModel):
    document_id: str
    path: str
    title: str | None
    url: str | None
    published: str | None


class ClaimDetailOut(ClaimOut):
    """A claim with its document and every mention."""

    document: DocumentRefOut
    mentions: list[StoredMentionOut]


class DocumentOut(BaseModel):
    """A stored document, without its text."""

    document_id: str
    path: str
    title: str | None
    url: str | None
    published: str | None
    publisher: str | None
    format: str
    ingested_at: datetime
    claims: int


class DocumentMentionOut(BaseModel):
    mention_id: str
    value_start: int
    value_end: int
    value_text: str
    sentence: str
    sentence_start: int
    sentence_end: int


class DocumentClaimOut(BaseModel):
    claim_id: str
    cluster_id: str | None
    subject: str
    subjects: list[str]
    metric: str
    value_text: str | None
    value: float | None
    value_high: float | None
    unit: str
    comparator: str
    time: str | None
    time_from: str
    scope: str | None
    source: str | None
    kind: ClaimKind | None = None
    object: str | None = None
    direction: Direction | None = None
    mentions: list[DocumentMentionOut]


class DocumentDetailOut(BaseModel):
    """A document's original text with every claim and the offsets of its mentions in that text."""

    document_id: str
    path: str
    title: str | None
    url: str | None
    published: str | None
    publisher: str | None
    format: str
    text: str
    claims: list[DocumentClaimOut]


class PageOut(BaseModel):
    total: int = Field(description="Items matching the filters, over all pages.")
    limit: int
    offset: int


class ClusterPageOut(PageOut):
    items: list[ClusterOut]


class ClaimPageOut(PageOut):
    items: list[ClaimOut]


class DocumentPageOut(PageOut):
    items: list[DocumentOut]


class HealthOut(BaseModel):
    status: Literal["ok"]


class ReadyOut(BaseModel):
    status: Literal["ready", "not_ready"]
    models_loaded: bool
    store_reachable: bool
    worker_stuck: bool = Field(description="The model has run one batch longer than a request may wait.")
    queue_depth: int
    running: int = Field(description="Requests in the batch the model is running now.")
    worker_restarts: int = Field(description="Times the model process was stopped and started again.")


class ErrorBody(BaseModel):
    code: str = Field(description="Stable machine-readable code, e.g. validation_error, not_found, queue_full.")
    message: str
    detail: dict | list | str | None = None


class ErrorOut(BaseModel):
    """The one error shape."""

    error: ErrorBody
