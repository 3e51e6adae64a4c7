"""A comparative claim checked against the figures of its two subjects, boundedly.

"PyTorch has surpassed TensorFlow in stars" against 74k and 180k: the figures imply an order and the
comparative agrees with it or not. Two kinds of metric:

* an **absolute** metric (stars, shares, downloads): a figure of each subject, of periods that are not
  established different and populations that do not differ, ordered by their intervals;
* a **ratio** metric (training or inference speed): a figure *is* a comparison — "PyTorch 3x faster"
  (than TensorFlow, or an unnamed baseline) orders PyTorch above TensorFlow by itself; a figure of the
  other subject counts reversed.

A disagreement is a ``conflicts`` only when the comparative is established to speak of the same period and
population as each figure (``pipelines.relations.established``: the same stated period and population, or
one source and one stated period); one page giving both is a difference of settings, as for two figures
of one page (``pipelines.relations.one_page``), and so are benchmark measurements of two pages
(``pipelines.relations.measurements``: a benchmark does not age either, so page dates make no trend of it);
otherwise ``unresolved``. A comparative of a period established
different from its figures' is a ``trend``; of another population, ``different_scope``.

Bounded at any size: figures are bucketed by period and scope, each bucket reduced to its extremes
(highest and lowest interval ends), and a few representative pairs are related per pair of buckets, so a
comparative against thousands of figures costs O(n) plus a bounded number of relations. ``MAX_COUNTERPARTS``
caps how many figures of the other subject a cluster shows.

Intervals as ``Claim.interval``, with two readings proper to comparisons: an abbreviated count with a plus
("74k+") is a rounded display, so it stands for 74,000 up to the next displayed step; and "up to 77.7%
faster" is still faster, so its ratio starts above 1.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from pipelines.claims import Claim, Kind, Relation, RelationKind, Unit
from pipelines.relations.comparative_pair import WORDS
from pipelines.relations.established import Context, context_of
from pipelines.relations.measurements import ages
from pipelines.relations.one_page import settings_apart
from pipelines.relations.periods import DIFFERENT as DIFFERENT_PERIODS
from pipelines.relations.periods import claim_period, period_key, relate_periods
from pipelines.relations.scopes import DIFFERENT as DIFFERENT_SCOPES
from pipelines.relations.scopes import normalise_scope, relate_scopes
from pipelines.relations.wording import described

SIMILAR = 0.10
"""Two values within 10% of each other are "about the same" ("on par", "within a few percent")."""
MAX_COUNTERPARTS = 20
"""At most this many figures of the other subject are shown in a cluster next to a comparative."""
MAX_BUCKETS = 8
"""Per subject, the largest this many (period, scope) buckets are checked (plus the comparative's document)."""
MAX_RELATIONS = 20
"""At most this many figure relations per comparative."""

_DISPLAY_PLUS = re.compile(r"(\d+(?:[.,]\d+)?)\s*([kKmMbB])\+")
_SCALE = {"k": 1e3, "m": 1e6, "b": 1e9}
_FASTER = re.compile(r"(?i)\b(faster|quicker|speedier)\b")


def comparison_interval(claim: Claim, tolerance: float = 0.05) -> tuple[float, float]:
    """The figure's interval, with "74k+" read as the displayed count (74,000 up to 75,000); kept per claim."""
    cache = claim.__dict__.setdefault("_comparison_intervals", {})
    found = cache.get(tolerance)
    if found is None:
        found = cache[tolerance] = _comparison_interval(claim, tolerance)
    return found


def _comparison_interval(claim: Claim, tolerance: float) -> tuple[float, float]:
    lo, hi = claim.interval(tolerance)
    m = _DISPLAY_PLUS.search(claim.value_text)
    if m and str(claim.comparator) in (">=", ">") and math.isinf(hi) and claim.value is not None:
        digits = m.group(1).replace(",", "")
        decimals = len(digits.split(".")[1]) if "." in digits else 0
        hi = claim.value + _SCALE[m.group(2).lower()] * 10**-decimals
    if claim.unit is Unit.RATIO and str(claim.comparator) == "up_to" and _FASTER.search(claim.value_text):
        lo = math.nextafter(1.0, math.inf)  # "up to 77.7% faster" is faster by something up to 77.7%
    return lo, hi


def order(a: tuple[float, float], b: tuple[float, float]) -> str | None:
    """How interval ``a`` stands to ``b``: ``~`` when all of both lies within SIMILAR of each other, else
    ``>``/``<`` when disjoint, None when they overlap too loosely to say."""
    top, bottom = max(a[1], b[1]), min(a[0], b[0])
    if bottom > 0 and not math.isinf(top) and top / bottom <= 1 + SIMILAR:
        return "~"
    if a[0] > b[1]:
        return ">"
    if a[1] < b[0]:
        return "<"
    return None


def _fits(direction: str, implied: str) -> bool:
    return implied == direction or (implied == "~" and direction != "~")


def _said(comp: Claim) -> str:
    direction = str(comp.comparator)
    said = f"{comp.value_text!r} says {comp.subject} has {WORDS[direction]}"
    if comp.other:
        said += f" than {comp.other}" if direction != "~" else f" (compared with {comp.other})"
    return said


def _context(comp: Claim, fig: Claim) -> Context:
    """``context_of(comp, fig)``, kept on the comparative (a comparative meets the same figure in several of
    the pairs it is checked against)."""
    cache = comp.__dict__.setdefault("_contexts", {})
    found = cache.get(id(fig))
    if found is None or found[0] is not fig:  # the figure is held with it, so its id is never reused here
        found = cache[id(fig)] = (fig, context_of(comp, fig))
    return found[1]


def _context_relation(comp: Claim, figures: Sequence[Claim]) -> Relation | None:
    """A comparative of an established different period, or of another population, than its figures."""
    for fig in figures:
        context = _context(comp, fig)
        if context.period in DIFFERENT_PERIODS and ages(comp, fig):
            return Relation(
                comp.id,
                fig.id,
                RelationKind.TREND,
                f"{described(comp)} vs {', '.join(described(f) for f in figures)}: different periods",
            )
        if context.scope in DIFFERENT_SCOPES:
            return Relation(
                comp.id,
                fig.id,
                RelationKind.DIFFERENT_SCOPE,
                f"{comp.value_text!r} of {comp.scope} vs {fig.value_text} of {fig.scope}: different populations",
            )
    return None


def _established(comp: Claim, figures: Sequence[Claim]) -> bool:
    """The comparative and every figure it is checked against speak of one period and population."""
    return all(_context(comp, f).established for f in figures)


def _verdict(comp: Claim, figures: Sequence[Claim], implied: str) -> tuple[RelationKind, str]:
    """The relation's kind and, for a difference of settings, why."""
    if _fits(str(comp.comparator), implied):
        return RelationKind.AGREES, ""
    if _established(comp, figures):
        return RelationKind.CONFLICTS, ""
    one_page = all(_context(comp, f).same_document for f in figures)
    apart = settings_apart(comp, figures, same_document=one_page)
    if apart is not None:
        return RelationKind.DIFFERENT_SCOPE, apart
    return RelationKind.UNRESOLVED, ""


def _reason(comp: Claim, kind: RelationKind, evidence: str, whom: str, why: str = "") -> str:
    said = _said(comp)
    if kind is RelationKind.AGREES:
        return f"{said}; {evidence} fits: {whom}"
    if kind is RelationKind.CONFLICTS:
        return f"{said}, but {evidence}: {whom}, for the same period and population"
    if kind is RelationKind.DIFFERENT_SCOPE:
        return f"{said}, but {evidence}: {whom}; {why}"
    return f"{said}, but {evidence}: {whom}; not shown to be the same period and population, so it cannot be told"


# --- ratio metrics --------------------------------------------------------------------------------------


def _ratio_seen_from(comp: Claim, fig: Claim) -> tuple[float, float] | None:
    """The figure's ratio as the comparative's subject over its other; None when it is about another pair,
    or when it is not a ratio at all: only a figure normalised to a ratio ("3x", "25.5% faster" -> 1.255)
    orders two subjects; a bare percentage on a speed metric ("1-9%", "exceeding 100%") says nothing of
    which way it goes."""
    if fig.unit is not Unit.RATIO:
        return None
    baseline = fig.other
    if fig.subject == comp.subject and baseline in (comp.other, None):
        flip = False
    elif comp.other and fig.subject == comp.other and baseline in (comp.subject, None):
        flip = True
    else:
        return None
    lo, hi = comparison_interval(fig)
    if flip:
        lo, hi = (1 / hi if hi > 0 else math.inf), (1 / lo if lo > 0 else math.inf)
    return lo, hi


def check_ratio(comp: Claim, figures: Iterable[Claim] | FigureIndex) -> list[Relation]:
    """Relate a comparative on a ratio metric (speed) to the ratio figures between its two subjects.

    At most ``MAX_RELATIONS`` relations: those of the comparative's own document first, then disagreements,
    then agreements. Given a ``FigureIndex`` (built once per cluster), only its representatives are checked:
    every figure while the pair has up to ``EXACT_UP_TO`` of them, else the comparative's own document's and
    the extremes of the largest (period, scope) buckets."""
    index = figures if isinstance(figures, FigureIndex) else FigureIndex(figures)
    # (rank, figure, ratio, implied): the relations themselves (their reasons) are written for the kept ones only.
    found: list[tuple[int, Claim, tuple[float, float], str | None]] = []
    direction = str(comp.comparator)
    for fig in index.ratio_candidates(comp):
        ratio = _ratio_seen_from(comp, fig)
        if ratio is None:
            continue
        context = _context(comp, fig)
        if (context.period in DIFFERENT_PERIODS and ages(comp, fig)) or context.scope in DIFFERENT_SCOPES:
            found.append((3, fig, ratio, None))
            continue
        implied = order(ratio, (1.0, 1.0))
        if implied is None:
            continue
        if fig.document_id == comp.document_id:
            rank = 0
        else:
            rank = 2 if _fits(direction, implied) else 1
        found.append((rank, fig, ratio, implied))
    found.sort(key=lambda x: x[0])
    out: list[Relation] = []
    for _, fig, (lo, hi), implied in found[:MAX_RELATIONS]:
        if implied is None:
            context_relation = _context_relation(comp, [fig])
            assert context_relation is not None
            out.append(context_relation)
            continue
        shown = f"between {lo:.3g} and {hi:.3g}" if not math.isinf(hi) else f"above {lo:.3g}"
        evidence = f"{fig.value_text} for {fig.subject}"
        evidence += f" vs {fig.other}" if fig.other else ""
        evidence += f" puts {comp.subject} over {comp.other or 'the baseline'} {shown}"
        kind, why = _verdict(comp, [fig], implied)
        whom = f"a ratio {WORDS[implied]} than 1"
        out.append(Relation(comp.id, fig.id, kind, _reason(comp, kind, evidence, whom, why)))
    return out


# --- absolute metrics ------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Bucket:
    """Figures of one subject with one period and one scope: their extremes are all a comparison needs."""

    size: int = 0
    highest: tuple[float, Claim] | None = None  # the largest lower end
    lowest: tuple[float, Claim] | None = None  # the smallest upper end

    def add(self, claim: Claim, interval: tuple[float, float]) -> None:
        self.size += 1
        lo, hi = interval
        if self.highest is None or lo > self.highest[0]:
            self.highest = (lo, claim)
        if self.lowest is None or hi < self.lowest[0]:
            self.lowest = (hi, claim)


def _buckets(comp: Claim, figures: Iterable[Claim] | FigureIndex, subject: str) -> list[_Bucket]:
    """``subject``'s figures bucketed by (own document, period, scope); the comparative's document first, then
    the largest ``MAX_BUCKETS``."""
    index = figures if isinstance(figures, FigureIndex) else FigureIndex(figures)
    return index.buckets(comp, subject)


_Key = tuple  # (period key, scope key)


def _bucket_key(fig: Claim) -> _Key:
    scope = normalise_scope(fig.scope)
    return (period_key(claim_period(fig)), scope.key if scope else None)


def _rank(key: _Key, own: bool, size: int) -> tuple:
    return (not own, -size, str((own, *key)))


class _Sorted:
    """Figures of one bucket sorted by lower end (descending) and upper end (ascending), for extremes that
    leave out one document's figures."""

    def __init__(self, figures: list[Claim]) -> None:
        self.by_low = sorted(figures, key=lambda f: -comparison_interval(f)[0])
        self.by_high = sorted(figures, key=lambda f: comparison_interval(f)[1])
        self.size = len(figures)

    def without(self, document_id: str, left_out: int) -> _Bucket:
        """The bucket less the figures of ``document_id`` (``left_out`` of them), as ``_Bucket`` extremes."""
        bucket = _Bucket()
        high, low = self.by_low[0], self.by_high[0]
        if left_out:
            high = next(f for f in self.by_low if f.document_id != document_id)
            low = next(f for f in self.by_high if f.document_id != document_id)
        bucket.highest = (comparison_interval(high)[0], high)
        bucket.lowest = (comparison_interval(low)[1], low)
        bucket.size = self.size - left_out
        return bucket


class _Part:
    """Figures bucketed once: absolute ones by subject, (period, scope) and document; ratio ones by
    (subject, baseline)."""

    def __init__(self, figures: Iterable[Claim], subject_of: Callable[[Claim], str] | None = None) -> None:
        self.figures = [f for f in figures if f.numeric]
        self.absolute: dict[str, dict[_Key, list[Claim]]] = {}
        self.per_document: dict[tuple[str, str], dict[_Key, list[Claim]]] = {}
        self.ratio: dict[tuple[str, str | None], list[Claim]] = {}
        for fig in self.figures:
            self.ratio.setdefault((fig.subject, fig.other), []).append(fig)
            if fig.other is not None:
                continue
            key = _bucket_key(fig)
            subject = subject_of(fig) if subject_of else fig.subject
            self.absolute.setdefault(subject, {}).setdefault(key, []).append(fig)
            self.per_document.setdefault((subject, fig.document_id), {}).setdefault(key, []).append(fig)
        self._ranked: dict[str, list[tuple[_Key, _Sorted]]] = {}
        self._buckets: dict[tuple[str, str], list[_Bucket]] = {}
        self._positions: dict[int, int] | None = None
        self._ratio_groups: dict[tuple[str, str | None], _RatioGroup] = {}

    def ranked(self, subject: str) -> list[tuple[_Key, _Sorted]]:
        """The subject's buckets, largest first, each sorted for its extremes (once)."""
        if subject not in self._ranked:
            self._ranked[subject] = sorted(
                ((key, _Sorted(members)) for key, members in self.absolute.get(subject, {}).items()),
                key=lambda kv: _rank(kv[0], False, kv[1].size),
            )
        return self._ranked[subject]

    def positions(self) -> dict[int, int]:
        if self._positions is None:
            self._positions = {id(f): i for i, f in enumerate(self.figures)}
        return self._positions

    def ratio_group(self, key: tuple[str, str | None]) -> _RatioGroup:
        if key not in self._ratio_groups:
            self._ratio_groups[key] = _RatioGroup(self.ratio[key])
        return self._ratio_groups[key]


class FigureIndex:
    """The figures a cluster checks its comparatives against, bucketed once (not once per comparative).

    Absolute figures (no second subject) by subject and (period, scope), each bucket with its extremes, plus
    per document; ratio figures by (subject, baseline) with their own-document index and bucket extremes.
    ``buckets`` and ``ratio_candidates`` then cost, per comparative, O(buckets touched) plus its own
    document's figures, and give what bucketing every figure for that comparative would give (ties of the
    ratio extremes aside). ``combine`` joins indexes without bucketing again: a listing indexes each other
    subject's figures once for all the clusters that show them.
    """

    def __init__(self, figures: Iterable[Claim] = (), subject_of: Callable[[Claim], str] | None = None) -> None:
        self._parts = [_Part(figures, subject_of)]
        self._merged: dict[str, _Part] = {}
        self._merged_ratio: dict[tuple[str, str | None], _RatioGroup] = {}
        self._by_id: dict[str, Claim] | None = None
        self._candidates: dict[tuple[str, str | None, str], list[Claim]] = {}

    @classmethod
    def combine(cls, *indexes: FigureIndex) -> FigureIndex:
        out = cls()
        out._parts = [p for index in indexes for p in index._parts]
        return out

    @property
    def by_id(self) -> dict[str, Claim]:
        """Every figure by id (built once)."""
        if self._by_id is None:
            self._by_id = {f.id: f for p in self._parts for f in p.figures}
        return self._by_id

    def _part_of(self, subject: str) -> _Part | None:
        """The part holding ``subject``'s absolute figures (merged when several do)."""
        holding = [p for p in self._parts if subject in p.absolute]
        if len(holding) <= 1:
            return holding[0] if holding else None
        if subject not in self._merged:
            side = {id(f): subject for p in holding for ms in p.absolute[subject].values() for f in ms}
            self._merged[subject] = _Part([f for p in holding for f in p.figures if id(f) in side], lambda f: subject)
        return self._merged[subject]

    def buckets(self, comp: Claim, subject: str) -> list[_Bucket]:
        """What bucketing ``subject``'s figures for ``comp`` gives: its document's buckets, then the largest.
        The same for every comparative of one document: kept per document with the figures (an index that
        joins them again finds them made); readers must not modify them."""
        part = self._part_of(subject)
        if part is None:
            return []
        key = (comp.document_id, subject)
        found = part._buckets.get(key)
        if found is None:
            found = part._buckets[key] = self._bucketed(part, comp.document_id, subject)
        return found

    @staticmethod
    def _bucketed(part: _Part, document_id: str, subject: str) -> list[_Bucket]:
        mine = part.per_document.get((subject, document_id), {})
        own: list[tuple[tuple, _Bucket]] = []
        for key, members in mine.items():
            bucket = _Bucket()
            for fig in members:
                bucket.add(fig, comparison_interval(fig))
            own.append((_rank(key, True, len(members)), bucket))
        own.sort(key=lambda kv: kv[0])
        rest: list[tuple[tuple, _Bucket]] = []
        # Only buckets holding the document's figures shrink: the largest MAX_BUCKETS of the rest lie among
        # the first MAX_BUCKETS + len(mine) of the whole ranking.
        for key, sorted_bucket in part.ranked(subject)[: MAX_BUCKETS + len(mine)]:
            left_out = len(mine.get(key, ()))
            if left_out >= sorted_bucket.size:
                continue
            bucket = sorted_bucket.without(document_id, left_out)
            rest.append((_rank(key, False, sorted_bucket.size - left_out), bucket))
        rest.sort(key=lambda kv: kv[0])
        return [b for _, b in own] + [b for _, b in rest[:MAX_BUCKETS]]

    def _ratio_group(self, key: tuple[str, str | None]) -> _RatioGroup | None:
        holding = [p for p in self._parts if key in p.ratio]
        if len(holding) <= 1:
            return holding[0].ratio_group(key) if holding else None
        if key not in self._merged_ratio:
            self._merged_ratio[key] = _RatioGroup([f for p in holding for f in p.ratio[key]])
        return self._merged_ratio[key]

    def ratio_candidates(self, comp: Claim) -> list[Claim]:
        """The ratio figures ``check_ratio`` relates ``comp`` to, in the order they were given (kept per pair of
        subjects and document; readers must not modify them)."""
        key = (comp.subject, comp.other, comp.document_id)
        found = self._candidates.get(key)
        if found is None:
            found = self._candidates[key] = self._ratio_candidates(comp)
        return found

    def _ratio_candidates(self, comp: Claim) -> list[Claim]:
        keys: list[tuple[str, str | None]] = [(comp.subject, comp.other), (comp.subject, None)]
        if comp.other:
            keys += [(comp.other, comp.subject), (comp.other, None)]
        picked: dict[int, Claim] = {}
        for key in dict.fromkeys(keys):
            group = self._ratio_group(key)
            if group is not None:
                picked.update((id(f), f) for f in group.candidates(comp.document_id))
        if len(picked) <= 1:
            return list(picked.values())
        return sorted(picked.values(), key=self._position)

    def _position(self, fig: Claim) -> tuple[int, int]:
        """Where the figure was given: its part, then its place in it."""
        for i, part in enumerate(self._parts):
            found = part.positions().get(id(fig))
            if found is not None:
                return (i, found)
        return (len(self._parts), 0)


EXACT_UP_TO = 16
"""Ratio figures of one (subject, baseline) up to this many are all checked; above, representatives."""
RATIO_BUCKETS = 4
"""Above ``EXACT_UP_TO``: the extremes of this many largest (period, scope) buckets of ratio figures."""


class _RatioGroup:
    """Ratio figures of one subject over one baseline: all when few; else per document, and the extremes of
    the largest (period, scope) buckets and of the whole group."""

    def __init__(self, figures: list[Claim]) -> None:
        self.figures = figures
        self.exact = len(figures) <= EXACT_UP_TO
        if self.exact:
            return
        self.by_document: dict[str, list[Claim]] = {}
        buckets: dict[_Key, list[Claim]] = {}
        for fig in figures:
            self.by_document.setdefault(fig.document_id, []).append(fig)
            buckets.setdefault(_bucket_key(fig), []).append(fig)
        largest = sorted(buckets.items(), key=lambda kv: _rank(kv[0], False, len(kv[1])))[:RATIO_BUCKETS]
        reps: list[Claim] = []
        for _, members in [(None, figures), *largest]:
            reps.append(max(members, key=lambda f: comparison_interval(f)[0]))
            reps.append(min(members, key=lambda f: comparison_interval(f)[1]))
        self.representatives = reps

    def candidates(self, document_id: str) -> list[Claim]:
        if self.exact:
            return self.figures
        return [*self.by_document.get(document_id, ()), *self.representatives]


def _orderable(a: Claim, b: Claim) -> bool:
    """Figures of two subjects that speak of one time and population (not established different)."""
    if relate_periods(claim_period(a), claim_period(b)) in DIFFERENT_PERIODS:
        return False
    return relate_scopes(a.scope, b.scope) not in DIFFERENT_SCOPES


def _pair_relation(comp: Claim, a: Claim, b: Claim) -> Relation | None:
    context = _context_relation(comp, [a, b])
    if context is not None:
        return Relation(comp.id, a.id, context.kind, context.reason)
    implied = order(comparison_interval(a), comparison_interval(b))
    if implied is None:
        return None
    evidence = f"{comp.subject} {a.value_text} vs {comp.other} {b.value_text}"
    kind, why = _verdict(comp, [a, b], implied)
    return Relation(comp.id, a.id, kind, _reason(comp, kind, evidence, f"{comp.subject} has {WORDS[implied]}", why))


def check_absolute(
    comp: Claim, mine: Iterable[Claim] | FigureIndex, theirs: Iterable[Claim] | None = None
) -> list[tuple[Claim, Claim, Relation]]:
    """Relate a comparative on an absolute metric (stars, share) to representative pairs of its subjects' figures.

    Returns:
        (figure of the subject, figure of the other, relation) for at most ``MAX_RELATIONS`` pairs: per pair of
        buckets the pair most against the comparative's order and the pair most for it.
    """
    if comp.other is None:
        return []
    if isinstance(mine, FigureIndex):
        index = mine
    else:
        mine, theirs = list(mine), list(theirs or ())
        side = {id(f): comp.subject for f in mine} | {id(f): comp.other for f in theirs or ()}
        index = FigureIndex([*mine, *(theirs or ())], subject_of=lambda f: side[id(f)])
    out: list[tuple[Claim, Claim, Relation]] = []
    seen: set[tuple[str, str]] = set()
    direction = str(comp.comparator)
    theirs_buckets = index.buckets(comp, comp.other)
    for bm in index.buckets(comp, comp.subject):
        for bt in theirs_buckets:
            assert bm.highest and bm.lowest and bt.highest and bt.lowest
            # Extremes: mine lowest vs theirs highest says "<" if anything does; mine highest vs theirs lowest ">".
            candidates = [(bm.lowest[1], bt.highest[1]), (bm.highest[1], bt.lowest[1])]
            if direction == "<":
                candidates.reverse()
            for a, b in candidates:
                if (a.id, b.id) in seen or not _orderable(a, b):
                    continue
                seen.add((a.id, b.id))
                relation = _pair_relation(comp, a, b)
                if relation is not None:
                    out.append((a, b, relation))
                if len(out) >= MAX_RELATIONS:
                    return out
    return out


def figures_read(comp: Claim, index: FigureIndex, *, ratio: bool) -> tuple:
    """The figures ``relate_comparative_to_figures(comp, index, ratio=ratio)`` relates ``comp`` to, by id and in
    order: all it reads of the index. Two indexes that give the same tuple give the same relations, so with
    claims that never change under their id it keys a memo of them (``judge_cluster``)."""
    if comp.kind is not Kind.COMPARATIVE:
        return ()
    if ratio:
        return ("ratio", *(f.id for f in index.ratio_candidates(comp)))
    if comp.other is None:
        return ()
    sides = (index.buckets(comp, comp.subject), index.buckets(comp, comp.other))
    return tuple(tuple((b.highest[1].id, b.lowest[1].id) for b in side if b.highest and b.lowest) for side in sides)


def relate_comparative_to_figures(
    comp: Claim, figures: Sequence[Claim] | FigureIndex, *, ratio: bool
) -> list[Relation]:
    """Every relation (comparative -> figure) a cluster shows for one comparative, bounded.

    Args:
        comp: The comparative claim.
        figures: Numeric claims of its two subjects on the metric, or a ``FigureIndex`` of them built once
            for all the cluster's comparatives.
        ratio: Whether the metric's figures are ratios between subjects (speed).
    """
    if comp.kind is not Kind.COMPARATIVE:
        return []
    index = figures if isinstance(figures, FigureIndex) else FigureIndex(figures)
    if ratio:
        return check_ratio(comp, index)
    out: list[Relation] = []
    for a, b, r in check_absolute(comp, index):
        out += [Relation(comp.id, a.id, r.kind, r.reason), Relation(comp.id, b.id, r.kind, r.reason)]
    return out
