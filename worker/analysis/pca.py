"""Mean-imputed PCA with two components, and Pol.is's sparsity-aware projection.

POLIS_MATH.md, "PCA and projection". Missing cells take their column's mean,
columns are centred, so a missing cell contributes nothing; moderated-out
columns are zero for everyone. The covariance X^T X is never formed from a
dense matrix: either as m x m products of the sparse vote matrix (small m),
implicitly as an operator (large m), or kept up to date vote by vote
(``CoVoteStats``, used when replaying a conversation update by update).

Pol.is finds the components by power iteration warm-started from the last
update; we solve the same eigenproblem exactly (``numpy.linalg.eigh``, or
Lanczos via ``scipy.sparse.linalg.eigsh`` for many statements) and, with a
warm start, by subspace iteration from the previous components. Above 10,000
participants Pol.is switches to a sampled, smoothed PCA; we keep the exact
computation at every size, which is both faster here and closer to the
definition.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy.sparse.linalg import LinearOperator, eigsh

from worker.analysis import _kernels
from worker.analysis.matrix import VoteMatrix

N_COMPONENTS = 2
SUBSPACE_MAX_ITERATIONS = 100
SUBSPACE_TOLERANCE = 1e-9
# Below this many statements a direct eigendecomposition is cheaper than iterating.
DIRECT_EIGH_MAX_STATEMENTS = 80


@dataclass
class Projection:
    """Components (2 x m), column means, and everything projected onto the components."""

    center: np.ndarray
    comps: np.ndarray
    participants: np.ndarray  # n x 2
    statements: np.ndarray  # m x 2
    extremity: np.ndarray  # m


def active_means(matrix: VoteMatrix, active: np.ndarray) -> np.ndarray:
    """Column means, zero for moderated-out columns (they are all zeros in the Pol.is matrix)."""
    return np.where(active, matrix.column_means(), 0.0)


def gram_operator(
    matrix: VoteMatrix, mu: np.ndarray, active: np.ndarray, row_weights: np.ndarray | None = None
) -> Callable[[np.ndarray], np.ndarray]:
    """V -> X^T D X V, with X the centred, mean-imputed matrix (never built) and D optional row weights."""
    values = matrix.values
    voted = matrix.voted()
    values_t = values.T.tocsr()
    voted_t = voted.T.tocsr()
    mask = active.astype(np.float64)[:, None]
    mu_col = mu[:, None]

    def apply(v: np.ndarray) -> np.ndarray:
        block = v.reshape(len(mu), -1) * mask
        xv = values @ block - voted @ (mu_col * block)
        if row_weights is not None:
            xv = xv * row_weights[:, None]
        result = (values_t @ xv - mu_col * (voted_t @ xv)) * mask
        return result.reshape(v.shape)

    return apply


class CoVoteStats:
    """X^T X kept up to date as votes change, in exact integer arithmetic.

    For each pair of statements (j, k) it keeps, over participants who voted
    on both: how many (N), the sum of products of their votes (S) and the sum
    of their votes on j (A). Then X^T X = S - A mu^T - mu A^T + N * mu mu^T.
    Changing one participant's row costs O(their votes squared)
    (``_kernels.apply_votes``, used by ``replay.LiveVotes``).
    """

    def __init__(self, m: int = 0) -> None:
        self.m = 0
        # float64 holds these integer counts exactly (up to 2^53) and avoids conversions
        self.n_both = np.zeros((0, 0))
        self.products = np.zeros((0, 0))
        self.sums = np.zeros((0, 0))
        self.grow(m)

    def grow(self, m: int) -> None:
        if m <= self.m:
            return
        current = self.n_both.shape[0]
        if m > current:
            capacity = max(m, 2 * current, 16)
            for name in ("n_both", "products", "sums"):
                old = getattr(self, name)
                new = np.zeros((capacity, capacity))
                new[: old.shape[0], : old.shape[1]] = old
                setattr(self, name, new)
        self.m = m

    def gram(self, mu: np.ndarray, active: np.ndarray) -> np.ndarray:
        m = self.m
        return _kernels.covote_gram(
            self.n_both[:m, :m], self.products[:m, :m], self.sums[:m, :m], np.where(active, mu, 0.0), active
        )


def components(
    m: int,
    *,
    gram: np.ndarray | None = None,
    operator: Callable[[np.ndarray], np.ndarray] | None = None,
    warm: np.ndarray | None = None,
    max_iterations: int = SUBSPACE_MAX_ITERATIONS,
    tolerance: float | None = SUBSPACE_TOLERANCE,
    with_basis: bool = False,
):
    """The top two eigenvectors of X^T X as a (2 x m) array (rows may be zero when there is no variance).

    Give ``gram`` (explicit) or ``operator``. With ``warm`` (previous components,
    aligned to the current columns) the subspace iteration starts there, as
    Pol.is's warm-started power iteration does; signs follow the warm start.
    """
    comps = np.zeros((N_COMPONENTS, m))
    if m == 0:
        return (comps, None) if with_basis else comps
    apply = (lambda v: gram @ v) if gram is not None else operator
    small = gram is not None and m <= DIRECT_EIGH_MAX_STATEMENTS
    if warm is not None and np.linalg.norm(warm) > 0 and m > N_COMPONENTS and not small:
        basis = _subspace_iteration(apply, _orthonormal_start(warm.T, m), max_iterations, tolerance, gram)
        block = basis
    elif gram is not None or m <= N_COMPONENTS + 1:
        full = gram if gram is not None else apply(np.eye(m))
        values, vectors = np.linalg.eigh((full + full.T) / 2)
        basis = vectors[:, ::-1][:, :N_COMPONENTS]
        block = vectors[:, ::-1][:, :BLOCK]
    else:
        op = LinearOperator((m, m), matvec=apply, matmat=apply, dtype=np.float64)
        start = np.ones(m) / np.sqrt(m)
        values, vectors = eigsh(op, k=N_COMPONENTS, which="LA", v0=start, tol=1e-10)
        basis = vectors[:, np.argsort(values)[::-1]]
        block = basis
    basis = _rayleigh_ritz(apply, basis)
    k = min(N_COMPONENTS, basis.shape[1])
    comps[:k] = basis[:, :k].T
    comps = _orient(comps, warm[:N_COMPONENTS] if warm is not None else None)
    if not with_basis:
        return comps
    # the block for the next warm start: the oriented components first, then the rest
    rest = block - comps.T @ (comps @ block)
    q = _kernels.orthonormalize(np.ascontiguousarray(np.hstack([comps.T, rest])))
    q = q[:, np.abs(q).sum(axis=0) > 0]
    return comps, q[:, :BLOCK]


BLOCK = 6  # vectors iterated together: the top two converge at rate lambda_7 / lambda_2


def random_start(m: int, seed: int = 0) -> np.ndarray:
    """Pol.is starts a new conversation's power iteration from random vectors; ours are seeded."""
    return np.random.default_rng(seed).random((N_COMPONENTS, m))


def _orthonormal_start(warm: np.ndarray, m: int) -> np.ndarray:
    """The warm vectors plus deterministic extra directions (up to BLOCK), orthonormalised."""
    width = min(BLOCK, m)
    start = np.zeros((m, width))
    start[:, : min(warm.shape[1], width)] = warm[:, :width]
    ramp = np.linspace(-1.0, 1.0, m)
    for j in range(width):
        if not start[:, j].any():
            start[:, j] = np.cos((j + 1) * np.pi * ramp) + 0.01 * ramp
    return _kernels.orthonormalize(start)


def _subspace_iteration(
    apply: Callable[[np.ndarray], np.ndarray],
    basis: np.ndarray,
    max_iterations: int,
    tolerance: float | None,
    gram: np.ndarray | None = None,
) -> np.ndarray:
    """Block power iteration from a warm basis.

    With a ``tolerance`` it runs until the top two Ritz vectors stop moving (at
    most ``max_iterations``); without one it runs exactly ``max_iterations``
    steps, which is how a replay keeps tracking components update by update,
    like Pol.is's warm-started power iteration.
    """
    if gram is not None:
        if tolerance is None:
            return _kernels.block_power(np.ascontiguousarray(gram), basis, max_iterations)
        return _kernels.block_power_converged(
            np.ascontiguousarray(gram), np.ascontiguousarray(basis), max_iterations, tolerance, N_COMPONENTS
        )
    top = basis[:, :N_COMPONENTS]
    for _ in range(max_iterations):
        z = apply(basis)
        if not np.any(z):
            return basis
        basis, _ = np.linalg.qr(z)
        if tolerance is None:
            continue
        small = basis.T @ apply(basis)
        values, vectors = np.linalg.eigh((small + small.T) / 2)
        ritz = basis @ vectors[:, np.argsort(values)[::-1][:N_COMPONENTS]]
        moved = np.linalg.norm(ritz - top @ (top.T @ ritz))
        top = ritz
        if moved < tolerance:
            break
    return basis


def _rayleigh_ritz(apply: Callable[[np.ndarray], np.ndarray], basis: np.ndarray) -> np.ndarray:
    """Rotate an orthonormal basis of the dominant subspace into ordered eigenvectors."""
    small = basis.T @ apply(basis)
    values, vectors = np.linalg.eigh((small + small.T) / 2)
    order = np.argsort(values)[::-1]
    rotated = basis @ vectors[:, order]
    rotated[:, values[order] <= 1e-12 * max(1.0, abs(values).max(initial=0))] = 0.0
    return rotated


def _orient(comps: np.ndarray, warm: np.ndarray | None) -> np.ndarray:
    """Deterministic signs: follow the warm start, else make the largest entry positive."""
    for i, comp in enumerate(comps):
        if not np.any(comp):
            continue
        if warm is not None and i < len(warm) and np.any(warm[i]):
            if comp @ warm[i] < 0:
                comps[i] = -comp
        elif comp[np.argmax(np.abs(comp))] < 0:
            comps[i] = -comp
    return comps


def project(
    matrix: VoteMatrix, comps: np.ndarray, mu: np.ndarray, active: np.ndarray, rows: np.ndarray | None = None
) -> Projection:
    """Participants and statements in the plane of the two components.

    Participant i: sqrt(S / max(n_i, 1)) * sum over voted j of (r_ij - mu_j) v_j,
    with S all statements (moderated-out ones included) and n_i the votes on
    active statements plus the moderated-out statements (zeros for everyone).
    Statement j: a virtual participant who agreed with j only,
    sqrt(S) * (1 - mu_j) * v_j; its extremity is that vector's length.
    With ``rows``, only those participants need placing (the others may be left at 0).
    """
    m = matrix.m
    v = np.ascontiguousarray((comps * active).T)  # m x 2
    raw, active_votes = matrix.centered_products(v, mu, active, rows)
    scale = np.sqrt(m / np.maximum(active_votes + (m - np.count_nonzero(active)), 1))
    statements = v * (np.sqrt(m) * (1.0 - mu))[:, None]
    return Projection(
        center=mu,
        comps=comps,
        participants=np.asarray(raw * scale[:, None], dtype=np.float64).reshape(matrix.n, 2),
        statements=statements,
        extremity=np.hypot(statements[:, 0], statements[:, 1]),
    )
