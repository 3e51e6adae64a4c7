"""One module per resource; ``create_app`` includes every ``router`` listed in ``ROUTERS``."""

from service.api.routes import claims, clusters, contradictions, documents, extract, graph, health

ROUTERS = [extract.router, contradictions.router, clusters.router, claims.router, documents.router, graph.router]
OPS_ROUTERS = [health.router]

__all__ = ["OPS_ROUTERS", "ROUTERS"]
