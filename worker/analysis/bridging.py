"""Bridging consensus: agreement that holds across viewpoints, by matrix factorisation.

Beyond Pol.is, in the spirit of Community Notes. Each agree (1) or disagree
(0) vote is modelled as

    vote ~ mu + b_participant + b_statement + f_participant * f_statement

with a one-dimensional viewpoint factor f. Whatever the viewpoint axis
explains goes into the factors; what remains common to people on every side
of it is the statement's intercept b_statement, its bridging score. Passes
carry no side and are left out. As in Community Notes the intercepts are
regularised five times harder than the factors (0.15 vs 0.03), so a
statement only earns a high intercept if agreement does not hinge on the
viewpoint. Unlike group-informed consensus it does not depend on how many
groups the clustering chose.

Fitted by alternating least squares (each step solves small ridge problems in
closed form), started from the PCA positions, so the result is deterministic.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from worker.analysis import _kernels

LAMBDA_INTERCEPT = 0.15
LAMBDA_FACTOR = 0.03
MAX_ITERATIONS = 50
TOLERANCE = 1e-6
MIN_RATINGS = 3


@dataclass
class BridgingFit:
    mu: float
    statement_intercept: np.ndarray  # NaN where fewer than MIN_RATINGS ratings
    statement_factor: np.ndarray
    participant_intercept: np.ndarray
    participant_factor: np.ndarray
    iterations: int


def fit(
    rows: np.ndarray,
    cols: np.ndarray,
    ratings: np.ndarray,
    n: int,
    m: int,
    *,
    participant_start: np.ndarray | None = None,
    statement_start: np.ndarray | None = None,
) -> BridgingFit:
    """``ratings`` are 1 (agree) or 0 (disagree) at (rows, cols)."""
    y = np.ascontiguousarray(ratings, dtype=np.float64)
    rows = np.ascontiguousarray(rows, dtype=np.int64)
    cols = np.ascontiguousarray(cols, dtype=np.int64)
    fu = _start(participant_start, n)
    fs = _start(statement_start, m)
    bu, bs, mu = np.zeros(n), np.zeros(m), float(y.mean()) if len(y) else 0.0
    iterations = 0
    for iterations in range(1, MAX_ITERATIONS + 1):  # noqa: B007 - reported
        before = (bs.copy(), fs.copy())
        # _solve for the participants, then for the statements, and the residual, in one compiled sweep
        bu, fu, bs, fs, residual = _kernels.bridging_step(
            rows, cols, y, mu, bs, fs, n, m, LAMBDA_INTERCEPT, LAMBDA_FACTOR
        )
        mu = float(residual.sum() / (len(y) + LAMBDA_INTERCEPT)) if len(y) else 0.0
        change = max(np.abs(bs - before[0]).max(initial=0), np.abs(fs - before[1]).max(initial=0))
        if change < TOLERANCE:
            break
    counts = np.bincount(cols, minlength=m)
    intercept = np.where(counts >= MIN_RATINGS, bs, np.nan)
    return BridgingFit(mu, intercept, fs, bu, fu, iterations)


def _start(values: np.ndarray | None, size: int) -> np.ndarray:
    if values is None or len(values) != size or not np.any(values):
        return np.linspace(-0.1, 0.1, size) if size > 1 else np.zeros(size)
    spread = np.abs(values).max()
    return 0.1 * values / spread


def _solve(index: np.ndarray, target: np.ndarray, other: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """Per entity: ridge regression of ``target`` on [1, other] (2 x 2 normal equations).

    The reference for ``_kernels.bridging_step``, which does this in compiled loops (tests compare them)."""
    count = np.bincount(index, minlength=size).astype(float)
    s_f = np.bincount(index, weights=other, minlength=size)
    s_ff = np.bincount(index, weights=other * other, minlength=size)
    s_t = np.bincount(index, weights=target, minlength=size)
    s_tf = np.bincount(index, weights=target * other, minlength=size)
    a11, a12, a22 = count + LAMBDA_INTERCEPT, s_f, s_ff + LAMBDA_FACTOR
    det = a11 * a22 - a12 * a12
    intercept = (a22 * s_t - a12 * s_tf) / det
    factor = (a11 * s_tf - a12 * s_t) / det
    return intercept, factor
