"""Extraction speed on real text and on the seeds, against spaCy sm and quantulum3, in one run.

Corpora (each repeated, document by document, until it holds at least --words words; words are the
white-space tokens of the files as read):

* ``realtext``: the real-text pool (``pipelines.realtext.load_pool``: web pages as text, repository files
  as Markdown), in a fixed shuffled order so that a small --words still mixes both kinds;
* ``seeds``: the five seed articles (``pipelines.realtext.seed_dir``).

Sections (every timed figure is the best of alternating rounds in which each system runs once per round,
the order rotating from round to round, so that all see the same machine):

1. density: candidates per 1,000 words (all the rules propose, and those that reach the tagger), tagger
   windows, the tokens the encoder runs (unpadded, and padded as ``ClaimTagger.predict`` batches them),
   and FLOPs per 1,000 words of the tagger against one window per candidate (the per-candidate design);
2. in process: words/s of spaCy sm ``nlp.pipe`` (the full pipeline), ``Extractor.run`` over the
   documents in chunks with ``--inference torch`` and ``onnx-int8`` (ingest, segmentation, candidates,
   tagger, resolution), and quantulum3's parser (its classifier retrained as ``claimgraph evaluate``
   does); ratios of each backend to spaCy and to quantulum3;
3. busy core: the in-process systems on the real-text corpus again while a Python busy loop keeps one
   core busy, in the same rounds; loaded ÷ quiet;
4. end to end: ``claimgraph extract FOLDER --format jsonl`` as a whole process (start-up, model load,
   extraction) against a script that loads spaCy sm and parses the same files;
5. start-up: a one-sentence file, wall time and peak RSS (``/usr/bin/time -f "%e %M"``) of
   ``claimgraph extract`` against spaCy sm's load-and-parse.

A JSON summary of every figure goes to --json.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pipelines.inference import Inference

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

BACKENDS: tuple[Inference, ...] = ("torch", "onnx-int8")
# The per-candidate design: its sentence window and context limits, and the mean padded window length
# measured for it on the seeds (bench/inference.py), used as a flat estimate beside the reconstruction.
PER_CANDIDATE_SENTENCE_TOKENS = 96
PER_CANDIDATE_CONTEXT_TOKENS = 32
PER_CANDIDATE_MEAN_TOKENS = 63
ONE_SENTENCE = "PyTorch was used in 72% of the papers we counted in 2023, up from 51% a year before.\n"
SPACY_SCRIPT = """
import sys
from pathlib import Path

import spacy

paths = []
for arg in sys.argv[2:]:
    p = Path(arg)
    paths += sorted(f for f in p.rglob("*") if f.is_file()) if p.is_dir() else [p]
nlp = spacy.load(sys.argv[1])
tokens = sum(len(doc) for doc in nlp.pipe((p.read_text(encoding="utf-8") for p in paths), batch_size=32))
print(tokens)
"""
BUSY_LOOP = "while True:\n    pass\n"
SKIPPABLE = ("quantulum", "busy", "cli", "startup")


@dataclass(frozen=True)
class Doc:
    name: str
    text: str
    fmt: str  # "text" or "markdown"
    words: int


# --- corpora ---------------------------------------------------------------------------------------


def repeat_to(docs: Sequence[Doc], words: int) -> list[Doc]:
    """Documents taken in turn (again from the first when all are used) until they hold ``words`` words."""
    out: list[Doc] = []
    total = 0
    while total < words:
        doc = docs[len(out) % len(docs)]
        out.append(Doc(f"r{len(out) // len(docs)}_{doc.name}", doc.text, doc.fmt, doc.words))
        total += doc.words
    return out


def realtext_docs() -> list[Doc]:
    """Every excerpt of the real-text pool; repository files (ids ``g…``) are Markdown, pages plain text."""
    from pipelines.realtext import load_pool

    docs = [
        Doc(e.id, e.text, "markdown" if e.id.startswith("g") else "text", len(e.text.split()))
        for e in load_pool().values()
    ]
    random.Random(15).shuffle(docs)  # a fixed mix of pages and Markdown for runs shorter than the pool
    return docs


def seed_docs() -> list[Doc]:
    from pipelines.realtext import seed_dir

    paths = sorted(seed_dir().glob("*.txt"))
    if not paths:
        raise SystemExit(f"no seed articles (*.txt) in {seed_dir()}; set CLAIMGRAPH_SEED_DIR")
    texts = [(p.stem, p.read_bytes().decode("utf-8")) for p in paths]
    return [Doc(name, text, "text", len(text.split())) for name, text in texts]


def write_folder(docs: Sequence[Doc], folder: Path) -> Path:
    """The documents as files (``.txt`` / ``.md``) for the whole-process runs."""
    folder.mkdir(parents=True, exist_ok=True)
    for i, doc in enumerate(docs):
        suffix = ".md" if doc.fmt == "markdown" else ".txt"
        (folder / f"{i:05d}_{doc.name}{suffix}").write_text(doc.text, encoding="utf-8")
    return folder


def chunks(items: Sequence[Any], size: int) -> list[Sequence[Any]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


# --- FLOPs -----------------------------------------------------------------------------------------


def encoder_flops(config: dict[str, Any], width: int, sequences: int = 1) -> float:
    """FLOPs (2 per multiply-add) of ``sequences`` sequences of ``width`` tokens through the encoder.

    bench/inference.py's per-token formula times the tokens: per layer and token, the Q, K, V and
    output projections (4 h²), the feed-forward pair (2 h i) and attention scores and weighted sum
    (2 S h for S tokens). Embeddings, layer norms, softmax and GELU are left out (a few percent).
    """
    h, i, layers = config["hidden_size"], config["intermediate_size"], config["num_hidden_layers"]
    return 2.0 * sequences * width * layers * (4 * h * h + 2 * h * i + 2 * width * h)


def window_heads_flops(config: dict[str, Any], width: int, sequences: int, cands: int, tagger: Any) -> float:
    """FLOPs of the shared-window heads: the token and candidate projections of the slot head, one tag
    layer per candidate over every token of its window, and the pooled claim / metric / form layers."""
    from pipelines.extract.tagger import FORMS, SLOT_HIDDEN, TAGS

    h = config["hidden_size"]
    pooled = 2 + len(tagger.metrics) + len(FORMS)
    macs = sequences * width * h * SLOT_HIDDEN + cands * h * SLOT_HIDDEN
    macs += cands * width * SLOT_HIDDEN * len(TAGS) + cands * 2 * h * pooled
    return 2.0 * macs


def per_candidate_heads_flops(config: dict[str, Any], width: int, sequences: int, tagger: Any) -> float:
    """FLOPs of the per-candidate heads (bench/inference.py): a tag layer per token, claim and metric once."""
    from pipelines.extract.tagger import TAGS

    h = config["hidden_size"]
    return 2.0 * sequences * (width * h * len(TAGS) + 2 * h * (2 + len(tagger.metrics)))


def padded_batches(lengths: list[int], batch_size: int) -> list[tuple[int, int]]:
    """(width, sequences) of each batch when ``lengths`` are sorted and cut into batches, as predict does."""
    ordered = sorted(lengths)
    return [(max(b), len(b)) for b in chunks(ordered, batch_size)]


def density(corpus: Sequence[Doc], extractor: Any, chunk: int, config: dict[str, Any]) -> dict[str, Any]:
    """Candidates, tagger windows, encoder tokens and tagger FLOPs of a corpus, per 1,000 words.

    The windows are those ``Extractor.run`` builds for each chunk of ``chunk`` documents, batched as
    ``ClaimTagger.predict`` batches them (length-sorted, ``extractor.batch_size`` a batch). The
    per-candidate design is reconstructed from the same tokenisation: one window for every candidate
    that reaches the tagger ([CLS] + up to 96 sentence tokens + 2 markers + [SEP] + up to 32 context
    tokens + [SEP]), batched the same way; beside it, the flat estimate of 63 tokens a candidate.
    """
    from pipelines.extract.pipeline import NOT_MEASURES, candidates, group_windows
    from pipelines.ingest import article_from_text

    tagger = extractor.tagger
    words = sum(d.words for d in corpus)
    totals = dict.fromkeys(("candidates", "to_tagger", "windows", "encoder_windows", "tokens", "padded_tokens"), 0)
    totals |= {"per_candidate_tokens": 0, "per_candidate_padded_tokens": 0}
    flops = dict.fromkeys(("encoder", "encoder_padded", "heads_padded"), 0.0)
    flops |= {"per_candidate_encoder": 0.0, "per_candidate_encoder_padded": 0.0, "per_candidate_heads_padded": 0.0}
    for part in chunks(corpus, chunk):
        articles = [article_from_text(d.text, name=d.name, fmt=d.fmt) for d in part]
        windows = []
        old_lengths: list[int] = []
        for doc, article in zip(extractor.nlp.pipe(a.clean for a in articles), articles, strict=True):
            cands = candidates(doc, article.clean, extractor.catalogue)
            reach = [c for c in cands if c.quantity.kind not in NOT_MEASURES]
            totals["candidates"] += len(cands)
            totals["to_tagger"] += len(reach)
            windows += [w for w, _ in group_windows(article.clean, reach)]
        if not windows:
            continue
        totals["windows"] += len(windows)
        encoded = [e for per in tagger.encode_many(windows) for e in per]
        totals["encoder_windows"] += len(encoded)
        lengths = [len(e.input_ids) for e in encoded]
        totals["tokens"] += sum(lengths)
        flops["encoder"] += sum(encoder_flops(config, n) for n in lengths)
        by_length = sorted(encoded, key=lambda e: len(e.input_ids))
        for batch in chunks(by_length, extractor.batch_size):
            width = max(len(e.input_ids) for e in batch)
            cands_in = sum(len(e.markers) for e in batch)
            totals["padded_tokens"] += width * len(batch)
            flops["encoder_padded"] += encoder_flops(config, width, len(batch))
            flops["heads_padded"] += window_heads_flops(config, width, len(batch), cands_in, tagger)
        # One window per candidate, from the same sentence and context tokens.
        texts = sorted({t for w in windows for t in (w.sentence, w.context)})
        counts = dict(zip(texts, (len(ids) for ids in tagger.tokenizer(texts)["input_ids"]), strict=True))
        for w in windows:
            sentence = min(counts[w.sentence], PER_CANDIDATE_SENTENCE_TOKENS)
            context = min(counts[w.context], PER_CANDIDATE_CONTEXT_TOKENS)
            old_lengths += [3 + 2 + sentence + context] * len(w.candidates)
        totals["per_candidate_tokens"] += sum(old_lengths)
        flops["per_candidate_encoder"] += sum(encoder_flops(config, n) for n in old_lengths)
        for width, n in padded_batches(old_lengths, extractor.batch_size):
            totals["per_candidate_padded_tokens"] += width * n
            flops["per_candidate_encoder_padded"] += encoder_flops(config, width, n)
            flops["per_candidate_heads_padded"] += per_candidate_heads_flops(config, width, n, tagger)
    k = words / 1000
    current = flops["encoder_padded"] + flops["heads_padded"]
    former = flops["per_candidate_encoder_padded"] + flops["per_candidate_heads_padded"]
    flat = totals["to_tagger"] * (
        encoder_flops(config, PER_CANDIDATE_MEAN_TOKENS)
        + per_candidate_heads_flops(config, PER_CANDIDATE_MEAN_TOKENS, 1, tagger)
    )
    return {
        "documents": len(corpus),
        "words": words,
        **totals,
        "per_1k_words": {
            "candidates": round(totals["candidates"] / k, 1),
            "to_tagger": round(totals["to_tagger"] / k, 1),
            "windows": round(totals["encoder_windows"] / k, 1),
            "tokens": round(totals["tokens"] / k),
            "padded_tokens": round(totals["padded_tokens"] / k),
            "per_candidate_tokens": round(totals["per_candidate_tokens"] / k),
            "per_candidate_padded_tokens": round(totals["per_candidate_padded_tokens"] / k),
        },
        "gflops_per_1k_words": {
            "encoder_unpadded": round(flops["encoder"] / k / 1e9, 2),
            "encoder_padded": round(flops["encoder_padded"] / k / 1e9, 2),
            "heads_padded": round(flops["heads_padded"] / k / 1e9, 2),
            "total": round(current / k / 1e9, 2),
            "per_candidate_encoder_unpadded": round(flops["per_candidate_encoder"] / k / 1e9, 2),
            "per_candidate_total": round(former / k / 1e9, 2),
            "per_candidate_63_tokens": round(flat / k / 1e9, 2),
        },
        "per_candidate_over_current": round(former / current, 2) if current else None,
        "per_candidate_over_current_encoder_unpadded": (
            round(flops["per_candidate_encoder"] / flops["encoder"], 2) if flops["encoder"] else None
        ),
        "per_candidate_63_over_current": round(flat / current, 2) if current else None,
    }


# --- timing ----------------------------------------------------------------------------------------


def one_round(runs: dict[str, Callable[[], Any]], r: int) -> dict[str, float]:
    """Wall time of each run, once each, starting at the ``r``-th (so that no run always goes first)."""
    names = list(runs)
    times = {}
    for name in names[r % len(names) :] + names[: r % len(names)]:
        t0 = time.perf_counter()
        runs[name]()
        times[name] = time.perf_counter() - t0
    return times


def alternate(rounds: int, runs: dict[str, Callable[[], Any]]) -> dict[str, float]:
    """Best wall time of each run over ``rounds`` rounds, each run once a round, the order rotating."""
    best = dict.fromkeys(runs, float("inf"))
    for r in range(rounds):
        for name, seconds in one_round(runs, r).items():
            best[name] = min(best[name], seconds)
    return best


class BusyCore:
    """A Python busy loop in its own process, keeping one core busy while in the ``with`` block."""

    def __enter__(self) -> BusyCore:
        self.proc = subprocess.Popen([sys.executable, "-c", BUSY_LOOP])
        time.sleep(0.5)  # let it reach the loop
        return self

    def __exit__(self, *exc: object) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=10)


def claimgraph_command() -> list[str]:
    exe = Path(sys.executable).with_name("claimgraph")
    if not exe.is_file():
        raise SystemExit(f"no claimgraph command beside {sys.executable}; install the project (make install)")
    return [str(exe)]


def subprocess_env(threads: int | None) -> dict[str, str]:
    env = dict(os.environ, HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1")
    if threads:
        env["CLAIMGRAPH_THREADS"] = str(threads)
    return env


def run_checked(cmd: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(cmd, env=env, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({done.returncode}):\n{done.stderr[-2000:]}")


def process_run(cmd: list[str], env: dict[str, str]) -> Callable[[], None]:
    return lambda: run_checked(cmd, env)


def timed_process(cmd: list[str], env: dict[str, str]) -> tuple[float, int]:
    """Wall seconds and peak RSS (KiB) of a whole process, from ``/usr/bin/time -f "%e %M"``."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as out:
        run_checked(["/usr/bin/time", "-f", "%e %M", "-o", out.name, *cmd], env)
        wall, rss = Path(out.name).read_text().split()[-2:]
    return float(wall), int(rss)


def quantulum_parser() -> Callable[[str], list]:
    """quantulum3's ``parse`` with its unit classifier retrained offline (as pipelines/evaluate.py), warmed up."""
    from quantulum3 import parser  # type: ignore[import-untyped]

    from pipelines.evaluate import quantulum_classifier

    clf = str(quantulum_classifier())

    def parse(text: str) -> list:
        return parser.parse(text, classifier_path=clf)

    parse("PyTorch holds 70% of papers.")
    return parse


# --- sections --------------------------------------------------------------------------------------


def in_process(
    corpora: dict[str, list[Doc]], extractors: dict[Inference, Any], args: argparse.Namespace
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Words/s of every system on every corpus, and on the real-text corpus with one core busy."""
    import spacy

    from pipelines.extract.pipeline import SPACY_MODEL
    from pipelines.ingest import article_from_text

    nlp = spacy.load(SPACY_MODEL)
    quantulum = None if "quantulum" in args.skip else quantulum_parser()
    counts: dict[tuple[str, str], int] = {}
    failures: dict[str, int] = {}

    def spacy_run(corpus: list[Doc], key: tuple[str, str]) -> Callable[[], None]:
        def run() -> None:
            counts[key] = sum(len(doc) for doc in nlp.pipe((d.text for d in corpus), batch_size=32))

        return run

    def extract_run(corpus: list[Doc], backend: Inference, key: tuple[str, str]) -> Callable[[], None]:
        extractor = extractors[backend]

        def run() -> None:
            mentions = 0
            for part in chunks(corpus, args.chunk):
                articles = [article_from_text(d.text, name=d.name, fmt=d.fmt) for d in part]
                mentions += sum(len(m) for m in extractor.run(articles))
            counts[key] = mentions

        return run

    def quantulum_run(corpus: list[Doc], key: tuple[str, str]) -> Callable[[], None]:
        assert quantulum is not None

        def run() -> None:
            found, failed = 0, 0
            for d in corpus:
                try:
                    found += len(quantulum(d.text))
                except Exception:  # noqa: BLE001  (a parser failure is counted and reported, not fatal)
                    failed += 1
            counts[key], failures[key[0]] = found, failed

        return run

    def systems(corpus: list[Doc], label: str) -> dict[str, Callable[[], None]]:
        runs = {f"{label}/spacy": spacy_run(corpus, (label, "spacy"))}
        runs |= {f"{label}/{b}": extract_run(corpus, b, (label, b)) for b in extractors}
        if quantulum is not None and not label.endswith("+busy"):
            runs[f"{label}/quantulum3"] = quantulum_run(corpus, (label, "quantulum3"))
        return runs

    # Warm every path once (lazy initialisation, allocator growth) on a little text; not timed.
    for corpus in corpora.values():
        for run in systems(corpus[:2], "warm").values():
            run()
    quiet: dict[str, Callable[[], None]] = {}
    for label, corpus in corpora.items():
        quiet |= systems(corpus, label)
    busy = {} if "busy" in args.skip else systems(corpora["realtext"], "realtext+busy")
    best: dict[str, float] = dict.fromkeys(list(quiet) + list(busy), float("inf"))
    for r in range(args.rounds):
        print(f"  in-process round {r + 1}/{args.rounds}", flush=True)
        times = one_round(quiet, r)
        if busy:
            with BusyCore():
                times |= one_round(busy, r)
        for name, seconds in times.items():
            best[name] = min(best[name], seconds)

    report: dict[str, Any] = {}
    for label, corpus in corpora.items():
        words = sum(d.words for d in corpus)
        per: dict[str, Any] = {}
        for name, seconds in best.items():
            corpus_label, system = name.split("/")
            if corpus_label != label:
                continue
            per[system] = {"seconds": round(seconds, 3), "words_per_s": round(words / seconds)}
            if system == "quantulum3":
                per[system] |= {"quantities": counts[(label, system)], "failed_documents": failures[label]}
            elif system in extractors:
                per[system]["mentions"] = counts[(label, system)]
        for b in extractors:
            per[b]["over_spacy"] = round(per[b]["words_per_s"] / per["spacy"]["words_per_s"], 3)
            if "quantulum3" in per:
                per[b]["over_quantulum3"] = round(per[b]["words_per_s"] / per["quantulum3"]["words_per_s"], 3)
        report[label] = {"words": words, "documents": len(corpus), **per}
    loaded: dict[str, Any] = {}
    if busy:
        words = sum(d.words for d in corpora["realtext"])
        for system in ["spacy", *extractors]:
            quiet_s, loaded_s = best[f"realtext/{system}"], best[f"realtext+busy/{system}"]
            loaded[system] = {
                "quiet_words_per_s": round(words / quiet_s),
                "loaded_words_per_s": round(words / loaded_s),
                "loaded_over_quiet": round(quiet_s / loaded_s, 3),
            }
    return report, loaded


def end_to_end(folders: dict[str, Path], words: dict[str, int], args: argparse.Namespace) -> dict[str, Any]:
    """Whole processes on the corpus folders: ``claimgraph extract`` per backend against spaCy sm."""
    from pipelines.extract.pipeline import SPACY_MODEL

    env = subprocess_env(args.threads)
    model = ["--model", str(args.model)] if args.model else []
    report: dict[str, Any] = {}
    for label, folder in folders.items():
        commands = {"spacy": [sys.executable, "-c", SPACY_SCRIPT, SPACY_MODEL, str(folder)]}
        for b in BACKENDS:
            commands[b] = [*claimgraph_command(), "extract", str(folder), "--format", "jsonl", "--inference", b, *model]
        runs = {name: process_run(cmd, env) for name, cmd in commands.items()}
        print(f"  end to end: {label}", flush=True)
        best = alternate(args.rounds, runs)
        per: dict[str, Any] = {
            n: {"seconds": round(s, 2), "words_per_s": round(words[label] / s)} for n, s in best.items()
        }
        for b in BACKENDS:
            per[b]["over_spacy"] = round(best["spacy"] / best[b], 3)
        report[label] = {"words": words[label], **per}
    return report


def startup(folder: Path, args: argparse.Namespace) -> dict[str, Any]:
    """One-sentence file: wall time and peak RSS of ``claimgraph extract`` against spaCy sm load-and-parse."""
    from pipelines.extract.pipeline import SPACY_MODEL

    env = subprocess_env(args.threads)
    path = folder / "one_sentence.txt"
    path.write_text(ONE_SENTENCE, encoding="utf-8")
    model = ["--model", str(args.model)] if args.model else []
    commands = {"spacy": [sys.executable, "-c", SPACY_SCRIPT, SPACY_MODEL, str(path)]}
    for b in BACKENDS:
        commands[b] = [*claimgraph_command(), "extract", str(path), "--format", "jsonl", "--inference", b, *model]
    walls: dict[str, list[float]] = {n: [] for n in commands}
    rss: dict[str, list[int]] = {n: [] for n in commands}
    names = list(commands)
    for r in range(args.startup_rounds):
        for name in names[r % len(names) :] + names[: r % len(names)]:
            wall, peak = timed_process(commands[name], env)
            walls[name].append(wall)
            rss[name].append(peak)
    report: dict[str, Any] = {
        n: {"best_wall_s": min(walls[n]), "walls_s": walls[n], "peak_rss_mib": round(max(rss[n]) / 1024)} for n in names
    }
    for b in BACKENDS:
        report[b]["wall_over_spacy"] = round(min(walls[b]) / min(walls["spacy"]), 3)
        report[b]["rss_over_spacy"] = round(max(rss[b]) / max(rss["spacy"]), 3)
    return report


# --- main ------------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--words", type=int, default=100_000, help="words of each corpus (documents repeated)")
    parser.add_argument("--rounds", type=int, default=3, help="alternating timed rounds (best kept)")
    parser.add_argument("--startup-rounds", type=int, default=5, help="alternating rounds of the start-up runs")
    parser.add_argument("--chunk", type=int, default=16, help="documents per Extractor.run call (as the CLI)")
    parser.add_argument("--model", type=Path, default=None, help="tagger folder (default: the shipped one)")
    parser.add_argument("--threads", type=int, default=None, help="model threads (default: one per core)")
    parser.add_argument("--skip", action="append", choices=SKIPPABLE, default=[], help="leave a section out")
    parser.add_argument("--quick", action="store_true", help="a small smoke run: 3,000 words, one round")
    parser.add_argument("--json", type=Path, default=None, help="write the summary here")
    args = parser.parse_args()
    if args.quick:
        args.words, args.rounds, args.startup_rounds = min(args.words, 3_000), 1, 1

    from pipelines.extract.pipeline import Extractor
    from pipelines.extract.tagger import base_model_path
    from pipelines.inference import available_cores

    summary: dict[str, Any] = {
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
        "host": {
            "cpu_count": os.cpu_count(),
            "available_cores": available_cores(),
            "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
        },
        "model": str(args.model or "shipped"),
        "words_target": args.words,
        "rounds": args.rounds,
    }
    corpora = {"realtext": repeat_to(realtext_docs(), args.words), "seeds": repeat_to(seed_docs(), args.words)}
    extractors = {b: Extractor(args.model, inference=b, threads=args.threads) for b in BACKENDS}
    for extractor in extractors.values():
        extractor.warm_up()  # loads the models (exports the int8 model on first use)
    import torch

    summary["host"]["model_threads"] = torch.get_num_threads()
    config = json.loads((base_model_path() / "config.json").read_text())

    print("density (candidates, windows, tokens and tagger FLOPs per 1,000 words)", flush=True)
    summary["density"] = {
        label: density(corpus, extractors["torch"], args.chunk, config) for label, corpus in corpora.items()
    }
    print_density(summary["density"])

    print("in process", flush=True)
    summary["in_process"], summary["busy_core"] = in_process(corpora, extractors, args)
    print_in_process(summary["in_process"], summary["busy_core"])

    with tempfile.TemporaryDirectory(prefix="claimgraph-bench-") as tmp:
        if "cli" not in args.skip:
            folders = {label: write_folder(corpus, Path(tmp) / label) for label, corpus in corpora.items()}
            words = {label: sum(d.words for d in corpus) for label, corpus in corpora.items()}
            summary["end_to_end"] = end_to_end(folders, words, args)
            print_end_to_end(summary["end_to_end"])
        if "startup" not in args.skip:
            print("start-up", flush=True)
            summary["startup"] = startup(Path(tmp), args)
            print_startup(summary["startup"])
    summary["host"]["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    print(
        f"load average: start {summary['host']['load_average_at_start']}, end {summary['host']['load_average_at_end']}"
    )
    if args.json:
        args.json.write_text(json.dumps(summary, indent=2) + "\n")
        print(f"summary written to {args.json}")


# --- printing --------------------------------------------------------------------------------------


def print_density(report: dict[str, Any]) -> None:
    for label, d in report.items():
        k, g = d["per_1k_words"], d["gflops_per_1k_words"]
        print(
            f"  {label}: {d['words']:,} words, {d['documents']} documents; per 1,000 words: "
            f"{k['candidates']} candidates, {k['to_tagger']} to the tagger, {k['windows']} windows"
        )
        print(
            f"    one window per sentence:  {k['tokens']:,} tokens ({k['padded_tokens']:,} padded), "
            f"{g['total']} GFLOP (encoder {g['encoder_padded']} padded, {g['encoder_unpadded']} unpadded; "
            f"heads {g['heads_padded']})"
        )
        print(
            f"    one window per candidate: {k['per_candidate_tokens']:,} tokens "
            f"({k['per_candidate_padded_tokens']:,} padded), {g['per_candidate_total']} GFLOP "
            f"(encoder {g['per_candidate_encoder_unpadded']} unpadded; flat 63 tokens: {g['per_candidate_63_tokens']})"
        )
        print(
            f"    per candidate ÷ per sentence: {d['per_candidate_over_current']} padded, "
            f"{d['per_candidate_over_current_encoder_unpadded']} unpadded encoder, "
            f"{d['per_candidate_63_over_current']} flat 63 tokens"
        )


def print_in_process(report: dict[str, Any], loaded: dict[str, Any]) -> None:
    for label, per in report.items():
        print(f"  {label} ({per['words']:,} words, {per['documents']} documents), words/s:")
        for system in ("spacy", "quantulum3", *BACKENDS):
            if system not in per:
                continue
            r = per[system]
            extra = ""
            if system in BACKENDS:
                extra = f"  ÷ spaCy {r['over_spacy']}" + (
                    f"  ÷ quantulum3 {r['over_quantulum3']}" if "over_quantulum3" in r else ""
                )
                extra += f"  ({r['mentions']} mentions)"
            elif system == "quantulum3":
                extra = f"  ({r['quantities']} quantities, {r['failed_documents']} documents failed)"
            print(f"    {system:<11} {r['words_per_s']:>8,}{extra}")
    for system, r in loaded.items():
        print(
            f"  one core busy, realtext, {system}: {r['loaded_words_per_s']:,} vs {r['quiet_words_per_s']:,} words/s "
            f"quiet; loaded ÷ quiet {r['loaded_over_quiet']}"
        )


def print_end_to_end(report: dict[str, Any]) -> None:
    for label, per in report.items():
        line = ", ".join(
            f"{n} {per[n]['words_per_s']:,} words/s" + (f" (÷ spaCy {per[n]['over_spacy']})" if n in BACKENDS else "")
            for n in ("spacy", *BACKENDS)
        )
        print(f"  end to end, {label} ({per['words']:,} words): {line}")


def print_startup(report: dict[str, Any]) -> None:
    for name, r in report.items():
        ratios = f"  wall ÷ spaCy {r['wall_over_spacy']}, RSS ÷ spaCy {r['rss_over_spacy']}" if name in BACKENDS else ""
        print(f"  {name:<10} {r['best_wall_s']:.2f} s, {r['peak_rss_mib']} MiB{ratios}")


if __name__ == "__main__":
    main()
