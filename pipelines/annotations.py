"""Gold annotations: parse the team's ``.ann`` sources, resolve them to character offsets, build JSONL.

The ``.ann`` format and the guideline are in ``annotations/README.md``. Run as a module to check
sources or rebuild the JSONL splits::

    python -m pipelines.annotations check annotations/src/*.ann
    python -m pipelines.annotations build
"""

from __future__ import annotations

import bisect
import hashlib
import json
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipelines.catalogue import DIMENSIONS, RATE_PERIODS, Catalogue, default_catalogue
from pipelines.realtext import RealTextMissing, load_pool, seed_dir
from pipelines.types import COMPARATORS, UNITS

REPO_ROOT = Path(__file__).resolve().parents[1]
ANNOTATIONS_DIR = REPO_ROOT / "annotations"
SEED_DIR = seed_dir()
SPLITS = ("train", "dev", "test", "real")
SUBJECT_FORMS = ("single", "versus", "either", "sum", "migration")
"""How the subjects of a claim combine: one framework; A relative to B; A or B (one option, "TF/Keras");
A + B summed; users moving from A to B."""
DISTRACTOR_KINDS = (
    "version",
    "list_number",
    "page_chrome",
    "publication_date",
    "time_anchor",
    "setup",
    "non_framework",
    "code",
    "hypothetical",
    "other",
)
TIME_BASES = ("sentence", "context", "document")
"""Where a claim's period comes from: its own sentence; a heading, the title or an earlier sentence; the
document's date ("currently 51k stars" on a page dated 2023-09 holds for 2023-09)."""
DURATION_SECONDS = {
    "us": 0.000001,
    "ms": 0.001,
    "s": 1.0,
    "min": 60.0,
    "h": 3600.0,
    "day": 86400.0,
    "week": 604800.0,
    "month": 2629746.0,
    "year": 31556952.0,
}
SIZE_BYTES = {"B": 1, "KB": 10**3, "MB": 10**6, "GB": 10**9, "TB": 10**12, "KiB": 2**10, "MiB": 2**20, "GiB": 2**30}
_V1_UNIT_DIMENSION = {
    "percent": "share",
    "count": "count",
    "ratio": "ratio",
    "year": "date",
    "rank": "rank",
    "usd": "money",
}
_SLUG = re.compile(r"^[a-z0-9][a-z0-9_]*$")
_PART = r"\d{4}(?:-(?:\d{2}(?:-\d{2})?|Q[1-4]|H[12]))?"
_PERIOD = re.compile(rf"^{_PART}(?:/{_PART})?$")
_DATE = re.compile(r"^\d{4}(?:-\d{2}(?:-\d{2})?)?$")
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
    # Schema v2 (annotations/README.md): the subject form, versions, unit dimension, period basis.
    form: str = "single"
    versions: list[str | None] = field(default_factory=list)
    dimension: str | None = None
    per: str | None = None
    date: str | None = None
    time_basis: str | None = None
    kind: str | None = None
    """For a distractor: which kind of number it is (DISTRACTOR_KINDS)."""


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
    realtext: str | None = None
    """For real-text annotations: the excerpt id in the pool (its text is read from there, never stored)."""


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
        # A table's header or a heading far above: the nearest occurrence before the value, else after it.
        before = text.rfind(needle, 0, value_start)
        if before >= 0:
            return before, before + len(needle)
        after = text.find(needle, value_end)
        if after < 0:
            return None
        return after, after + len(needle)
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
    realtext = meta.get("realtext")
    if realtext:
        try:
            excerpt = load_pool().get(realtext)
        except RealTextMissing as exc:
            raise AnnotationError(f"{path}: {exc}") from exc
        if excerpt is None:
            raise AnnotationError(f"{path}: no excerpt {realtext!r} in the real-text pool")
        if meta.get("sha256") != excerpt.sha256:
            raise AnnotationError(
                f"{path}: the SHA-256 in the header does not match excerpt {realtext} of the pool "
                "(the excerpt changed since it was annotated: re-check the annotation, then update sha256)"
            )
        text = excerpt.text
        meta.setdefault("split", "real")
        meta.setdefault("url", excerpt.url)
        meta.setdefault("site", excerpt.site)
        meta.setdefault("style", excerpt.style)
    elif source:
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
    if meta.get("split") not in SPLITS:
        errors.append(f"{path}: split must be one of {', '.join(SPLITS)}")
    if source and meta.get("split") != "test":
        errors.append(f"{path}: seed annotations must be split: test")
    if not source and meta.get("split") == "test":
        errors.append(f"{path}: only the seed annotations form the test split")
    if bool(realtext) != (meta.get("split") == "real"):
        errors.append(f"{path}: the real split holds exactly the real-text annotations")
    if meta.get("published") and not _DATE.match(meta["published"]):
        errors.append(f"{path}: published {meta['published']!r} is not YYYY, YYYY-MM or YYYY-MM-DD")

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
        if not isinstance(item, dict):
            errors.append(f"{where}: not a JSON object")
            continue
        if "block" in item:
            block, problems = _block_distractors(item, text)
            errors.extend(f"{where}: {p}" for p in problems)
            claims.extend(c for c in block if (c.start, c.end) not in taken)
            taken.update({(c.start, c.end): lineno for c in block})
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
        meta={k: v for k, v in meta.items() if k in ("title", "published", "url", "publisher", "site", "annotator")},
        source=source,
        realtext=realtext,
    )


def _locate_value(item: dict[str, Any], text: str) -> tuple[int, list[str]]:
    """Where the value stands: its ``occurrence`` in the whole text, or within line ``line`` when given."""
    value = item["value"]
    occurrence = item.get("occurrence", 1)
    if not isinstance(occurrence, int) or occurrence < 1:
        return -1, [f"occurrence {occurrence!r} must be a positive integer"]
    line = item.get("line")
    if line is None:
        start = _nth(text, value, occurrence)
        return start, ([] if start >= 0 else [f"value {value!r} (occurrence {occurrence}) not found in the text"])
    lines = text.split("\n")
    if not isinstance(line, int) or not 1 <= line <= len(lines):
        return -1, [f"line {line!r} is not a line of the text (1..{len(lines)})"]
    offset = sum(len(x) + 1 for x in lines[: line - 1])
    at = _nth(lines[line - 1], value, occurrence)
    if at < 0:
        return -1, [f"value {value!r} (occurrence {occurrence}) not found on line {line}"]
    return offset + at, []


def _block_distractors(item: dict[str, Any], text: str) -> tuple[list[GoldClaim], list[str]]:
    """``{"block": [first_line, last_line], "label": "distractor", "kind": …}``: every number token of
    those lines is a distractor of that kind (a code listing, a changelog's version list, a footer)."""
    from pipelines.realtext import line_starts, number_tokens

    block, kind = item.get("block"), item.get("kind")
    lines = text.split("\n")
    if (
        not isinstance(block, list)
        or len(block) != 2
        or not all(isinstance(n, int) for n in block)
        or not 1 <= block[0] <= block[1] <= len(lines)
    ):
        return [], [f"block {block!r} must be [first_line, last_line] within 1..{len(lines)}"]
    if item.get("label") != "distractor" or kind not in DISTRACTOR_KINDS:
        return [], [f"a block is a distractor with a kind, one of {DISTRACTOR_KINDS}"]
    starts = line_starts(text)
    lo = starts[block[0] - 1]
    hi = starts[block[1]] if block[1] < len(starts) else len(text)
    found = [
        GoldClaim(start=s, end=e, text=t, label="distractor", kind=kind)
        for s, e, t in number_tokens(text)
        if lo <= s and e <= hi
    ]
    return found, []


def _normalised_value(item: dict[str, Any], dimension: str | None, problems: list[str]) -> tuple[Any, Any]:
    """``num``/``num_high`` in the dimension's canonical unit (durations in seconds, sizes in bytes)."""
    num, high = item.get("num"), item.get("num_high")
    if dimension == "duration":
        unit = item.get("time_unit")
        if unit not in DURATION_SECONDS:
            problems.append(f"a duration needs time_unit, one of {', '.join(DURATION_SECONDS)}")
            return num, high
        factor = DURATION_SECONDS[unit]
    elif dimension == "size":
        unit = item.get("size_unit")
        if unit not in SIZE_BYTES:
            problems.append(f"a size needs size_unit, one of {', '.join(SIZE_BYTES)}")
            return num, high
        factor = float(SIZE_BYTES[unit])
    else:
        return num, high

    def scale(x: Any) -> Any:
        return x * factor if isinstance(x, (int, float)) else x

    return scale(num), scale(high)


def _resolve_claim(item: dict[str, Any], text: str, catalogue: Catalogue) -> tuple[GoldClaim | None, list[str]]:
    problems: list[str] = []
    value = item.get("value")
    if not isinstance(value, str) or not value:
        return None, ["'value' must be a non-empty string"]
    label = item.get("label", "claim")
    if label not in LABELS:
        return None, [f"label {label!r} is not one of {LABELS}"]
    start, located = _locate_value(item, text)
    if start < 0:
        return None, located
    end = start + len(value)
    claim = GoldClaim(start=start, end=end, text=value, label=label)
    if label == "distractor":
        kind = item.get("kind")
        if kind is not None and kind not in DISTRACTOR_KINDS:
            problems.append(f"distractor kind {kind!r} is not one of {DISTRACTOR_KINDS}")
        claim.kind = kind
        return claim, problems

    subjects = _as_list(item.get("subject"))
    for s in subjects:
        # The catalogue gives aliases; it does not limit what can be a subject (open list, slug ids).
        if not isinstance(s, str) or (s not in catalogue.frameworks and not _SLUG.match(s)):
            problems.append(f"subject {s!r} is neither a catalogue framework id nor a lowercase slug")
    if not subjects:
        problems.append("a claim needs 'subject'")
    claim.subjects = subjects
    form = item.get("form", "versus" if len(subjects) > 1 else "single")
    if form not in SUBJECT_FORMS:
        problems.append(f"form {form!r} is not one of {SUBJECT_FORMS}")
    elif (form == "single") != (len(subjects) == 1):
        problems.append(f"form {form!r} does not fit {len(subjects)} subject(s)")
    claim.form = form
    versions = [item.get("version"), item.get("version2")]
    claim.versions = versions[: max(1, len(subjects))] if any(versions) else []
    metric = item.get("metric")
    if metric not in catalogue.metrics:
        problems.append(f"unknown metric id {metric!r}")
    if metric == "other" and not item.get("metric_text"):
        problems.append("metric 'other' needs 'metric_text'")
    claim.metric = metric
    declared = catalogue.metrics[metric].dimension if metric in catalogue.metrics else None
    # Team texts of schema v1 give a unit, not a dimension: it implies one for metric 'other'.
    implied = _V1_UNIT_DIMENSION.get(item.get("unit") or "")
    dimension = item.get("dim") or (declared if declared != "any" else implied)
    if label == "claim":
        if dimension not in DIMENSIONS:
            problems.append(f"dimension {dimension!r} is not one of {DIMENSIONS} (metric 'other' needs 'dim')")
        elif declared not in (None, "any", dimension) and not (form == "versus" and dimension in ("ratio", "change")):
            # A comparison of two subjects on a count or share ("3x as many stars as") is a ratio.
            problems.append(f"dim {dimension!r} differs from metric {metric}'s dimension {declared!r}")
    claim.dimension = dimension
    if dimension == "rate":
        claim.per = item.get("per")
        if claim.per not in RATE_PERIODS:
            problems.append(f"a rate needs per, one of {RATE_PERIODS}")
    claim.comparator = item.get("comparator", "=")
    if claim.comparator not in COMPARATORS:
        problems.append(f"comparator {claim.comparator!r} is not one of {COMPARATORS}")
    if label == "claim":
        if not isinstance(item.get("num"), (int, float)):
            problems.append("a claim needs a numeric 'num'")
        claim.value, claim.value_high = _normalised_value(item, dimension, problems)
        if claim.comparator == "range" and not isinstance(claim.value_high, (int, float)):
            problems.append("a range needs 'num_high'")
        claim.unit = item.get("unit")
        if claim.unit is not None and claim.unit not in UNITS:
            problems.append(f"unit {claim.unit!r} is not one of {UNITS}")
        if dimension == "date":
            claim.date = str(item.get("date") or item.get("num"))
            if not _DATE.match(claim.date):
                problems.append(f"date {claim.date!r} is not YYYY, YYYY-MM or YYYY-MM-DD")
    claim.time = str(item["time"]) if item.get("time") is not None else None
    if claim.time is not None and not _PERIOD.match(claim.time):
        problems.append(f"time {claim.time!r} is not a period (YYYY, YYYY-MM, YYYY-MM-DD, YYYY-Qn, YYYY-Hn, A/B)")
    claim.time_basis = item.get("time_basis")
    if claim.time_basis is None and claim.time is not None:
        claim.time_basis = "sentence" if item.get("time_text") else "document"
    if claim.time_basis is not None and claim.time_basis not in TIME_BASES:
        problems.append(f"time_basis {claim.time_basis!r} is not one of {TIME_BASES}")
    if claim.time_basis in ("sentence", "context") and not item.get("time_text"):
        problems.append(f"time_basis {claim.time_basis!r} needs the time_text that states it")

    for key, slot_label in SLOT_KEYS.items():
        for position, needle in enumerate(_as_list(item.get(key))):
            if not needle:
                continue  # a subject not named in the text ("" keeps the second one second)
            found_at = locate_slot(text, needle, start, end)
            if found_at is None:
                problems.append(f"{key} {needle!r} not found in the text")
                continue
            label = "SUBJECT2" if slot_label == "SUBJECT" and position > 0 else slot_label
            claim.slots.setdefault(label, []).append((found_at[0], found_at[1], needle))
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
            for s, e, t in found:
                sid = len(spans)
                label = "SUBJECT" if slot_label == "SUBJECT2" else slot_label
                spans.append({"id": sid, "start": s, "end": e, "label": label, "text": t})
                relations.append({"head": vid, "child": sid, "label": slot_label.lower()})
        if claim.label == "distractor":
            if claim.kind:
                spans[vid]["kind"] = claim.kind
        else:
            claims.append(
                {
                    "span": vid,
                    "label": claim.label,
                    "subjects": claim.subjects,
                    "form": claim.form,
                    "versions": claim.versions,
                    "metric": claim.metric,
                    "dimension": claim.dimension,
                    "value": claim.value,
                    "value_high": claim.value_high,
                    "unit": claim.unit,
                    "per": claim.per,
                    "date": claim.date,
                    "comparator": claim.comparator,
                    "time": claim.time,
                    "time_basis": claim.time_basis,
                }
            )
    record: dict[str, Any] = {"id": doc.id, "split": doc.split, "style": doc.style, "meta": doc.meta}
    if doc.realtext:
        record["realtext"] = doc.realtext
        record["sha256"] = hashlib.sha256(doc.text.encode("utf-8")).hexdigest()
    elif doc.source:
        record["source"] = doc.source
        record["sha256"] = hashlib.sha256(doc.text.encode("utf-8")).hexdigest()
    else:
        record["text"] = doc.text
    record.update(spans=spans, relations=relations, claims=claims)
    return record


def source_files(root: Path = ANNOTATIONS_DIR) -> list[Path]:
    return (
        sorted((root / "src").glob("*.ann"))
        + sorted((root / "seeds").glob("*.ann"))
        + sorted((root / "real").glob("*.ann"))
    )


def build(root: Path = ANNOTATIONS_DIR) -> dict[str, int]:
    """Rebuild ``train/dev/test.jsonl`` from every source; returns the record count per split."""
    catalogue = default_catalogue()
    by_split: dict[str, list[dict[str, Any]]] = {split: [] for split in SPLITS}
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
            if "realtext" in record:
                excerpt = load_pool()[record["realtext"]]
                if excerpt.sha256 != record["sha256"]:
                    raise AnnotationError(f"excerpt {record['realtext']} changed since it was annotated")
                record["text"] = excerpt.text
            elif "text" not in record:
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


def uncovered_numbers(doc: GoldDocument) -> list[tuple[int, str]]:
    """(line, token) of every number token of the text that no annotation line covers."""
    from pipelines.realtext import line_starts, number_tokens

    starts = line_starts(doc.text)
    covered = [(c.start, c.end) for c in doc.claims]
    out = []
    for start, end, token in number_tokens(doc.text):
        if any(a < end and start < b for a, b in covered):
            continue
        out.append((bisect.bisect_right(starts, start), token))
    return out


def describe(doc: GoldDocument) -> str:
    """Every resolved line with a little context, then the uncovered number tokens (for annotators)."""
    from pipelines.realtext import line_starts

    starts = line_starts(doc.text)
    lines = [f"{doc.id}: {len(doc.claims)} lines"]
    for c in doc.claims:
        line = bisect.bisect_right(starts, c.start)
        before = doc.text[max(0, c.start - 25) : c.start].replace("\n", " ")
        after = doc.text[c.end : c.end + 25].replace("\n", " ")
        if c.label == "distractor":
            what = f"distractor:{c.kind or '-'}"
        else:
            slots = {k: [t for _, _, t in v] for k, v in c.slots.items()}
            what = (
                f"{c.label} {c.form}:{','.join(c.subjects)} v{c.versions or ''} {c.metric}/{c.dimension} "
                f"{c.comparator}{c.value}{'..' + str(c.value_high) if c.value_high is not None else ''} "
                f"time={c.time}({c.time_basis}) slots={slots}"
            )
        lines.append(f"  L{line} …{before}[{c.text}]{after}… -> {what}")
    missing = uncovered_numbers(doc)
    if missing:
        lines.append("  UNCOVERED: " + "; ".join(f"L{n} {t!r}" for n, t in missing))
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in ("check", "build", "show"):
        print("usage: python -m pipelines.annotations check FILE... | show FILE... | build", file=sys.stderr)
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
            if argv[0] == "show":
                print(describe(doc))
    print(f"{len(argv) - 1 - failed} ok, {failed} with errors; lines: {totals}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
