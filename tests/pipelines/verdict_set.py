"""Shared by the relation tests: the hand-labelled verdict set (``annotations/verdicts.jsonl``).

Imported by name (pytest puts this folder on ``sys.path``), not a conftest: no fixture magic needed.

Each side of a row: ``surface``, ``value``, ``value_high``, ``unit``, ``comparator``, ``period`` (a label,
stated in the text unless ``basis`` says ``document``), ``scope``, and optionally ``document`` (rows whose
sides share one come from one article), ``source`` (the attributed source) and ``published``."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from pipelines.claims import Claim, Comparator, Kind, TimeBasis, Unit
from pipelines.context import parse_period

VERDICTS = Path(__file__).resolve().parents[2] / "annotations" / "verdicts.jsonl"


def claim_of(d: dict, id: str = "x", document: str | None = None) -> Claim:
    """One side of a verdict-set row as the claim the relaters compare."""
    basis = TimeBasis(d.get("basis") or ("sentence" if d.get("period") else "none"))
    period = parse_period(d["period"]) if d.get("period") else None
    return Claim(
        id=id,
        document_id=d.get("document") or document or f"doc-{id}",
        kind=Kind.NUMERIC,
        subjects=("pytorch",),
        metric="m",
        value_text=d["surface"],
        value=d["value"],
        value_high=d.get("value_high"),
        unit=Unit(d["unit"]),
        comparator=Comparator(d["comparator"]),
        time=d.get("period"),
        time_basis=basis,
        period=replace(period, basis=str(basis)) if period else None,
        scope=d.get("scope"),
        source=d.get("source"),
        published=d.get("published"),
    )


def row_claims(row: dict) -> tuple[Claim, Claim]:
    """Both sides of a row; each from its own document unless the row names a shared one."""
    return claim_of(row["a"], f"{row['id']}a"), claim_of(row["b"], f"{row['id']}b")


def verdict_rows() -> list[dict]:
    """Every row of the verdict set: ``id``, the two sides ``a`` and ``b``, the gold ``relation``."""
    return [json.loads(line) for line in VERDICTS.read_text().splitlines() if line.strip()]
