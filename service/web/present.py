"""What the pages show, computed from the cluster views ``service.core`` gives (pure functions, no I/O).

- ``rank``: the clusters worth a look first: established conflicts, then the most documents, then the most
  recent period;
- ``figures``: a cluster's claims grouped into distinct figures (70% said by five documents is one row);
- ``conflict_pairs``: its conflicting relations as pairs of figures, each once, with the reason in words;
- ``matches`` / ``in_period``: the search box and the filters of the cluster list.

The views are dicts as ``core.cluster_views`` returns them; nothing here reads the store, so the pages can
move to another serializer by changing what they pass in.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from pipelines.catalogue import DIMENSIONS
from service.display import format_value, readable_reason
from service.filters import fold

COMPARATOR_WORDS = {
    ">": "over",
    ">=": "at least",
    "<": "under",
    "<=": "at most",
    "~": "about",
    "up_to": "up to",
}
UNDATED = "undated"


def figure_text(value: float | None, value_high: float | None, comparator: str, unit: str) -> str:
    """A figure in words from its normalised parts: "70%", "over 75%", "18% – 25%", "about 3,000"."""
    if value is None:
        return "no figure"
    low = format_value(value, unit)
    if value_high is not None and value_high != value:
        return f"{low} – {format_value(value_high, unit)}"
    words = COMPARATOR_WORDS.get(comparator)
    return f"{words} {low}" if words else low


def period_of(claim: dict) -> str:
    return str(claim.get("time") or UNDATED)


def _year(period: str) -> int | None:
    head = period[:4]
    return int(head) if head.isdigit() else None


def latest_period(view: dict) -> str:
    """The most recent period any claim of the cluster is about ("" when none is dated)."""
    return max((str(c["time"]) for c in view["claims"] if c.get("time")), default="")


def documents_of(view: dict) -> int:
    """How many documents the cluster's claims come from."""
    return len({m["document"] for c in view["claims"] for m in c["mentions"]})


def established(view: dict) -> bool:
    """The cluster's verdict is a conflict: two figures for the same scope and period cannot both be true."""
    return view.get("verdict") == "conflicts"


def rank(
    views: Iterable[dict],
    documents: Callable[[dict], int] = documents_of,
    latest: Callable[[dict], str] = latest_period,
) -> list[dict]:
    """Clusters in the order a person should read them: established conflicts first, then the ones most
    documents talk about, then the most recent; the catch-all metric ``other`` after named metrics.
    ``documents`` and ``latest``: ``documents_of`` and ``latest_period``, for a caller that keeps them."""
    out = sorted(views, key=lambda v: (v.get("subject", ""), v.get("metric", "")))
    out.sort(key=latest, reverse=True)  # stable sorts: the last one decides first
    out.sort(key=lambda v: (not established(v), v.get("metric") == "other", -documents(v)))
    return out


# --- a cluster's figures ------------------------------------------------------------------------------------


@dataclass
class Figure:
    """Claims of one cluster that state the same figure (same value, bounds, comparator and unit)."""

    key: tuple
    text: str
    unit: str
    value: float | None
    subject: str = ""
    counterpart: bool = False
    """About another framework: shown because a comparison in the cluster is checked against it."""
    claims: list[dict] = field(default_factory=list)
    conflicting: bool = False
    label: str = ""
    """A short name for the figure in the chart and the conflict list: "F3"."""

    @property
    def written(self) -> list[str]:
        """Every way the figure was written (each mention of each claim), most frequent first."""
        counts: dict[str, int] = {}
        for c in self.claims:
            for text in [m["value_text"] for m in c.get("mentions") or []] or [c["value_text"]]:
                counts[text] = counts.get(text, 0) + 1
        return sorted(counts, key=lambda w: (-counts[w], w))

    def written_first(self, shown: Iterable[str]) -> list[str]:
        """The ways the figure was written, those highlighted in the excerpts shown first (in their order),
        then the others, most frequent first."""
        ordered = list(dict.fromkeys(w for w in shown if w))
        return ordered + [w for w in self.written if w not in ordered]

    @property
    def periods(self) -> list[tuple[str, int]]:
        """(period, how many claims) in time order, undated last."""
        counts: dict[str, int] = {}
        for c in self.claims:
            counts[period_of(c)] = counts.get(period_of(c), 0) + 1
        return sorted(counts.items(), key=lambda p: (p[0] == UNDATED, p[0]))

    @property
    def documents(self) -> int:
        return len({m["document"] for c in self.claims for m in c["mentions"]})


def _figure_key(claim: dict) -> tuple:
    side = (bool(claim.get("counterpart")), claim["subject"] if claim.get("counterpart") else "")
    if claim.get("value") is None:  # a comparison without a number: one row per claim
        return (*side, "comparison", claim["claim_id"])
    high = claim.get("value_high")
    value = (claim["unit"], claim["comparator"], round(claim["value"], 9), None if high is None else round(high, 9))
    return (*side, *value)


def figures(view: dict) -> list[Figure]:
    """The cluster's claims grouped into distinct figures: its own by unit then value, comparisons without a
    number next, then the figures of other frameworks that a comparison is checked against. A figure is
    conflicting when one of its claims is in a conflicting relation."""
    conflicting = {x for r in view["relations"] if r["relation"] == "conflicts" for x in (r["a"], r["b"])}
    groups: dict[tuple, Figure] = {}
    for claim in view["claims"]:
        key = _figure_key(claim)
        if key not in groups:
            text = figure_text(claim.get("value"), claim.get("value_high"), claim["comparator"], claim["unit"])
            if claim.get("value") is None:
                text = claim["value_text"]
            groups[key] = Figure(
                key=key,
                text=text,
                unit=claim["unit"],
                value=claim.get("value"),
                subject=claim["subject"],
                counterpart=bool(claim.get("counterpart")),
            )
        groups[key].claims.append(claim)
        groups[key].conflicting |= claim["claim_id"] in conflicting

    def order(f: Figure) -> tuple:
        value = f.value if f.value is not None and math.isfinite(f.value) else math.inf
        return (f.counterpart, f.subject if f.counterpart else "", f.value is None, f.unit, value, repr(f.key))

    out = sorted(groups.values(), key=order)
    for i, f in enumerate(out, start=1):
        f.label = f"F{i}"
    return out


@dataclass(frozen=True)
class Pair:
    """Two figures of a cluster in conflict, with how many claim pairs say so and one reason in words."""

    a: Figure
    b: Figure
    claim_pairs: int
    reason: str


def conflict_pairs(view: dict, figs: Sequence[Figure]) -> list[Pair]:
    """The conflicting relations of a cluster, one per pair of distinct figures (the most frequent first)."""
    of_claim = {c["claim_id"]: f for f in figs for c in f.claims}
    position = {f.label: i for i, f in enumerate(figs)}
    found: dict[tuple[str, str], list[dict]] = {}
    for r in view["relations"]:
        if r["relation"] != "conflicts" or r["a"] not in of_claim or r["b"] not in of_claim:
            continue
        a, b = sorted((of_claim[r["a"]], of_claim[r["b"]]), key=lambda f: position[f.label])
        if a is not b:
            found.setdefault((a.label, b.label), []).append(r)
    by_label = {f.label: f for f in figs}
    pairs = [
        Pair(a=by_label[la], b=by_label[lb], claim_pairs=len(rs), reason=readable_reason(rs[0]["reason"]))
        for (la, lb), rs in found.items()
    ]
    return sorted(pairs, key=lambda p: (-p.claim_pairs, position[p.a.label], position[p.b.label]))


# --- search and filters -------------------------------------------------------------------------------------


def matches(view: dict, query: str, name_of: Callable[[str], str]) -> bool:
    """Whether every word of ``query`` is in the cluster's framework, metric, reason or claims (any case)."""
    words = fold(query).split()
    if not words:
        return True
    parts = [view.get("subject", ""), name_of(view.get("subject", "")), view.get("metric", ""), view.get("reason", "")]
    for c in view["claims"]:
        parts += [c.get("value_text") or "", c.get("scope") or "", c.get("source") or ""]
        parts += [m["document"] for m in c["mentions"][:1]]
    haystack = fold(" ".join(parts))
    return all(w in haystack for w in words)


def in_period(view: dict, since: int | None, until: int | None) -> bool:
    """Whether a claim of the cluster is about a year within ``since``..``until`` (either may be open)."""
    if since is None and until is None:
        return True
    for c in view["claims"]:
        year = _year(str(c.get("time") or ""))
        if year is not None and (since is None or year >= since) and (until is None or year <= until):
            return True
    return False


def year_or_none(text: str | None) -> int | None:
    """A year typed in a filter ("2023", " 2023 "), else None."""
    text = (text or "").strip()
    return int(text) if re.fullmatch(r"\d{4}", text) else None


def subject_label(view: dict, name_of: Callable[[str], str]) -> str:
    """Who a cluster is about, as its key says it: "PyTorch vs TensorFlow", "TensorFlow 2.0", and the unit
    dimension when it is not the metric's own ("TensorFlow (share)"), so that two clusters of one framework
    and metric never read alike."""
    key = view.get("key") or ""
    head, sep, rest = key.partition(" — ")
    label = head if sep and head else name_of(view["subject"])
    dimension = re.search(r" \((\w+)\)$", rest) if sep else None
    return f"{label} ({dimension.group(1)})" if dimension and dimension.group(1) in DIMENSIONS else label


def summary_row(view: dict, name_of: Callable[[str], str]) -> dict[str, Any]:
    """One cluster as a row of the cluster list and its CSV/JSON download."""
    figs = [f for f in figures(view) if not f.counterpart]
    # The figures a reader should see first: those in conflict, then the most often stated.
    shown = sorted(figs, key=lambda f: (not f.conflicting, -len(f.claims), figs.index(f)))
    return {
        "cluster_id": view["cluster_id"],
        "subject": view["subject"],
        "framework": subject_label(view, name_of),
        "metric": view["metric"],
        "verdict": view["verdict"],
        "reason": readable_reason(view["reason"]),
        "claims": len(view["claims"]),
        "figures": len(figs),
        "documents": documents_of(view),
        "latest_period": latest_period(view) or None,
        "values": [{"figure": f.text, "claims": len(f.claims), "conflicting": f.conflicting} for f in shown],
    }
