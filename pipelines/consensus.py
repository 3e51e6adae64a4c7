"""What a cluster's figures say together: best estimate, spread, independent evidence, the latest value.

Independence: copies of one figure (the same value attributed to the same source — one survey quoted by
ten articles) count once, and so do several statements of one figure in one document. The best estimate
is the median over independent figures, so a figure repeated across the web does not outvote the rest.
The latest is the figure of the latest period (its own, else its page's date).
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from typing import Any

from pipelines.claims import Claim
from pipelines.relations.established import source_key
from pipelines.relations.periods import claim_period, period_label


def evidence_key(claim: Claim) -> str:
    """Who a figure's evidence comes from: its attributed source, else its document."""
    return source_key(claim) or f"doc:{claim.document_id}"


def independent_figures(claims: Sequence[Claim]) -> list[Claim]:
    """One claim per independent figure: the same value from the same source (or document) counts once."""
    seen: dict[tuple[float, float | None, str], Claim] = {}
    for c in sorted(claims, key=lambda c: c.id):
        if not c.numeric:
            continue
        assert c.value is not None
        seen.setdefault((round(c.value, 12), c.value_high, evidence_key(c)), c)
    return list(seen.values())


def consensus(claims: Sequence[Claim]) -> dict[str, Any]:
    """Best estimate (median over independent figures), spread, independent sources, documents, latest."""
    numeric = [c for c in claims if c.numeric]
    numbers = sorted(c.value for c in numeric if c.value is not None and not math.isnan(c.value))
    independent = independent_figures(numeric)
    estimates = [c.value for c in independent if c.value is not None]
    dated = [(p, c) for c in numeric if (p := claim_period(c)) is not None]
    latest = max(dated, key=lambda pc: (pc[0].end, -(pc[0].end - pc[0].start).days, pc[1].id))[1] if dated else None
    latest_period = claim_period(latest) if latest else None
    return {
        "best_estimate": statistics.median(estimates) if estimates else None,
        "spread": (numbers[-1] - numbers[0]) if numbers else None,
        "independent_sources": len({evidence_key(c) for c in numeric}),
        "independent_figures": len(independent),
        "documents": len({c.document_id for c in numeric}),
        "latest": (
            {
                "value_text": latest.value_text,
                "value": latest.value,
                "time": latest_period.label if latest_period else None,
                "period": period_label(latest_period),
            }
            if latest
            else None
        ),
    }
