"""Two pages dating one framework's first release to different years: a conflict, whatever their dates.

A first release happens once, so unlike a share or a count it does not change with the time of writing:
"initially released in 2014" and "first appearance … March 2015" about one library cannot both be true.
Misread dates are the risk (a major version's release, an end of support, a port's launch, another
library named in the sentence), so the rule asks for evidence on both sides and otherwise says nothing
(the pair goes on to ``numeric_pair``, where two undated pages stay ``unresolved``):

* the metric is a release date, the subject a framework without a version, and the two claims come from
  different documents (one page establishes nothing by itself);
* each value's sentence names the framework and no other (an infobox line "Initial release: May 2019"
  does not say whose release it is; a sentence naming ONNX Runtime does not date ONNX);
* each value follows a *first-release* wording in its own sentence — "first released", "initially
  released", "initial release:", "originally launched", "open-sourced … in", "debuted", "first appearance",
  an infobox's "Released | …" — with no other number between the wording and the value (so "Initial
  release: May 2019 • Stable version: 1.17.0 (March 2024)" dates only May 2019), no version number just
  before the wording ("Keras 3 was first released" is a version's release), and no other release wording
  in the sentence (one that names two release events tells them apart);
* the two dates fall in different years and more than a month apart (2014 and March 2015 contradict each
  other; December 2018 and January 2019 are one release dated a month apart), and neither lies after
  today.
"""

from __future__ import annotations

import datetime as dt
import re

from pipelines.catalogue import default_catalogue
from pipelines.claims import Claim, Relation, RelationKind
from pipelines.context import Period, parse_period
from pipelines.relations.established import place_in, sentences

METRICS = frozenset({"release_year"})
"""Metrics whose value dates a framework's (first) release."""
_CUE = re.compile(
    r"(?i)\b(?:(?:first|initially|originally)\s+(?:released|launched|published|appeared|shipped|made\s+available)"
    r"|initial\s+release|first\s+(?:release|appearance|version)|open[- ]sourced|debut(?:ed|s)?|released\s*\|)"
)
_EVENT = re.compile(rf"{_CUE.pattern}|(?i:\breleas\w*|\bavailable\b|\bopen[- ]source\w*|\blaunch\w*)")
"""Any wording of a release event: a sentence with two ("first made available under a restricted licence
in April 2015, with full open-source release in January 2016") tells events apart, so dates none alone."""
_NUMBER = re.compile(r"\d")
_VERSION_BEFORE = re.compile(r"(?i)\bv?\d+(?:\.\d+)*(?:\s+\w+){0,2}$")
"""A version number just before the wording: "Keras 3 was", "TensorFlow 2.0 is"."""
GAP_DAYS = 31
"""Two dates of one release this close (end of one to start of the other) are not taken as contradicting."""
REACH = 120
"""The first-release wording must stand within this many characters before the value."""


def dated(claim: Claim) -> Period | None:
    """The release date as an interval of days: the full date when the claim has one ("2019-05"), else the
    year of its value."""
    if claim.value is None or claim.value_high not in (None, claim.value) or not float(claim.value).is_integer():
        return None
    period = parse_period(claim.date) if claim.date else None
    if period is None or period.start.year != int(claim.value):
        period = parse_period(str(int(claim.value)))
    return period


def _names_only(sentence: str, subject: str) -> bool:
    """Whether the sentence names the subject and no other framework (the longest name wins: "ONNX
    Runtime" is not ONNX), so that the date it gives is the subject's."""
    named = {hit.framework for hit in default_catalogue().find_frameworks(sentence)}
    return named == {subject}


def dated_as_first_release(claim: Claim) -> bool:
    """Whether one of the claim's sentences gives its value right after a first-release wording (read once
    per claim and kept on it, as its interval is: a cluster asks for every pair)."""
    if claim.metric not in METRICS or claim.version or len(claim.subjects) != 1 or not claim.value_text:
        return False
    found = claim.__dict__.get("_first_release")
    if found is None:
        found = claim.__dict__["_first_release"] = _reads_as_first_release(claim)
    return found


def _reads_as_first_release(claim: Claim) -> bool:
    for sentence in sentences(claim):
        at = place_in(sentence, claim.value_text)
        if at is None:
            continue
        if len(_EVENT.findall(sentence)) != 1 or not _names_only(sentence, claim.subject):
            continue
        before = sentence[max(0, at - REACH) : at]
        cues = list(_CUE.finditer(before))
        if not cues:
            continue
        cue = cues[-1]
        if _NUMBER.search(before[cue.end() :]):
            continue
        if _VERSION_BEFORE.search(before[: cue.start()].rstrip()[-24:]):
            continue
        return True
    return False


def relate_first_releases(a: Claim, b: Claim) -> Relation | None:
    """A conflict between two pages' first-release years of one framework; None when not established."""
    if a.metric not in METRICS or b.metric != a.metric or a.subjects != b.subjects:
        return None
    if not a.document_id or a.document_id == b.document_id:
        return None
    pa, pb = dated(a), dated(b)
    if pa is None or pb is None or pa.start.year == pb.start.year or max(pa.end, pb.end) > dt.date.today():
        return None
    earlier, later = (pa, pb) if pa.start < pb.start else (pb, pa)
    if (later.start - earlier.end).days <= GAP_DAYS:
        return None  # December 2018 and January 2019: one release dated a month apart
    if not (dated_as_first_release(a) and dated_as_first_release(b)):
        return None
    return Relation(
        a.id,
        b.id,
        RelationKind.CONFLICTS,
        f"{a.value_text} vs {b.value_text}: two pages date the first release of {a.subject}, which happens once,"
        " to different years: they cannot both be true",
    )
