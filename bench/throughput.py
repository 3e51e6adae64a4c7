"""Extraction throughput vs a plain spaCy pass, measured side by side in one run.

The seeds (read from ../shared/corpus) are repeated as separate documents until the text holds at least
--words words. Printed: words/s of `nlp.pipe` with the full en_core_web_sm pipeline, words/s of the
Claimgraph extraction (ingest + segmentation + candidates + tagger + resolution), and their ratio.
The issue's targets: ratio >= 0.5 (extraction engine), >= 0.8 (scale-out).
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

SEED_DIR = Path(__file__).resolve().parents[2] / "shared" / "corpus"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--words", type=int, default=200_000)
    parser.add_argument("--rounds", type=int, default=2, help="alternating timed rounds of each system")
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
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
