"""Contention, bridging, stability and breakdowns (beyond Pol.is)."""

from __future__ import annotations

import numpy as np
import pytest

from tests.worker.analysis.helpers import camps
from worker.analysis import bridging, contention, engine, stability
from worker.analysis.breakdown import breakdown
from worker.analysis.matrix import VoteMatrix


def test_split_is_one_for_an_even_split_and_undefined_below_five_voters():
    agree, disagree = np.array([50, 75, 100, 2]), np.array([50, 25, 0, 1])
    result = contention.contention(agree, disagree, np.zeros((0, 4)), np.zeros((0, 4)))
    assert result["split"][:3].tolist() == [1.0, 0.5, 0.0]
    assert np.isnan(result["split"][3])
    assert np.isnan(result["group_divide"]).all(), "no groups, no divide"
    assert contention.ranked(result["score"], np.zeros(4, dtype=bool)) == [0, 1]


def test_group_divide_needs_groups_on_opposite_sides():
    agree = np.array([[20, 20], [0, 18]])
    disagree = np.array([[0, 0], [20, 2]])
    divide = contention.contention(agree.sum(0), disagree.sum(0), agree, disagree)["group_divide"]
    assert divide[0] == pytest.approx(4 * (21 / 22 - 0.5) * (0.5 - 1 / 22))
    assert divide[1] == 0.0, "both groups lean the same way"


def test_bridging_rewards_agreement_across_the_divide():
    matrix, _ = camps(40, 10, seed=3, noise=0.02)
    coo = matrix.values.tocoo()
    decided = coo.data != 0
    fit = bridging.fit(coo.row[decided], coo.col[decided], (coo.data[decided] > 0).astype(float), matrix.n, matrix.m)
    scores = dict(zip(matrix.statement_ids, fit.statement_intercept, strict=True))
    partisan = [scores[f"s{s}"] for s in range(9)]
    assert scores["s9"] > max(partisan) + 0.2, "the statement both camps agree with bridges"
    assert fit.iterations <= bridging.MAX_ITERATIONS


def test_bridging_leaves_thinly_rated_statements_undefined():
    fit = bridging.fit(np.array([0, 1]), np.array([0, 0]), np.array([1.0, 1.0]), 2, 2)
    assert np.isnan(fit.statement_intercept).all()


def test_stability_is_high_for_clear_camps_and_lower_for_noise():
    clear, _ = camps(40, 12, seed=8)
    result, _ = engine.update(clear)
    assert result.stability["label"] == "high" and result.stability["ari_mean"] > 0.9
    assert set(result.stability["per_group"]) == {g.id for g in result.groups}
    rng = np.random.default_rng(1)
    voters = [f"p{i}" for i in range(60) for _ in range(12)]
    items = [f"s{j}" for _ in range(60) for j in range(12)]
    noise, _ = engine.update(VoteMatrix.from_votes(voters, items, rng.choice([-1, 1], len(voters))))
    if noise.k >= 2:
        assert noise.stability["ari_mean"] < result.stability["ari_mean"]


def test_an_earlier_stability_is_kept_only_for_the_same_groups():
    clear, _ = camps(40, 12, seed=8)
    first, state = engine.update(clear)
    earlier = dict(first.stability, ari_mean=0.5, label="moderate")  # recognisably not recomputed
    kept, _ = engine.update(clear, state=state, stability_report=earlier)
    assert kept.stability["ari_mean"] == 0.5 and kept.stability["label"] == "moderate"
    other_groups = dict(earlier, per_group={"99": 1.0, "98": 1.0})
    fresh, _ = engine.update(clear, state=state, stability_report=other_groups)
    assert fresh.stability["ari_mean"] > 0.9 and set(fresh.stability["per_group"]) == set(first.stability["per_group"])


def test_stability_without_groups_reports_nothing():
    assert stability.empty()["label"] is None


def test_breakdown_counts_and_shares_per_category():
    matrix = VoteMatrix.from_votes(["a", "b", "c", "d"], ["x", "x", "x", "x"], [1, -1, 0, 1])
    result = breakdown(matrix, {"a": "Africa", "b": "Africa", "c": "Europe"})
    assert result["x"]["Africa"] == {
        "agree": 1,
        "disagree": 1,
        "pass": 0,
        "votes": 2,
        "agree_share": 0.5,
        "disagree_share": 0.5,
        "pass_share": 0.0,
    }
    assert result["x"]["Europe"]["pass"] == 1
    assert "d" not in result["x"], "participants without the attribute are in no category"


def test_the_compiled_bridging_sweep_gives_the_numbers_of_the_numpy_one():
    rng = np.random.default_rng(3)
    n, m, k = 300, 40, 4000
    rows, cols = rng.integers(0, n, k), rng.integers(0, m, k)
    y = (rng.random(k) < 0.6).astype(float)
    participant_start, statement_start = rng.normal(size=n), rng.normal(size=m)
    fit = bridging.fit(rows, cols, y, n, m, participant_start=participant_start, statement_start=statement_start)
    # the same alternating least squares, written with bridging._solve (np.bincount)
    fs, bs, mu = bridging._start(statement_start, m), np.zeros(m), float(y.mean())
    for _ in range(fit.iterations):
        bu, fu = bridging._solve(rows, y - mu - bs[cols], fs[cols], n)
        bs, fs = bridging._solve(cols, y - mu - bu[rows], fu[rows], m)
        residual = y - bu[rows] - bs[cols] - fu[rows] * fs[cols]
        mu = float(residual.sum() / (len(y) + bridging.LAMBDA_INTERCEPT))
    assert fit.mu == mu
    assert np.array_equal(fit.participant_factor, fu) and np.array_equal(fit.statement_factor, fs)
    counts = np.bincount(cols, minlength=m)
    assert np.array_equal(fit.statement_intercept, np.where(counts >= bridging.MIN_RATINGS, bs, np.nan), equal_nan=True)
