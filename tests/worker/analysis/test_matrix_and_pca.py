"""The vote matrix and the PCA/projection, against a direct dense computation."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.worker.analysis.helpers import camps
from worker.analysis import pca
from worker.analysis.matrix import VoteMatrix, gram_matrix


def test_latest_vote_wins_and_order_is_first_appearance():
    matrix = VoteMatrix.from_votes(["b", "a", "b", "a"], ["x", "y", "x", "x"], [1, 0, -1, 1])
    assert matrix.participant_ids == ["b", "a"] and matrix.statement_ids == ["x", "y"]
    dense = matrix.values.toarray()
    assert dense.tolist() == [[-1, 0], [1, 0]]
    assert matrix.row_counts().tolist() == [1, 2], "a pass is a vote"
    assert matrix.column_counts().tolist() == [2, 1]


def test_only_agree_disagree_pass():
    with pytest.raises(ValueError):
        VoteMatrix.from_votes(["a"], ["x"], [2])


def dense_reference(matrix: VoteMatrix, active: np.ndarray):
    """Pol.is's PCA by the book: mean-impute, centre, top-2 eigenvectors, sparsity-aware projection."""
    values = matrix.values.toarray()
    voted = matrix.voted().toarray() > 0
    m = values.shape[1]
    mu = np.array([values[voted[:, j], j].mean() if voted[:, j].any() else 0.0 for j in range(m)])
    mu[~active] = 0
    x = np.where(voted, values - mu, 0.0)
    x[:, ~active] = 0.0
    eigenvalues, vectors = np.linalg.eigh(x.T @ x)
    comps = vectors[:, ::-1][:, :2].T
    counts = voted[:, active].sum(axis=1) + (~active).sum()
    participants = np.sqrt(m / np.maximum(counts, 1))[:, None] * (x @ comps.T)
    statements = np.sqrt(m) * (1 - mu)[:, None] * comps.T
    return comps, participants, statements, eigenvalues[::-1]


def aligned(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``b`` with each column's sign flipped to match ``a`` (components have no sign)."""
    signs = np.sign((a * b).sum(axis=0))
    signs[signs == 0] = 1
    return b * signs


@pytest.mark.parametrize("mod_out", [set(), {"s3"}])
def test_projection_matches_the_dense_definition(mod_out):
    matrix, _ = camps(20, 10, seed=1, density=0.7)
    active = np.array([tid not in mod_out for tid in matrix.statement_ids])
    mu = pca.active_means(matrix, active)
    comps = pca.components(matrix.m, gram=gram_matrix(matrix, mu, active))
    ours = pca.project(matrix, comps, mu, active)
    ref_comps, ref_participants, ref_statements, _ = dense_reference(matrix, active)
    assert np.allclose(np.abs(comps @ ref_comps.T), np.eye(2), atol=1e-8)
    assert np.allclose(aligned(ref_participants, ours.participants), ref_participants, atol=1e-8)
    assert np.allclose(aligned(ref_statements, ours.statements), ref_statements, atol=1e-8)
    assert np.allclose(ours.extremity, np.linalg.norm(ref_statements, axis=1), atol=1e-8)
    if mod_out:
        j = matrix.statement_ids.index("s3")
        assert np.allclose(ours.statements[j], 0) and ours.extremity[j] == 0


def test_operator_eigsh_and_warm_start_agree_with_the_explicit_matrix():
    matrix, _ = camps(25, 14, seed=2, density=0.6)
    active = np.ones(matrix.m, dtype=bool)
    mu = pca.active_means(matrix, active)
    explicit = pca.components(matrix.m, gram=gram_matrix(matrix, mu, active))
    implicit = pca.components(matrix.m, operator=pca.gram_operator(matrix, mu, active))
    warm = pca.components(matrix.m, gram=gram_matrix(matrix, mu, active), warm=explicit + 0.05)
    for other in (implicit, warm):
        assert np.allclose(np.abs(explicit @ other.T), np.eye(2), atol=1e-6)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 6), st.integers(0, 5), st.sampled_from([-1, 0, 1])), min_size=1, max_size=60))
def test_incremental_covote_statistics_equal_the_direct_gram(votes):
    from worker.analysis.replay import LiveVotes

    live = LiveVotes()
    for p, s, v in votes:
        live.add([f"p{p}"], [f"s{s}"], [v])
    matrix = live.to_matrix()
    active = np.ones(matrix.m, dtype=bool)
    active[0] = False
    mu = pca.active_means(matrix, active)
    assert np.allclose(live.gram(mu, active), gram_matrix(matrix, mu, active), atol=1e-9)
    raw, counts = live.centered_products(np.ones((matrix.m, 2)), mu, active)
    raw_ref, counts_ref = matrix.centered_products(np.ones((matrix.m, 2)), mu, active)
    assert np.allclose(raw, raw_ref) and np.allclose(counts, counts_ref)
