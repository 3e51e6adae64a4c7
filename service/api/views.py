"""Cluster views and graph exports, cached per store version.

``core.cluster_views`` relates every pair of claims in every cluster: hundreds of milliseconds on a
store of a few hundred claims, too slow to run per request while extraction holds the CPU. Its result
only changes when a document or reference is stored, so it is kept per (subject, metric) until
``Store.version()`` changes — whoever wrote (this server, ``claimgraph ingest``, another replica).
"""

from __future__ import annotations

import threading
from typing import Any

from service import core
from service.store.repository import Store


class ClusterViews:
    """``core.cluster_views`` / ``cluster_view`` / ``export_graph`` with a cache that follows the store."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._version: tuple[int, str, int] | None = None
        self._cache: dict[tuple[str, ...], Any] = {}
        self._lock = threading.Lock()
        self._key_locks: dict[tuple[str, ...], threading.Lock] = {}

    def _get(self, key: tuple[str, ...], compute: Any) -> Any:
        version = self.store.version()
        with self._lock:
            if version != self._version:
                self._version, self._cache, self._key_locks = version, {}, {}
            if key in self._cache:
                return self._cache[key]
            key_lock = self._key_locks.setdefault(key, threading.Lock())
        # One computation per key and version: concurrent readers of a cold key wait for it.
        with key_lock:
            with self._lock:
                if key in self._cache and self._version == version:
                    return self._cache[key]
            value = compute()
            with self._lock:
                if self._version == version:
                    self._cache[key] = value
            return value

    def views(self, subject: str | None = None, metric: str | None = None) -> list[dict]:
        """``core.cluster_views(store, subject, metric)``; callers must not modify the result."""
        key = ("views", subject or "", metric or "")
        return self._get(key, lambda: core.cluster_views(self.store, subject, metric))

    def view(self, cluster_id: str) -> dict | None:
        """``core.cluster_view(store, cluster_id)``, from the cached views of its subject and metric."""
        row = self.store.cluster(cluster_id)
        if row is None:
            return None
        return next((v for v in self.views(row.subject, row.metric) if v["cluster_id"] == cluster_id), None)

    def graph(self, fmt: str) -> str:
        """``core.export_graph(store, fmt)``."""
        return self._get(("graph", fmt), lambda: core.export_graph(self.store, fmt))
