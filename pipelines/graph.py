"""The claim graph as data, and its exports: node-link JSON, GraphML, JSON-LD (schema.org + W3C PROV).

Nodes: documents, attributed sources, frameworks, metrics, claims, clusters. Edges: provenance (claim ->
document, one per mention, with offsets into the original text), about (claim -> framework), measures
(claim -> metric), member_of (claim -> cluster), attributed_to (claim -> source) and the relations
between claims (agrees, conflicts, trend, different_scope, unresolved) with their reasons.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from pipelines.claims import RelationKind
from pipelines.types import content_id

RELATION_KINDS = frozenset(str(k) for k in RelationKind)


@dataclass(frozen=True)
class Exporter:
    """One export format: its name (``--format`` / ``?format=``), its media type and its writer."""

    name: str
    media_type: str
    write: Callable[[Graph], str]


EXPORTERS: dict[str, Exporter] = {}
"""Export formats by name, in registration order: adding a format is one writer and one ``register_export``."""


def register_export(name: str, media_type: str) -> Callable[[Callable[[Graph], str]], Callable[[Graph], str]]:
    def register(write: Callable[[Graph], str]) -> Callable[[Graph], str]:
        EXPORTERS[name] = Exporter(name, media_type, write)
        return write

    return register


@dataclass
class Graph:
    nodes: dict[str, dict[str, Any]] = field(default_factory=dict)
    edges: list[dict[str, Any]] = field(default_factory=list)

    def node(self, node_id: str, kind: str, **attrs: Any) -> str:
        self.nodes.setdefault(node_id, {"id": node_id, "kind": kind}).update(
            {k: v for k, v in attrs.items() if v is not None}
        )
        return node_id

    def edge(self, source: str, target: str, kind: str, **attrs: Any) -> None:
        self.edges.append(
            {"source": source, "target": target, "kind": kind} | {k: v for k, v in attrs.items() if v is not None}
        )


def build_graph(clusters: Iterable[dict[str, Any]], documents: Iterable[dict[str, Any]]) -> Graph:
    """From cluster views (``service.core.cluster_views`` shape) and document records."""
    g = Graph()
    paths = {}
    related: set[tuple[str, str, str]] = set()
    for doc in documents:
        g.node(f"doc:{doc['id']}", "document", path=doc["path"], title=doc.get("title"), published=doc.get("published"))
        paths[doc["path"]] = f"doc:{doc['id']}"
    for cluster in clusters:
        cid = g.node(
            f"cluster:{cluster['cluster_id']}",
            "cluster",
            verdict=cluster["verdict"],
            reason=cluster["reason"],
            key=cluster.get("key"),
        )
        fw = g.node(f"framework:{cluster['subject']}", "framework", name=cluster["subject"])
        metric = g.node(f"metric:{cluster['metric']}", "metric", name=cluster["metric"])
        for claim in cluster["claims"]:
            if claim.get("counterpart"):
                continue  # shown beside a comparative; its node and edges come with its own cluster
            node = g.node(
                f"claim:{claim['claim_id']}",
                "claim",
                value_text=claim["value_text"],
                value=claim["value"],
                value_high=claim.get("value_high"),
                unit=claim["unit"],
                comparator=claim["comparator"],
                time=claim.get("time"),
                scope=claim.get("scope"),
                claim_kind=claim.get("kind"),  # "kind" is the node type (claim)
            )
            g.edge(node, fw, "about")
            if claim.get("object"):  # a comparative is about its second subject too
                other = g.node(f"framework:{claim['object']}", "framework", name=claim["object"])
                g.edge(node, other, "about", role="object")
            g.edge(node, metric, "measures")
            g.edge(node, cid, "member_of")
            if claim.get("source"):
                src = g.node(f"source:{content_id(claim['source'])}", "source", name=claim["source"])
                g.edge(node, src, "attributed_to")
            for m in claim["mentions"]:
                doc_node = paths.get(m["document"]) or g.node(f"doc:{m['document']}", "document", path=m["document"])
                g.edge(
                    node,
                    doc_node,
                    "provenance",
                    value_start=m["value_start"],
                    value_end=m["value_end"],
                    sentence=m["sentence"],
                )
        for r in cluster["relations"]:
            if (r["a"], r["b"], r["relation"]) in related:
                continue  # a comparative's relations show in the clusters of both its subjects
            related.add((r["a"], r["b"], r["relation"]))
            g.edge(f"claim:{r['a']}", f"claim:{r['b']}", r["relation"], reason=r["reason"])
    return g


@register_export("json", "application/json")
def to_json(g: Graph) -> str:
    return json.dumps({"nodes": list(g.nodes.values()), "edges": g.edges}, indent=2, ensure_ascii=False)


@register_export("graphml", "application/xml")
def to_graphml(g: Graph) -> str:
    import networkx as nx

    nxg = nx.MultiDiGraph()
    for node in g.nodes.values():
        nxg.add_node(node["id"], **{k: _scalar(v) for k, v in node.items() if k != "id"})
    for e in g.edges:
        nxg.add_edge(e["source"], e["target"], **{k: _scalar(v) for k, v in e.items() if k not in ("source", "target")})
    out = io.BytesIO()
    nx.write_graphml(nxg, out)
    return out.getvalue().decode("utf-8")


# Characters XML 1.0 cannot hold at all (a NUL or a control character in an article's text).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def _scalar(v: Any) -> Any:
    """A GraphML attribute value; a string loses the characters XML cannot carry (shown as U+FFFD)."""
    if isinstance(v, str):
        return _NOT_XML.sub("\ufffd", v)
    return v if isinstance(v, (int, float, bool)) else _NOT_XML.sub("\ufffd", json.dumps(v))


@register_export("jsonld", "application/ld+json")
def to_jsonld(g: Graph) -> str:
    """schema.org ``Claim`` per claim; provenance as PROV ``wasDerivedFrom`` with the character span."""
    context = {"@vocab": "https://schema.org/", "prov": "http://www.w3.org/ns/prov#", "cg": "urn:claimgraph:"}
    items: list[dict[str, Any]] = []
    by_source: dict[str, list[dict[str, Any]]] = {}
    for e in g.edges:
        by_source.setdefault(e["source"], []).append(e)
    for node in g.nodes.values():
        if node["kind"] == "claim":
            edges = by_source.get(node["id"], [])
            item: dict[str, Any] = {
                "@id": f"cg:{node['id']}",
                "@type": "Claim",
                "text": node["value_text"],
                "about": [f"cg:{e['target']}" for e in edges if e["kind"] == "about"],
                "cg:metric": [f"cg:{e['target']}" for e in edges if e["kind"] == "measures"],
                "cg:value": node.get("value"),
                "cg:unit": node.get("unit"),
                "cg:comparator": node.get("comparator"),
                "temporalCoverage": node.get("time"),
                "isPartOf": [f"cg:{e['target']}" for e in edges if e["kind"] == "member_of"],
                "prov:wasDerivedFrom": [
                    {
                        "@type": "prov:Entity",
                        "prov:hadPrimarySource": f"cg:{e['target']}",
                        "cg:start": e["value_start"],
                        "cg:end": e["value_end"],
                        "cg:sentence": e["sentence"],
                    }
                    for e in edges
                    if e["kind"] == "provenance"
                ],
                "cg:related": [
                    {"cg:relation": e["kind"], "cg:claim": f"cg:{e['target']}", "cg:reason": e.get("reason")}
                    for e in edges
                    if e["kind"] in RELATION_KINDS
                ],
            }
            items.append({k: v for k, v in item.items() if v not in (None, [])})
        else:
            kind = {"document": "CreativeWork", "framework": "SoftwareApplication", "source": "Organization"}.get(
                node["kind"], "Thing"
            )
            items.append(
                {"@id": f"cg:{node['id']}", "@type": kind}
                | {f"cg:{k}": v for k, v in node.items() if k not in ("id", "kind")}
            )
    return json.dumps({"@context": context, "@graph": items}, indent=2, ensure_ascii=False)
