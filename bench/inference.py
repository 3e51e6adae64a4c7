"""Tagger throughput with PyTorch fp32, ONNX Runtime fp32 and ONNX Runtime int8, against this CPU's fp32 ceiling.

All in one run, so that the ratios compare like with like on a noisy machine:

1. the fp32 FLOP ceiling: float32 matrix products (torch, 8 x 1024 x 1024 @ 1024 x 1024), timed in every
   round between the backends, best round kept;
2. the tagger's forward passes over the same real inputs (the windows of the five seeds: one per sentence
   holding candidates, all its candidates marked; read from the seed folder, repeated), in length-sorted
   padded batches of 32 as ``ClaimTagger.predict`` forms them, each backend timed in alternating rounds,
   best round kept; tokens/s counts real tokens, not padding;
3. the FLOPs of one token through MiniLM-L6 computed from its config (layers, hidden, intermediate, the
   batches' mean padded length for attention) -> achieved GFLOP/s and its fraction of the ceiling;
4. end-to-end extraction words/s (ingest, segmentation, candidates, tagger, resolution) with each
   ``Extractor`` backend on the seeds repeated to --words words.

Printed: JSON with every figure and the int8 / fp32 throughput ratios.
Threads: PyTorch and ONNX Runtime both get one intra-op thread per core (``os.cpu_count()``).
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
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

SEED_DIR = Path(__file__).resolve().parents[2] / "shared" / "corpus"


def matmul_run(batch: int = 8, n: int = 1024, repeats: int = 3) -> tuple[Callable[[], None], float]:
    """A timed float32 (batch, n, n) @ (n, n) product with torch, repeated; and its FLOP count."""
    import torch

    a = torch.randn(batch, n, n)
    b = torch.randn(n, n)

    def run() -> None:
        for _ in range(repeats):
            torch.matmul(a, b)

    return run, 2.0 * batch * n**3 * repeats


def flops_per_token(config: Any, seq_len: float, n_tags: int, n_pooled_out: int) -> float:
    """FLOPs (2 per multiply-add) for one token through the encoder and the tagger heads.

    Per layer: Q, K, V and output projections (4 h^2), the feed-forward pair (2 h i), and attention
    scores and weighted sum (2 S h for a sequence of S tokens). Heads: the tag layer per token, the
    claim and metric layers once per sequence (spread over its tokens). Embedding lookups, layer norms,
    softmax and GELU are left out (a few percent).
    """
    h, i, layers = config.hidden_size, config.intermediate_size, config.num_hidden_layers
    macs = layers * (4 * h * h + 2 * h * i + 2 * seq_len * h) + h * n_tags + 2 * h * n_pooled_out / seq_len
    return 2 * macs


def seed_texts(words: int) -> tuple[list[str], int]:
    seeds = [p.read_bytes().decode("utf-8") for p in sorted(SEED_DIR.glob("*.txt"))]
    texts: list[str] = []
    total = 0
    while total < words:
        for t in seeds:
            texts.append(t)
            total += len(t.split())
    return texts, total


def best_of(rounds: int, runs: dict[str, Callable[[], Any]]) -> dict[str, float]:
    """Best wall time of each run over alternating rounds (each run once per round, in turn)."""
    best = dict.fromkeys(runs, float("inf"))
    for _ in range(rounds):
        for name, run in runs.items():
            t0 = time.perf_counter()
            run()
            best[name] = min(best[name], time.perf_counter() - t0)
    return best


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--candidates", type=int, default=512, help="tagger windows (seed sentences repeated)")
    parser.add_argument("--words", type=int, default=20_000, help="words for the end-to-end extraction")
    parser.add_argument("--rounds", type=int, default=3, help="alternating timed rounds of each backend")
    parser.add_argument("--onnx-dir", type=Path, default=None, help="ONNX export folder (default: the cache)")
    args = parser.parse_args()

    import torch
    from transformers import AutoConfig

    from pipelines.extract.pipeline import DEFAULT_MODEL_DIR, Extractor, candidates, group_windows
    from pipelines.extract.tagger import TAGS, base_model_path
    from pipelines.inference import TAGGER_INPUTS, OrtTagger
    from pipelines.ingest import article_from_text
    from pipelines.onnx_export import TAGGER_FP32, TAGGER_INT8, ensure_export

    threads = os.cpu_count() or 1
    torch.set_num_threads(threads)
    onnx_dir = ensure_export(DEFAULT_MODEL_DIR, args.onnx_dir)

    # --- the tagger alone, on the same padded batches ------------------------------------------------
    torch_extractor = Extractor(inference="torch")
    torch_extractor.warm_up()
    tagger = torch_extractor.tagger
    assert tagger is not None
    seeds, _ = seed_texts(1)
    articles = [article_from_text(t) for t in seeds]
    docs = torch_extractor.nlp.pipe([a.clean for a in articles])
    # One window per sentence holding candidates, every candidate of it read from that one encoding.
    inputs = [
        window
        for a, d in zip(articles, docs, strict=True)
        for window, _ in group_windows(a.clean, candidates(d, a.clean, torch_extractor.catalogue))
    ]
    distinct = len(inputs)
    inputs = (inputs * (args.candidates // distinct + 1))[: args.candidates]
    encoded = sorted((w for ws in tagger.encode_many(inputs) for w in ws), key=lambda e: len(e.input_ids))
    batches = []
    for b in range(0, len(encoded), 32):
        tensors = tagger.collate(encoded[b : b + 32])
        batches.append({k: tensors[k] for k in TAGGER_INPUTS})
    real_tokens = sum(len(e.input_ids) for e in encoded)
    padded_tokens = sum(int(b["input_ids"].numel()) for b in batches)
    mean_len = padded_tokens / len(encoded)

    forwards = {
        "torch_fp32": tagger.net,
        "onnx_fp32": OrtTagger(onnx_dir / TAGGER_FP32, threads),
        "onnx_int8": OrtTagger(onnx_dir / TAGGER_INT8, threads),
    }

    def run_all(forward: Any) -> Callable[[], None]:
        def run() -> None:
            with torch.inference_mode():
                for batch in batches:
                    forward(**batch)

        return run

    # The ceiling is timed in every round too, between the backends, so that all see the same load.
    matmul, matmul_flops = matmul_run()
    runs = {"matmul": matmul} | {name: run_all(f) for name, f in forwards.items()}
    for run in runs.values():  # warm-up: lazy initialisation and allocator growth are not timed
        run()
    times = best_of(args.rounds, runs)
    ceiling = matmul_flops / times.pop("matmul") / 1e9
    config = AutoConfig.from_pretrained(base_model_path())
    per_token = flops_per_token(config, mean_len, len(TAGS), 2 + len(tagger.metrics))
    tagger_report = {}
    for name, seconds in times.items():
        tokens_per_s = real_tokens / seconds
        achieved = tokens_per_s * per_token / 1e9
        tagger_report[name] = {
            "tokens_per_s": round(tokens_per_s),
            "gflops": round(achieved, 1),
            "fraction_of_fp32_ceiling": round(achieved / ceiling, 3),
        }

    # --- end to end ------------------------------------------------------------------------------------
    texts, words = seed_texts(args.words)
    # The configured folder, not the one resolved above: were the tagger retrained meanwhile, the default
    # folder of the new model is used (a hash-named folder never receives another model's export).
    int8_extractor = Extractor(inference="onnx-int8", onnx_dir=args.onnx_dir)
    int8_extractor.warm_up()
    extractors = {"torch_fp32": torch_extractor, "onnx_int8": int8_extractor}
    mentions: dict[str, int] = {}

    def extraction(name: str) -> Callable[[], None]:
        def run() -> None:
            results = extractors[name].run([article_from_text(t, name=f"doc{i}") for i, t in enumerate(texts)])
            mentions[name] = sum(len(r) for r in results)

        return run

    for name in extractors:
        extractors[name].run([article_from_text(t) for t in texts[:2]])
    e2e_times = best_of(max(1, args.rounds - 1), {name: extraction(name) for name in extractors})

    t = tagger_report
    report = {
        "cpu_threads": threads,
        "fp32_matmul_gflops_ceiling": round(ceiling, 1),
        "tagger_inputs": len(encoded),
        "distinct_seed_candidates": distinct,
        "real_tokens": real_tokens,
        "padded_tokens": padded_tokens,
        "mean_padded_length": round(mean_len, 1),
        "mflops_per_token": round(per_token / 1e6, 2),
        "tagger": tagger_report,
        "int8_over_torch_fp32": round(t["onnx_int8"]["tokens_per_s"] / t["torch_fp32"]["tokens_per_s"], 3),
        "int8_over_onnx_fp32": round(t["onnx_int8"]["tokens_per_s"] / t["onnx_fp32"]["tokens_per_s"], 3),
        "onnx_fp32_over_torch_fp32": round(t["onnx_fp32"]["tokens_per_s"] / t["torch_fp32"]["tokens_per_s"], 3),
        "extraction": {
            "words": words,
            "documents": len(texts),
            **{f"{n}_words_per_s": round(words / s) for n, s in e2e_times.items()},
            **{f"{n}_mentions": m for n, m in mentions.items()},
            "int8_over_torch_fp32": round(e2e_times["torch_fp32"] / e2e_times["onnx_int8"], 3),
        },
        "onnx_dir": str(onnx_dir),
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
