"""Claims and their context in the plain words a reason is written in ("70% (2025, Papers With Code)")."""

from __future__ import annotations

from pipelines.claims import Claim
from pipelines.relations.periods import claim_period, period_label, stated


def figure(claim: Claim) -> str:
    """The figure as written ("about 80%"), or the comparative phrase in quotes."""
    return claim.value_text if claim.numeric else f"{claim.value_text!r}"


def described(claim: Claim, *, scope: bool = False) -> str:
    """The figure with its period and source in brackets; with ``scope``, its population after "of"."""
    text = figure(claim)
    if scope and claim.scope:
        text += f" of {claim.scope}"
    details = [d for d in (period_label(claim_period(claim)), claim.source) if d]
    return f"{text} ({', '.join(details)})" if details else text


def missing(a: Claim, b: Claim) -> str:
    """What is not known about two claims, said once: "no period or population given for either"."""
    parts = []
    pa, pb = claim_period(a), claim_period(b)
    if pa is None and pb is None:
        parts.append("no period")
    elif pa is None or pb is None:
        parts.append("a period for only one")
    elif not (stated(pa) and stated(pb)):
        parts.append("dated only by their pages")
    if not a.scope and not b.scope:
        parts.append("no population")
    elif not a.scope or not b.scope:
        parts.append("a population for only one")
    if not parts:
        return "periods and populations not shown to be the same"
    if len(parts) == 2 and all(p.startswith("no ") for p in parts):
        return "no period or population given for either"
    if len(parts) == 1 and parts[0].startswith("no "):
        return parts[0] + " given for either"
    return " and ".join(p if not p.startswith("no ") else p + " given for either" for p in parts)
