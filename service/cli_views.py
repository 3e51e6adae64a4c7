"""What each ``claimgraph`` listing prints: its columns, and the records it prints them from.

The formats themselves (table, json, jsonl, csv) are ``service.cli_output``'s; this module only says
which fields each command shows and how they read.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import click

from service.cli_output import Column, emit, table_lines
from service.display import format_value, readable_reason

# --- extract ------------------------------------------------------------------------------------------------

MENTION_COLUMNS = [
    Column("document", lambda r: r["document"], 32, keep_end=True),
    Column("value", lambda r: r["value_text"], 22),
    Column("subject", lambda r: " vs ".join(r["subjects"] or [r["subject"] or ""]), 24),
    Column("metric", lambda r: r["metric"], 26),
    Column("period", lambda r: r["time"], 10),
    Column("confidence", lambda r: f"{r['confidence']:.2f}", 10),
    Column("offsets", lambda r: f"{r['value_start']}:{r['value_end']}", 12),
    Column("sentence", lambda r: r["sentence"], 60),
]

# --- evaluate -----------------------------------------------------------------------------------------------

SCORES = (
    ("P", "precision"),
    ("R", "recall"),
    ("F1", "f1"),
    ("claimF1", "claim_f1"),
    ("subject", "subject_accuracy"),
    ("metric", "metric_accuracy"),
    ("value", "value_accuracy"),
    ("comp", "comparator_accuracy"),
    ("time", "time_accuracy"),
    ("scope", "scope_accuracy"),
    ("source", "source_accuracy"),
)


def _score(key: str) -> Callable[[dict], str]:
    return lambda d: f"{d[key]:.3f}" if isinstance(d.get(key), float) else ""


SCORE_COLUMNS = [Column("system", lambda d: d["system"], 14)] + [Column(head, _score(key), 8) for head, key in SCORES]

# --- ingest -------------------------------------------------------------------------------------------------

INGEST_COLUMNS = [
    Column(key, (lambda k: lambda s: len(s[k]) if k == "failed" else s[k])(key), 20)
    for key in ("files", "new_documents", "unchanged_documents", "new_claims", "failed")
]


def ingest_summary(run: Any) -> str:
    """An ingest's totals in words, "(nothing new)" when it stored nothing."""
    nothing = " (nothing new)" if run.new == 0 and not run.failures else ""
    return (
        f"{run.files} files: {run.new} new documents, {run.unchanged} unchanged, {run.claims} new claims"
        f"{nothing}, {len(run.failures)} failed"
    )


# --- claims and show ----------------------------------------------------------------------------------------


def normalised(r: dict) -> str:
    """The normalised value in words: "70%", "3,900", "18% – 25%"."""
    if r.get("value") is None:
        return ""
    high = f" – {format_value(r['value_high'], r['unit'])}" if r.get("value_high") is not None else ""
    return format_value(r["value"], r["unit"]) + high


CLAIM_COLUMNS = [
    Column("claim", lambda r: r["claim_id"], 40),
    Column("subject", lambda r: r["subject"], 18),
    Column("metric", lambda r: r["metric"], 26),
    Column("as written", lambda r: r["value_text"], 22),
    Column("value", normalised, 18),
    Column("comparator", lambda r: r["comparator"], 10),
    Column("period", lambda r: r["time"], 10),
    Column("scope", lambda r: r["scope"], 30),
    Column("source", lambda r: r["source"], 30),
]
MENTION_KEYS = ("value_start", "value_end", "sentence")
MENTION_AT_COLUMNS = [
    Column("document", lambda m: m["document"], 40, keep_end=True),
    Column("offsets", lambda m: f"{m['value_start']}:{m['value_end']}", 12),
    Column("as written", lambda m: m["value_text"], 22),
    Column("sentence", lambda m: m["sentence"], 80),
]


def print_claim(claim: dict, fmt: str) -> None:
    """One claim with its mentions: fields then a table of mentions, or JSON, or CSV (a row per mention)."""
    if fmt in ("json", "jsonl"):
        click.echo(json.dumps(claim, indent=2 if fmt == "json" else None, ensure_ascii=False))
        return
    if fmt == "csv":
        columns = [
            Column(k, (lambda key: lambda m: claim[key])(k))
            for k in claim
            if k != "mentions" and not isinstance(claim[k], dict)
        ]
        columns += [Column(k, (lambda key: lambda m: m[key])(k)) for k in MENTION_KEYS]
        emit(claim["mentions"], "csv", columns)
        return
    fields: list[tuple[str, Any]] = [
        (k, v) for k, v in claim.items() if k != "mentions" and v not in (None, "", []) and not isinstance(v, dict)
    ]
    fields.insert(fields.index(("value_text", claim["value_text"])) + 1, ("normalised", normalised(claim)))
    width = max(len(k) for k, _ in fields)
    for key, value in fields:
        click.echo(f"{key:<{width}}  {', '.join(map(str, value)) if isinstance(value, list) else value}")
    click.echo("")
    for line in table_lines(MENTION_AT_COLUMNS, claim["mentions"]):
        click.echo(line)


# --- clusters and contradictions ----------------------------------------------------------------------------


def _first(c: dict, key: str) -> Any:
    return c["mentions"][0][key] if c["mentions"] else None


CLUSTER_CSV = [
    Column(key, (lambda k: lambda r: r["cluster"][k])(key))
    for key in ("cluster_id", "subject", "metric", "verdict", "reason")
] + [
    Column(key, (lambda k: lambda r: r["claim"][k])(key))
    for key in ("claim_id", "value_text", "value", "value_high", "unit", "comparator", "time", "scope", "source")
] + [
    Column(key, (lambda k: lambda r: _first(r["claim"], k))(key))
    for key in ("document", "value_start", "value_end", "sentence")
]  # fmt: skip
CLUSTER_CLAIM_COLUMNS = [
    Column("as written", lambda c: c["value_text"], 22),
    Column("value", normalised, 16),
    Column("period", lambda c: c["time"], 10),
    Column("document", lambda c: _first(c, "document"), 34, keep_end=True),
    Column("offsets", lambda c: f"{_first(c, 'value_start')}:{_first(c, 'value_end')}" if c["mentions"] else "", 12),
    Column("sentence", lambda c: _first(c, "sentence"), 70),
]


def print_clusters(views: list[dict], fmt: str) -> None:
    """Clusters as ``core.cluster_views`` gives them: per cluster a heading and a table of its claims (table),
    one cluster per object (json, jsonl), or one row per claim with its cluster's fields (csv)."""
    if fmt in ("json", "jsonl"):
        emit(views, fmt, [])
    elif fmt == "csv":
        emit([{"cluster": v, "claim": c} for v in views for c in v["claims"]], "csv", CLUSTER_CSV)
    else:
        for v in views:
            reason = readable_reason(v["reason"])
            head = f"{v['subject']} · {v['metric']} · {v['verdict'].upper()} — {reason}  [{v['cluster_id']}]"
            click.echo(f"\n{head}")
            for line in table_lines(CLUSTER_CLAIM_COLUMNS, v["claims"]):
                click.echo(f"  {line}")


# --- catalogue ----------------------------------------------------------------------------------------------

SUBJECT_COLUMNS = [
    Column("id", lambda r: r["id"], 24),
    Column("name", lambda r: r["name"], 28),
    Column("part of", lambda r: r["parent"], 14),
    Column("aliases", lambda r: ", ".join(r["aliases"]), 70),
]
METRIC_COLUMNS = [
    Column("id", lambda r: r["id"], 28),
    Column("dimension", lambda r: r["dimension"], 9),
    Column("description", lambda r: r["description"], 70),
    Column("aliases", lambda r: ", ".join(r["aliases"]), 60),
]
CATALOGUE_KEYS = ("kind", "id", "name", "dimension", "description", "aliases", "parent")


def catalogue_records(catalogue: Any) -> dict[str, list[dict]]:
    """The catalogue's frameworks (by name) and metrics (by id) as records."""
    subjects = [
        {"kind": "subject", "id": f.id, "name": f.name, "aliases": list(f.aliases), "parent": f.parent}
        for f in sorted(catalogue.frameworks.values(), key=lambda f: f.name.casefold())
    ]
    metrics = [
        {"kind": "metric", "id": m.id, "dimension": m.dimension, "description": m.description}
        | {"aliases": list(m.aliases)}
        for m in sorted(catalogue.metrics.values(), key=lambda m: m.id)
    ]
    return {"subjects": subjects, "metrics": metrics}


def print_catalogue(chosen: dict[str, list[dict]], fmt: str) -> None:
    """Subjects and/or metrics: one table each with a title (table), an object of lists (json), records with a
    ``kind`` field (jsonl, csv)."""
    if fmt == "json":
        click.echo(json.dumps(chosen, indent=2, ensure_ascii=False))
        return
    if fmt in ("jsonl", "csv"):
        flat = [Column(key, (lambda k: lambda r: r.get(k))(key)) for key in CATALOGUE_KEYS]
        emit([r for rows in chosen.values() for r in rows], fmt, flat)
        return
    for i, (name, rows) in enumerate(chosen.items()):
        if len(chosen) > 1:
            click.echo(f"{'' if i == 0 else chr(10)}{name.capitalize()} ({len(rows)})")
        emit(rows, "table", SUBJECT_COLUMNS if name == "subjects" else METRIC_COLUMNS)


CURVE_COLUMNS = (
    Column("threshold", lambda r: f"{r['threshold']:.2f}", 9),
    Column("precision", lambda r: f"{r['precision']:.3f}", 9),
    Column("recall", lambda r: f"{r['recall']:.3f}", 9),
)
