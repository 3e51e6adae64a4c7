"""Candidate recall: how many gold claim values the rules propose at all, per unit dimension.

The tagger can only accept what ``pipelines.quantities`` proposes, so a value no candidate overlaps is
lost before any model runs. For every gold claim value (label ``claim``) of a set of annotated
documents this counts: covered (some candidate that the extractor sends to the tagger overlaps it),
exact (a candidate has exactly its span) and, where the gold value is known in a dimension, whether the
overlapping candidate's normalised value agrees (``quantities.value_as``, tables read through their
column titles' units). It also counts candidates per 1,000 words of clean text, so that recall is never
bought with a flood of candidates.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from pipelines.ingest import Article, article_from_text
from pipelines.quantities import find_quantities, value_as
from pipelines.tables import apply_header_unit, header_unit, table_cell
from pipelines.types import Quantity

NOT_SENT = frozenset({"version", "ordinal"})
"""Kinds proposed but never sent to the tagger (``pipelines.extract.pipeline.NOT_MEASURES``)."""
_V1_DIMENSION = {"percent": "share", "count": "count", "ratio": "ratio", "year": "date", "rank": "rank", "usd": "money"}


@dataclass(frozen=True, kw_only=True, slots=True)
class GoldValue:
    """One gold claim value: its span in the ORIGINAL text, dimension and normalised value (if known)."""

    start: int
    end: int
    text: str
    dimension: str | None
    value: float | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class RecallDocument:
    id: str
    split: str
    text: str
    fmt: str
    gold: tuple[GoldValue, ...]


@dataclass
class Tally:
    gold: int = 0
    covered: int = 0
    exact: int = 0
    checked: int = 0
    agrees: int = 0

    @property
    def recall(self) -> float:
        return self.covered / self.gold if self.gold else 0.0


@dataclass
class SplitReport:
    split: str
    words: int = 0
    candidates: int = 0
    sent: int = 0
    documents: int = 0
    by_dimension: dict[str, Tally] = field(default_factory=dict)
    misses: list[str] = field(default_factory=list)

    @property
    def total(self) -> Tally:
        out = Tally()
        for t in self.by_dimension.values():
            out.gold += t.gold
            out.covered += t.covered
            out.exact += t.exact
            out.checked += t.checked
            out.agrees += t.agrees
        return out

    def per_1000_words(self, count: int) -> float:
        return 1000 * count / self.words if self.words else 0.0


def documents_from_records(records: Iterable[dict[str, Any]]) -> list[RecallDocument]:
    """Recall documents from built annotation records (``annotations.load_split``: text attached)."""
    out = []
    for r in records:
        spans = {s["id"]: s for s in r["spans"]}
        gold = []
        for c in r["claims"]:
            if c["label"] != "claim":
                continue
            s = spans[c["span"]]
            dimension = c.get("dimension") or _V1_DIMENSION.get(c.get("unit") or "")
            # Schema v1 wrote times and sizes as written; their values are not compared.
            value = c.get("value") if (c.get("dimension") or c.get("unit") != "other") else None
            gold.append(GoldValue(start=s["start"], end=s["end"], text=s["text"], dimension=dimension, value=value))
        name = str(r.get("path") or r["id"])
        fmt = "html" if name.lower().endswith((".html", ".htm")) else "text"
        out.append(RecallDocument(id=r["id"], split=r["split"], text=r["text"], fmt=fmt, gold=tuple(gold)))
    return out


def documents_from_gold(docs: Iterable[Any]) -> list[RecallDocument]:
    """Recall documents from parsed ``.ann`` files (``annotations.parse_ann`` results)."""
    out = []
    for d in docs:
        gold = tuple(
            GoldValue(start=c.start, end=c.end, text=c.text, dimension=c.dimension, value=c.value)
            for c in d.claims
            if c.label == "claim"
        )
        out.append(RecallDocument(id=d.id, split=d.split, text=d.text, fmt="text", gold=gold))
    return out


def table_read(article: Article, q: Quantity) -> Quantity:
    """A candidate read through the unit its table states: the column title's, else the row header's
    (a transposed table), else the caption's."""
    cell = table_cell(article.clean, q.start)
    if cell is None:
        return q
    for where in (cell.column_title, cell.row_header, cell.caption):
        unit = header_unit(where.text) if where is not None else None
        if unit is not None:
            return apply_header_unit(q, unit)
    return q


def _agrees(q: Quantity, gold: GoldValue) -> bool | None:
    if gold.value is None or gold.dimension is None:
        return None
    got = value_as(q, gold.dimension)
    return got is not None and math.isclose(got, gold.value, rel_tol=0.01, abs_tol=1e-9)


def candidate_recall(documents: Iterable[RecallDocument], *, keep_misses: bool = False) -> dict[str, SplitReport]:
    """Per split: gold values covered by a candidate, per dimension, and candidates per 1,000 words.

    Args:
        documents: Annotated documents (original text + gold value spans in it).
        keep_misses: Also list every gold value no candidate covers, with a little context.

    Returns:
        One report per split, keyed by split name.
    """
    reports: dict[str, SplitReport] = {}
    for doc in documents:
        report = reports.setdefault(doc.split, SplitReport(doc.split))
        article = article_from_text(doc.text, name=doc.id, fmt=doc.fmt)
        found = find_quantities(article.clean)
        report.documents += 1
        report.words += len(article.clean.split())
        report.candidates += len(found)
        sent = []
        for q in found:
            if q.kind in NOT_SENT:
                continue
            start, end = article.to_original(q.start, q.end)
            sent.append((start, end, table_read(article, q)))
        report.sent += len(sent)
        for g in doc.gold:
            tally = report.by_dimension.setdefault(g.dimension or "none", Tally())
            tally.gold += 1
            over = [(s, e, q) for s, e, q in sent if s < g.end and g.start < e]
            if not over:
                if keep_misses:
                    context = doc.text[max(0, g.start - 40) : g.end + 30].replace("\n", " ")
                    report.misses.append(f"{doc.id} {g.dimension}: {g.text!r} … {context} …")
                continue
            tally.covered += 1
            tally.exact += any((s, e) == (g.start, g.end) for s, e, _ in over)
            verdict = _agrees(over[0][2], g)
            if verdict is not None:
                tally.checked += 1
                tally.agrees += verdict
    return reports


def format_report(reports: dict[str, SplitReport]) -> str:
    """The reports as a plain-text table (one line per split and dimension, then the split's totals)."""
    lines = [
        f"{'split':<6} {'dimension':<9} {'gold':>5} {'covered':>7} {'recall':>6} {'exact':>6} {'value ok':>8}",
    ]
    for split, rep in reports.items():
        for dim, t in sorted(rep.by_dimension.items()) + [("ALL", rep.total)]:
            value = f"{t.agrees / t.checked:.3f}" if t.checked else "-"
            exact = f"{t.exact / t.covered:.3f}" if t.covered else "-"
            lines.append(f"{split:<6} {dim:<9} {t.gold:>5} {t.covered:>7} {t.recall:>6.3f} {exact:>6} {value:>8}")
        lines.append(
            f"{split:<6} {rep.documents} documents, {rep.words:,} words: {rep.per_1000_words(rep.candidates):.1f} "
            f"candidates / 1,000 words ({rep.per_1000_words(rep.sent):.1f} sent to the tagger)"
        )
    return "\n".join(lines)
