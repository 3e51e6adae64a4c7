"""How the periods of two claims stand: the same, one inside the other, overlapping, before, after, unknown.

A period is an interval of days (``pipelines.context.Period``), so 2015 contains November 2015 and two
months of one year are different periods. A claim with no period of its own is dated by its document: a
"current" figure is as of the page's date (basis ``document``). Document dates are compared at month level:
two pages of one month give the same period, a page of a later month a later one.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from enum import StrEnum

from pipelines.claims import Claim, TimeBasis
from pipelines.context import Period, parse_period


class PeriodRelation(StrEnum):
    SAME = "same"
    CONTAINS = "contains"
    """The first period holds the second (2015 holds 2015-11)."""
    WITHIN = "within"
    OVERLAPS = "overlaps"
    BEFORE = "before"
    """The first period ends before the second starts."""
    AFTER = "after"
    UNKNOWN = "unknown"
    """At least one claim has no period and no dated document."""


DIFFERENT = frozenset({PeriodRelation.BEFORE, PeriodRelation.AFTER})


def _month_of(period: Period) -> Period:
    """A day-precise document date as its month (pages of one month speak of one period)."""
    if period.precision != "day":
        return period
    return replace(Period.month(period.start.year, period.start.month), basis=period.basis)


def claim_period(claim: Claim) -> Period | None:
    """The period a claim speaks of: its own, else the one its ``time`` label states, else its document's date.

    Returns:
        The period with its basis (``sentence``, ``context`` or ``document``), or None when nothing dates it.
        Kept on the claim (frozen: its fields never change) after the first call.
    """
    cached = claim.__dict__.get("_claim_period", _UNSET)
    if cached is _UNSET:
        cached = claim.__dict__["_claim_period"] = _claim_period(claim)
    return cached


_UNSET = object()


def _claim_period(claim: Claim) -> Period | None:
    period = claim.period
    if period is None and claim.time:
        parsed = parse_period(claim.time)
        if parsed is not None:
            basis = claim.time_basis if claim.time_basis is not TimeBasis.NONE else TimeBasis.SENTENCE
            period = replace(parsed, basis=str(basis))
    if period is None and claim.published:
        parsed = parse_period(claim.published[:10])
        if parsed is not None:
            period = replace(parsed, basis=str(TimeBasis.DOCUMENT))
    if period is None:
        return None
    if period.basis == TimeBasis.DOCUMENT:
        return _month_of(period)
    return period


def stated(period: Period | None) -> bool:
    """Whether the period is stated by the text (sentence or context), not only the document's date."""
    return period is not None and period.basis != TimeBasis.DOCUMENT


def relate_periods(a: Period | None, b: Period | None) -> PeriodRelation:
    """How period ``a`` stands to period ``b``."""
    if a is None or b is None:
        return PeriodRelation.UNKNOWN
    if a.start == b.start and a.end == b.end:
        return PeriodRelation.SAME
    if a.end < b.start:
        return PeriodRelation.BEFORE
    if b.end < a.start:
        return PeriodRelation.AFTER
    if a.contains(b):
        return PeriodRelation.CONTAINS
    if b.contains(a):
        return PeriodRelation.WITHIN
    return PeriodRelation.OVERLAPS


def period_label(period: Period | None) -> str | None:
    """The period in words a reader knows ("2024", "2015-11", "page of 2024-05")."""
    if period is None:
        return None
    if period.basis == TimeBasis.DOCUMENT:
        return f"page of {period.label}"
    return period.label


def period_key(period: Period | None) -> tuple[dt.date, dt.date] | None:
    """A hashable key equal for two periods exactly when ``relate_periods`` says SAME."""
    return None if period is None else (period.start, period.end)
