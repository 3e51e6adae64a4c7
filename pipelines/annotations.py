"""Gold annotations: parse the team's ``.ann`` sources, resolve them to character offsets, build JSONL.

The ``.ann`` format and the guideline are in ``annotations/README.md``. Run as a module to check
sources or rebuild the JSONL splits::

    python -m pipelines.annotations check annotations/src/*.ann
    python -m pipelines.annotations build
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipelines.catalogue import Catalogue, default_catalogue
from pipelines.types import COMPARATORS, UNITS

REPO_ROOT = Path(__file__).resolve().parents[1]
ANNOTATIONS_DIR = REPO_ROOT / "annotations"
SEED_DIR = REPO_ROOT.parent / "shared" / "corpus"
SLOT_KEYS = {
    "subject_text": "SUBJECT",
    "metric_text": "METRIC",
    "scope_text": "SCOPE",
    "time_text": "TIME",
    "source_text": "SOURCE",
}
LABELS = ("claim", "distractor", "comparative")
_LOOKBACK = 600
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"“A-Z0-9(])|\n+")


class AnnotationError(ValueError):
    """A source file that cannot be resolved; the message names the file and line."""


@dataclass
class GoldClaim:
    """One annotated value (or comparative phrase) with its normalised fields and slot spans."""

    start: int
    end: int
    text: str
    label: str
    subjects: list[str] = field(default_factory=list)
    metric: str | None = None
    value: float | None = None
    value_high: float | None = None
    unit: str | None = None
    comparator: str | None = None
    time: str | None = None
    slots: dict[str, list[tuple[int, int, str]]] = field(default_factory=dict)


@dataclass
class GoldDocument:
    id: str
    split: str
    style: str
    text: str
    claims: list[GoldClaim]
    meta: dict[str, str]
    source: str | None = None
    """For seed annotations: the seed file name (its text is read from ``SEED_DIR``, never stored)."""


def read_text_exact(path: Path) -> str:
    """Decode a UTF-8 file exactly as the extractor does (no newline translation)."""
    return path.read_bytes().decode("utf-8")


def _sentence_bounds(text: str, pos: int) -> tuple[int, int]:
    start = 0
    for m in _SENTENCE_END.finditer(text, 0, pos):
        start = m.end()
    nxt = _SENTENCE_END.search(text, pos)
    return start, (nxt.start() if nxt else len(text))


def _nth(text: str, needle: str, n: int) -> int:
    pos = -1
    for _ in range(n):
        pos = text.find(needle, pos + 1)
        if pos < 0:
            return -1
    return pos


def locate_slot(text: str, needle: str, value_start: int, value_end: int) -> tuple[int, int] | None:
    """The occurrence of ``needle`` nearest the value: in the value's sentence first, then just before it."""
    s_start, s_end = _sentence_bounds(text, value_start)
    lo = min(s_start, max(0, value_start - _LOOKBACK))
    best: tuple[int, int, int] | None = None  # (priority, distance, start)
    pos = text.find(needle, lo)
    while 0 <= pos < s_end:
        end = pos + len(needle)
        in_sentence = pos >= s_start
        distance = value_start - end if end <= value_start else max(0, pos - value_end)
        key = (0 if in_sentence else 1, distance, pos)
        if best is None or key < best:
            best = key
        pos = text.find(needle, pos + 1)
    if best is None:
        return None
    return best[2], best[2] + len(needle)


def _parse_header(lines: list[str]) -> dict[str, str]:
    meta: dict[str, str] = {}
    for line in lines:
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        key, sep, value = line.partition(":")
        if sep:
            meta[key.strip()] = value.split("  #")[0].strip()
    return meta


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def parse_ann(path: Path, catalogue: Catalogue | None = None, seed_dir: Path = SEED_DIR) -> GoldDocument:
    """Parse and resolve one ``.ann`` file; raises AnnotationError listing every problem found."""
    catalogue = catalogue or default_catalogue()
    raw = path.read_text(encoding="utf-8")
    head, sep, rest = raw.partition("\n---\n")
    if not sep:
        raise AnnotationError(f"{path}: no '---' line after the header")
    body, sep, claims_part = rest.rpartition("\n===\n")
    if not sep:
        if rest.startswith("===\n"):
            body, claims_part = "", rest[4:]
        else:
            raise AnnotationError(f"{path}: no '===' line after the body")
    meta = _parse_header(head.splitlines())
    errors: list[str] = []
    source = meta.get("source")
    if source:
        seed_path = seed_dir / source
        if not seed_path.is_file():
            raise AnnotationError(f"{path}: seed file {seed_path} not found")
        data = seed_path.read_bytes()
        if meta.get("sha256") and hashlib.sha256(data).hexdigest() != meta["sha256"]:
            errors.append(f"{path}: sha256 of {source} differs from the header")
        text = data.decode("utf-8")
    else:
        text = body
    for key in ("id", "split"):
        if key not in meta:
            errors.append(f"{path}: header lacks '{key}:'")
    if meta.get("split") not in ("train", "dev", "test"):
        errors.append(f"{path}: split must be train, dev or test")
    if source and meta.get("split") != "test":
        errors.append(f"{path}: seed annotations must be split: test")
    if not source and meta.get("split") == "test":
        errors.append(f"{path}: only the seed annotations form the test split")

    first_line = head.count("\n") + body.count("\n") + 4
    claims: list[GoldClaim] = []
    taken: dict[tuple[int, int], int] = {}
    for offset, line in enumerate(claims_part.splitlines()):
        lineno = first_line + offset + 1
        where = f"{path}:{lineno}"
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            errors.append(f"{where}: not JSON ({exc.msg})")
            continue
        claim, problems = _resolve_claim(item, text, catalogue)
        errors.extend(f"{where}: {p}" for p in problems)
        if claim is None:
            continue
        span_key = (claim.start, claim.end)
        if span_key in taken and claim.label != "comparative":
            errors.append(
                f"{where}: value {claim.text!r} at {span_key} annotated twice (line {taken[span_key]}); use occurrence"
            )
        taken[span_key] = lineno
        claims.append(claim)
    if errors:
        raise AnnotationError("\n".join(errors))
    claims.sort(key=lambda c: (c.start, c.end))
    return GoldDocument(
        id=meta["id"],
        split=meta["split"],
        style=meta.get("style", ""),
        text=text,
        claims=claims,
        meta={k: v for k, v in meta.items() if k in ("title", "published", "url", "publisher")},
        source=source,
    )


def _resolve_claim(item: dict[str, Any], text: str, catalogue: Catalogue) -> tuple[GoldClaim | None, list[str]]:
    problems: list[str] = []
    value = item.get("value")
    if not isinstance(value, str) or not value:
        return None, ["'value' must be a non-empty string"]
    label = item.get("label", "claim")
    if label not in LABELS:
        return None, [f"label {label!r} is not one of {LABELS}"]
    occurrence = int(item.get("occurrence", 1))
    start = _nth(text, value, occurrence)
    if start < 0:
        return None, [f"value {value!r} (occurrence {occurrence}) not found in the text"]
    end = start + len(value)
    claim = GoldClaim(start=start, end=end, text=value, label=label)
    if label == "distractor":
        return claim, problems

    subjects = _as_list(item.get("subject"))
    for s in subjects:
        if s not in catalogue.frameworks:
            problems.append(f"unknown framework id {s!r}")
    if not subjects:
        problems.append("a claim needs 'subject'")
    claim.subjects = subjects
    metric = item.get("metric")
    if metric not in catalogue.metrics:
        problems.append(f"unknown metric id {metric!r}")
    if metric == "other" and not item.get("metric_text"):
        problems.append("metric 'other' needs 'metric_text'")
    claim.metric = metric
    claim.comparator = item.get("comparator", "=")
    if claim.comparator not in COMPARATORS:
        problems.append(f"comparator {claim.comparator!r} is not one of {COMPARATORS}")
    if label == "claim":
        if not isinstance(item.get("num"), (int, float)):
            problems.append("a claim needs a numeric 'num'")
        claim.value = item.get("num")
        claim.value_high = item.get("num_high")
        if claim.comparator == "range" and not isinstance(claim.value_high, (int, float)):
            problems.append("a range needs 'num_high'")
        claim.unit = item.get("unit")
        if claim.unit not in UNITS:
            problems.append(f"unit {claim.unit!r} is not one of {UNITS}")
    claim.time = str(item["time"]) if item.get("time") is not None else None

    for key, slot_label in SLOT_KEYS.items():
        for needle in _as_list(item.get(key)):
            if not needle:
                continue
            found_at = locate_slot(text, needle, start, end)
            if found_at is None:
                problems.append(f"{key} {needle!r} not found near value {value!r}")
                continue
            claim.slots.setdefault(slot_label, []).append((found_at[0], found_at[1], needle))
    return claim, problems


def to_record(doc: GoldDocument) -> dict[str, Any]:
    """A Prodigy-style JSONL record: spans with offsets, relations value -> slot, normalised claims."""
    spans: list[dict[str, Any]] = []
    relations: list[dict[str, Any]] = []
    claims: list[dict[str, Any]] = []
    for claim in doc.claims:
        vid = len(spans)
        label = {"claim": "VALUE", "comparative": "COMPARATIVE", "distractor": "DISTRACTOR"}[claim.label]
        spans.append({"id": vid, "start": claim.start, "end": claim.end, "label": label, "text": claim.text})
        for slot_label, found in claim.slots.items():
            for i, (s, e, t) in enumerate(found):
                sid = len(spans)
                spans.append({"id": sid, "start": s, "end": e, "label": slot_label, "text": t})
                rel = slot_label.lower() if not (slot_label == "SUBJECT" and i) else "subject2"
                relations.append({"head": vid, "child": sid, "label": rel})
        if claim.label != "distractor":
            claims.append(
                {
                    "span": vid,
                    "label": claim.label,
                    "subjects": claim.subjects,
                    "metric": claim.metric,
                    "value": claim.value,
                    "value_high": claim.value_high,
                    "unit": claim.unit,
                    "comparator": claim.comparator,
                    "time": claim.time,
                }
            )
    record: dict[str, Any] = {"id": doc.id, "split": doc.split, "style": doc.style, "meta": doc.meta}
    if doc.source:
        record["source"] = doc.source
        record["sha256"] = hashlib.sha256(doc.text.encode("utf-8")).hexdigest()
    else:
        record["text"] = doc.text
    record.update(spans=spans, relations=relations, claims=claims)
    return record


def source_files(root: Path = ANNOTATIONS_DIR) -> list[Path]:
    return sorted((root / "src").glob("*.ann")) + sorted((root / "seeds").glob("*.ann"))


def build(root: Path = ANNOTATIONS_DIR) -> dict[str, int]:
    """Rebuild ``train/dev/test.jsonl`` from every source; returns the record count per split."""
    catalogue = default_catalogue()
    by_split: dict[str, list[dict[str, Any]]] = {"train": [], "dev": [], "test": []}
    errors: list[str] = []
    for path in source_files(root):
        try:
            doc = parse_ann(path, catalogue)
            by_split[doc.split].append(to_record(doc))
        except AnnotationError as exc:
            errors.append(str(exc))
    if errors:
        raise AnnotationError("\n".join(errors))
    for split, records in by_split.items():
        with (root / f"{split}.jsonl").open("w", encoding="utf-8") as fh:
            for record in records:
                fh.write(json.dumps(record, ensure_ascii=False) + "\n")
    return {k: len(v) for k, v in by_split.items()}


def load_split(split: str, root: Path = ANNOTATIONS_DIR, seed_dir: Path = SEED_DIR) -> list[dict[str, Any]]:
    """Read one built split; seed records get their ``text`` from ``seed_dir`` (checked by SHA-256)."""
    records = []
    with (root / f"{split}.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            record = json.loads(line)
            if "text" not in record:
                data = (seed_dir / record["source"]).read_bytes()
                if hashlib.sha256(data).hexdigest() != record["sha256"]:
                    raise AnnotationError(f"seed {record['source']} changed since it was annotated")
                record["text"] = data.decode("utf-8")
                record["path"] = str(seed_dir / record["source"])
            records.append(record)
    return records


def iter_checked(paths: Iterable[Path]) -> Iterator[tuple[Path, GoldDocument | None, str | None]]:
    catalogue = default_catalogue()
    for path in paths:
        try:
            yield path, parse_ann(path, catalogue), None
        except AnnotationError as exc:
            yield path, None, str(exc)


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in ("check", "build"):
        print("usage: python -m pipelines.annotations check FILE... | build", file=sys.stderr)
        return 2
    if argv[0] == "build":
        try:
            counts = build()
        except AnnotationError as exc:
            print(exc, file=sys.stderr)
            return 1
        print(json.dumps(counts))
        return 0
    failed = 0
    totals = {label: 0 for label in LABELS}
    for _path, doc, error in iter_checked(Path(p) for p in argv[1:]):
        if error:
            failed += 1
            print(error)
        else:
            assert doc is not None
            for c in doc.claims:
                totals[c.label] += 1
    print(f"{len(argv) - 1 - failed} ok, {failed} with errors; lines: {totals}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
