"""Document dates and claim periods found by the document context, against the real-text annotations.

Usage::

    .venv/bin/python bench/time_context.py                       # annotations/real/*.ann
    .venv/bin/python bench/time_context.py --real path/to/real   # real-text annotations read from elsewhere

For every annotated excerpt the article is built as the extractor builds it (text + its URL), so the date
comes from the excerpt's own byline, front matter or URL, never from the annotation. Printed: the excerpts
whose annotation gives a ``published`` date, how many of them get a date and how many the right one; then,
for every gold claim with a ``time`` (date claims excepted: they need none), whether
``DocumentContext.period_for`` gives the same period, per ``time_basis``; and how many claims without a
gold time still get one (from the document date, mostly). Sentences are cut by
``pipelines.context.sentence_bounds``, not by spaCy.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

from pipelines.annotations import ANNOTATIONS_DIR, iter_checked
from pipelines.context import document_context, sentence_bounds
from pipelines.ingest import article_from_text
from pipelines.realtext import RealTextMissing, load_pool


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--real", type=Path, default=ANNOTATIONS_DIR / "real", help="folder of real-text .ann files")
    parser.add_argument("--errors", action="store_true", help="list every wrong or missing period")
    args = parser.parse_args(argv)
    try:
        pool = load_pool()
    except RealTextMissing as exc:
        print(exc, file=sys.stderr)
        return 1
    tally: Counter[str] = Counter()
    errors = []
    for path, doc, error in iter_checked(sorted(args.real.glob("*.ann"))):
        if doc is None or doc.realtext is None:
            print(f"skipped: {error or path}", file=sys.stderr)
            continue
        article = article_from_text(doc.text, name=doc.id, fmt="text", url=pool[doc.realtext].url)
        gold_date = doc.meta.get("published")
        tally["excerpts"] += 1
        tally["dated"] += bool(article.published)
        if gold_date:
            tally["gold dated"] += 1
            tally["date found"] += bool(article.published)
            tally["date right"] += article.published == gold_date
        ctx = document_context(article)
        for claim in doc.claims:
            if claim.label != "claim" or claim.dimension == "date":
                continue
            start, end = sentence_bounds(doc.text, claim.start)
            got = ctx.period_for(start, end, claim.start, claim.end)
            if claim.time:
                tally[f"time:{claim.time_basis}"] += 1
                right = got is not None and got.label == claim.time
                tally[f"right:{claim.time_basis}"] += right
                if not right:
                    found = f"{got.label} ({got.basis}: {got.text!r})" if got else "none"
                    errors.append(f"{doc.id} {claim.text!r}: gold {claim.time} ({claim.time_basis}), got {found}")
            else:
                tally["no gold time"] += 1
                tally["given one anyway"] += got is not None
    print(
        f"document date: {tally['excerpts']} excerpts, {tally['dated']} dated; of the {tally['gold dated']} whose "
        f"annotation gives one: {tally['date found']} found, {tally['date right']} right"
    )
    total = right = 0
    for basis in ("sentence", "context", "document"):
        n, r = tally[f"time:{basis}"], tally[f"right:{basis}"]
        total, right = total + n, right + r
        print(f"claim period, basis {basis:<8}: {r:>4} / {n:<4} right" + (f" ({r / n:.3f})" if n else ""))
    if total:
        print(f"claim period, all           : {right:>4} / {total:<4} right ({right / total:.3f})")
    print(f"claims without a gold time given one anyway: {tally['given one anyway']} of {tally['no gold time']}")
    if args.errors:
        print("\n".join(errors))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
