"""Extraction throughput vs a plain spaCy pass, measured side by side in one run.

The seeds (read from ../shared/corpus) are repeated as separate documents until the text holds at least
--words words. Printed: words/s of `nlp.pipe` with the full en_core_web_sm pipeline, words/s of the
Claimgraph extraction (ingest + segmentation + candidates + tagger + resolution), and their ratio;
with --quantulum, quantulum3's parser over the same text too (words/s and ratio), beside the mention
precision of both on the seed test split. The issue's targets: ratio >= 0.5 (extraction engine),
>= 0.8 (scale-out); extraction ÷ quantulum3 >= 1.5 with precision far above quantulum3's.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")

SEED_DIR = Path(__file__).resolve().parents[2] / "shared" / "corpus"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--words", type=int, default=200_000)
    parser.add_argument("--rounds", type=int, default=2, help="alternating timed rounds of each system")
    parser.add_argument("--quantulum", action="store_true", help="also time quantulum3 and print precisions")
    args = parser.parse_args()

    import spacy
    import torch

    from pipelines.extract.pipeline import SPACY_MODEL, Extractor
    from pipelines.ingest import article_from_text

    torch.set_num_threads(os.cpu_count() or 2)
    seeds = [p.read_bytes().decode("utf-8") for p in sorted(SEED_DIR.glob("*.txt"))]
    texts: list[str] = []
    words = 0
    while words < args.words:
        for t in seeds:
            texts.append(t)
            words += len(t.split())
    full = spacy.load(SPACY_MODEL)
    extractor = Extractor()
    extractor.warm_up()
    # Warm both paths once on a little text so that lazy initialisation is not timed.
    list(full.pipe(texts[:2]))
    extractor.run([article_from_text(t) for t in texts[:2]])

    spacy_times, extract_times = [], []
    mentions = 0
    for _ in range(args.rounds):
        t0 = time.perf_counter()
        for _doc in full.pipe(texts, batch_size=32):
            pass
        spacy_times.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        results = extractor.run([article_from_text(t, name=f"doc{i}") for i, t in enumerate(texts)])
        extract_times.append(time.perf_counter() - t0)
        mentions = sum(len(r) for r in results)
    spacy_wps = words / min(spacy_times)
    extract_wps = words / min(extract_times)
    report = {
        "words": words,
        "documents": len(texts),
        "mentions": mentions,
        "spacy_full_pipeline_words_per_s": round(spacy_wps),
        "claimgraph_extract_words_per_s": round(extract_wps),
        "ratio": round(extract_wps / spacy_wps, 3),
        "cpu_threads": torch.get_num_threads(),
    }
    if args.quantulum:
        report |= quantulum_side_by_side(texts, words, extract_wps, extractor)
    print(json.dumps(report, indent=2))


def quantulum_side_by_side(texts: list[str], words: int, extract_wps: float, extractor: Any) -> dict:
    """quantulum3's parser over the same texts (one round: it is the slow side), and both systems'
    mention precision on the seed test split (quantulum3's quantities decided by the rules baseline)."""
    from quantulum3 import parser

    from pipelines.annotations import load_split
    from pipelines.evaluate import evaluate, quantulum_classifier

    clf = str(quantulum_classifier())
    parser.parse(texts[0][:2000], classifier_path=clf)  # warm: loads the classifier
    t0 = time.perf_counter()
    found = sum(len(parser.parse(t, classifier_path=clf)) for t in texts)
    quantulum_wps = words / (time.perf_counter() - t0)
    scores = {s.system: s for s in evaluate(load_split("test"), ("tagger", "quantulum3"), extractor=extractor)}
    return {
        "quantulum3_words_per_s": round(quantulum_wps),
        "quantulum3_quantities": found,
        "extract_over_quantulum3": round(extract_wps / quantulum_wps, 3),
        "seed_precision_tagger": round(scores["tagger"].precision, 3),
        "seed_precision_quantulum3": round(scores["quantulum3"].precision, 3),
    }


if __name__ == "__main__":
    main()
