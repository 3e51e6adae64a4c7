"""The real-text pool: excerpts of public web pages and repository Markdown, read by reference.

The pool lives outside the repository (``../shared/realtext`` beside the checkout, or the folder named by
``CLAIMGRAPH_REALTEXT_DIR``); nothing of its text is ever stored here. Annotations point into it by
excerpt id + SHA-256 + character offsets. Evaluation holds out whole **sites** (URL host, or owner/repo for
repository files), never single excerpts: pages of one site share a style.

Run as a module to help annotating::

    python -m pipelines.realtext show p0001          # the excerpt with line numbers and its number tokens
    python -m pipelines.realtext folds               # which site is in which cross-validation fold
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from urllib.parse import urlparse

REPO_ROOT = Path(__file__).resolve().parents[1]
POOL_FILES = ("pages.jsonl", "github.jsonl")
FOLDS = 5


class RealTextMissing(FileNotFoundError):
    """The real-text pool is not where the settings say; the message says how to provide it."""


def realtext_dir() -> Path:
    """Where the pool is: ``CLAIMGRAPH_REALTEXT_DIR``, else ``../shared/realtext`` beside the checkout."""
    env = os.environ.get("CLAIMGRAPH_REALTEXT_DIR")
    return Path(env) if env else REPO_ROOT.parent / "shared" / "realtext"


def seed_dir() -> Path:
    """Where the five seed articles are: ``CLAIMGRAPH_SEED_DIR``, else ``../shared/corpus``."""
    env = os.environ.get("CLAIMGRAPH_SEED_DIR")
    return Path(env) if env else REPO_ROOT.parent / "shared" / "corpus"


@dataclass(frozen=True, kw_only=True, slots=True)
class Excerpt:
    id: str
    url: str
    text: str
    sha256: str
    style: str
    site: str
    negative_heavy: bool = False


def site_of(url: str) -> str:
    """The site an excerpt comes from: ``owner/repo`` for a repository file, else the host without ``www.``."""
    parsed = urlparse(url)
    host = (parsed.hostname or "").lower()
    if host in ("github.com", "raw.githubusercontent.com", "gitlab.com"):
        parts = [p for p in parsed.path.split("/") if p]
        if len(parts) >= 2:
            return f"{host}/{parts[0].lower()}/{parts[1].lower()}"
    return host.removeprefix("www.")


@cache
def load_pool(directory: Path | None = None) -> dict[str, Excerpt]:
    """Every excerpt of the pool by id; each text checked against its SHA-256."""
    directory = directory or realtext_dir()
    if not all((directory / name).is_file() for name in POOL_FILES):
        raise RealTextMissing(
            f"the real-text pool is not in {directory} (files {', '.join(POOL_FILES)}); "
            "set CLAIMGRAPH_REALTEXT_DIR to the folder that holds it"
        )
    pool: dict[str, Excerpt] = {}
    for name in POOL_FILES:
        with (directory / name).open(encoding="utf-8") as fh:
            for line in fh:
                row = json.loads(line)
                text = row["text"]
                if hashlib.sha256(text.encode("utf-8")).hexdigest() != row["sha256"]:
                    raise ValueError(f"{directory / name}: excerpt {row['id']} does not match its sha256")
                pool[row["id"]] = Excerpt(
                    id=row["id"],
                    url=row["url"],
                    text=text,
                    sha256=row["sha256"],
                    style=row.get("style", ""),
                    site=site_of(row["url"]),
                    negative_heavy=bool(row.get("negative_heavy", False)),
                )
    return pool


def site_folds(sites: dict[str, int], k: int = FOLDS) -> dict[str, int]:
    """Assign sites to ``k`` folds, balancing the number of excerpts: the largest site first, each to the
    lightest fold (ties by a hash of the site name, so the assignment is stable)."""
    loads = [0] * k
    out: dict[str, int] = {}
    order = sorted(sites, key=lambda s: (-sites[s], hashlib.sha256(s.encode()).hexdigest()))
    for site in order:
        fold = min(range(k), key=lambda f: (loads[f], f))
        out[site] = fold
        loads[fold] += sites[site]
    return out


def fold_of_excerpts(ids: list[str] | None = None, k: int = FOLDS) -> dict[str, int]:
    """Fold number of every excerpt (of ``ids``, default the whole pool), grouped by site."""
    pool = load_pool()
    ids = list(pool) if ids is None else ids
    counts: dict[str, int] = {}
    for i in ids:
        counts[pool[i].site] = counts.get(pool[i].site, 0) + 1
    folds = site_folds(counts, k)
    return {i: folds[pool[i].site] for i in ids}


_NUMBER_TOKEN = re.compile(
    r"(?i)\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty|"
    r"hundreds?|thousands?|millions?|billions?|dozens?|half|quarter|third|twice|thrice|double[ds]?|triple[ds]?|first)\b"
    r"|[$€£#~+-]?\d[\d,.:/]*(?:\s?(?:%|x|×|k|m|b|s|ms|h|hr|hrs|gb|mb|kb|tb|st|nd|rd|th|\+))?(?![\w])|\d+\w*"
)


def number_tokens(text: str) -> list[tuple[int, int, str]]:
    """Digit-bearing tokens and number words of ``text``: (start, end, surface), for annotators' lists."""
    out = []
    for m in _NUMBER_TOKEN.finditer(text):
        surface = m.group(0).rstrip(",.:/")
        out.append((m.start(), m.start() + len(surface), surface))
    return out


def line_starts(text: str) -> list[int]:
    starts = [0]
    starts += [i + 1 for i, ch in enumerate(text) if ch == "\n"]
    return starts


def show(excerpt: Excerpt) -> str:
    """The excerpt as annotators read it: header, numbered lines, then every number token with its line."""
    out = [f"id: {excerpt.id}  site: {excerpt.site}  style: {excerpt.style}  negative_heavy: {excerpt.negative_heavy}"]
    out.append(f"url: {excerpt.url}")
    out.append(f"sha256: {excerpt.sha256}")
    out.append("-" * 80)
    for n, line in enumerate(excerpt.text.split("\n"), start=1):
        out.append(f"{n:4d}| {line}")
    out.append("-" * 80)
    starts = line_starts(excerpt.text)
    per_line: dict[int, list[str]] = {}
    for start, _, surface in number_tokens(excerpt.text):
        line_no = max(i for i, s in enumerate(starts) if s <= start) + 1
        per_line.setdefault(line_no, []).append(surface)
    out.append("number tokens by line (every one needs a claim or a distractor line):")
    for line_no, toks in per_line.items():
        out.append(f"  line {line_no}: " + " | ".join(toks))
    return "\n".join(out)


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in ("show", "folds", "list"):
        print("usage: python -m pipelines.realtext show ID... | list | folds", file=sys.stderr)
        return 2
    pool = load_pool()
    if argv[0] == "show":
        for i in argv[1:]:
            if i not in pool:
                print(f"no excerpt {i!r} in {realtext_dir()}", file=sys.stderr)
                return 1
            print(show(pool[i]))
        return 0
    if argv[0] == "list":
        for e in pool.values():
            print(f"{e.id}\t{e.site}\t{e.style}\t{len(e.text)}")
        return 0
    folds = fold_of_excerpts()
    by_fold: dict[int, set[str]] = {}
    for i, f in folds.items():
        by_fold.setdefault(f, set()).add(pool[i].site)
    for f in sorted(by_fold):
        n = sum(1 for v in folds.values() if v == f)
        print(f"fold {f}: {n} excerpts, {len(by_fold[f])} sites")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
