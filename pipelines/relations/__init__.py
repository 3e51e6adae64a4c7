"""Relations between claims of one cluster, and the cluster's verdict.

Modules say what each does:

* ``periods`` — how two claims' periods stand (same, contains, within, overlaps, before, after, unknown);
* ``scopes`` — scope phrases normalised and compared (same, different, subset, superset, unknown);
* ``established`` — whether two claims are established to speak of the same period and population;
* ``first_release`` — two pages dating one framework's first release to different years (tried first);
* ``intervals`` — whether two figures' intervals touch, float error aside;
* ``numeric_pair`` — two figures: agrees, trend, different_scope, conflicts or unresolved;
* ``one_page`` — two different figures of one page: a change it tells of, else different settings;
* ``comparative_pair`` — two comparatives about the same pair of subjects;
* ``comparative_figures`` — a comparative against the figures of its two subjects, bounded;
* ``cluster_verdict`` — every pair (small clusters) or an O(k log k) summary (large ones), and the verdict;
* ``wording`` — claims and their context in the words a reason uses.

Pair relaters are registered in ``PAIR_RELATERS`` and tried in order; the first that returns a relation
decides. Adding a relation kind is one module with a function ``(a: Claim, b: Claim) -> Relation | None``
and one ``register`` call here.
"""

from __future__ import annotations

from collections.abc import Callable

from pipelines.claims import Claim, Relation
from pipelines.relations.comparative_pair import relate_comparatives
from pipelines.relations.first_release import relate_first_releases
from pipelines.relations.numeric_pair import relate_figures

PairRelater = Callable[[Claim, Claim], Relation | None]
PAIR_RELATERS: list[PairRelater] = []
"""Tried in order by ``relate``; each returns a relation, or None when the pair is not its kind."""


def register(relater: PairRelater) -> PairRelater:
    """Add a pair relater after those registered before (usable as a decorator)."""
    PAIR_RELATERS.append(relater)
    return relater


def relate(a: Claim, b: Claim) -> Relation | None:
    """The relation of two claims of one cluster and why; None when no relater knows the pair."""
    for relater in PAIR_RELATERS:
        found = relater(a, b)
        if found is not None:
            return found
    return None


register(relate_first_releases)
register(relate_figures)
register(relate_comparatives)

from pipelines.relations.cluster_verdict import ClusterRelations, relate_cluster, verdict_of  # noqa: E402

__all__ = ["PAIR_RELATERS", "ClusterRelations", "PairRelater", "register", "relate", "relate_cluster", "verdict_of"]
