"""Pol.is's k-means, step for step (POLIS_MATH.md, "Base clusters and groups").

* A first run seeds its centers with the first k distinct points in row order.
* Later runs warm-start from the previous clusters, kept by member id
  ("clean start"): clusters lose members that left and are recentred; two
  clusters on the same spot merge; while there are fewer clusters than k
  (and than distinct points), the point farthest from every center becomes a
  cluster of its own.
* A step assigns every point to its nearest center, drops empty clusters and
  moves each center to the (weighted) mean of its members. Iteration stops
  when no center moved by 0.01 or more, or after ``max_iters`` steps.

A clustering is three arrays: cluster ``ids``, their ``centers`` and, for
every point, the position of its cluster in those arrays (``labels``, -1
for none). The loops themselves are compiled (``_kernels``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from worker.analysis import _kernels

CONVERGENCE_THRESHOLD = 0.01


@dataclass
class Clustering:
    ids: np.ndarray  # (c,) cluster ids
    centers: np.ndarray  # (c, 2)
    labels: np.ndarray  # (n,) position in ids/centers, -1 for none

    def __len__(self) -> int:
        return len(self.ids)

    def members(self, position: int) -> np.ndarray:
        return np.flatnonzero(self.labels == position)

    def sizes(self) -> np.ndarray:
        return np.bincount(self.labels[self.labels >= 0], minlength=len(self.ids))

    def sorted_by_id(self) -> Clustering:
        order = np.argsort(self.ids, kind="stable")
        position = np.empty(len(order), dtype=np.int64)
        position[order] = np.arange(len(order))
        labels = np.where(self.labels >= 0, position[np.maximum(self.labels, 0)], -1)
        return Clustering(self.ids[order], self.centers[order], labels)


def init_clusters(points: np.ndarray, k: int) -> Clustering:
    """The first k distinct points, in row order, as centers of empty clusters."""
    _, first = np.unique(points, axis=0, return_index=True)
    first = np.sort(first)[:k]
    return Clustering(np.arange(len(first)), points[first].copy(), np.full(len(points), -1, dtype=np.int64))


def kmeans(
    points: np.ndarray,
    k: int,
    *,
    weights: np.ndarray | None = None,
    previous: Clustering | None = None,
    max_iters: int = 20,
) -> Clustering:
    """Pol.is k-means; the clustering comes back sorted by id."""
    if len(points) == 0 or k <= 0:
        return Clustering(np.zeros(0, dtype=np.int64), np.zeros((0, 2)), np.full(len(points), -1, dtype=np.int64))
    points = np.ascontiguousarray(points, dtype=np.float64)
    w = np.ones(len(points)) if weights is None else np.ascontiguousarray(weights, dtype=np.float64)
    if previous is not None and len(previous):
        ids, centers, _ = _kernels.clean_start(
            points, w, previous.labels.astype(np.int64), previous.ids.astype(np.int64), k
        )
    else:
        start = init_clusters(points, k)
        ids, centers = start.ids, start.centers
    ids, centers, labels = _kernels.kmeans_iterate(
        points, w, centers, ids.astype(np.int64), max_iters, CONVERGENCE_THRESHOLD
    )
    return Clustering(ids, centers, labels).sorted_by_id()


def silhouette(distances: np.ndarray, labels: np.ndarray) -> float:
    """Mean silhouette of a clustering, Pol.is-style: a member alone in its cluster scores 0.

    ``distances`` is the full distance matrix between the clustered points
    (base-cluster centers); ``labels`` are cluster positions 0..g-1, one per point.
    Fewer than two clusters score -1.
    """
    if len(labels) == 0:
        return 0.0
    return float(_kernels.silhouette(np.ascontiguousarray(distances), labels.astype(np.int64), int(labels.max()) + 1))
