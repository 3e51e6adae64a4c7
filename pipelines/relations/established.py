"""Whether two claims are established to speak of the same period and the same population.

Missing information is never taken as "the same". The same period and scope are established when:

* both are stated, and stated alike, in both claims (the period by the text, not only the page's date;
  the scopes normalised to the same population);
* both claims are attributed to the same source for the same stated period (one source measures one
  population), unless their scopes are stated and differ;
* for a comparison checked against figures ("has surpassed … in stars" vs 74k and 180k) or against another
  comparison: both come from one document, are attributed alike and state their population alike (one
  article speaks of one time and population unless it says otherwise).

Sharing a document does not establish two *figures* of one property as the same: a page giving two values
of one property mostly lists settings (rows of a benchmark, models, hardware) that the scope slot did not
tell apart, rather than contradicting itself — unless its period and population are stated alike, such a
pair is a change or a difference of settings (``pipelines.relations.one_page``), never a conflict. Nor do two pages dating a first release differently establish one event: on
extracted claims the release metric, the subject and the version are too often misread (an end of support,
a port's launch, a major version) for "it happens once" to be evidence. A stated period after today is a
misread number (a sequence length of 2048), never evidence.

A figure read from a table row takes its period and population from the row's column headers, which
prose around the table does not share: one article establishes nothing for it (stated alike still does).

Never when both figures are stated in one sentence: a sentence giving two values of one property speaks
of a change ("70%, up from 62% in 2022") or of different settings ("three times faster in some tests and
up to 77.7% faster in others"), whatever the tagger attached to each. The sentences a claim is stated in
travel in ``Claim.extra["sentences"]`` when the caller knows them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from pipelines.claims import Claim
from pipelines.context import Period
from pipelines.relations.periods import PeriodRelation, claim_period, relate_periods, stated
from pipelines.relations.scopes import ScopeRelation, relate_scopes
from pipelines.tables import is_table_row


@dataclass(frozen=True, slots=True)
class Context:
    """How two claims' periods and scopes stand, and whether their sameness is established."""

    period: PeriodRelation
    scope: ScopeRelation
    same_document: bool
    same_source: bool
    established: bool
    """Same period and same scope, established by the rule above."""
    same_sentence: bool = False
    """Both stated in one sentence of one document (never established the same)."""


def source_key(claim: Claim) -> str | None:
    """The attributed source, normalised for comparison ("Papers With Code" == "papers with code")."""
    return " ".join(claim.source.lower().split()) if claim.source and claim.source.strip() else None


def sentences(claim: Claim) -> frozenset[str]:
    """The sentences of its document a claim is stated in, as the caller passed them (else none known)."""
    return frozenset(claim.extra.get("sentences", ()))


def from_table(claim: Claim) -> bool:
    """Whether the claim is stated in a table row (its sentence is a row of cells)."""
    return any(is_table_row(s) for s in sentences(claim))


def _from_context(period: Period | None) -> bool:
    return period is not None and period.basis == "context"


def _future(period: Period | None) -> bool:
    return period is not None and period.start > dt.date.today()


def context_of(a: Claim, b: Claim, *, one_document: bool = True) -> Context:
    """The period and scope relation of two claims and whether they are established to be the same.

    ``one_document``: whether sharing a document (prose, attributed alike, populations alike) establishes
    the same context — for comparisons; two figures pass False (see the module's docstring)."""
    pa, pb = claim_period(a), claim_period(b)
    period = relate_periods(pa, pb)
    scope = relate_scopes(a.scope, b.scope)
    same_document = bool(a.document_id) and a.document_id == b.document_id
    source = source_key(a)
    same_source = source is not None and source == source_key(b)
    stated_same_period = period is PeriodRelation.SAME and stated(pa) and stated(pb)
    if same_document and (_from_context(pa) or _from_context(pb)):
        # One heading or earlier sentence dating two figures of one page is the page's own section date,
        # not a period each claim states: sharing it establishes no more than sharing the page.
        stated_same_period = False
    established = stated_same_period and (
        scope is ScopeRelation.SAME or (same_source and scope is ScopeRelation.UNKNOWN)
    )
    if one_document and same_document and not (from_table(a) or from_table(b)):
        alike = scope is ScopeRelation.SAME or (a.scope is None and b.scope is None)
        same_time = period in (PeriodRelation.SAME, PeriodRelation.UNKNOWN) and (pa is None) == (pb is None)
        established = established or (same_time and alike and source == source_key(b))
    if _future(pa) or _future(pb):
        established = False  # a "period" after today is a misread number (a sequence length of 2048), not a time
    same_sentence = same_document and bool(sentences(a) & sentences(b))
    if same_sentence:
        established = False
    return Context(period, scope, same_document, same_source, established, same_sentence)
