"""The ``claimgraph`` commands that make and measure the models: train, evaluate, export-onnx, annotations.

``service.cli`` adds them to the ``claimgraph`` group; the helpers here (which extractor, on which backend)
are shared with the commands that extract.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path

import click

from service.cli_output import emit, format_option, note, progress, quiet_option
from service.cli_views import CURVE_COLUMNS, SCORE_COLUMNS

EXIT_FAILURES = 1
INFERENCE_CHOICES = ("torch", "onnx-int8")

inference_option = click.option(
    "--inference",
    type=click.Choice(INFERENCE_CHOICES),
    default=None,
    help="Run the models with torch or onnx-int8.  [default: CLAIMGRAPH_INFERENCE, else torch]",
)
model_option = click.option(
    "--model",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder of a trained tagger.  [default: the shipped one]",
)


def extractor_for(model: Path | None = None, inference: str | None = None):
    """The extractor on the chosen inference backend (the option, else the settings)."""
    from pipelines.extract.pipeline import Extractor
    from pipelines.inference import check_inference
    from service.settings import get_settings

    settings = get_settings()
    backend = check_inference(inference or settings.inference)
    return Extractor(model, inference=backend, onnx_dir=settings.onnx_dir, threads=settings.threads)


def _training_log(bar) -> Callable[[str], None]:
    """The trainer's log lines above the bar; its "epoch k/n" lines move the bar."""
    import re

    def log(line: str) -> None:
        epoch = re.match(r"epoch (\d+)/(\d+)", line)
        if epoch:
            bar.update(completed=int(epoch.group(1)), total=int(epoch.group(2)))
        bar.log(line)

    return log


@click.command(short_help="Retrain the claim tagger (deterministic for a seed).")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Where to write the tagger.  [default: the shipped model folder]",
)
@click.option("--epochs", type=click.IntRange(min=1), default=8, show_default=True, help="Training epochs.")
@click.option("--seed", type=int, default=13, show_default=True, help="Random seed (training is deterministic for it).")
@click.option("--score/--no-score", default=True, show_default=True, help="Score the new model on dev and test.")
@click.option(
    "--cv",
    type=click.Path(file_okay=False, path_type=Path),
    help="Also train the site-grouped cross-validation models into this folder (fold-0 … fold-4).",
)
@click.option(
    "--export-set",
    type=click.Path(file_okay=False, path_type=Path),
    help="Only write the encoded training sets to this folder, to train on another machine.",
)
@click.option(
    "--table-context/--no-table-context",
    default=True,
    show_default=True,
    help="Table cells read their headers as context (--no-table-context: as the shipped tagger was trained).",
)
@quiet_option
def train(
    out: Path | None,
    epochs: int,
    seed: int,
    score: bool,
    cv: Path | None,
    export_set: Path | None,
    table_context: bool,
    quiet: bool,
) -> None:
    """Train the claim tagger on the team's train split and the real-text annotations (deterministic)."""
    from pipelines.annotations import build, load_split
    from pipelines.crossval import training_records
    from pipelines.extract.pipeline import DEFAULT_MODEL_DIR, load_nlp
    from pipelines.train import TrainConfig, encoded_set, examples_by_record, export_training_set, phrase_bank
    from pipelines.train import train as run_training

    build()
    config = TrainConfig(epochs=epochs, seed=seed, table_context=table_context)
    sets = training_records(load_split("train"), load_split("real"))
    names = ["all"] + ([n for n in sets if n != "all"] if cv or export_set else [])
    with progress("reading the training texts", quiet=quiet) as bar:
        # Windows are built once per document and shared by the sets that hold it.
        per_record = examples_by_record(sets["all"], load_nlp(), table_context)
        if export_set is not None:
            bar.update(description="encoding the training sets")
            encoded = {name: encoded_set(sets[name], per_record, config) for name in names}
            export_training_set(encoded, export_set, config, {name: phrase_bank(sets[name]) for name in names})
            click.echo(json.dumps({"export": str(export_set), "sets": {n: len(e.windows) for n, e in encoded.items()}}))
            return
        out_dir = out or DEFAULT_MODEL_DIR
        log = _training_log(bar)
        if cv is not None:
            for name in names[1:]:
                bar.update(description=f"training {name}", completed=0, total=epochs)
                run_training(sets[name], cv / name, config, log=log, examples=per_record)
        bar.update(description="training the tagger", completed=0, total=epochs)
        report = run_training(sets["all"], out_dir, config, log=log, examples=per_record)
        bar.update(description="scoring the new model" if score else "writing the model card", total=None)
        _model_card(out_dir, report, score, cv)


def _model_card(out_dir: Path, report: dict, score: bool, cv: Path | None) -> None:
    from pipelines.annotations import load_split
    from pipelines.catalogue import default_catalogue
    from pipelines.crossval import evaluate_folds
    from pipelines.embed import MiniLMEmbedder
    from pipelines.evaluate import evaluate as run_evaluation
    from pipelines.extract.pipeline import Extractor, read_phrase_bank
    from pipelines.extract.resolve import MetricResolver
    from pipelines.train import write_model_card

    # The catalogue's metric embeddings travel with the model (no re-embedding at start-up).
    for inference in ("torch", "onnx-int8"):
        embedder = MiniLMEmbedder(inference=inference, tagger_dir=out_dir)
        phrases = read_phrase_bank(out_dir)
        MetricResolver(default_catalogue(), embedder, cache_dirs=[out_dir], phrases=phrases).warm_up()
    scores: dict[str, list[dict]] = {}
    if score:
        extractor = Extractor(out_dir)
        for split in ("dev", "test"):
            results = run_evaluation(load_split(split), ("tagger", "rules"), extractor=extractor)
            scores[split] = [s.as_dict() for s in results]
        if cv is not None:
            scores["real (cross-validated)"] = [s.as_dict() for s in evaluate_folds(load_split("real"), cv)]
    card = write_model_card(out_dir, report, scores)
    click.echo(json.dumps({"report": report, "scores": scores, "model_card": str(card)}, indent=2))


@click.command(short_help="Score the tagger and the baselines on an annotation split.")
@click.option(
    "--split",
    type=click.Choice(("dev", "test", "real", "train")),
    default="test",
    show_default=True,
    help="Annotation split: dev, test (the seeds) or real (the real-text pool).",
)
@click.option(
    "--systems", default="tagger,rules,quantulum3", show_default=True, help="Comma-separated: tagger, rules, quantulum3"
)
@model_option
@click.option(
    "--folds",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder of cross-validation models (fold-0 … fold-4): each fold's sites are read by the model that "
    "never saw them (split real only).",
)
@click.option("--errors", is_flag=True, help="List every error of every system on standard error.")
@click.option(
    "--curve",
    is_flag=True,
    help="Also print the tagger's precision and recall at claim thresholds from 0.2 to 0.95 (it then keeps "
    "every mention it is at least 0.2 sure of).",
)
@format_option("table")
@click.option("--json", "as_json", is_flag=True, hidden=True, help="Same as --format json.")
@inference_option
@quiet_option
def evaluate(
    split: str,
    systems: str,
    model: Path | None,
    folds: Path | None,
    errors: bool,
    curve: bool,
    fmt: str,
    as_json: bool,
    inference: str | None,
    quiet: bool,
) -> None:
    """Precision/recall/F1 of mentions, strict claim F1 and slot accuracies, for each system side by side."""
    from pipelines.annotations import load_split
    from pipelines.crossval import evaluate_folds
    from pipelines.evaluate import evaluate as run_evaluation

    fmt = "json" if as_json else fmt
    records = load_split(split)
    if folds is not None and split != "real":
        raise click.BadParameter("--folds is for the real split", param_hint="--folds")
    with progress(f"scoring {systems.replace(',', ', ')} on {len(records)} documents of {split}", quiet=quiet):
        threshold = CURVE[0] if curve else None
        if folds is not None:
            scores = evaluate_folds(
                records, folds, inference=inference or "torch", systems=systems.split(","), threshold=threshold
            )
        else:
            extractor = extractor_for(model, inference)
            if threshold is not None:
                extractor.threshold = threshold
            scores = run_evaluation(records, systems.split(","), extractor=extractor)
    kind = " (site-grouped cross-validation)" if folds else ""
    note(f"split {split}: {len(records)} documents{kind}", quiet or fmt != "table")
    if curve:
        # Mention precision and recall at each threshold (slot accuracies need one threshold: drop --curve).
        tagger = next(s for s in scores if s.system == "tagger")
        rows = [
            {"threshold": t, **dict(zip(("precision", "recall"), tagger.at_threshold(t), strict=True))} for t in CURVE
        ]
        emit([{k: round(v, 3) for k, v in r.items()} for r in rows], fmt, CURVE_COLUMNS)
        return
    emit([s.as_dict() | {"system": s.system} for s in scores], fmt, SCORE_COLUMNS)
    if errors:
        for s in scores:
            for e in s.errors:
                click.echo(f"[{s.system}] {e}", err=True)


CURVE = (0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95)


@click.command("export-onnx", short_help="Export the models to ONNX, fp32 and int8.")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Export folder.  [default: CLAIMGRAPH_ONNX_DIR, else a cache folder per model]",
)
@model_option
@click.option("--force", is_flag=True, help="Export again even when an up-to-date export is there.")
@quiet_option
def export_onnx(out: Path | None, model: Path | None, force: bool, quiet: bool) -> None:
    """Export the tagger and the embedder to ONNX, fp32 and per-channel int8, with a manifest."""
    from pipelines.extract.pipeline import DEFAULT_MODEL_DIR
    from pipelines.onnx_export import ensure_export, read_manifest
    from service.settings import get_settings

    with progress("checking the ONNX export", quiet=quiet) as bar:

        def log(message: str) -> None:
            bar.update(description=message[:80])
            bar.log(message)

        out_dir = ensure_export(model or DEFAULT_MODEL_DIR, out or get_settings().onnx_dir, force=force, log=log)
    click.echo(json.dumps({"out": str(out_dir), **(read_manifest(out_dir) or {})}, indent=2))


@click.group("annotations")
def annotations_group() -> None:
    """Gold annotations."""


@annotations_group.command("build")
def annotations_build() -> None:
    """Rebuild annotations/{train,dev,test}.jsonl from the .ann sources."""
    from pipelines.annotations import AnnotationError, build

    try:
        click.echo(json.dumps(build()))
    except AnnotationError as exc:
        click.echo(str(exc), err=True)
        sys.exit(EXIT_FAILURES)
