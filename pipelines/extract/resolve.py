"""From tagged slot phrases to catalogue ids: subject (aliases), metric (embedding + aliases + head), time."""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from pipelines.catalogue import Catalogue
from pipelines.embed import Embedder

# Which metric unit kinds a quantity's unit can express.
_ALL = {"share", "count", "rate", "duration", "ratio", "change", "date", "rank", "money", "size", "any"}
_COMPATIBLE: dict[str, set[str]] = {
    "percent": {"share", "change", "any"},
    "count": {"count", "any"},
    "ratio": {"ratio", "any"},
    "year": {"date", "any"},
    "rank": {"rank", "any"},
    "usd": {"money", "any"},
    "other": _ALL,
    # A comparative cue ("has surpassed") can compare frameworks on any metric.
    "comparison": _ALL,
}


# Which metric dimensions a value of a given dimension can be about. A percentage is a share or a change;
# a ratio compares two subjects on any property ("3x as many stars"); a bare count may be a rank.
_BY_DIMENSION: dict[str, set[str]] = {
    "share": {"share", "change", "any"},
    "change": {"change", "share", "any"},
    "ratio": _ALL - {"date", "rank"},
    "count": {"count", "rank", "any"},
    "rate": {"rate", "any"},
    "duration": {"duration", "any"},
    "date": {"date", "any"},
    "rank": {"rank", "any"},
    "money": {"money", "any"},
    "size": {"size", "any"},
}


def metric_kinds_for(unit: str, dimension: str | None = None) -> set[str]:
    """The metric dimensions a quantity can express: by its own dimension when the rules gave one, else
    by its schema-v1 unit (a percent is a share or a growth…)."""
    if dimension in _BY_DIMENSION:
        return _BY_DIMENSION[dimension]
    return _COMPATIBLE.get(unit, _COMPATIBLE["other"])


_YEAR = re.compile(r"\b(19[5-9]\d|20\d\d)\b")
_QUARTER = re.compile(r"\b(?:Q([1-4])\s*(?:of\s*)?(19[5-9]\d|20\d\d)|(19[5-9]\d|20\d\d)\s*Q([1-4]))\b")
_OTHER_SIMILARITY = 0.35
_ALIAS_BONUS = 0.15
_INCOMPATIBLE = 0.3


def normalise_time(phrase: str | None) -> str | None:
    """A period from its words: "2025 Q1" / "Q1 2025" -> "2025-Q1", "in 2022" -> "2022"; else None."""
    if not phrase:
        return None
    q = _QUARTER.search(phrase)
    if q:
        year = q.group(2) or q.group(3)
        quarter = q.group(1) or q.group(4)
        return f"{year}-Q{quarter}"
    y = _YEAR.search(phrase)
    return y.group(1) if y else None


class MetricResolver:
    """Maps a metric phrase (and the tagger's metric distribution) to a catalogue metric id."""

    def __init__(
        self,
        catalogue: Catalogue,
        embedder: Embedder,
        head_weight: float = 0.5,
        cache_dirs: Sequence[Path] = (),
        phrases: Mapping[str, Sequence[str]] | None = None,
    ) -> None:
        self.catalogue = catalogue
        # Metric phrases seen in the training annotations, per metric ("time to first token" ->
        # inference_latency_seconds): the way real text names a metric, beside the catalogue's words.
        self.phrases = dict(phrases or {})
        self.embedder = embedder
        self.head_weight = head_weight
        # Folders searched for the catalogue's embeddings (the model's folder first): embedding the metric
        # texts again at every start costs seconds; the file is keyed by the texts and the embedder.
        self.cache_dirs = list(cache_dirs)
        self._ids: list[str] = []
        self._rows: list[int] = []
        self._matrix: np.ndarray | None = None
        self._alias_patterns: dict[str, re.Pattern[str]] = {}

    def warm_up(self) -> None:
        if self._matrix is not None:
            return
        texts: list[str] = []
        for metric_id, metric_texts in self.catalogue.metric_texts().items():
            self._ids.append(metric_id)
            for t in [*metric_texts, *self.phrases.get(metric_id, ())]:
                texts.append(t)
                self._rows.append(len(self._ids) - 1)
            aliases = [a for a in self.catalogue.metrics[metric_id].aliases if a]
            if aliases:
                alt = "|".join(re.escape(a) for a in sorted(aliases, key=len, reverse=True))
                self._alias_patterns[metric_id] = re.compile(rf"\b(?:{alt})\b", re.IGNORECASE)
        self._matrix = self._cached_embeddings(texts)

    def _cached_embeddings(self, texts: list[str]) -> np.ndarray:
        key = hashlib.sha256(json.dumps([getattr(self.embedder, "name", type(self.embedder).__name__), texts]).encode())
        name = f"metric_embeddings.{key.hexdigest()[:16]}.npy"
        for folder in self.cache_dirs:
            path = folder / name
            if path.is_file():
                try:
                    matrix = np.load(path, allow_pickle=False)
                except (OSError, ValueError):
                    continue
                if matrix.shape[0] == len(texts):
                    return matrix
        matrix = self.embedder.embed(texts)
        for folder in self.cache_dirs[-1:]:  # the last folder is the writable cache
            try:
                folder.mkdir(parents=True, exist_ok=True)
                tmp = folder / f".{name}.{os.getpid()}"
                with tmp.open("wb") as fh:
                    np.save(fh, matrix, allow_pickle=False)
                os.replace(tmp, folder / name)
            except OSError:
                pass  # a read-only cache only costs the embedding next time
        return matrix

    def aliases_in(self, text: str) -> list[tuple[int, str]]:
        """(position, metric id) of every metric alias in ``text``, in text order."""
        self.warm_up()
        found = [(m.start(), metric_id) for metric_id, p in self._alias_patterns.items() for m in p.finditer(text)]
        return sorted(found)

    def nearest_alias(self, window: str, middle: int) -> str | None:
        """The metric whose alias stands closest to position ``middle`` of ``window`` (the value)."""
        best, best_distance = None, float("inf")
        for metric_id, pattern in self._alias_patterns.items():
            for m in pattern.finditer(window):
                distance = min(abs(m.start() - middle), abs(m.end() - middle))
                if distance < best_distance:
                    best, best_distance = metric_id, distance
        return best

    def similarities(self, phrases: list[str]) -> list[dict[str, float]]:
        """Per phrase, the best cosine similarity to each metric's description or aliases."""
        self.warm_up()
        assert self._matrix is not None
        if not phrases:
            return []
        sims = self.embedder.embed(phrases) @ self._matrix.T
        rows = np.array(self._rows)
        out = []
        for row in sims:
            best = np.full(len(self._ids), -1.0)
            np.maximum.at(best, rows, row)
            out.append(dict(zip(self._ids, best.tolist(), strict=True)))
        return out

    def resolve(
        self,
        phrase: str | None,
        unit: str,
        head_probs: Mapping[str, float],
        similarity: Mapping[str, float] | None,
        near: tuple[str, int] | None = None,
        dimension: str | None = None,
    ) -> tuple[str, float]:
        """The metric id and its score; ``other`` when nothing scores above the 'other' baseline.

        ``phrase`` is the tagged metric phrase; ``near`` the words around the value and the value's
        position in them. An alias in the phrase earns a bonus; so does the alias nearest the value.
        """
        self.warm_up()
        w = self.head_weight if similarity else 1.0
        nearest = self.nearest_alias(*near) if near else None
        scores: dict[str, float] = {}
        allowed = metric_kinds_for(unit, dimension)
        for metric_id, metric in self.catalogue.metrics.items():
            head = head_probs.get(metric_id, 0.0)
            if metric_id == "other":
                sim = _OTHER_SIMILARITY
            else:
                sim = similarity.get(metric_id, 0.0) if similarity else 0.0
            score = w * head + (1 - w) * sim
            pattern = self._alias_patterns.get(metric_id)
            if phrase and pattern is not None and pattern.search(phrase):
                score += _ALIAS_BONUS
            if metric_id == nearest:
                score += _ALIAS_BONUS
            if metric.unit_kind not in allowed:
                score *= _INCOMPATIBLE
            scores[metric_id] = score
        best = max(scores, key=lambda k: scores[k])
        return best, scores[best]
