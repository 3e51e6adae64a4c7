"""Site-grouped cross-validation on the real text.

The real excerpts are split into folds by site (``pipelines.realtext.site_folds``): the model scored on
fold *k* was trained on the team's training texts and the real excerpts of the other folds only, so no
site is ever on both sides. Fold models live in one folder, ``fold-0`` … ``fold-4``; the model trained
on everything (team training texts + every real excerpt) is the one shipped.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pipelines.realtext import FOLDS, fold_of_excerpts


def fold_name(k: int) -> str:
    return f"fold-{k}"


def real_folds(records: Sequence[dict[str, Any]], k: int = FOLDS) -> dict[int, list[dict[str, Any]]]:
    """The real-text records of each fold (grouped by the site of their excerpt)."""
    folds = fold_of_excerpts([r["realtext"] for r in records], k)
    out: dict[int, list[dict[str, Any]]] = {f: [] for f in range(k)}
    for record in records:
        out[folds[record["realtext"]]].append(record)
    return out


def training_records(
    team: Sequence[dict[str, Any]], real: Sequence[dict[str, Any]], k: int = FOLDS
) -> dict[str, list[dict[str, Any]]]:
    """What each model trains on: ``fold-k`` leaves out fold k's sites; ``all`` takes every record."""
    folds = real_folds(real, k)
    sets = {fold_name(f): list(team) + [r for g, rs in folds.items() if g != f for r in rs] for f in folds}
    sets["all"] = list(team) + list(real)
    return sets


def evaluate_folds(
    real: Sequence[dict[str, Any]],
    folds_dir: Path,
    k: int = FOLDS,
    inference: Any = "torch",
    systems: Sequence[str] = ("tagger",),
) -> list[Any]:
    """Scores over every real excerpt, each extracted by the model that never saw its site (merged)."""
    from pipelines.evaluate import evaluate
    from pipelines.extract.pipeline import Extractor

    merged: dict[str, Any] = {}
    for f, records in real_folds(real, k).items():
        if not records:
            continue
        model = folds_dir / fold_name(f)
        extractor = Extractor(model, inference=inference) if "tagger" in systems else None
        for s in evaluate(records, systems, extractor=extractor):
            merged[s.system] = merged[s.system].merge(s) if s.system in merged else s
    return list(merged.values())
