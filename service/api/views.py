"""Cluster views and graph exports, cached per store version and updated per cluster after a write.

``core.cluster_views`` judges every cluster: seconds on a store of a thousand articles, too slow to run per
request while extraction holds the CPU. Its result only changes when a document or reference is stored, so
it is kept per (subject, metric) filter until ``Store.version()`` changes — whoever wrote (this server,
``claimgraph ingest``, another replica). Then only the clusters the write touched are judged again:

* ``Store.listing_state`` gives every document id, every cluster with its claim count, the comparatives'
  subjects and the references' count; the documents new since the last state give their claims
  (``Store.claims_of_documents``);
* the (subject, metric) pairs touched are those of the new claims' clusters, both subjects of a new
  comparative, and, for a new figure of subject S, every subject a comparative pairs with S on that metric
  (its clusters show S's figures as counterparts) and the comparative's own cluster's subject;
* ``core.cluster_views(store, only=touched, memo=...)`` judges those again; every other cluster keeps its
  view. The ``core.ListingMemo`` it is given keeps what no write changes: every claim converted (only the
  new documents' rows are read; the touched clusters' shape is read as ids), the figures bucketed per
  subject, the relations under the ids of the claims they were computed from, the serialised claims. So a
  write costs the clusters it touched, and in them mostly what involves its own figures.

Anything the new documents do not explain — a document gone, a cluster whose claim count is not the old one
plus the new claims, a cluster appearing without new claims, a new reference (fact checks read them) — and
the cache starts over, as it did before for every write. So do the graph exports, on any change.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter
from typing import Any

from service import core
from service.store.repository import ListingState, Store

Pair = tuple[str, str]


def _today() -> dt.date:
    return dt.date.today()


class ClusterViews:
    """``core.cluster_views`` / ``cluster_view`` / ``export_graph`` with a cache that follows the store."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._version: tuple[int, str, int] | None = None
        self._day = _today()
        self._state: ListingState | None = None
        # ("views", subject, metric) -> {(subject, metric): [view, ...]}; ("graph", fmt) -> str
        self._cache: dict[tuple[str, ...], Any] = {}
        self._lock = threading.Lock()
        self._key_locks: dict[tuple[str, ...], threading.Lock] = {}
        self._memo = core.ListingMemo()  # core.cluster_views(memo=...): valid while the store only grows
        self.recomputed: list[Pair] | None = None
        """The (subject, metric) pairs the last update judged again; None when it started over."""

    # --- keeping up with the store -------------------------------------------------------------------------

    def _touched(self, old: ListingState, new: ListingState) -> set[Pair] | None:
        """The (subject, metric) pairs whose views a change from ``old`` to ``new`` can alter; None when the
        change is not only new documents (then every view is recomputed)."""
        if new.references != old.references or not old.documents <= new.documents:
            return None
        added = new.documents - old.documents
        claims = self.store.claims_of_documents(added) if added else []
        expected = Counter(old.counts)
        for _, _, _, _, cluster in claims:
            if cluster is not None:
                expected[cluster] += 1
        if +expected != Counter(new.counts):
            return None
        where = {cid: (subject, metric) for cid, subject, metric in new.clusters}
        old_ids = {cid for cid, _, _ in old.clusters}
        if not old_ids <= set(where) or set(where) - old_ids - {c for *_, c in claims if c is not None}:
            return None
        touched: set[Pair] = set()
        figures: set[Pair] = set()
        for _, kind, subjects, metric, cluster in claims:
            if kind == "comparative":  # shown in the clusters of both its subjects, clustered or not
                touched.update((s, metric) for s in subjects[:2])
            if cluster is None:
                continue
            if cluster not in where:
                return None
            subject, cluster_metric = where[cluster]
            touched.add((subject, cluster_metric))
            if kind == "comparative":
                touched.update((s, cluster_metric) for s in subjects[:2])
            else:
                figures.add((subject, cluster_metric))
                figures.update((s, cluster_metric) for s in subjects[:1])
        if figures:
            for subjects, metric, cluster in new.comparatives:
                named = set(subjects[:2])
                if any((s, metric) in figures for s in named):
                    touched.update((s, metric) for s in named)
                    if cluster in where:
                        touched.add(where[cluster])
        if any(not s or not m for s, m in touched):
            return None
        return touched

    def _refresh(self, version: tuple[int, str, int]) -> None:
        """Bring the cache to ``version`` (under ``self._lock``)."""
        state = self.store.listing_state()
        old, self._state = self._state, state
        touched = self._touched(old, state) if old is not None else None
        cached = {k: v for k, v in self._cache.items() if k[0] == "views"}
        self._version, self._key_locks = version, {}
        self.recomputed = sorted(touched) if touched is not None else None
        if touched is None:
            self._memo = core.ListingMemo()
        if touched is None or not cached:
            self._cache = {}
            return
        wanted = {
            pair
            for key in cached
            for pair in touched
            if (not key[1] or key[1] == pair[0]) and (not key[2] or key[2] == pair[1])
        }
        fresh: dict[Pair, list[dict]] = {}
        for view in core.cluster_views(self.store, only=wanted, memo=self._memo) if wanted else []:
            fresh.setdefault((view["subject"], view["metric"]), []).append(view)
        order = {cid: i for i, (cid, _, _) in enumerate(state.clusters)}
        self._cache = {}
        for key, by_pair in cached.items():
            updated = dict(by_pair)
            for pair in wanted:
                if (not key[1] or key[1] == pair[0]) and (not key[2] or key[2] == pair[1]):
                    updated.pop(pair, None)
                    if pair in fresh:
                        updated[pair] = fresh[pair]
            self._cache[key] = _Listing(updated, order)

    def _get(self, key: tuple[str, ...], compute: Any) -> Any:
        version = self.store.version()
        day = _today()
        with self._lock:
            if day != self._day:  # relations read today's date (a "period" after today is no evidence)
                self._day, self._state, self._version = day, None, None
            if version != self._version:
                self._refresh(version)
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

    # --- what the routes read ------------------------------------------------------------------------------

    def views(self, subject: str | None = None, metric: str | None = None) -> list[dict]:
        """``core.cluster_views(store, subject, metric)``; callers must not modify the result."""
        key = ("views", subject or "", metric or "")

        def compute() -> _Listing:
            by_pair: dict[Pair, list[dict]] = {}
            views = core.cluster_views(self.store, subject, metric, memo=self._memo)
            for view in views:
                by_pair.setdefault((view["subject"], view["metric"]), []).append(view)
            return _Listing(by_pair, None, views)

        return self._get(key, compute).views

    def view(self, cluster_id: str) -> dict | None:
        """``core.cluster_view(store, cluster_id)``, from the cached views of its subject and metric."""
        row = self.store.cluster(cluster_id)
        if row is None:
            return None
        return next((v for v in self.views(row.subject, row.metric) if v["cluster_id"] == cluster_id), None)

    def graph(self, fmt: str) -> str:
        """``core.export_graph(store, fmt)``."""
        return self._get(("graph", fmt), lambda: core.export_graph(self.store, fmt))


class _Listing(dict):
    """A cached listing: its views per (subject, metric), and in listing order as ``views``."""

    def __init__(self, by_pair: dict[Pair, list[dict]], order: dict[str, int] | None, views: list[dict] | None = None):
        super().__init__(by_pair)
        if views is None:
            assert order is not None
            views = sorted(
                (v for vs in by_pair.values() for v in vs), key=lambda v: order.get(v["cluster_id"], len(order))
            )
        self.views = views
