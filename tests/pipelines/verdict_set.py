"""Shared by the relation tests: the hand-labelled verdict set (``annotations/verdicts.jsonl``).

Imported by name (pytest puts this folder on ``sys.path``), not a conftest: no fixture magic needed."""

from __future__ import annotations

import json
from pathlib import Path

from pipelines.relate import ClaimValue

VERDICTS = Path(__file__).resolve().parents[2] / "annotations" / "verdicts.jsonl"


def claim_value(d: dict) -> ClaimValue:
    """One side of a verdict-set row as the value ``relate`` compares."""
    return ClaimValue(
        surface=d["surface"],
        value=d["value"],
        value_high=d.get("value_high"),
        unit=d["unit"],
        comparator=d["comparator"],
        period=d.get("period"),
        scope=d.get("scope"),
    )


def verdict_rows() -> list[dict]:
    """Every row of the verdict set: ``id``, the two sides ``a`` and ``b``, the gold ``relation``."""
    return [json.loads(line) for line in VERDICTS.read_text().splitlines() if line.strip()]
