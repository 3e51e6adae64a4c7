"""Benchmark measurements: a figure holds for its own setup, not for the date of the page that reports it.

A speed-up, a latency, a throughput, a memory use or an accuracy is measured on one model, one piece of
hardware, with one set of settings; the catalogue marks such metrics ``measurement = true``. Two of them
from different pages that disagree are, unless their setup is established alike (the same stated period
and scope, ``pipelines.relations.established``), measurements of two setups: ``different_scope``, not
``unresolved``. Nor does a later page make a later value: a benchmark does not age, so two such figures
dated only by their pages are no ``trend`` (periods stated in the text of two pages still are; one page
dating two runs differently reports two runs).

Of the labelled gold pairs of such metrics from two pages (`annotations/groups/`), none is a conflict or a
trend: 202 are differences of setup, 79 agreements and 5 unresolved.
"""

from __future__ import annotations

from functools import cache

from pipelines.catalogue import default_catalogue
from pipelines.claims import Claim
from pipelines.relations.periods import claim_period, stated

TWO_SETUPS = (
    "measurements reported by two pages, each of its own setup (model, hardware, settings), not shown to be the same"
)
"""Why two benchmark figures (or a comparison and figures) of two pages are a difference of setup."""


@cache
def is_measurement(metric: str) -> bool:
    """Whether the catalogue marks the metric a benchmark measurement."""
    found = default_catalogue().metrics.get(metric)
    return bool(found and found.measurement)


def measured(a: Claim, b: Claim) -> bool:
    """Whether both claims are benchmark measurements."""
    return is_measurement(a.metric) and is_measurement(b.metric)


def dated_by_text(a: Claim, b: Claim) -> bool:
    """Whether both claims' periods are stated by their text (not only their pages' dates)."""
    return stated(claim_period(a)) and stated(claim_period(b))


def ages(a: Claim, b: Claim, *, same_document: bool = False) -> bool:
    """Whether a difference of periods between two claims makes a trend: always, except for benchmark
    measurements dated only by their pages, or given by one page (two runs it reports, each dated —
    "software as of 2021-01-14" for one machine, "as of 2021-01-15" for another: a change it tells of in
    words is still a trend, ``one_page.change_between``)."""
    if not measured(a, b):
        return True
    return dated_by_text(a, b) and not same_document
