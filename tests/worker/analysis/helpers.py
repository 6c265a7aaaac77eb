"""Small synthetic conversations for the analysis tests."""

from __future__ import annotations

import numpy as np

from worker.analysis.matrix import VoteMatrix


def camps(per_camp: int = 30, statements: int = 12, *, seed: int = 0, noise: float = 0.05, density: float = 1.0):
    """Two camps that take opposite sides on every statement but the last, which everybody agrees with.

    Returns the vote matrix and each participant's camp (0 or 1).
    """
    rng = np.random.default_rng(seed)
    voters, items, values, truth = [], [], [], {}
    for camp in (0, 1):
        for p in range(per_camp):
            pid = f"{camp}-{p}"
            truth[pid] = camp
            for s in range(statements):
                if rng.random() > density and s < statements - 1:
                    continue
                if s == statements - 1:
                    vote = 1
                else:
                    vote = 1 if (s % 2 == camp) else -1
                    if rng.random() < noise:
                        vote = -vote
                voters.append(pid)
                items.append(f"s{s}")
                values.append(vote)
    order = rng.permutation(len(values))
    matrix = VoteMatrix.from_votes([voters[i] for i in order], [items[i] for i in order], [values[i] for i in order])
    return matrix, truth
