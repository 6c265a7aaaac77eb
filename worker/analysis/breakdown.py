"""Breakdowns of every statement's votes by a participant attribute (stakeholder group, region).

Counts of agree / disagree / pass per category, with shares of the votes cast
in that category. Participants without the attribute fall in no category.
"""

from __future__ import annotations

import numpy as np

from worker.analysis.matrix import VoteMatrix


def breakdown(matrix: VoteMatrix, labels: dict[str, str]) -> dict[str, dict[str, dict[str, float | int]]]:
    """{statement id: {category: {agree, disagree, pass, votes, agree_share, disagree_share, pass_share}}}."""
    categories = sorted(set(labels.values()))
    code = {c: i for i, c in enumerate(categories)}
    row_labels = np.array([code.get(labels.get(pid), -1) for pid in matrix.participant_ids], dtype=np.int64)
    agree, disagree, seen = matrix.group_tallies(row_labels, len(categories))
    result: dict[str, dict[str, dict[str, float | int]]] = {}
    for j, tid in enumerate(matrix.statement_ids):
        per = {}
        for c, category in enumerate(categories):
            votes = int(seen[c, j])
            if not votes:
                continue
            a, d = int(agree[c, j]), int(disagree[c, j])
            p = votes - a - d
            per[category] = {
                "agree": a,
                "disagree": d,
                "pass": p,
                "votes": votes,
                "agree_share": a / votes,
                "disagree_share": d / votes,
                "pass_share": p / votes,
            }
        result[tid] = per
    return result
