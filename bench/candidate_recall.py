"""Candidate recall on gold claims, per unit dimension, and candidates per 1,000 words.

Usage::

    .venv/bin/python bench/candidate_recall.py                        # dev + test splits + annotations/real/*.ann
    .venv/bin/python bench/candidate_recall.py --real path/to/real    # real-text annotations read from elsewhere
    .venv/bin/python bench/candidate_recall.py --splits dev --misses  # list what no candidate covers

A gold claim value is covered when a candidate the extractor sends to the tagger (not a version or
list number) overlaps its span; "exact" is the share of covered values with a candidate of exactly the
gold span; "value ok" the share whose normalised value agrees with the gold value in its dimension
(schema-v1 texts give no value for times and sizes, which are left out of that column). Real-text
annotations are read from their ``.ann`` files, resolved against the pool (``CLAIMGRAPH_REALTEXT_DIR``).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from pipelines.annotations import ANNOTATIONS_DIR, iter_checked, load_split
from pipelines.candidate_recall import candidate_recall, documents_from_gold, documents_from_records, format_report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--splits", default="dev,test", help="built splits to read (comma-separated)")
    parser.add_argument("--real", type=Path, default=ANNOTATIONS_DIR / "real", help="folder of real-text .ann files")
    parser.add_argument("--misses", action="store_true", help="list the gold values no candidate covers")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON")
    args = parser.parse_args(argv)

    documents = []
    for split in filter(None, args.splits.split(",")):
        documents += documents_from_records(load_split(split))
    paths = sorted(args.real.glob("*.ann")) if args.real.is_dir() else []
    parsed = []
    for _path, doc, error in iter_checked(paths):
        if doc is None:
            print(f"skipped: {error}", file=sys.stderr)
        else:
            parsed.append(doc)
    documents += documents_from_gold(parsed)
    reports = candidate_recall(documents, keep_misses=args.misses)
    print(format_report(reports))
    if args.misses:
        for rep in reports.values():
            for line in rep.misses:
                print("MISS", line)
    if args.json:
        out = {
            split: {
                "documents": rep.documents,
                "words": rep.words,
                "candidates_per_1000_words": round(rep.per_1000_words(rep.candidates), 2),
                "sent_per_1000_words": round(rep.per_1000_words(rep.sent), 2),
                "recall": round(rep.total.recall, 4),
                "by_dimension": {d: vars(t) for d, t in rep.by_dimension.items()},
            }
            for split, rep in reports.items()
        }
        args.json.write_text(json.dumps(out, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
