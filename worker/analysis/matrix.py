"""The vote matrix: participants x statements, latest vote wins, stored sparse.

Votes are +1 (agree), -1 (disagree) and 0 (pass); a cell nobody voted is
missing (not stored). Passes are stored as explicit zeros, so the matrix
keeps "voted" and "value" apart without a second copy of the structure.
Rows and columns are in order of first appearance, as in Pol.is's named
matrix, which the k-means seeding depends on.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

AGREE, PASS, DISAGREE = 1, 0, -1
# Up to this many statements X^T X is built as a dense m x m array (cheap, and exact);
# beyond it the PCA applies it as an operator (pca.gram_operator) instead.
EXPLICIT_GRAM_MAX_STATEMENTS = 400


@dataclass
class VoteMatrix:
    """Participants x statements. ``values`` is CSR with explicit zeros for passes."""

    participant_ids: list[str]
    statement_ids: list[str]
    values: sp.csr_matrix

    # --- construction -----------------------------------------------------------
    @classmethod
    def from_votes(
        cls,
        participants: Sequence[str],
        statements: Sequence[str],
        values: Sequence[int],
    ) -> VoteMatrix:
        """Build from a vote log in time order: for each (participant, statement) the last entry wins."""
        participants = np.asarray(participants, dtype=object)
        statements = np.asarray(statements, dtype=object)
        values = np.asarray(values, dtype=np.int64)
        if not (len(participants) == len(statements) == len(values)):
            raise ValueError("participants, statements and values must have the same length")
        if len(values) and not np.isin(values, (AGREE, PASS, DISAGREE)).all():
            raise ValueError("votes must be 1, 0 or -1")
        participant_ids, rows = _first_appearance_codes(participants)
        statement_ids, cols = _first_appearance_codes(statements)
        return cls.from_codes(participant_ids, statement_ids, rows, cols, values)

    @classmethod
    def from_codes(
        cls,
        participant_ids: list[str],
        statement_ids: list[str],
        rows: np.ndarray,
        cols: np.ndarray,
        values: np.ndarray,
    ) -> VoteMatrix:
        """Build from integer codes (a vote log in time order; the last entry per cell wins)."""
        n, m = len(participant_ids), len(statement_ids)
        rows = np.asarray(rows, dtype=np.int64)
        cols = np.asarray(cols, dtype=np.int64)
        values = np.asarray(values)
        if len(rows):
            keys = rows * max(m, 1) + cols
            # last occurrence of each key: unique on the reversed log
            _, first_in_reversed = np.unique(keys[::-1], return_index=True)
            keep = len(keys) - 1 - first_in_reversed
            rows, cols, values = rows[keep], cols[keep], values[keep]
        order = np.lexsort((cols, rows))
        rows, cols = rows[order], cols[order]
        data = values[order].astype(np.float64)
        indptr = np.zeros(n + 1, dtype=np.int64)
        np.add.at(indptr, rows + 1, 1)
        np.cumsum(indptr, out=indptr)
        matrix = sp.csr_matrix((data, cols.astype(np.int32), indptr), shape=(n, m))
        return cls(list(participant_ids), list(statement_ids), matrix)

    # --- shape and lookups --------------------------------------------------------
    @property
    def n(self) -> int:
        return len(self.participant_ids)

    @property
    def m(self) -> int:
        return len(self.statement_ids)

    def flags(self, mod_out: set[str], meta: set[str]) -> tuple[np.ndarray, np.ndarray]:
        """Per statement: still in the analysis (not moderated out), and meta."""
        active = np.array([tid not in mod_out for tid in self.statement_ids], dtype=bool)
        return active, np.array([tid in meta for tid in self.statement_ids], dtype=bool)

    def capped(self, max_participants: int, max_statements: int) -> VoteMatrix:
        """Only the first participants and statements seen (Pol.is's caps)."""
        if self.n <= max_participants and self.m <= max_statements:
            return self
        values = self.values[:max_participants, :max_statements]
        return VoteMatrix(self.participant_ids[:max_participants], self.statement_ids[:max_statements], values.tocsr())

    def gram(self, mu: np.ndarray, active: np.ndarray) -> np.ndarray | None:
        """X^T X explicitly when there are few statements; None means: use the operator."""
        return gram_matrix(self, mu, active) if self.m <= EXPLICIT_GRAM_MAX_STATEMENTS else None

    def subset_rows(self, rows: np.ndarray) -> VoteMatrix:
        """The same statements, only the given participants (in the given order)."""
        return VoteMatrix([self.participant_ids[i] for i in rows], self.statement_ids, self.values[rows])

    # --- derived sparse structures -----------------------------------------------------
    def voted(self) -> sp.csr_matrix:
        """1 where a vote exists (agree, disagree or pass)."""
        v = self.values
        return sp.csr_matrix((np.ones_like(v.data), v.indices, v.indptr), shape=v.shape)

    def centered_products(
        self, v: np.ndarray, mu: np.ndarray, active: np.ndarray, rows: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """(sum over voted j of (r_ij - mu_j) v_j for each participant, votes on active statements).

        ``rows`` is a hint that only those participants are needed (here all are computed)."""
        voted = self.voted()
        raw = self.values @ v - voted @ (mu[:, None] * v)
        return np.asarray(raw), np.asarray(voted @ active.astype(np.float64)).ravel()

    def row_counts(self) -> np.ndarray:
        """Votes per participant (passes count)."""
        return np.diff(self.values.indptr)

    def column_counts(self) -> np.ndarray:
        return np.bincount(self.values.indices, minlength=self.m)

    def column_sums(self) -> np.ndarray:
        return np.bincount(self.values.indices, weights=self.values.data, minlength=self.m)

    def column_means(self) -> np.ndarray:
        """Mean of the votes cast on each statement (0 where nobody voted)."""
        counts = self.column_counts()
        return np.divide(self.column_sums(), counts, out=np.zeros(self.m), where=counts > 0)

    def tallies(self, rows: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(agrees, disagrees, all votes) per statement over ``rows`` (all participants by default)."""
        v = self.values if rows is None else self.values[rows]
        m = self.m
        agree = np.bincount(v.indices[v.data > 0], minlength=m)
        disagree = np.bincount(v.indices[v.data < 0], minlength=m)
        seen = np.bincount(v.indices, minlength=m)
        return agree, disagree, seen

    def masked_tallies(self, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(agrees, disagrees, all votes) per statement over the participants where ``mask`` is true."""
        return self.tallies(np.flatnonzero(mask))

    def group_tallies(self, labels: np.ndarray, n_groups: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per-group tallies: arrays (n_groups x m) of agrees, disagrees, votes.

        ``labels[i]`` is participant i's group in 0..n_groups-1, or -1 for none.
        """
        v = self.values
        row_of_entry = np.repeat(np.arange(self.n), np.diff(v.indptr))
        group = labels[row_of_entry]
        keep = group >= 0
        key = group[keep] * self.m + v.indices[keep]
        data = v.data[keep]
        size = n_groups * self.m
        agree = np.bincount(key[data > 0], minlength=size).reshape(n_groups, self.m)
        disagree = np.bincount(key[data < 0], minlength=size).reshape(n_groups, self.m)
        seen = np.bincount(key, minlength=size).reshape(n_groups, self.m)
        return agree, disagree, seen


def gram_matrix(matrix: VoteMatrix, mu: np.ndarray, active: np.ndarray) -> np.ndarray:
    """X^T X as a dense m x m array, with X the centred, mean-imputed matrix, from sparse products of the votes."""
    r = matrix.values
    w = matrix.voted()
    rr = (r.T @ r).toarray()
    rw = (r.T @ w).toarray()  # rw[j, k] = sum over voters of both j and k of r_ij
    ww = (w.T @ w).toarray()
    gram = rr - rw * mu[None, :] - (rw * mu[None, :]).T + ww * np.outer(mu, mu)
    mask = active.astype(np.float64)
    return gram * np.outer(mask, mask)


def _first_appearance_codes(ids: np.ndarray) -> tuple[list[str], np.ndarray]:
    """Integer codes for ``ids``, numbered in order of first appearance (one dictionary pass)."""
    index: dict[str, int] = {}
    codes = np.fromiter((index.setdefault(str(x), len(index)) for x in ids), dtype=np.int64, count=len(ids))
    return list(index), codes
