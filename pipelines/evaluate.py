"""Score extraction systems against gold annotations, side by side on the same data.

Mentions match gold claims one-to-one by value-span overlap (original offsets). Reported: precision,
recall and F1 of mentions, and on matched mentions the accuracy of subject, metric, value and comparator.
Systems: the trained tagger, a rules-only baseline (same candidates, hand-written decision), and
quantulum3 (its quantities as candidates, the same hand-written decision).
"""

from __future__ import annotations

import math
import re
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipelines.catalogue import Catalogue, default_catalogue
from pipelines.extract.pipeline import NOT_MEASURES, Candidate, Extractor, candidates, load_nlp, provenance
from pipelines.extract.resolve import metric_kinds_for
from pipelines.ingest import Article
from pipelines.quantities import parse_quantity
from pipelines.train import gold_claims, record_article
from pipelines.types import Mention, Quantity, Span

# Kinds of quantity that the rules baseline never takes for claims: those the extractor never asks its
# tagger about, and dates and money, which the tagger decides on but the rules cannot.
_NEVER = NOT_MEASURES | {"date", "money"}
_RELEASE = re.compile(r"\b(launch|release|introduc|open[- ]sourc|debut|creat|came out|first appeared)", re.I)
_SLOTS_WITH_GOLD = ("version", "dimension", "time", "scope", "source")


@dataclass
class Score:
    """Mention P/R/F1 by value-span overlap; on matched mentions, the accuracy of each slot.

    ``claim_tp`` counts matched mentions whose subject (with its version), metric and value are all
    right: the strict *claim* precision, recall and F1. Time, scope and source are scored on the matched
    mentions whose gold claim has them (``slot_gold``): time must be filled and name the same period;
    scope and source must overlap the gold phrase by half its words or more.
    """

    system: str
    tp: int = 0
    fp: int = 0
    fn: int = 0
    correct: dict[str, int] = field(default_factory=lambda: {"subject": 0, "metric": 0, "value": 0, "comparator": 0})
    claim_tp: int = 0
    points: list[tuple[float, bool]] = field(default_factory=list)
    """(confidence, matched a gold claim) of every mention, for precision and recall at other thresholds."""
    slot_right: dict[str, int] = field(default_factory=lambda: {k: 0 for k in _SLOTS_WITH_GOLD})
    slot_gold: dict[str, int] = field(default_factory=lambda: {k: 0 for k in _SLOTS_WITH_GOLD})
    errors: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def accuracy(self, key: str) -> float:
        return self.correct[key] / self.tp if self.tp else 0.0

    @property
    def claim_precision(self) -> float:
        return self.claim_tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def claim_recall(self) -> float:
        return self.claim_tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def claim_f1(self) -> float:
        p, r = self.claim_precision, self.claim_recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def slot_accuracy(self, key: str) -> float:
        return self.slot_right[key] / self.slot_gold[key] if self.slot_gold[key] else 0.0

    def merge(self, other: Score) -> Score:
        """The score of two disjoint sets of documents together (cross-validation folds)."""
        out = Score(self.system, self.tp + other.tp, self.fp + other.fp, self.fn + other.fn)
        out.correct = {k: self.correct[k] + other.correct[k] for k in self.correct}
        out.claim_tp = self.claim_tp + other.claim_tp
        out.slot_right = {k: self.slot_right[k] + other.slot_right[k] for k in self.slot_right}
        out.slot_gold = {k: self.slot_gold[k] + other.slot_gold[k] for k in self.slot_gold}
        out.errors = self.errors + other.errors
        out.points = self.points + other.points
        return out

    def at_threshold(self, threshold: float) -> tuple[float, float]:
        """(precision, recall) of the mentions whose confidence is at least ``threshold``."""
        kept = [tp for confidence, tp in self.points if confidence >= threshold]
        tp = sum(kept)
        gold = self.tp + self.fn
        return (tp / len(kept) if kept else 0.0), (tp / gold if gold else 0.0)

    def as_dict(self) -> dict[str, Any]:
        return {
            "system": self.system,
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            **{f"{k}_accuracy": round(self.accuracy(k), 4) for k in self.correct},
            "claim_precision": round(self.claim_precision, 4),
            "claim_recall": round(self.claim_recall, 4),
            "claim_f1": round(self.claim_f1, 4),
            **{f"{k}_accuracy": round(self.slot_accuracy(k), 4) for k in self.slot_right},
            **{f"{k}_gold": self.slot_gold[k] for k in self.slot_gold},
        }


_WORD = re.compile(r"\w+")


def _phrase_matches(predicted: str | None, gold: str | None) -> bool:
    """A predicted phrase matches the gold one when it holds at least half of the gold phrase's words and
    no more than twice as many words (a whole phrase, neither a fragment nor the whole sentence)."""
    if not predicted or not gold:
        return False
    p, g = _WORD.findall(predicted.lower()), _WORD.findall(gold.lower())
    if not g:
        return False
    shared = len(set(p) & set(g))
    return shared >= max(1, len(set(g)) / 2) and len(p) <= 2 * len(g) + 2


def _same_subject(m: Mention, gold: dict[str, Any], gold_slots: dict[str, str]) -> bool:
    """The subject is right: the same id, or, for a library the catalogue does not know, the slug of
    the gold subject's name."""
    from pipelines.extract.frame import slug

    want = gold["subjects"][0]
    if m.subject == want:
        return True
    text = gold_slots.get("subject")
    if not text:
        return False
    return m.subject == slug(text)


def _same_version(a: str | None, b: str | None) -> bool:
    norm = lambda v: (v or "").lower().removeprefix("v").removesuffix(".0").removesuffix(".x")  # noqa: E731
    return norm(a) == norm(b)


def _same_value(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is b
    return math.isclose(a, b, rel_tol=0.005, abs_tol=1e-9)


def score(
    system: str, records: Sequence[dict[str, Any]], predicted: Sequence[Sequence[Mention]], kind: str = "numeric"
) -> Score:
    """Mention P/R/F1 and slot accuracies of one kind of claim: ``numeric`` figures or ``comparative`` cues."""
    result = Score(system)
    labels = ("claim",) if kind == "numeric" else ("comparative",)
    for record, mentions in zip(records, predicted, strict=True):
        golds = gold_claims(record, labels)
        used: set[int] = set()
        for m in mentions:
            if m.kind != kind:
                continue
            match = next(
                (
                    i
                    for i, g in enumerate(golds)
                    if i not in used and g["start"] < m.value_end and m.value_start < g["end"]
                ),
                None,
            )
            result.points.append((m.confidence, match is not None))
            if match is None:
                result.fp += 1
                result.errors.append(f"FP {record['id']}: {m.value_text!r} ({m.subject}, {m.metric})")
                continue
            used.add(match)
            g = golds[match]
            result.tp += 1
            gold_slots = {label: span["text"] for label, span in reversed(g["slots"])}
            gold_version = (g.get("versions") or [None])[0]
            checks = {
                "subject": _same_subject(m, g, gold_slots),
                "metric": m.metric == g["metric"],
                "value": kind == "comparative" or _same_value(m.value, g["value"]),
                "comparator": m.comparator == g["comparator"],
            }
            if checks["subject"] and checks["metric"] and checks["value"] and _same_version(m.version, gold_version):
                result.claim_tp += 1
            slot_checks = {
                "version": (gold_version is not None, _same_version(m.version, gold_version)),
                "dimension": (g.get("dimension") is not None, m.dimension == g.get("dimension")),
                "time": (g.get("time") is not None, m.time is not None and m.time == g.get("time")),
                "scope": ("scope" in gold_slots, _phrase_matches(m.scope, gold_slots.get("scope"))),
                "source": ("source" in gold_slots, _phrase_matches(m.source, gold_slots.get("source"))),
            }
            for key, (has_gold, ok) in slot_checks.items():
                if has_gold:
                    result.slot_gold[key] += 1
                    result.slot_right[key] += ok
                    if not ok:
                        result.errors.append(f"{key} {record['id']}: {m.value_text!r} got {getattr(m, key)!r}")
            for key, ok in checks.items():
                result.correct[key] += ok
                if not ok:
                    got = {"subject": m.subject, "metric": m.metric, "value": m.value, "comparator": m.comparator}[key]
                    want = {
                        "subject": g["subjects"][0],
                        "metric": g["metric"],
                        "value": g["value"],
                        "comparator": g["comparator"],
                    }[key]
                    result.errors.append(f"{key} {record['id']}: {m.value_text!r} got {got!r}, gold {want!r}")
        for i, g in enumerate(golds):
            if i not in used:
                result.fn += 1
                result.errors.append(f"FN {record['id']}: {g['text']!r} ({g['subjects']}, {g['metric']})")
    return result


class RulesBaseline:
    """Hand-written decision over the same candidates: a framework in the sentence and a claim-like kind.

    Subject: the framework named nearest before the value (else after); metric: the catalogue metric
    whose alias stands nearest the value in the sentence, among those whose unit kind fits.
    """

    def __init__(self, catalogue: Catalogue | None = None, nlp: Any = None) -> None:
        self.catalogue = catalogue or default_catalogue()
        self.nlp = nlp
        alias_patterns = {}
        for mid, metric in self.catalogue.metrics.items():
            if metric.aliases:
                alt = "|".join(re.escape(a) for a in sorted(metric.aliases, key=len, reverse=True))
                alias_patterns[mid] = re.compile(rf"\b(?:{alt})\b", re.I)
        self._aliases = alias_patterns

    def run(
        self, articles: Sequence[Article], proposer: Callable[[Article, Any], list[Candidate]] | None = None
    ) -> list[list[Mention]]:
        if self.nlp is None:
            self.nlp = load_nlp()
        out = []
        for article in articles:
            doc = self.nlp(article.clean)
            cands = proposer(article, doc) if proposer else candidates(doc, article.clean)
            out.append([m for c in cands if (m := self._decide(article, c)) is not None])
        return out

    def _decide(self, article: Article, cand: Candidate) -> Mention | None:
        q = cand.quantity
        sentence = article.clean[cand.sent_start : cand.sent_end]
        if q.kind in _NEVER:
            return None
        if q.kind == "year" and not _RELEASE.search(sentence):
            return None
        if q.kind == "number" and q.unit != "count":
            return None
        hits = self.catalogue.find_frameworks(sentence)
        if not hits:
            return None
        rel = q.start - cand.sent_start
        before = [h for h in hits if h.end <= rel]
        hit = before[-1] if before else hits[0]
        metric = self._metric(sentence, rel, q)
        return Mention(
            **provenance(article, cand),
            subject=hit.framework,
            subjects=(hit.framework,),
            metric=metric,
            metric_phrase=None,
            value=q.value,
            value_high=q.value_high,
            unit=q.unit,
            comparator=q.comparator,
            time=None,
            time_from="none",
            scope=None,
            source=None,
            confidence=1.0,
            spans={"subject": [Span(start=0, end=0, text="")]},
        )

    def _metric(self, sentence: str, rel: int, q: Quantity) -> str:
        allowed = metric_kinds_for(q.unit)
        if q.kind == "year":
            return "release_year"
        best, best_distance = "other", 10**9
        for mid, pattern in self._aliases.items():
            if self.catalogue.metrics[mid].unit_kind not in allowed:
                continue
            for m in pattern.finditer(sentence):
                distance = abs(m.start() - rel)
                if distance < best_distance:
                    best, best_distance = mid, distance
        return best


def quantulum_classifier(cache_dir: Path | None = None) -> Path:
    """quantulum3's unit classifier, retrained offline once (its bundled pickle predates scikit-learn 1.9)."""
    from quantulum3 import classifier

    cache_dir = cache_dir or Path(tempfile.gettempdir()) / "claimgraph-quantulum3"
    path = cache_dir / "clf.joblib"
    if not path.is_file():
        cache_dir.mkdir(parents=True, exist_ok=True)
        classifier.train_classifier(store=True, output_path=str(path), n_jobs=1)
    return path


def quantulum_proposer() -> Callable[[Article, Any], list[Candidate]]:
    """Candidates from quantulum3's parser (surface re-normalised by our rules for a fair value check)."""
    from quantulum3 import parser

    clf_path = str(quantulum_classifier())

    def propose(article: Article, doc: Any) -> list[Candidate]:
        sents = [(s.start_char, s.end_char) for s in doc.sents]
        out = []
        for found in parser.parse(article.clean, classifier_path=clf_path):
            start, end = found.span
            mine = parse_quantity(article.clean[start:end])
            if found.unit.entity.name == "dimensionless" and mine is not None:
                unit, value, kind, comparator = mine.unit, mine.value, mine.kind, mine.comparator
            else:
                unit = "percent" if found.unit.name == "percentage" else "other"
                value = found.value / 100 if unit == "percent" else found.value
                kind, comparator = ("percent" if unit == "percent" else "number"), "="
            q = Quantity(
                start=start,
                end=end,
                surface=article.clean[start:end],
                value=value,
                unit=unit,
                comparator=comparator,
                kind=kind,
            )
            sent = next(((a, b) for a, b in sents if a <= start < b), (0, len(article.clean)))
            out.append(Candidate(q, sent[0], sent[1], sent[0], sent[0]))
        return out

    return propose


def evaluate(
    records: Sequence[dict[str, Any]],
    systems: Sequence[str] = ("tagger", "rules", "quantulum3"),
    extractor: Extractor | None = None,
) -> list[Score]:
    """Run each named system over the records and score it."""
    articles = [record_article(r) for r in records]
    scores = []
    for system in systems:
        if system == "tagger":
            extractor = extractor or Extractor()
            predicted = extractor.run(articles)
            scores.append(score(system, records, predicted))
            # Comparatives without a number are scored apart: only the tagger extracts them.
            scores.append(score("tagger:comp", records, predicted, kind="comparative"))
            continue
        elif system == "rules":
            predicted = RulesBaseline().run(articles)
        elif system == "quantulum3":
            predicted = RulesBaseline().run(articles, proposer=quantulum_proposer())
        else:
            raise ValueError(f"unknown system {system!r}")
        scores.append(score(system, records, predicted))
    return scores
