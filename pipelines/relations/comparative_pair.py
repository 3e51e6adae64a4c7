"""Two comparative claims about the same two subjects ("PyTorch leads TensorFlow" vs "TensorFlow leads").

Opposite orders of one period make a trend when the periods are established different, a conflict only
when the same period and scope are established (``pipelines.relations.established``), a difference of
settings when one page gives both or both compare benchmark measurements
(``pipelines.relations.measurements``), else unresolved.
"""

from __future__ import annotations

from pipelines.claims import Claim, Kind, Relation, RelationKind
from pipelines.relations.established import context_of
from pipelines.relations.measurements import ages
from pipelines.relations.one_page import settings_apart
from pipelines.relations.periods import DIFFERENT as DIFFERENT_PERIODS
from pipelines.relations.periods import PeriodRelation
from pipelines.relations.scopes import DIFFERENT as DIFFERENT_SCOPES
from pipelines.relations.wording import described, missing

WORDS = {">": "more", "<": "less", "~": "about the same"}


def direction_from(claim: Claim, subject: str) -> str:
    """The comparative's direction with ``subject`` first: "TF faster than PyTorch" seen from PyTorch is ``<``."""
    direction = str(claim.comparator)
    if subject == claim.subject or direction == "~":
        return direction
    return "<" if direction == ">" else ">"


def relate_comparatives(a: Claim, b: Claim) -> Relation | None:
    """The relation of two comparatives about the same pair of subjects; None for anything else."""
    if a.kind is not Kind.COMPARATIVE or b.kind is not Kind.COMPARATIVE or a.other is None:
        return None
    if {a.subject, a.other} != {b.subject, b.other}:
        return None
    first, second = str(a.comparator), direction_from(b, a.subject)
    if first == second or "~" in (first, second):
        return Relation(
            a.id,
            b.id,
            RelationKind.AGREES,
            f"{a.value_text!r} and {b.value_text!r} order {a.subject} and {a.other} alike",
        )
    context = context_of(a, b)
    if context.period in DIFFERENT_PERIODS and ages(a, b):
        later, earlier = (a, b) if context.period is PeriodRelation.AFTER else (b, a)
        return Relation(a.id, b.id, RelationKind.TREND, f"{described(later)} vs {described(earlier)}: a later order")
    said = f"{a.value_text!r} says {a.subject} has {WORDS[first]} than {a.other}; {b.value_text!r} says the opposite"
    if context.scope in DIFFERENT_SCOPES:
        return Relation(
            a.id, b.id, RelationKind.DIFFERENT_SCOPE, f"{said}, of {a.scope} vs {b.scope}: different populations"
        )
    if context.established:
        return Relation(
            a.id, b.id, RelationKind.CONFLICTS, f"{said}, for the same period and population: they cannot both be true"
        )
    apart = settings_apart(a, [b], same_document=context.same_document)
    if apart is not None:
        return Relation(a.id, b.id, RelationKind.DIFFERENT_SCOPE, f"{said}: {apart}")
    return Relation(
        a.id, b.id, RelationKind.UNRESOLVED, f"{said}: {missing(a, b)}, so it cannot be told whether they disagree"
    )
