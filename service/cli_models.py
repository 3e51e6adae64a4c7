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

from service.cli_output import Column, emit, error, format_option, note, progress, quiet_option
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


def groups_option(lead: str) -> Callable[[Callable], Callable]:
    """``--groups DIR``: the folder of gold claim-group files (default: annotations/groups)."""
    return click.option(
        "--groups",
        "groups_dir",
        type=click.Path(file_okay=False, exists=True, path_type=Path),
        default=None,
        help=f"{lead} of group files (*.jsonl).  [default: annotations/groups]",
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
@click.option(
    "--graph",
    is_flag=True,
    help="Score the claim graph instead: clusters, verdicts and contradictions against the gold groups of "
    "annotations/groups (every gold claim stored through the product's store path).",
)
@click.option(
    "--extracted",
    is_flag=True,
    help="With --graph: store what the extractor finds in the grouped excerpts instead of the gold claims.",
)
@groups_option("With --graph: folder")
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
    graph: bool,
    extracted: bool,
    groups_dir: Path | None,
    fmt: str,
    as_json: bool,
    inference: str | None,
    quiet: bool,
) -> None:
    """Precision/recall/F1 of mentions, strict claim F1 and slot accuracies, for each system side by side.

    With --graph: contradictions precision (clusters and pairs), contradictions recall, grouping recall,
    verdict and relation accuracy and mixed-dimension clusters, against the gold groups.
    """
    from pipelines.annotations import load_split
    from pipelines.crossval import evaluate_folds
    from pipelines.evaluate import evaluate as run_evaluation

    fmt = "json" if as_json else fmt
    if extracted and not graph:
        raise click.BadParameter("--extracted scores the claim graph: give --graph too", param_hint="--extracted")
    if groups_dir is not None and not graph:
        raise click.BadParameter("--groups is for --graph", param_hint="--groups")
    if graph:
        _evaluate_graph(groups_dir, extracted, model, inference, fmt, errors, quiet)
        return
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
GRAPH_COLUMNS = [Column("measure", lambda r: r["measure"], 34), Column("score", lambda r: r["score"], 24)]
GRAPH_NUMBERS = [
    Column("value", lambda r: r["value"]),
    Column("hits", lambda r: r["hits"]),
    Column("total", lambda r: r["total"]),
]
GRAPH_NUMBERS = [
    Column("value", lambda r: r["value"]),
    Column("hits", lambda r: r["hits"]),
    Column("total", lambda r: r["total"]),
]


def _gold_groups(groups_dir: Path | None) -> tuple[dict, list]:
    """The real-text gold documents and the validated gold groups; a problem exits with its message."""
    from pipelines.annotations import AnnotationError
    from pipelines.groups import GROUPS_DIR, GroupError, group_files, load_documents, load_groups

    try:
        documents = load_documents()
        paths = group_files(groups_dir or GROUPS_DIR)
        if not paths:
            raise GroupError(f"no group files (*.jsonl) in {groups_dir or GROUPS_DIR}")
        return documents, load_groups(paths, documents)
    except (AnnotationError, GroupError) as exc:
        error("invalid_annotations", str(exc))
        sys.exit(EXIT_FAILURES)


def _evaluate_graph(
    groups_dir: Path | None,
    extracted: bool,
    model: Path | None,
    inference: str | None,
    fmt: str,
    errors: bool,
    quiet: bool,
) -> None:
    from pipelines.graph_eval import run as run_graph
    from pipelines.groups import warnings

    documents, groups = _gold_groups(groups_dir)
    for line in warnings(groups):
        note(f"warning: {line}", quiet)
    mode = "extracted" if extracted else "gold"
    what = "extracting the grouped excerpts" if extracted else "storing every gold claim"
    with progress(f"{what} ({len(groups)} gold groups)", quiet=quiet) as bar:
        result = run_graph(
            documents,
            groups,
            mode=mode,
            extractor=extractor_for(model, inference),
            progress=lambda done, total: bar.update(completed=done, total=total),
        )
    note(
        f"graph ({mode} claims): {result.groups} gold groups of {result.grouped_claims} claims "
        f"({result.grouped_claims_found} found), {result.clusters} system clusters, "
        f"{result.conflict_clusters} with verdict conflicts "
        f"({result.conflict_clusters_unjudged} hold no grouped claim)",
        quiet or fmt != "table",
    )
    if fmt == "table":
        emit(result.rows(), fmt, GRAPH_COLUMNS)
    elif fmt == "json":
        click.echo(json.dumps(result.as_dict(), indent=2, ensure_ascii=False))
    else:
        emit(result.rows(), fmt, GRAPH_COLUMNS + GRAPH_NUMBERS)
    if errors:
        for line in result.false_conflicts:
            click.echo(f"[false conflict] {line}", err=True)
        for line in result.missed_conflicts:
            click.echo(f"[missed conflict] {line}", err=True)
        for line in result.mixed:
            click.echo(f"[mixed dimensions] {line}", err=True)


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


@annotations_group.group("groups")
def annotations_groups() -> None:
    """Gold claim groups (annotations/groups): candidates to judge, and checking the group files."""


@annotations_groups.command("show")
@click.argument("numbers", nargs=-1, type=click.IntRange(min=0), required=True)
def annotations_groups_show(numbers: tuple[int, ...]) -> None:
    """Show candidate groups N ... with each claim's fields and its words in context."""
    from pipelines.groups import candidate_groups, load_documents, show_candidate

    documents = load_documents()
    candidates = candidate_groups(documents.values())
    for n in numbers:
        if n >= len(candidates):
            error("not_found", f"no candidate {n} (0..{len(candidates) - 1})")
            sys.exit(EXIT_FAILURES)
        click.echo(show_candidate(candidates[n], documents) + "\n")


@annotations_groups.command("candidates")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Write them here.  [default: stdout]")
def annotations_groups_candidates(out: Path | None) -> None:
    """Every candidate group, one JSON object a line (the numbers `show` and the group files use)."""
    from pipelines.groups import candidate_groups, load_documents

    lines = [json.dumps(c) for c in candidate_groups(load_documents().values())]
    if out is None:
        for line in lines:
            click.echo(line)
    else:
        out.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
        click.echo(json.dumps({"candidates": len(lines), "out": str(out)}))


@annotations_groups.command("check")
@groups_option("Folder")
def annotations_groups_check(groups_dir: Path | None) -> None:
    """Validate the group files: every reference resolves, vocabularies hold; warnings for likely slips."""
    from pipelines.groups import candidate_groups, warnings

    documents, groups = _gold_groups(groups_dir)
    for line in warnings(groups, candidate_groups(documents.values())):
        click.echo(f"warning: {line}", err=True)
    click.echo(json.dumps({"groups": len(groups), "claims": sum(len(g.claims) for g in groups)}))


@annotations_groups.command("threshold")
@groups_option("Folder")
def annotations_groups_threshold(groups_dir: Path | None) -> None:
    """The cosine `other` metric phrases need to share a cluster, chosen on all site folds but one and
    measured on that one: per fold, the chosen cosine, the held-out grouped pairs it joins and the held-out
    kept-apart pairs it joins (wrongly); one JSON object a line, then the totals at the shipped value."""
    from pipelines.cluster import OTHER_SIMILARITY
    from pipelines.extract.pipeline import Extractor
    from pipelines.graph_eval import joined_at, other_pairs, other_threshold_folds
    from pipelines.realtext import FOLDS, fold_of_excerpts

    documents, groups = _gold_groups(groups_dir)
    extractor = Extractor()
    pairs = other_pairs(documents, groups, extractor.embedder, extractor.catalogue)
    for fold in other_threshold_folds(pairs, fold_of_excerpts(), FOLDS):
        click.echo(
            json.dumps(
                {
                    "fold": fold.fold,
                    "chosen": fold.chosen,
                    "grouped_joined": fold.joined.as_dict(),
                    "apart_joined": fold.false_joins.as_dict(),
                }
            )
        )
    joined, false_joins = joined_at([(s, same) for _, _, s, same in pairs], OTHER_SIMILARITY)
    click.echo(
        json.dumps(
            {"shipped": OTHER_SIMILARITY, "grouped_joined": joined.as_dict(), "apart_joined": false_joins.as_dict()}
        )
    )
