"""Pol.is k-means: seeding, warm starts, steps, convergence, silhouette."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import silhouette_score

from worker.analysis import kmeans


def blobs(seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.vstack([rng.normal((-3, 0), 0.3, (20, 2)), rng.normal((3, 0), 0.3, (20, 2))])


def test_first_run_seeds_with_the_first_distinct_points_in_row_order():
    points = np.array([[0.0, 0.0], [0.0, 0.0], [1.0, 1.0], [5.0, 5.0], [1.0, 1.0]])
    start = kmeans.init_clusters(points, 2)
    assert start.centers.tolist() == [[0.0, 0.0], [1.0, 1.0]]
    assert start.ids.tolist() == [0, 1]


def test_two_blobs_two_clusters():
    points = blobs()
    result = kmeans.kmeans(points, 2, max_iters=20)
    assert len(result) == 2
    assert len(set(result.labels[:20])) == 1 and len(set(result.labels[20:])) == 1
    assert result.labels[0] != result.labels[20]


def test_warm_start_keeps_cluster_ids_by_membership():
    points = blobs()
    labels = np.array([0] * 20 + [1] * 20)
    previous = kmeans.Clustering(np.array([7, 3]), np.zeros((2, 2)), labels)
    result = kmeans.kmeans(points, 2, previous=previous, max_iters=20)
    assert result.ids.tolist() == [3, 7], "sorted by id"
    assert set(result.ids[result.labels[:20]]) == {7} and set(result.ids[result.labels[20:]]) == {3}


def test_clean_start_splits_off_the_most_distal_point_when_short_of_clusters():
    points = np.array([[0.0, 0.0], [0.1, 0.0], [10.0, 0.0]])
    previous = kmeans.Clustering(np.array([4]), np.zeros((1, 2)), np.array([0, 0, 0]))
    result = kmeans.kmeans(points, 2, previous=previous, max_iters=0)
    assert result.ids.tolist() == [4, 5], "the new cluster takes the next id"
    assert result.ids[result.labels[2]] == 5 and result.ids[result.labels[0]] == 4


def test_clean_start_drops_departed_members_and_merges_coinciding_clusters():
    points = np.array([[1.0, 1.0], [1.0, 1.0], [5.0, 5.0]])
    # clusters 0 and 1 sit on the same spot; cluster 2's only member left (-1); point 2 is new
    previous = kmeans.Clustering(np.array([0, 1, 2]), np.zeros((3, 2)), np.array([0, 1, -1]))
    result = kmeans.kmeans(points, 3, previous=previous, max_iters=0)
    # 0 and 1 merge (equal sizes: the later id, 1); 2 is dropped; the new point splits off as id 2
    assert result.ids.tolist() == [1, 2]
    assert result.ids[result.labels].tolist() == [1, 1, 2]


def test_empty_input_and_more_clusters_than_points():
    assert len(kmeans.kmeans(np.zeros((0, 2)), 3)) == 0
    assert len(kmeans.kmeans(np.array([[1.0, 2.0]]), 3)) == 1


def test_silhouette_matches_the_textbook_without_singletons():
    points = blobs(3)
    labels = np.array([0] * 20 + [1] * 20)
    distances = np.sqrt(((points[:, None] - points[None]) ** 2).sum(axis=2))
    assert kmeans.silhouette(distances, labels) == pytest.approx(silhouette_score(points, labels), abs=1e-12)


def test_silhouette_counts_a_lone_member_as_zero_and_one_cluster_as_minus_one():
    points = np.array([[0.0, 0.0], [0.1, 0.0], [5.0, 0.0]])
    distances = np.sqrt(((points[:, None] - points[None]) ** 2).sum(axis=2))
    labels = np.array([0, 0, 1])
    a0, b0 = 0.1, 5.0
    a1, b1 = 0.1, 4.9
    expected = ((b0 - a0) / b0 + (b1 - a1) / b1 + 0.0) / 3
    assert kmeans.silhouette(distances, labels) == pytest.approx(expected)
    assert kmeans.silhouette(distances, np.array([0, 0, 0])) == -1.0
