"""The ``claimgraph`` command: each command is a few lines around ``service.core``."""

from __future__ import annotations

import json
import os
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")

app = typer.Typer(add_completion=False, no_args_is_help=True, help="Extract quantitative claims about ML frameworks.")

EXIT_OK, EXIT_FAILURES, EXIT_USAGE = 0, 1, 2


class OutputFormat(StrEnum):
    jsonl = "jsonl"
    table = "table"


@app.command()
def extract(
    paths: Annotated[list[Path], typer.Argument(help="Article files (.txt, .md, .html) or folders of them.")],
    fmt: Annotated[
        OutputFormat, typer.Option("--format", help="jsonl: one JSON object per mention.")
    ] = OutputFormat.jsonl,
    model: Annotated[Path | None, typer.Option(help="Folder of a trained tagger (default: the shipped one).")] = None,
) -> None:
    """Print every claim mention found in the articles; failures are listed at the end (exit 1)."""
    from pipelines.extract.pipeline import Extractor, mention_record
    from service.core import ExtractionRun, extract_paths

    run = ExtractionRun()
    extractor = Extractor(model)
    for article, mentions in extract_paths(paths, extractor, run):
        for m in mentions:
            if fmt is OutputFormat.jsonl:
                typer.echo(json.dumps(mention_record(m), ensure_ascii=False))
        if fmt is OutputFormat.table and mentions:
            typer.echo(f"\n{article.name}")
            for m in mentions:
                subject = " vs ".join(m.subjects)
                typer.echo(
                    f"  {m.value_text:<22.22} {subject:<24.24} {m.metric:<24.24} {m.time or '':<8.8} "
                    f"{m.confidence:.2f}  [{m.value_start}:{m.value_end}]"
                )
    typer.echo(f"{run.files} files, {run.mentions} claim mentions, {len(run.failures)} failed", err=True)
    for _, code, message in run.failures:
        typer.echo(f"error ({code}): {message}", err=True)
    raise typer.Exit(EXIT_FAILURES if run.failures else EXIT_OK)


@app.command()
def train(
    out: Annotated[
        Path | None, typer.Option(help="Where to write the tagger (default: the shipped model folder).")
    ] = None,
    epochs: Annotated[int, typer.Option(help="Training epochs.")] = 8,
    seed: Annotated[int, typer.Option(help="Random seed (training is deterministic for a seed).")] = 13,
    score: Annotated[bool, typer.Option(help="Score the new model on dev and test for its model card.")] = True,
) -> None:
    """Train the claim tagger on the train split of annotations/ (deterministic for a seed)."""
    from pipelines.annotations import build, load_split
    from pipelines.evaluate import evaluate as run_evaluation
    from pipelines.extract.pipeline import DEFAULT_MODEL_DIR, Extractor
    from pipelines.train import TrainConfig, write_model_card
    from pipelines.train import train as run_training

    build()
    out_dir = out or DEFAULT_MODEL_DIR
    report = run_training(
        load_split("train"), out_dir, TrainConfig(epochs=epochs, seed=seed), log=lambda s: typer.echo(s, err=True)
    )
    scores: dict[str, list[dict]] = {}
    if score:
        extractor = Extractor(out_dir)
        for split in ("dev", "test"):
            results = run_evaluation(load_split(split), ("tagger", "rules"), extractor=extractor)
            scores[split] = [s.as_dict() for s in results]
    card = write_model_card(out_dir, report, scores)
    typer.echo(json.dumps({"report": report, "scores": scores, "model_card": str(card)}, indent=2))


@app.command()
def evaluate(
    split: Annotated[str, typer.Option(help="Annotation split: dev or test (the seeds).")] = "test",
    systems: Annotated[
        str, typer.Option(help="Comma-separated: tagger, rules, quantulum3.")
    ] = "tagger,rules,quantulum3",
    model: Annotated[Path | None, typer.Option(help="Folder of a trained tagger.")] = None,
    errors: Annotated[bool, typer.Option(help="List every error of every system.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the scores as JSON.")] = False,
) -> None:
    """Precision/recall/F1 of mentions and slot accuracies, for each system side by side."""
    from pipelines.annotations import load_split
    from pipelines.evaluate import evaluate as run_evaluation
    from pipelines.extract.pipeline import Extractor

    records = load_split(split)
    scores = run_evaluation(records, systems.split(","), extractor=Extractor(model))
    if as_json:
        typer.echo(json.dumps([s.as_dict() for s in scores], indent=2))
    else:
        typer.echo(f"split {split}: {len(records)} documents")
        typer.echo(f"{'system':<12} {'P':>6} {'R':>6} {'F1':>6} {'subj':>6} {'metric':>6} {'value':>6} {'comp':>6}")
        for s in scores:
            d = s.as_dict()
            typer.echo(
                f"{s.system:<12} {d['precision']:>6.3f} {d['recall']:>6.3f} {d['f1']:>6.3f} "
                f"{d['subject_accuracy']:>6.3f} {d['metric_accuracy']:>6.3f} {d['value_accuracy']:>6.3f} "
                f"{d['comparator_accuracy']:>6.3f}"
            )
    if errors:
        for s in scores:
            for e in s.errors:
                typer.echo(f"[{s.system}] {e}", err=True)


annotations_app = typer.Typer(help="Gold annotations.", no_args_is_help=True)
app.add_typer(annotations_app, name="annotations")


@annotations_app.command("build")
def annotations_build() -> None:
    """Rebuild annotations/{train,dev,test}.jsonl from the .ann sources."""
    from pipelines.annotations import AnnotationError, build

    try:
        typer.echo(json.dumps(build()))
    except AnnotationError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(EXIT_FAILURES) from exc


def main() -> None:  # pragma: no cover
    sys.exit(app())
