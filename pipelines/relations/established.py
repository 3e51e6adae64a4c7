"""Whether two claims are established to speak of the same period and the same population.

Missing information is never taken as "the same". The same period and scope are established when:

* both are stated, and stated alike, in both claims (the period by the text, not only the page's date;
  the scopes normalised to the same population);
* both claims are attributed to the same source for the same stated period (one source measures one
  population), unless their scopes are stated and differ.

Sharing a document establishes nothing by itself, neither for two figures nor for a comparison and what
it is checked against: a page giving two values of one property mostly lists settings (rows of a
benchmark, models, hardware) that the scope slot did not tell apart, rather than contradicting itself;
unless its period and population are stated alike, such a pair is a change or a difference of settings
(``pipelines.relations.one_page``), never a conflict. Two pages dating a first release differently do not
establish one event by themselves either: on extracted claims the release metric, the subject and the
version are too often misread (an end of support, a port's launch, a major version) for "it happens once"
to be evidence, unless both sentences word the date as that framework's first release
(``pipelines.relations.first_release``, tried before these rules). A stated period after today is a
misread number (a sequence length of 2048), never evidence.

Never when both figures are stated in one sentence: a sentence giving two values of one property speaks
of a change ("70%, up from 62% in 2022") or of different settings ("three times faster in some tests and
up to 77.7% faster in others"), whatever the tagger attached to each. The sentences a claim is stated in
travel in ``Claim.extra["sentences"]`` when the caller knows them.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from pipelines.claims import Claim
from pipelines.context import Period
from pipelines.relations.periods import PeriodRelation, claim_period, relate_periods, stated
from pipelines.relations.scopes import ScopeRelation, relate_scopes


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


def place_in(sentence: str, value_text: str) -> int | None:
    """Where a figure as written stands in a sentence, when it stands there once and not as part of a longer
    number ("5%" is not the end of "15%" nor "2" the start of "2.5x")."""
    found = [m.start() for m in re.finditer(rf"(?<![\w.,]){re.escape(value_text)}(?![\d])(?![.,]\d)", sentence)]
    return found[0] if len(found) == 1 else None


def same_page(a: Claim, b: Claim) -> bool:
    """Whether two claims are stated in one document."""
    return bool(a.document_id) and a.document_id == b.document_id


def sentences(claim: Claim) -> frozenset[str]:
    """The sentences of its document a claim is stated in, as the caller passed them (else none known)."""
    return frozenset(claim.extra.get("sentences", ()))


def _from_context(period: Period | None) -> bool:
    return period is not None and period.basis == "context"


def _future(period: Period | None) -> bool:
    return period is not None and period.start > dt.date.today()


def context_of(a: Claim, b: Claim) -> Context:
    """The period and scope relation of two claims and whether they are established to be the same."""
    pa, pb = claim_period(a), claim_period(b)
    period = relate_periods(pa, pb)
    scope = relate_scopes(a.scope, b.scope)
    same_document = same_page(a, b)
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
    if _future(pa) or _future(pb):
        established = False  # a "period" after today is a misread number (a sequence length of 2048), not a time
    same_sentence = same_document and bool(sentences(a) & sentences(b))
    if same_sentence:
        established = False
    return Context(period, scope, same_document, same_source, established, same_sentence)
