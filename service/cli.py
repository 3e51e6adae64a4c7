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

EXIT_OK, EXIT_FAILURES, EXIT_USAGE, EXIT_STORE = 0, 1, 2, 3


class OutputFormat(StrEnum):
    jsonl = "jsonl"
    table = "table"


class InferenceChoice(StrEnum):
    torch = "torch"
    onnx_int8 = "onnx-int8"


InferenceOption = Annotated[
    InferenceChoice | None,
    typer.Option("--inference", help="Run the models with torch or onnx-int8 (default: CLAIMGRAPH_INFERENCE, torch)."),
]


def _extractor(model: Path | None = None, inference: InferenceChoice | None = None):
    """The extractor on the chosen inference backend (the option, else the settings)."""
    from pipelines.extract.pipeline import Extractor
    from pipelines.inference import check_inference
    from service.settings import get_settings

    settings = get_settings()
    backend = check_inference(inference.value if inference else settings.inference)
    return Extractor(model, inference=backend, onnx_dir=settings.onnx_dir)


@app.command()
def extract(
    paths: Annotated[list[Path], typer.Argument(help="Article files (.txt, .md, .html) or folders of them.")],
    fmt: Annotated[
        OutputFormat, typer.Option("--format", help="jsonl: one JSON object per mention.")
    ] = OutputFormat.jsonl,
    model: Annotated[Path | None, typer.Option(help="Folder of a trained tagger (default: the shipped one).")] = None,
    inference: InferenceOption = None,
) -> None:
    """Print every claim mention found in the articles; failures are listed at the end (exit 1)."""
    from pipelines.extract.pipeline import mention_record
    from service.core import ExtractionRun, extract_paths

    run = ExtractionRun()
    extractor = _extractor(model, inference)
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
    epochs: Annotated[int, typer.Option(help="Training epochs.")] = 7,
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
    inference: InferenceOption = None,
) -> None:
    """Precision/recall/F1 of mentions and slot accuracies, for each system side by side."""
    from pipelines.annotations import load_split
    from pipelines.evaluate import evaluate as run_evaluation

    records = load_split(split)
    scores = run_evaluation(records, systems.split(","), extractor=_extractor(model, inference))
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


@app.command("export-onnx")
def export_onnx(
    out: Annotated[
        Path | None, typer.Option(help="Export folder (default: CLAIMGRAPH_ONNX_DIR, else a cache folder per model).")
    ] = None,
    model: Annotated[Path | None, typer.Option(help="Folder of a trained tagger (default: the shipped one).")] = None,
    force: Annotated[bool, typer.Option(help="Export again even when an up-to-date export is there.")] = False,
) -> None:
    """Export the tagger (LoRA merged) and the embedder to ONNX, fp32 and per-channel int8, with a manifest."""
    from pipelines.extract.pipeline import DEFAULT_MODEL_DIR
    from pipelines.onnx_export import ensure_export, read_manifest
    from service.settings import get_settings

    out_dir = ensure_export(
        model or DEFAULT_MODEL_DIR, out or get_settings().onnx_dir, force=force, log=lambda m: typer.echo(m, err=True)
    )
    typer.echo(json.dumps({"out": str(out_dir), **(read_manifest(out_dir) or {})}, indent=2))


class IngestEngine(StrEnum):
    local = "local"
    ray = "ray"


def _store():
    from service.settings import get_settings
    from service.store import Store

    store = Store(get_settings().database_url)
    store.migrate()
    return store


@app.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Article files or folders.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print a machine-readable summary.")] = False,
    watch: Annotated[
        bool, typer.Option("--watch", help="Keep processing new and changed files (Ctrl-C stops).")
    ] = False,
    interval: Annotated[float, typer.Option(help="Seconds between checks with --watch.")] = 2.0,
    inference: InferenceOption = None,
    engine: Annotated[
        IngestEngine, typer.Option(help="local: in this process; ray: an actor pool on Ray Data ([distributed]).")
    ] = IngestEngine.local,
    address: Annotated[
        str | None, typer.Option(help="--engine ray: auto or ray://host:port of a cluster (default: start Ray here).")
    ] = None,
    workers: Annotated[
        int | None, typer.Option(min=1, help="--engine ray: actors, each with its own models (default: one per CPU).")
    ] = None,
) -> None:
    """Store new or changed articles (by content hash) and their claims in the database.

    Exit codes: 0 every file read (new or unchanged), 1 some files failed (the rest are stored), 3 the
    database failed (gone, damaged, full, read-only): one line says why, and nothing is reported stored.
    The database is CLAIMGRAPH_DATABASE_URL (default: SQLite file claimgraph.db here).
    """
    from service.store import StoreError

    try:
        _ingest(paths, as_json, watch, interval, inference, engine, address, workers)
    except StoreError as exc:
        typer.echo(f"error ({exc.code}): {exc.message}", err=True)
        raise typer.Exit(EXIT_STORE) from None


def _ingest(
    paths: list[Path],
    as_json: bool,
    watch: bool,
    interval: float,
    inference: InferenceChoice | None,
    engine: IngestEngine,
    address: str | None,
    workers: int | None,
) -> None:
    from service.core import IngestRun, ingest_paths
    from service.settings import get_settings

    if engine is IngestEngine.ray:
        if watch:
            typer.echo("error: --watch runs in process only (drop --engine ray)", err=True)
            raise typer.Exit(EXIT_USAGE)
        from service.distributed import EngineError, ingest_ray

        ray_run = IngestRun()
        try:
            ingest_ray(
                paths,
                get_settings().database_url,
                _extractor(None, inference),
                ray_run,
                workers=workers,
                address=address,
                batch_size=get_settings().batch_size,
            )
        except EngineError as exc:
            typer.echo(f"error ({exc.code}): {exc.message}", err=True)
            raise typer.Exit(EXIT_USAGE) from exc
        _report_ingest(ray_run, as_json)
    store = _store()
    extractor = _extractor(None, inference)
    if watch:
        from service.core import watch_paths

        def report(r: IngestRun) -> None:
            typer.echo(json.dumps(r.summary()) if as_json else f"{r.new} new documents, {r.claims} new claims")

        import signal
        import threading

        stop = threading.Event()
        # Ctrl-C or a plain kill ends the watch between two checks (SIGINT may be ignored in background jobs).
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stop.set())
        watch_paths(paths, store, extractor, report, interval, stop.is_set, get_settings().batch_size)
        raise typer.Exit(EXIT_OK)
    run = IngestRun()
    show_progress = sys.stderr.isatty() and not as_json
    if show_progress:
        from rich.progress import Progress

        with Progress(transient=True) as bar:
            task = bar.add_task("ingesting", total=None)
            ingest_paths(paths, store, extractor, run, get_settings().batch_size, lambda n: bar.advance(task, n))
    else:
        ingest_paths(paths, store, extractor, run, get_settings().batch_size)
    _report_ingest(run, as_json)


def _report_ingest(run, as_json: bool) -> None:
    """Print an ingest's summary and exit with its code."""
    if as_json:
        typer.echo(json.dumps(run.summary()))
    else:
        nothing = " (nothing new)" if run.new == 0 and not run.failures else ""
        typer.echo(
            f"{run.files} files: {run.new} new documents, {run.unchanged} unchanged, {run.claims} new claims"
            f"{nothing}, {len(run.failures)} failed"
        )
        for _, code, message in run.failures:
            typer.echo(f"error ({code}): {message}", err=True)
    raise typer.Exit(EXIT_FAILURES if run.failures else EXIT_OK)


@app.command()
def claims(
    subject: Annotated[str | None, typer.Option(help="Framework id, e.g. pytorch.")] = None,
    metric: Annotated[str | None, typer.Option(help="Metric id, e.g. research_paper_share.")] = None,
    fmt: Annotated[OutputFormat, typer.Option("--format")] = OutputFormat.table,
) -> None:
    """List stored claims."""
    rows = _store().claims(subject, metric)
    for r in rows:
        if fmt is OutputFormat.jsonl:
            typer.echo(json.dumps(_claim_json(r)))
        else:
            typer.echo(f"{r.id}  {r.subject:<14} {r.metric:<24} {r.value_text:<20.20} {r.time or '':<8} {r.comparator}")


def _claim_json(r) -> dict:
    return {
        "claim_id": r.id,
        "document_id": r.document_id,
        "subject": r.subject,
        "subjects": r.subjects,
        "metric": r.metric,
        "metric_phrase": r.metric_phrase,
        "value_text": r.value_text,
        "value": r.value,
        "value_high": r.value_high,
        "unit": r.unit,
        "comparator": r.comparator,
        "time": r.time,
        "time_from": r.time_from,
        "scope": r.scope,
        "source": r.source,
        "confidence": r.confidence,
    }


@app.command()
def show(claim_id: Annotated[str, typer.Argument(help="A claim id from `claimgraph claims`.")]) -> None:
    """One claim with every mention: document, offsets, sentence."""
    found = _store().claim(claim_id)
    if found is None:
        typer.echo(f"error (not_found): no claim {claim_id!r}", err=True)
        raise typer.Exit(EXIT_FAILURES)
    from service.core import mention_view

    row, doc, mentions = found
    out = _claim_json(row) | {"document": doc.path, "mentions": [mention_view(doc, m) for m in mentions]}
    typer.echo(json.dumps(out, indent=2, ensure_ascii=False))


class ViewFormat(StrEnum):
    table = "table"
    json = "json"


def _print_clusters(views: list[dict], fmt: ViewFormat) -> None:
    if fmt is ViewFormat.json:
        typer.echo(json.dumps(views, indent=2, ensure_ascii=False))
        return
    for v in views:
        typer.echo(f"\n{v['subject']} · {v['metric']} · {v['verdict'].upper()} — {v['reason']}  [{v['cluster_id']}]")
        for c in v["claims"]:
            m = c["mentions"][0]
            typer.echo(
                f"  {c['value_text']:<22.22} {c['time'] or '':<8} {Path(m['document']).name:<34.34} "
                f"[{m['value_start']}:{m['value_end']}] {m['sentence'][:70]!r}"
            )


@app.command()
def contradictions(
    subject: Annotated[str | None, typer.Option(help="Framework id, e.g. pytorch.")] = None,
    metric: Annotated[str | None, typer.Option(help="Metric id, e.g. research_paper_share.")] = None,
    fmt: Annotated[ViewFormat, typer.Option("--format")] = ViewFormat.table,
) -> None:
    """Clusters whose claims conflict, claims side by side with the verdict and the reason."""
    from service.core import cluster_views

    _print_clusters([v for v in cluster_views(_store(), subject, metric) if v["verdict"] == "conflicts"], fmt)


@app.command()
def clusters(
    subject: Annotated[str | None, typer.Option(help="Framework id.")] = None,
    metric: Annotated[str | None, typer.Option(help="Metric id.")] = None,
    fmt: Annotated[ViewFormat, typer.Option("--format")] = ViewFormat.table,
) -> None:
    """Every cluster with its verdict (agrees, conflicts, trend, different_scope)."""
    from service.core import cluster_views

    _print_clusters(cluster_views(_store(), subject, metric), fmt)


class ExportFormat(StrEnum):
    json = "json"
    graphml = "graphml"
    jsonld = "jsonld"


@app.command()
def export(
    fmt: Annotated[ExportFormat, typer.Option("--format")] = ExportFormat.json,
    out: Annotated[Path | None, typer.Option(help="Write to this file instead of standard output.")] = None,
) -> None:
    """Write the whole claim graph: documents, sources, frameworks, metrics, claims, clusters, relations."""
    from service.core import export_graph

    text = export_graph(_store(), fmt.value)
    if out:
        out.write_text(text, encoding="utf-8")
    else:
        typer.echo(text)


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Interface (default: CLAIMGRAPH_HOST, 127.0.0.1).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default: CLAIMGRAPH_PORT, 8000).")] = None,
) -> None:
    """Serve the REST API (/docs) and the web pages over the store (CLAIMGRAPH_DATABASE_URL).

    The models load once at start-up; /readyz answers 200 when they are loaded and the store answers.
    """
    import uvicorn

    from service.api.app import create_app
    from service.settings import get_settings

    settings = get_settings()
    app = create_app(settings)
    config = uvicorn.Config(
        app,
        host=host or settings.host,
        port=port or settings.port,
        log_level="info",
        # On SIGTERM requests waiting for the model are answered 503 at once; the others get this long.
        timeout_graceful_shutdown=max(1, settings.shutdown_timeout_s),
    )

    class Server(uvicorn.Server):
        def handle_exit(self, sig: int, frame: object) -> None:
            app.state.extraction.shut_down_soon()
            super().handle_exit(sig, frame)  # type: ignore[arg-type]

    Server(config).run()


reference_app = typer.Typer(help="Trusted reference figures for fact-checking.", no_args_is_help=True)
app.add_typer(reference_app, name="reference")


@reference_app.command("load")
def reference_load(
    path: Annotated[Path, typer.Argument(help="CSV: subject, metric, value, time, source_url.")],
) -> None:
    """Store reference values; every claim is then supported, refuted or unverifiable against them."""
    from pipelines.catalogue import default_catalogue
    from pipelines.errors import InputError
    from service.core import load_references

    try:
        added = load_references(path, _store(), default_catalogue())
    except InputError as exc:
        typer.echo(f"error ({exc.code}): {exc.message}", err=True)
        raise typer.Exit(EXIT_FAILURES) from exc
    typer.echo(f"{added} new reference values")


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
