"""Whole updates: in-conv rules, k smoothing, state, and bad input that must still give a valid result."""

from __future__ import annotations

import json

import numpy as np
import pytest
from sklearn.metrics import adjusted_rand_score

from tests.worker.analysis.helpers import camps
from worker.analysis import engine, replay
from worker.analysis.matrix import VoteMatrix


def valid_json(result: engine.AnalysisResult) -> dict:
    """The result's JSON round-trips through strict JSON: no NaN, no infinity, plain types."""
    data = result.to_json()
    assert json.loads(json.dumps(data, allow_nan=False)) == data
    return data


def test_two_camps_are_found_with_consensus_and_contention():
    matrix, truth = camps(40, 12, seed=4)
    result = valid_json(engine.update(matrix)[0])
    assert result["k"] == 2
    groups = {p["id"]: p["group"] for p in result["participants"]}
    assert adjusted_rand_score([truth[p] for p in groups], list(groups.values())) == 1.0
    assert next(c["statement"] for c in result["consensus"]["agree"]) == "s11"
    assert {c["statement"] for c in result["contention"]} >= {"s0", "s1"}
    statement = {s["id"]: s for s in result["statements"]}
    assert statement["s11"]["bridging"] > statement["s0"]["bridging"]
    assert statement["s0"]["contention"]["group_divide"] > 0.5 > statement["s11"]["contention"]["group_divide"]
    assert result["stability"]["label"] == "high"
    for group in result["groups"]:
        assert group["representative"], "every group has a representative statement"


def test_in_conv_needs_seven_votes_or_all_statements_and_tops_up_to_fifteen():
    rng = np.random.default_rng(0)
    voters, items, values = [], [], []
    for p in range(20):
        for s in range(p % 4 + 1):  # 1..4 votes each on 10 statements
            voters.append(f"p{p}")
            items.append(f"s{s}")
            values.append(int(rng.choice([-1, 1])))
    for s in range(4, 10):
        voters.append("p0")
        items.append(f"s{s}")
        values.append(1)
    matrix = VoteMatrix.from_votes(voters, items, values)
    result, state = engine.update(matrix, extras=False)
    in_conv = {p.id for p in result.participants if p.in_conv}
    assert "p0" in in_conv, "seven votes or more"
    assert len(in_conv) == 15, "topped up to 15 with the keenest voters"
    counts = dict(zip(matrix.participant_ids, matrix.row_counts(), strict=True))
    assert min(counts[p] for p in in_conv) >= max(counts[p] for p in counts if p not in in_conv)
    # sticky: once in, always in, even with fewer votes than now required
    smaller = VoteMatrix.from_votes(["p19", "x", "x", "x", "x", "x", "x", "x"], list("abcdefgh"), [1] * 8)
    state.in_conv[:] = False
    state.in_conv[state.participants.index["p19"]] = True
    result, _ = engine.update(smaller, state=state, extras=False)
    assert {p.id for p in result.participants if p.in_conv} == {"p19", "x"}


def test_k_changes_only_after_winning_four_updates_in_a_row():
    smoother = engine.smooth_k({}, 3, 4)
    assert smoother["smoothed_k"] == 3, "the first update takes its winner"
    for _ in range(3):
        smoother = engine.smooth_k(smoother, 2, 4)
        assert smoother["smoothed_k"] == 3
    smoother = engine.smooth_k(smoother, 2, 4)
    assert smoother["smoothed_k"] == 2
    smoother = engine.smooth_k(smoother, 5, 4)
    smoother = engine.smooth_k(smoother, 2, 4)
    assert smoother == {"last_k": 2, "last_k_count": 1, "smoothed_k": 2}


def test_state_survives_json_and_warm_starts_the_same():
    matrix, _ = camps(30, 10, seed=5)
    _, state = engine.update(matrix, extras=False)
    direct, _ = engine.update(matrix, state=state, extras=False)
    restored = engine.State.from_json(json.loads(json.dumps(state.to_json())))
    again, _ = engine.update(matrix, state=restored, extras=False)
    assert [p.group for p in direct.participants] == [p.group for p in again.participants]
    assert direct.updates == again.updates == 2


def test_replay_equals_updates_fed_by_hand():
    matrix, _ = camps(15, 8, seed=6)
    coo = matrix.values.tocoo()
    voters = [matrix.participant_ids[i] for i in coo.row]
    items = [matrix.statement_ids[j] for j in coo.col]
    times = np.arange(len(voters)) * 700  # some seconds hold two votes, some one
    result, state = replay.replay(times, voters, items, coo.data.astype(int), extras=False)
    assert state.updates == len(replay.batches_by_second(times))
    assert result.counts.votes == len(voters)


@pytest.mark.parametrize(
    ("voters", "items", "values"),
    [
        ([], [], []),
        (["a"], ["x"], [1]),
        (["a", "b", "c"], ["x", "x", "x"], [1, -1, 0]),
        (["a", "b", "a", "b"], ["x", "x", "y", "y"], [0, 0, 0, 0]),
        ([f"p{i}" for i in range(30) for _ in range(3)], ["x", "y", "z"] * 30, [1, 1, 1] * 30),
        (["a", "b"], ["x", "y"], [1, -1]),
    ],
    ids=["empty", "one-participant", "one-statement", "all-passes", "identical-votes", "fewer-than-groups"],
)
def test_degenerate_conversations_give_valid_results(voters, items, values):
    matrix = VoteMatrix.from_votes(voters, items, values)
    attributes = {"region": {pid: "Africa" for pid in voters[:1]}}
    result, state = engine.update(matrix, mod_out={"never-voted"}, meta={"never-voted"}, attributes=attributes)
    result = valid_json(result)
    assert result["counts"]["participants"] == len(set(voters))
    assert result["k"] <= max(1, len(set(voters)))
    json.dumps(state.to_json(), allow_nan=False)
    again, _ = engine.update(matrix, state=state)
    valid_json(again)


def test_moderated_out_and_meta_statements_stay_out_of_lists():
    matrix, _ = camps(30, 10, seed=7)
    result = valid_json(engine.update(matrix, mod_out={"s9", "s0"}, meta={"s0"})[0])
    listed = {r["statement"] for g in result["groups"] for r in g["representative"]}
    listed |= {c["statement"] for c in result["consensus"]["agree"] + result["consensus"]["disagree"]}
    listed |= {c["statement"] for c in result["contention"]}
    assert not listed & {"s9", "s0"}
    statement = {s["id"]: s for s in result["statements"]}
    assert statement["s0"]["priority"] == 49.0 and statement["s9"]["moderated_out"]


def test_the_typed_result_is_frozen_and_its_json_keeps_the_stored_shape():
    """Snapshots stored before the typed result (engine version 1) and after it read the same."""
    matrix, _ = camps(30, 10, seed=9)
    result, _ = engine.update(matrix, attributes={"region": {"p0": "Africa"}})
    with pytest.raises(AttributeError):
        result.k = 3
    data = valid_json(result)
    assert set(data) == {
        *("engine_version", "counts", "k", "silhouettes", "participants", "statements", "groups"),
        *("consensus", "contention", "stability", "updates", "breakdowns"),
    }
    assert data["engine_version"] == engine.ENGINE_VERSION == 1
    assert set(data["counts"]) == {"participants", "in_conv", "statements", "votes", "base_clusters"}
    assert set(data["participants"][0]) == {"id", "x", "y", "group", "in_conv"}
    assert set(data["statements"][0]) == {
        *("id", "x", "y", "extremity", "priority", "group_informed_consensus", "bridging", "contention"),
        *("agree", "disagree", "pass", "votes", "moderated_out", "meta", "groups"),
    }
    assert set(data["statements"][0]["contention"]) == {"score", "split", "group_divide"}
    assert set(next(iter(data["statements"][0]["groups"].values()))) == {"agree", "disagree", "votes"}
    group = data["groups"][0]
    assert set(group) == {"id", "size", "center", "representative"}
    assert {"statement", "repful_for", "n_success", "n_trials", "p_success", "p_test", "repness"} <= set(
        group["representative"][0]
    )
    assert set(data["consensus"]) == {"agree", "disagree", "group_informed", "bridging"}
    assert set(data["consensus"]["agree"][0]) == {"statement", "n_success", "n_trials", "p_success", "p_test"}
    assert set(data["consensus"]["group_informed"][0]) == {"statement", "value"}
    assert set(data["contention"][0]) == {"statement", "score", "split", "group_divide"}
    assert data["counts"]["participants"] == result.counts.participants == matrix.n
    assert [g["id"] for g in data["groups"]] == [g.id for g in result.groups]
