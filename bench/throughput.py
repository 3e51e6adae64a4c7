"""Extraction throughput vs a plain spaCy pass, measured side by side in one run.

The seeds (read from ../shared/corpus) are repeated as separate documents until the text holds at least
--words words. Printed: words/s of `nlp.pipe` with the full en_core_web_sm pipeline, words/s of the
Claimgraph extraction (ingest + segmentation + candidates + tagger + resolution), and their ratio;
with --quantulum, quantulum3's parser over the same text too, in the same alternating rounds (words/s
and ratio), beside the mention precision of both on the seed test split. --inference picks the backend
of the tagger and embedder (``torch``, ``onnx-int8``, or ``both``: the two timed in alternating rounds of the same run).
The issue's targets: ratio >= 0.5 (extraction engine), >= 0.8 (scale-out); extraction ÷ quantulum3
>= 1.5 with precision far above quantulum3's.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")

SEED_DIR = Path(__file__).resolve().parents[2] / "shared" / "corpus"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--words", type=int, default=200_000)
    parser.add_argument("--rounds", type=int, default=2, help="alternating timed rounds of each system")
    parser.add_argument("--quantulum", action="store_true", help="also time quantulum3 and print precisions")
    parser.add_argument("--inference", choices=["torch", "onnx-int8", "both"], default="both")
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
    backends = ["torch", "onnx-int8"] if args.inference == "both" else [args.inference]
    extractors = {name: Extractor(inference=name) for name in backends}
    # Warm every path once on a little text so that lazy initialisation is not timed.
    list(full.pipe(texts[:2]))
    for extractor in extractors.values():
        extractor.warm_up()
        extractor.run([article_from_text(t) for t in texts[:2]])

    quantulum = quantulum_parser() if args.quantulum else None
    spacy_times: list[float] = []
    quantulum_times: list[float] = []
    extract_times: dict[str, list[float]] = {name: [] for name in backends}
    mentions: dict[str, int] = {}
    quantities = 0
    for _ in range(args.rounds):
        t0 = time.perf_counter()
        for _doc in full.pipe(texts, batch_size=32):
            pass
        spacy_times.append(time.perf_counter() - t0)
        if quantulum is not None:
            t0 = time.perf_counter()
            quantities = sum(len(quantulum(t)) for t in texts)
            quantulum_times.append(time.perf_counter() - t0)
        for name, extractor in extractors.items():
            t0 = time.perf_counter()
            results = extractor.run([article_from_text(t, name=f"doc{i}") for i, t in enumerate(texts)])
            extract_times[name].append(time.perf_counter() - t0)
            mentions[name] = sum(len(r) for r in results)
    spacy_wps = words / min(spacy_times)
    report: dict[str, Any] = {
        "words": words,
        "documents": len(texts),
        "spacy_full_pipeline_words_per_s": round(spacy_wps),
        "cpu_threads": torch.get_num_threads(),
    }
    if quantulum is not None:
        quantulum_wps = words / min(quantulum_times)
        report |= {
            "quantulum3_words_per_s": round(quantulum_wps),
            "quantulum3_quantities": quantities,
            "seed_precision_quantulum3": round(seed_precision("quantulum3"), 3),
        }
    for name in backends:
        wps = words / min(extract_times[name])
        report[name] = {
            "mentions": mentions[name],
            "words_per_s": round(wps),
            "ratio_to_spacy": round(wps / spacy_wps, 3),
        }
        if quantulum is not None:
            report[name] |= {
                "extract_over_quantulum3": round(wps / quantulum_wps, 3),
                "seed_precision_tagger": round(seed_precision("tagger", extractors[name]), 3),
            }
    print(json.dumps(report, indent=2))


def quantulum_parser() -> Callable[[str], list]:
    """quantulum3's ``parse`` with its unit classifier retrained offline, warmed up (classifier loaded)."""
    from quantulum3 import parser

    from pipelines.evaluate import quantulum_classifier

    clf = str(quantulum_classifier())

    def parse(text: str) -> list:
        return parser.parse(text, classifier_path=clf)

    parse("PyTorch holds 70% of papers.")
    return parse


def seed_precision(system: str, extractor: Any = None) -> float:
    """Mention precision of ``system`` on the seed test split (quantulum3's quantities are decided by the
    rules baseline, as in ``claimgraph evaluate``)."""
    from pipelines.annotations import load_split
    from pipelines.evaluate import evaluate

    scores = {s.system: s for s in evaluate(load_split("test"), (system,), extractor=extractor)}
    return scores[system].precision


if __name__ == "__main__":
    main()
