"""Representative statements, majority consensus, group-informed consensus and priorities,
checked against values computed by hand from POLIS_MATH.md on a small fixture.

Two groups of four. Votes (agree / disagree / pass):
  s0: group A agree x4;            group B disagree x3, pass x1
  s1: group A agree x2, disagree x2; group B agree x2, disagree x2
  s2: group A agree x1, pass x3;   group B agree x3, disagree x1
  s3: everyone agrees
  s4: everyone disagrees except one pass in each group
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from worker.analysis import repness

# groups x statements
AGREE = np.array([[4, 2, 1, 4, 0], [0, 2, 3, 4, 0]])
DISAGREE = np.array([[0, 2, 0, 0, 3], [3, 2, 1, 0, 3]])
SEEN = np.array([[4, 4, 4, 4, 4], [4, 4, 4, 4, 4]])
NOTHING_EXCLUDED = np.zeros(5, dtype=bool)


def test_group_a_statement_0_statistics_by_hand():
    a = repness.group_stats(AGREE, DISAGREE, SEEN)[0]
    # p_a = (4 + 1) / (4 + 2); pat = 2 sqrt(5) (5/5 - 1/2); r_a = p_a / ((0 + 1) / (4 + 2))
    assert a.pa[0] == pytest.approx(5 / 6, abs=1e-12)
    assert a.pat[0] == pytest.approx(2 * math.sqrt(5) * 0.5, abs=1e-12)
    assert a.ra[0] == pytest.approx(5.0, abs=1e-12)
    # two-proportion z: p1 = 5/5, p2 = 1/5, pooled = 6/10
    assert a.rat[0] == pytest.approx((1 - 0.2) / math.sqrt(0.6 * 0.4 * (1 / 5 + 1 / 5)), abs=1e-12)
    assert a.rat[0] == pytest.approx(2.581988897471611, abs=1e-12)


def test_group_b_statistics_by_hand():
    b = repness.group_stats(AGREE, DISAGREE, SEEN)[1]
    # s0 for B: p_d = 4/6, pdt = 2 sqrt(5) (4/5 - 1/2), r_d = (4/6) / (1/6), rdt: p1 = 4/5, p2 = 1/5, pooled 5/10
    assert b.pd[0] == pytest.approx(4 / 6, abs=1e-12)
    assert b.pdt[0] == pytest.approx(2 * math.sqrt(5) * 0.3, abs=1e-12)
    assert b.rd[0] == pytest.approx(4.0, abs=1e-12)
    assert b.rdt[0] == pytest.approx(0.6 / math.sqrt(0.25 * 0.4), abs=1e-12)
    # s2 for B: rat with p1 = 4/5, p2 = 2/5, pooled 6/10 = 1.290994...
    assert b.rat[2] == pytest.approx(0.4 / math.sqrt(0.24 * 0.4), abs=1e-12)
    assert b.rat[2] > repness.Z_90
    # s3: everyone agrees, the pooled proportion is 1 and the test is defined as 0
    assert b.rat[3] == 0.0


def test_representative_statements_follow_repness_clj():
    a_stats, b_stats = repness.group_stats(AGREE, DISAGREE, SEEN)
    a = repness.select_representative(a_stats, NOTHING_EXCLUDED)
    assert [(e["index"], e["repful_for"], e.get("best_agree", False)) for e in a] == [(0, "agree", True)]
    assert a[0]["n_success"] == 4 and a[0]["n_trials"] == 4
    b = repness.select_representative(b_stats, NOTHING_EXCLUDED)
    # s2 is B's best agree and goes first; s0 is significant for disagreement; agrees before disagrees
    assert [(e["index"], e["repful_for"]) for e in b] == [(2, "agree"), (0, "disagree")]
    assert b[0]["best_agree"] is True and b[0]["n_agree"] == 3
    assert b[1]["repness"] == pytest.approx(4.0) and b[1]["p_success"] == pytest.approx(4 / 6)


def test_moderated_out_statements_never_represent_a_group():
    a_stats, _ = repness.group_stats(AGREE, DISAGREE, SEEN)
    excluded = np.array([True, False, False, False, False])
    assert all(e["index"] != 0 for e in repness.select_representative(a_stats, excluded))


def test_at_most_five_representative_statements():
    agree = np.array([[9] * 8, [0] * 8])
    disagree = np.array([[0] * 8, [9] * 8])
    seen = np.array([[9] * 8, [9] * 8])
    stats = repness.group_stats(agree, disagree, seen)[0]
    assert len(repness.select_representative(stats, np.zeros(8, dtype=bool))) == 5


def test_majority_consensus_by_hand():
    agree, disagree, seen = AGREE.sum(0), DISAGREE.sum(0), SEEN.sum(0)
    consensus = repness.majority_consensus(agree, disagree, seen, NOTHING_EXCLUDED)
    # s3: p_a = 9/10, pat = 2 sqrt(9) (9/9 - 1/2) = 3
    assert [c["index"] for c in consensus["agree"]] == [3]
    assert consensus["agree"][0]["p_success"] == pytest.approx(0.9)
    assert consensus["agree"][0]["p_test"] == pytest.approx(3.0)
    # s4: p_d = 7/10, pdt = 6 (7/9 - 1/2) = 5/3; s0 has p_d = 4/10 and s1 an even split: neither qualifies
    assert [c["index"] for c in consensus["disagree"]] == [4]
    assert consensus["disagree"][0]["p_test"] == pytest.approx(5 / 3)


def test_consensus_ranks_by_p_times_z_and_keeps_five():
    n = 8
    agree = np.array([40, 30, 45, 20, 35, 50, 25, 10])
    seen = np.full(n, 50)
    consensus = repness.majority_consensus(agree, np.zeros(n), seen, np.zeros(n, dtype=bool))
    ranked = [c["index"] for c in consensus["agree"]]
    pa = (agree + 1) / (seen + 2)
    pat = 2 * np.sqrt(seen + 1) * ((agree + 1) / (seen + 1) - 0.5)
    expected = [j for j in np.argsort(-(pa * pat)) if pa[j] > 0.5 and pat[j] > 1.2816][:5]
    assert ranked == expected and len(ranked) == 5


def test_group_informed_consensus_is_the_product_over_groups():
    gac = repness.group_informed_consensus(AGREE, SEEN)
    assert gac[0] == pytest.approx((5 / 6) * (1 / 6), abs=1e-15)
    assert gac[3] == pytest.approx((5 / 6) ** 2, abs=1e-15)


def test_priority_formula_and_meta_statements():
    # A=3, D=1, S=5 (one pass), extremity 0.5
    a, p = 4 / 7, 2 / 7
    expected = ((1 - p) * 1.5 * a * (1 + 8 * 2 ** (-1))) ** 2
    value = repness.priorities(np.array([3.0]), np.array([1.0]), np.array([5.0]), np.array([0.5]), np.array([False]))
    assert value[0] == pytest.approx(expected, abs=1e-12)
    meta = repness.priorities(np.array([3.0]), np.array([1.0]), np.array([5.0]), np.array([0.5]), np.array([True]))
    assert meta[0] == 49.0
    unseen = repness.priorities(np.zeros(1), np.zeros(1), np.zeros(1), np.zeros(1), np.array([False]))
    assert unseen[0] == pytest.approx((0.5 * 1 * 0.5 * 9) ** 2)
