"""Within one document, mentions of the same statement become one claim (a title repeated three times)."""

from __future__ import annotations

from collections.abc import Sequence

from pipelines.types import Mention, content_id


def claim_key(m: Mention) -> tuple[object, ...]:
    """What makes two mentions of one document the same statement: who, what, how much, when, where."""
    return (m.document, m.subjects, m.metric, m.value, m.value_high, m.unit, m.comparator, m.time, m.scope)


def claim_id(document_id: str, m: Mention) -> str:
    """A stable claim id: the same statement in the same document always gets the same id."""
    return content_id(document_id, *claim_key(m)[1:], prefix="c_")


def group_mentions(document_id: str, mentions: Sequence[Mention]) -> dict[str, list[Mention]]:
    """Claim id -> its mentions, in text order; the first mention stands for the claim."""
    groups: dict[str, list[Mention]] = {}
    for m in sorted(mentions, key=lambda m: m.value_start):
        groups.setdefault(claim_id(document_id, m), []).append(m)
    return groups
