"""The ``claimgraph`` command (click): each command is a few lines around ``service.core``.

Results go to standard output in the format asked for (``--format table|json|jsonl|csv``, see
``service.cli_output``); progress, summaries and errors go to standard error. Exit codes: 0 done, 1 some
inputs failed (the rest was done), 2 a usage error (a bad option, an unknown name, no database).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import click

from pipelines.graph import EXPORTERS
from service.cli_models import (
    annotations_group,
    evaluate,
    export_onnx,
    extractor_for,
    inference_option,
    model_option,
    train,
)
from service.cli_output import csv_lines, emit, error, format_option, note, progress, quiet_option
from service.cli_views import (
    CLAIM_COLUMNS,
    INGEST_COLUMNS,
    MENTION_COLUMNS,
    catalogue_records,
    ingest_summary,
    print_catalogue,
    print_claim,
    print_clusters,
)

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")

EXIT_OK, EXIT_FAILURES, EXIT_USAGE, EXIT_STORE = 0, 1, 2, 3


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("claimgraph")
    except PackageNotFoundError:  # run from a checkout that was never installed
        return "unknown"


def _is_store_error(exc: BaseException) -> bool:
    """Whether the database itself failed (nothing more can be stored). A store error can only come from the
    store's module, so it is not imported for commands that never open one (``extract`` starts faster)."""
    repository = sys.modules.get("service.store.repository")
    return repository is not None and isinstance(exc, repository.StoreError)


class ClaimgraphGroup(click.Group):
    """Commands in the order they are defined, and every library error as one line and an exit code."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(self.commands)

    def invoke(self, ctx: click.Context) -> Any:
        from pipelines.errors import ClaimgraphError

        try:
            return super().invoke(ctx)
        except ClaimgraphError as exc:
            error(exc.code, exc.message)
            ctx.exit(EXIT_STORE if _is_store_error(exc) else EXIT_FAILURES)


class Stop(click.ClickException):
    """A usage problem found after parsing (no database, an unknown name): ``error (code): message``, exit 2."""

    exit_code = EXIT_USAGE

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code

    def show(self, file: Any = None) -> None:
        error(self.code, self.message)


@click.group(cls=ClaimgraphGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(_version(), "--version", "-V", prog_name="claimgraph", message="%(prog)s %(version)s")
def app() -> None:
    """Extract quantitative claims about ML frameworks, keep where each came from, and find contradictions.

    The store is CLAIMGRAPH_DATABASE_URL (default: the SQLite file claimgraph.db in this folder).
    """


# --- options shared by several commands ------------------------------------------------------------------


subject_option = click.option("--subject", metavar="NAME", help="Framework by name, id or alias (any case): PyTorch.")
metric_option = click.option(
    "--metric", metavar="NAME", help="Metric by id or alias (any case): research_paper_share, stars."
)
published_option = click.option(
    "--published",
    metavar="DATE",
    callback=lambda ctx, param, value: _checked_date(value),
    help="Publication date of the articles (YYYY, YYYY-MM or YYYY-MM-DD): their present-tense figures hold "
    "for it.  [default: what each file says of its date]",
)


def _checked_date(value: str | None) -> str | None:
    """A --published value as an ISO date, or a usage error naming it."""
    if value is None:
        return None
    from pipelines.context import parse_published
    from pipelines.errors import InputError

    try:
        parse_published(value, name="--published")
    except InputError as exc:
        raise click.BadParameter(exc.message, param_hint="--published") from exc
    return value


paths_argument = click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path), metavar="PATH...")


def _count_files(paths: tuple[Path, ...]) -> int:
    from pipelines.ingest import expand_paths

    return len(expand_paths(list(paths)))


# --- extraction ---------------------------------------------------------------------------------------------


@app.command(short_help="Print the claims found in files, without storing them.")
@paths_argument
@format_option("jsonl", help="jsonl (one JSON object per claim mention), json, csv, or table for people.")
@model_option
@inference_option
@published_option
@quiet_option
def extract(
    paths: tuple[Path, ...], fmt: str, model: Path | None, inference: str | None, published: str | None, quiet: bool
) -> None:
    """Print every claim mention in PATH... (.txt, .md, .html files, or folders of them).

    Nothing is stored. Files that cannot be read are listed at the end and the exit code is 1.
    """
    from pipelines.extract.pipeline import mention_record
    from pipelines.ingest import expand_paths
    from service.extraction import ExtractionRun, extract_paths

    run = ExtractionRun()
    extractor = extractor_for(model, inference)
    collected: list[dict] = []
    files = expand_paths(list(paths))
    with progress("loading the models", total=len(files), quiet=quiet) as bar:
        if any(f.is_file() for f in files):  # nothing to read, nothing to load
            extractor.warm_up()
        bar.update(description="extracting claims")
        done = 0
        for article, mentions in extract_paths(paths, extractor, run, published):
            done += 1
            bar.update(completed=done + len(run.failures), description=f"extracting claims · {article.name}")
            records = [mention_record(m) for m in mentions]
            if fmt == "jsonl":  # streamed: a long run shows its results as it goes
                emit(records, fmt, MENTION_COLUMNS)
            else:  # one document, one header row, one set of column widths
                collected.extend(records)
    if fmt != "jsonl":
        emit(collected, fmt, MENTION_COLUMNS)
    note(f"{run.files} files, {run.mentions} claim mentions, {len(run.failures)} failed", quiet)
    for _, code, message in run.failures:
        error(code, message)
    sys.exit(EXIT_FAILURES if run.failures else EXIT_OK)


# --- the store ----------------------------------------------------------------------------------------------


def _store():
    """The store for writing: created and migrated when it is not there yet."""
    from service.settings import get_settings
    from service.store import Store

    store = Store(get_settings().database_url)
    store.migrate()
    return store


def _existing_store():
    """The store for reading: it must exist; a read never creates an empty database."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    from service.settings import get_settings
    from service.store import Store

    raw = get_settings().database_url
    try:
        url = make_url(raw)
    except ArgumentError as exc:
        raise Stop("bad_database_url", f"CLAIMGRAPH_DATABASE_URL is not a database URL: {raw!r}") from exc
    hint = "store articles first (`claimgraph ingest PATH...`), or set CLAIMGRAPH_DATABASE_URL"
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        path = Path(url.database).resolve()
        if not path.is_file():
            raise Stop("no_database", f"no database at {path}: {hint}")
    store = Store(raw)
    if not store.ping():
        raise Stop("no_database", f"cannot open the database {url.render_as_string(hide_password=True)}: {hint}")
    store.migrate()
    return store


def _filters(store, subject: str | None, metric: str | None) -> tuple[str | None, str | None]:
    """The ids a person's --subject and --metric mean (any case, names or aliases); Stop when unknown."""
    from pipelines.catalogue import default_catalogue
    from service.filters import UnknownName, metric_id, subject_id

    catalogue = default_catalogue()
    try:
        if subject:
            subject = subject_id(subject, catalogue, stored={s for s, _ in store.cluster_facets()})
        if metric:
            metric = metric_id(metric, catalogue)
    except UnknownName as exc:
        raise Stop(exc.code, exc.message) from exc
    return subject, metric


@app.command(short_help="Store new or changed articles and their claims.")
@paths_argument
@format_option("table", help="table (the totals in words), or json, jsonl, csv (the totals as fields).")
@click.option("--json", "as_json", is_flag=True, hidden=True, help="Same as --format json.")
@click.option("--watch", is_flag=True, help="Keep going: store files as they appear or change (Ctrl-C stops).")
@click.option(
    "--interval", type=click.FloatRange(min=0.1), default=2.0, show_default=True, help="Seconds between checks."
)
@inference_option
@click.option(
    "--engine",
    type=click.Choice(("local", "ray")),
    default="local",
    show_default=True,
    help="local: in this process; ray: an actor pool on Ray Data (the distributed extra).",
)
@click.option("--address", help="--engine ray: auto or ray://host:port of a cluster.  [default: start Ray here]")
@click.option(
    "--workers", type=click.IntRange(min=1), help="--engine ray: actors, each with its own models.  [default: per CPU]"
)
@published_option
@quiet_option
def ingest(
    paths: tuple[Path, ...],
    fmt: str,
    as_json: bool,
    watch: bool,
    interval: float,
    inference: str | None,
    engine: str,
    address: str | None,
    workers: int | None,
    published: str | None,
    quiet: bool,
) -> None:
    """Store new or changed articles under PATH... (by content hash) and their claims.

    Exit codes: 0 every file read (new or unchanged), 1 some files failed (the rest are stored), 3 the
    database failed (gone, damaged, full, read-only): one line says why, and nothing is reported stored.
    With --watch each file is logged as it is stored, and a summary follows each check.
    """
    from service.core import IngestRun, ingest_paths
    from service.settings import get_settings

    fmt = "json" if as_json else fmt
    settings = get_settings()
    if engine == "ray":
        if watch:
            raise Stop("usage", "--watch runs in process only (drop --engine ray)")
        if published:
            raise Stop("usage", "--published runs in process only (drop --engine ray)")
        from service.distributed import EngineError, ingest_ray

        ray_run = IngestRun()
        try:
            with progress("ingesting on Ray", total=_count_files(paths), quiet=quiet or fmt != "table") as bar:
                ingest_ray(
                    paths,
                    settings.database_url,
                    extractor_for(None, inference),
                    ray_run,
                    workers=workers,
                    address=address,
                    batch_size=settings.batch_size,
                    progress=bar.advance,
                )
        except EngineError as exc:
            raise Stop(exc.code, exc.message) from exc
        _report_ingest(ray_run, fmt, quiet)
    store = _store()
    extractor = extractor_for(None, inference)
    if watch:
        _watch(paths, store, extractor, fmt, interval, quiet)
    run = IngestRun()
    with progress("ingesting", total=_count_files(paths), quiet=quiet or fmt != "table") as bar:
        ingest_paths(paths, store, extractor, run, settings.batch_size, bar.advance, published=published)
    _report_ingest(run, fmt, quiet)


def _watch(paths, store, extractor, fmt: str, interval: float, quiet: bool) -> None:
    """Ingest ``paths`` again whenever a file appears or changes; each file and each check is logged."""
    import signal
    import threading
    import time

    from service.core import ArticleOutcome, IngestRun, watch_paths
    from service.settings import get_settings

    def stamp() -> str:
        return time.strftime("%H:%M:%S")

    def on_article(outcome: ArticleOutcome) -> None:
        if outcome.failure is None:
            what = f"stored {outcome.claims} claims" if outcome.stored else "unchanged"
            note(f"{stamp()} {outcome.name}: {what}", quiet)

    checks: list[IngestRun] = []

    def report(r: IngestRun) -> None:
        for file, code, message in r.failures:
            error(code, message if file in message else f"{file}: {message}")
        if fmt == "table":
            failed = len(r.failures)
            click.echo(f"{stamp()} {r.files} files: {r.new} new documents, {r.claims} new claims, {failed} failed")
        elif fmt == "csv":  # one header for the whole watch, then a row per check
            for line in csv_lines(INGEST_COLUMNS, [r.summary()], header=not checks):
                click.echo(line)
            checks.append(r)
        else:
            click.echo(json.dumps(r.summary()))

    stop = threading.Event()
    # Ctrl-C or a plain kill ends the watch between two checks (SIGINT may be ignored in background jobs).
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    note(f"watching {', '.join(map(str, paths))} every {interval:g} s (Ctrl-C stops)", quiet)
    batch_size = get_settings().batch_size
    watch_paths(paths, store, extractor, report, interval, stop.is_set, batch_size, on_article=on_article)
    sys.exit(EXIT_OK)


def _report_ingest(run, fmt: str, quiet: bool) -> None:
    """Print an ingest's summary and exit with its code."""
    if fmt == "table":
        click.echo(ingest_summary(run))
    elif fmt == "csv":
        emit([run.summary()], fmt, INGEST_COLUMNS)
    else:  # json and jsonl alike: the summary as one line, as scripts read it
        click.echo(json.dumps(run.summary()))
    for _, code, message in run.failures:
        error(code, message)
    sys.exit(EXIT_FAILURES if run.failures else EXIT_OK)


@app.command(short_help="List the stored claims.")
@subject_option
@metric_option
@format_option("table")
def claims(subject: str | None, metric: str | None, fmt: str) -> None:
    """List stored claims, filtered by framework and metric."""
    store = _existing_store()
    subject, metric = _filters(store, subject, metric)
    from service.core import claim_record

    rows = [claim_record(member, mentions="none") for member in store.with_documents(store.claims(subject, metric))]
    emit(rows, fmt, CLAIM_COLUMNS)
    if not rows:
        note("no claims match" if subject or metric else "no claims stored yet")


@app.command(short_help="One claim with every mention and its offsets.")
@click.argument("claim_id", metavar="CLAIM_ID")
@format_option("table")
def show(claim_id: str, fmt: str) -> None:
    """One claim (an id from `claimgraph claims`) with every mention: document, offsets, sentence."""
    from service.core import claim_record

    found = _existing_store().claim(claim_id)
    if found is None:
        error("not_found", f"no claim {claim_id!r}")
        sys.exit(EXIT_FAILURES)
    print_claim(claim_record(found) | {"document": found[1].path}, fmt)


@app.command(short_help="Clusters whose claims conflict, with the reason.")
@subject_option
@metric_option
@format_option("table")
def contradictions(subject: str | None, metric: str | None, fmt: str) -> None:
    """Clusters whose claims conflict: the claims side by side with the verdict and the reason.

    Only established conflicts (the same period and population, stated or from one article or source) are
    listed; clusters whose figures disagree without that (``unresolved``) are counted, never listed."""
    from service.core import cluster_views

    store = _existing_store()
    subject, metric = _filters(store, subject, metric)
    every = cluster_views(store, subject, metric)
    views = [v for v in every if v["verdict"] == "conflicts"]
    print_clusters(views, fmt)
    unresolved = sum(v["verdict"] == "unresolved" for v in every)
    message = f"{len(views)} cluster{'s' if len(views) != 1 else ''} in conflict"
    if unresolved:
        message += (
            f"; {unresolved} more with figures that disagree but are not shown to speak of the same period and "
            "population (unresolved: see `claimgraph clusters`)"
        )
    note(message)


@app.command(short_help="Every cluster with its verdict and claims.")
@subject_option
@metric_option
@format_option("table")
def clusters(subject: str | None, metric: str | None, fmt: str) -> None:
    """Every cluster with its verdict (agrees, conflicts, trend, different_scope, unresolved, single) and its claims."""
    from service.core import cluster_views

    store = _existing_store()
    subject, metric = _filters(store, subject, metric)
    views = cluster_views(store, subject, metric)
    print_clusters(views, fmt)
    note(f"{len(views)} cluster{'s' if len(views) != 1 else ''}")


@app.command(short_help="The subjects and metrics the filters accept.")
@click.argument("what", type=click.Choice(("all", "subjects", "metrics")), default="all", metavar="[subjects|metrics]")
@format_option("table")
def catalogue(what: str, fmt: str) -> None:
    """The subjects (frameworks) and metrics that --subject and --metric accept, with their aliases."""
    from pipelines.catalogue import default_catalogue

    records = catalogue_records(default_catalogue())
    print_catalogue(records if what == "all" else {what: records[what]}, fmt)


@app.command(short_help="Write the whole claim graph (JSON, GraphML, JSON-LD).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(tuple(EXPORTERS)),
    default="json",
    show_default=True,
    help="The graph as JSON, GraphML (for Gephi, yEd) or JSON-LD.",
)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Write to this file, not standard output.")
def export(fmt: str, out: Path | None) -> None:
    """Write the whole claim graph: documents, sources, frameworks, metrics, claims, clusters, relations."""
    from service.core import export_graph

    text = export_graph(_existing_store(), fmt)
    if out:
        out.write_text(text, encoding="utf-8")
        note(f"wrote {out} ({len(text.encode()):,} bytes)")
    else:
        click.echo(text)


@app.command(short_help="Serve the REST API and the web pages.")
@click.option("--host", help="Interface to listen on.  [default: CLAIMGRAPH_HOST, else 127.0.0.1]")
@click.option("--port", type=click.IntRange(1, 65535), help="Port.  [default: CLAIMGRAPH_PORT, else 8000]")
def serve(host: str | None, port: int | None) -> None:
    """Serve the REST API (/docs) and the web pages over the store.

    The models load once at start-up; /readyz answers 200 when they are loaded and the store answers.
    """
    import uvicorn

    from service.api.app import create_app
    from service.settings import get_settings

    settings = get_settings()
    api = create_app(settings)
    config = uvicorn.Config(
        api,
        host=host or settings.host,
        port=port or settings.port,
        log_level="info",
        # On SIGTERM requests waiting for the model are answered 503 at once; the others get this long.
        timeout_graceful_shutdown=max(1, settings.shutdown_timeout_s),
    )

    class Server(uvicorn.Server):
        def handle_exit(self, sig: int, frame: object) -> None:
            api.state.extraction.shut_down_soon()
            super().handle_exit(sig, frame)  # type: ignore[arg-type]

    Server(config).run()


@app.group(cls=ClaimgraphGroup)
def reference() -> None:
    """Trusted reference figures for fact-checking."""


@reference.command("load")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path), metavar="FILE.csv")
def reference_load(path: Path) -> None:
    """Store reference values from a CSV file (columns subject, metric, value, time, source_url).

    Every claim is then supported, refuted or unverifiable against them. One bad row rejects the file.
    """
    from pipelines.catalogue import default_catalogue
    from pipelines.errors import InputError
    from service.core import load_references

    try:
        added = load_references(path, _store(), default_catalogue())
    except InputError as exc:
        error(exc.code, exc.message)
        sys.exit(EXIT_FAILURES)
    click.echo(f"{added} new reference values")


# The commands that make and measure the models, after the ones that use them.
for command in (train, evaluate, export_onnx, annotations_group):
    app.add_command(command)


def main() -> None:  # pragma: no cover
    app(prog_name="claimgraph")
