"""Contention: where people are split, overall and between opinion groups.

Beyond Pol.is (which reports consensus, not division). For each statement:

* ``split``: how evenly the participants who took a side divide,
  1 - |A - D| / (A + D): 1 for 50/50, 0.5 for 75/25, 0 for unanimity.
  Only defined once at least ``MIN_VOTERS`` people agreed or disagreed.
* ``group_divide``: whether opinion groups sit on opposite sides. With each
  group's smoothed agreement share s_g = (A_g + 1) / (A_g + D_g + 2),
  4 * max(0, max_g s_g - 1/2) * max(0, 1/2 - min_g s_g): 0 when all groups
  lean the same way, near 1 when one group agrees and another disagrees.
  Only groups with at least ``MIN_GROUP_VOTERS`` agree/disagree votes count.
* ``score``: the mean of the two that are defined. The ranked list keeps
  statements scoring at least ``LIST_THRESHOLD``, highest first.
"""

from __future__ import annotations

import numpy as np

MIN_VOTERS = 5
MIN_GROUP_VOTERS = 3
LIST_THRESHOLD = 0.5
LIST_LENGTH = 10


def contention(
    agree: np.ndarray, disagree: np.ndarray, group_agree: np.ndarray, group_disagree: np.ndarray
) -> dict[str, np.ndarray]:
    """Arrays over statements (NaN where not defined)."""
    decided = (agree + disagree).astype(float)
    split = np.full(len(agree), np.nan)
    enough = decided >= MIN_VOTERS
    split[enough] = 1 - np.abs(agree[enough] - disagree[enough]) / decided[enough]

    divide = np.full(len(agree), np.nan)
    if group_agree.shape[0] >= 2:
        group_decided = group_agree + group_disagree
        share = (group_agree + 1.0) / (group_decided + 2.0)
        counted = group_decided >= MIN_GROUP_VOTERS
        high = np.where(counted, share, -np.inf).max(axis=0)
        low = np.where(counted, share, np.inf).min(axis=0)
        defined = counted.sum(axis=0) >= 2
        divide[defined] = 4 * np.maximum(0, high[defined] - 0.5) * np.maximum(0, 0.5 - low[defined])

    both = np.vstack([split, divide])
    defined = np.isfinite(both)
    total = np.where(defined, both, 0.0).sum(axis=0)
    count = defined.sum(axis=0)
    score = np.divide(total, count, out=np.full(len(agree), np.nan), where=count > 0)
    return {"split": split, "group_divide": divide, "score": score}


def ranked(score: np.ndarray, excluded: np.ndarray) -> list[int]:
    """Indices of the most contentious statements, highest score first."""
    candidates = [
        j for j in range(len(score)) if not excluded[j] and np.isfinite(score[j]) and score[j] >= LIST_THRESHOLD
    ]
    candidates.sort(key=lambda j: -score[j])
    return candidates[:LIST_LENGTH]
