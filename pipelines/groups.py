"""Gold claim groups: which gold claims a fact-checker puts side by side, and how they stand.

A group file (``annotations/groups/<annotator>.jsonl``, convention in ``annotations/groups/README.md``)
holds one group per line; each claim of a group is a reference to a gold claim of ``annotations/real``::

    {"id": "A-0-1", "candidate": 0, "claims": [{"doc": "g0056", "claim": 0, "value": "over 10x"}, ...],
     "verdict": "agrees", "pairs": [{"a": 0, "b": 1, "relation": "agrees", "why": "..."}], "why": "..."}

``claim`` is the index among the document's ``claim`` and ``comparative`` entries (distractors skipped) in
the order ``parse_ann`` gives them. Candidates to judge are formed mechanically by ``candidate_groups``.
Run as a module to show candidates or check the group files::

    python -m pipelines.groups show 0 1 2        # candidates with each claim's sentence and context
    python -m pipelines.groups check             # validate annotations/groups/*.jsonl
    python -m pipelines.groups candidates OUT    # write the candidates (one JSON object a line)
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeGuard

from pipelines.annotations import ANNOTATIONS_DIR, GoldClaim, GoldDocument, _sentence_bounds, parse_ann
from pipelines.catalogue import Catalogue, default_catalogue
from pipelines.claims import RelationKind, Verdict
from pipelines.types import Mention, Span

GROUPS_DIR = ANNOTATIONS_DIR / "groups"
REAL_DIR = ANNOTATIONS_DIR / "real"
EXHAUSTIVE_UP_TO = 6
"""Groups of at most this many claims label every pair; larger ones every conflict and some others."""
RELATIONS = tuple(r.value for r in RelationKind)
VERDICTS = tuple(v.value for v in Verdict)
# The schema-v1 unit a dimension implies (pipelines.annotations reads v1 units the other way round).
DIMENSION_UNIT = {
    "share": "percent",
    "count": "count",
    "ratio": "ratio",
    "date": "year",
    "rank": "rank",
    "money": "usd",
}

GoldKey = tuple[str, int]
"""A gold claim: (document id, index among its claim and comparative entries)."""


class GroupError(ValueError):
    """A group file that does not validate; every line of the message names the file and line."""


@dataclass(frozen=True)
class GroupRef:
    doc: str
    claim: int
    value: str

    @property
    def key(self) -> GoldKey:
        return (self.doc, self.claim)


@dataclass(frozen=True)
class GoldPair:
    a: int
    b: int
    relation: str
    why: str = ""


@dataclass(frozen=True)
class GoldGroup:
    id: str
    candidate: int | None
    claims: tuple[GroupRef, ...]
    verdict: str
    pairs: tuple[GoldPair, ...]
    why: str = ""
    file: str = ""
    line: int = 0

    @property
    def keys(self) -> list[GoldKey]:
        return [c.key for c in self.claims]

    @property
    def exhaustive(self) -> bool:
        """Whether every pair is labelled (small groups), so that an unlabelled pair is a slip."""
        return len(self.claims) <= EXHAUSTIVE_UP_TO

    def label(self, a: GoldKey, b: GoldKey) -> str | None:
        """The gold relation of two of this group's claims, None when that pair is not labelled."""
        keys = self.keys
        if a not in keys or b not in keys:
            return None
        i, j = keys.index(a), keys.index(b)
        for p in self.pairs:
            if {p.a, p.b} == {i, j}:
                return p.relation
        return None


def gold_claims(doc: GoldDocument) -> list[GoldClaim]:
    """A document's claim and comparative entries, in parse order: what a group's ``claim`` index counts."""
    return [c for c in doc.claims if c.label in ("claim", "comparative")]


def load_documents(real_dir: Path = REAL_DIR, catalogue: Catalogue | None = None) -> dict[str, GoldDocument]:
    """Every real-text gold document by id (the texts are read from the real-text pool).

    Raises:
        AnnotationError: a source does not resolve, or the pool is missing (the message says where).
    """
    catalogue = catalogue or default_catalogue()
    docs = [parse_ann(path, catalogue) for path in sorted(real_dir.glob("*.ann"))]
    return {d.id: d for d in docs}


def group_files(root: Path = GROUPS_DIR) -> list[Path]:
    return sorted(root.glob("*.jsonl"))


def _int(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _parse_group(item: Any, where: str, documents: dict[str, GoldDocument]) -> tuple[GoldGroup | None, list[str]]:
    if not isinstance(item, dict):
        return None, [f"{where}: not a JSON object"]
    problems: list[str] = []
    gid = item.get("id")
    if not isinstance(gid, str) or not gid:
        problems.append(f"{where}: 'id' must be a non-empty string")
    candidate = item.get("candidate")
    if candidate is not None and not _int(candidate):
        problems.append(f"{where}: 'candidate' must be an integer")
    raw_claims = item.get("claims")
    refs: list[GroupRef] = []
    if not isinstance(raw_claims, list) or len(raw_claims) < 2:
        problems.append(f"{where}: 'claims' must be a list of at least 2 claim references")
        raw_claims = []
    for k, ref in enumerate(raw_claims):
        at = f"{where}: claims[{k}]"
        if not isinstance(ref, dict):
            problems.append(f"{at}: not an object with doc, claim and value")
            continue
        doc_id, index, value = ref.get("doc"), ref.get("claim"), ref.get("value")
        if not isinstance(doc_id, str) or (doc := documents.get(doc_id)) is None:
            problems.append(f"{at}: no gold document {doc_id!r} in annotations/real")
            continue
        claims = gold_claims(doc)
        if not _int(index) or not 0 <= index < len(claims):
            problems.append(
                f"{at}: claim {index!r} of {doc_id} is out of range (it has {len(claims)}: 0..{len(claims) - 1})"
            )
            continue
        text = claims[index].text
        if text != value:
            problems.append(f"{at}: claim {index} of {doc_id} is {text!r}, not {value!r}")
            continue
        refs.append(GroupRef(doc_id, index, text))
    keys = [r.key for r in refs]
    if len(set(keys)) != len(keys):
        problems.append(f"{where}: a claim is listed twice in the group")
    verdict = item.get("verdict")
    if verdict not in VERDICTS:
        problems.append(f"{where}: verdict {verdict!r} is not one of {', '.join(VERDICTS)}")
    raw_pairs = item.get("pairs", [])
    pairs: list[GoldPair] = []
    seen: set[frozenset[int]] = set()
    if not isinstance(raw_pairs, list):
        problems.append(f"{where}: 'pairs' must be a list")
        raw_pairs = []
    n = len(raw_claims)
    for k, p in enumerate(raw_pairs):
        at = f"{where}: pairs[{k}]"
        if not isinstance(p, dict):
            problems.append(f"{at}: not an object with a, b and relation")
            continue
        a, b, relation = p.get("a"), p.get("b"), p.get("relation")
        if not (_int(a) and _int(b) and 0 <= a < n and 0 <= b < n) or a == b:
            problems.append(f"{at}: a={a!r}, b={b!r} must be two different indexes into claims (0..{n - 1})")
            continue
        if relation not in RELATIONS:
            problems.append(f"{at}: relation {relation!r} is not one of {', '.join(RELATIONS)}")
            continue
        if frozenset((a, b)) in seen:
            problems.append(f"{at}: the pair ({a}, {b}) is labelled twice")
            continue
        seen.add(frozenset((a, b)))
        pairs.append(GoldPair(a, b, relation, str(p.get("why", ""))))
    if problems:
        return None, problems
    assert isinstance(gid, str) and isinstance(verdict, str)  # both checked above
    group = GoldGroup(
        id=gid,
        candidate=candidate,
        claims=tuple(refs),
        verdict=verdict,
        pairs=tuple(pairs),
        why=str(item.get("why", "")),
        file=where.rsplit(":", 1)[0],
        line=int(where.rsplit(":", 1)[1]),
    )
    return group, []


def load_groups(paths: Iterable[Path], documents: dict[str, GoldDocument]) -> list[GoldGroup]:
    """Read and validate group files; a bad line raises GroupError naming every problem with file and line.

    Group ids are unique over all files. A gold claim may stand in several groups (``warnings`` lists them).
    """
    groups: list[GoldGroup] = []
    problems: list[str] = []
    ids: dict[str, str] = {}
    for path in paths:
        for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            where = f"{path}:{lineno}"
            try:
                item = json.loads(line)
            except json.JSONDecodeError as exc:
                problems.append(f"{where}: not JSON ({exc.msg})")
                continue
            group, found = _parse_group(item, where, documents)
            problems += found
            if group is None:
                continue
            if group.id in ids:
                problems.append(f"{where}: group id {group.id!r} already used at {ids[group.id]}")
                continue
            ids[group.id] = where
            groups.append(group)
    if problems:
        raise GroupError("\n".join(problems))
    return groups


def warnings(groups: Sequence[GoldGroup], candidates: Sequence[dict[str, Any]] | None = None) -> list[str]:
    """What does not stop scoring but may be a slip: a claim in two groups, an unlabelled pair of a small
    group, a verdict that does not follow from the pairs; with ``candidates`` (``candidate_groups``), a
    group whose claims are not all in the candidate it names (the numbering moved when ``.ann`` files did)."""
    out = []
    if candidates is not None:
        for g in groups:
            members = (
                {(c["doc"], c["claim"]) for c in candidates[g.candidate]["claims"]}
                if g.candidate is not None and 0 <= g.candidate < len(candidates)
                else set()
            )
            if g.candidate is not None and not set(g.keys) <= members:
                out.append(f"{g.file}:{g.line} ({g.id}): claims not in candidate {g.candidate} as generated now")
    owner: dict[GoldKey, str] = {}
    for g in groups:
        for key in g.keys:
            if key in owner:
                out.append(f"{g.file}:{g.line} ({g.id}): claim {key[1]} of {key[0]} is also in group {owner[key]}")
            owner.setdefault(key, g.id)
    for g in groups:
        where = f"{g.file}:{g.line} ({g.id})"
        n = len(g.claims)
        if g.exhaustive:
            labelled = {frozenset((p.a, p.b)) for p in g.pairs}
            missing = [(i, j) for i in range(n) for j in range(i + 1, n) if frozenset((i, j)) not in labelled]
            if missing:
                out.append(f"{where}: {len(missing)} pair(s) of a group of {n} unlabelled, e.g. {missing[0]}")
        conflict = any(p.relation == RelationKind.CONFLICTS for p in g.pairs)
        if conflict != (g.verdict == Verdict.CONFLICTS):
            out.append(f"{where}: verdict {g.verdict} but {'a' if conflict else 'no'} pair conflicts")
    return out


# --- candidates ---------------------------------------------------------------------------------------------


def candidate_groups(documents: Iterable[GoldDocument]) -> list[dict[str, Any]]:
    """The candidate groups annotators judge: gold claims (label ``claim``) with the same (subjects, form,
    versions, metric, dimension), kept when they span two documents or two values; most documents first."""
    members: dict[tuple, list[tuple[GoldDocument, int, GoldClaim]]] = defaultdict(list)
    for d in documents:
        for i, c in enumerate(gold_claims(d)):
            if c.label != "claim" or c.metric is None:
                continue
            key = (tuple(c.subjects), c.form, tuple(v or "" for v in c.versions), c.metric, c.dimension)
            members[key].append((d, i, c))
    kept = [
        (key, ms)
        for key, ms in members.items()
        if len({d.id for d, _, _ in ms}) >= 2 or len({(c.value, c.value_high) for _, _, c in ms}) >= 2
    ]
    kept.sort(key=lambda km: (-len({d.id for d, _, _ in km[1]}), km[0]))
    out = []
    for n, (key, ms) in enumerate(kept):
        claims = []
        for d, i, c in ms:
            scope_slots = c.slots.get("SCOPE")
            scope = scope_slots[0][2] if scope_slots else None
            claims.append(
                {
                    "doc": d.id,
                    "claim": i,
                    "value": c.text,
                    "num": c.value,
                    "high": c.value_high,
                    "comparator": c.comparator,
                    "time": c.time,
                    "time_basis": c.time_basis,
                    "published": d.meta.get("published"),
                    "site": d.meta.get("site"),
                    "scope": scope,
                }
            )
        subjects, form, versions, metric, dimension = key
        out.append(
            {
                "candidate": n,
                "subjects": list(subjects),
                "form": form,
                "versions": list(versions),
                "metric": metric,
                "dimension": dimension,
                "claims": claims,
            }
        )
    return out


def show_candidate(candidate: dict[str, Any], documents: dict[str, GoldDocument]) -> str:
    """A candidate for an annotator: each claim's fields and its words in context (value in [[ ]])."""
    head = (
        f"=== candidate {candidate['candidate']}: {candidate['subjects']} {candidate['form']} "
        f"{candidate['versions']} {candidate['metric']} [{candidate['dimension']}]  ({len(candidate['claims'])} claims)"
    )
    lines = [head]
    for k, c in enumerate(candidate["claims"]):
        d = documents[c["doc"]]
        gc = gold_claims(d)[c["claim"]]
        t = d.text
        lo = max(0, t.rfind("\n", 0, max(0, gc.start - 250)) + 1, gc.start - 300)
        hi = min(len(t), gc.end + 200)
        ctx = (t[lo : gc.start] + "[[" + t[gc.start : gc.end] + "]]" + t[gc.end : hi]).replace("\n", " / ")
        slot = {name: [s[2] for s in gc.slots.get(name, [])] for name in ("METRIC", "SOURCE", "TIME")}
        lines += [
            f"  [{k}] doc={c['doc']} site={c['site']} published={c['published']} "
            f"title={d.meta.get('title', '')[:60]!r}",
            f"      value={c['value']!r} num={c['num']} high={c['high']} cmp={c['comparator']} "
            f"time={c['time']} ({c['time_basis']}) scope={c['scope']!r}",
            f"      metric_text={slot['METRIC']} source={slot['SOURCE']} time_text={slot['TIME']}",
            f"      …{ctx}…",
        ]
    return "\n".join(lines)


# --- gold claims as the pipeline's mentions --------------------------------------------------------------------


def _slot_text(claim: GoldClaim, *names: str) -> str | None:
    texts = [t for name in names for _, _, t in claim.slots.get(name, [])]
    return "; ".join(texts) if texts else None


def _direction(text: str, claim: GoldClaim, unit_kind: str, s_start: int, s_end: int) -> str:
    """A gold comparative's direction (``>``, ``<``, ``~``): as annotated, else what its cue words say as the
    extractor reads them (the first subject is the one the phrase favours when no cue is known)."""
    from pipelines.comparatives import directed, find_comparatives

    if claim.comparator in (">", "<", "~"):
        return claim.comparator
    cues = find_comparatives(claim.text)
    direction = cues[0].comparator if cues else ">"
    return directed(
        direction,
        unit_kind,
        text[claim.end : min(s_end, claim.end + 30)],
        text[max(s_start, claim.start - 30) : claim.start],
    )


def to_mention(doc: GoldDocument, claim: GoldClaim, catalogue: Catalogue | None = None) -> Mention:
    """A gold claim as the extractor would have given it: offsets into the excerpt text, every field gold."""
    catalogue = catalogue or default_catalogue()
    comparative = claim.label == "comparative"
    s_start, s_end = _sentence_bounds(doc.text, claim.start)
    s_start, s_end = min(s_start, claim.start), max(s_end, claim.end)
    comparator = claim.comparator or "="
    if comparative:
        kind = catalogue.metrics[claim.metric].unit_kind if claim.metric in catalogue.metrics else "other"
        unit = {"share": "percent", "change": "percent", "date": "year", "money": "usd", "any": "other"}.get(kind, kind)
        comparator = _direction(doc.text, claim, kind, s_start, s_end)
    else:
        unit = claim.unit or DIMENSION_UNIT.get(claim.dimension or "", "other")
    spans = {
        name.lower(): [Span(start=s, end=e, text=t) for s, e, t in claim.slots.get(name, [])]
        for name in ("METRIC", "SCOPE", "TIME", "SOURCE")
    }
    spans["subject"] = [
        Span(start=s, end=e, text=t) for n in ("SUBJECT", "SUBJECT2") for s, e, t in claim.slots.get(n, [])
    ]
    versions = list(claim.versions) + [None, None]
    time_basis = claim.time_basis or "none"
    return Mention(
        document=doc.id,
        value_start=claim.start,
        value_end=claim.end,
        value_text=claim.text,
        sentence=doc.text[s_start:s_end],
        sentence_start=s_start,
        sentence_end=s_end,
        subject=claim.subjects[0] if claim.subjects else None,
        subjects=tuple(claim.subjects),
        metric=claim.metric or "other",
        metric_phrase=_slot_text(claim, "METRIC"),
        value=None if comparative else claim.value,
        value_high=None if comparative else claim.value_high,
        unit=unit,
        comparator=comparator,
        time=claim.time,
        time_from={"sentence": "text", "context": "text", "document": "published"}.get(time_basis, "none"),
        time_basis=time_basis,
        scope=_slot_text(claim, "SCOPE"),
        source=_slot_text(claim, "SOURCE"),
        confidence=1.0,
        kind="comparative" if comparative else "numeric",
        date=claim.date,
        version=versions[0],
        version2=versions[1],
        form=claim.form,
        dimension=None if comparative else claim.dimension,
        per=claim.per,
        spans=spans,
    )


def main(argv: list[str]) -> int:
    usage = "usage: python -m pipelines.groups show N [N ...] | check [FILE ...] | candidates OUT"
    if not argv or argv[0] not in ("show", "check", "candidates"):
        print(usage, file=sys.stderr)
        return 2
    documents = load_documents()
    if argv[0] == "check":
        paths = [Path(p) for p in argv[1:]] or group_files()
        try:
            groups = load_groups(paths, documents)
        except GroupError as exc:
            print(exc, file=sys.stderr)
            return 1
        for line in warnings(groups, candidate_groups(documents.values())):
            print(f"warning: {line}", file=sys.stderr)
        print(f"{len(groups)} groups in {len(paths)} file(s), {sum(len(g.claims) for g in groups)} claims: ok")
        return 0
    candidates = candidate_groups(documents.values())
    if argv[0] == "candidates":
        if len(argv) != 2:
            print(usage, file=sys.stderr)
            return 2
        with open(argv[1], "w", encoding="utf-8") as fh:
            for c in candidates:
                fh.write(json.dumps(c) + "\n")
        print(f"{len(candidates)} candidate groups -> {argv[1]}")
        return 0
    for n in argv[1:]:
        if not n.isdigit() or int(n) >= len(candidates):
            print(f"no candidate {n} (0..{len(candidates) - 1})", file=sys.stderr)
            return 2
        print(show_candidate(candidates[int(n)], documents) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
