"""Replaying a conversation through the incremental engine, as Pol.is ran it live.

Votes are fed in time order, one update per second of vote time (Pol.is's
math poller picked up new votes about once a second), each update starting
from the state the previous one left. Intermediate updates compute only what
carries forward (components, base clusters, groups, tallies); the final one
is a full analysis.

``LiveVotes`` keeps the growing matrix in a one-byte-a-cell table together
with the exact co-vote statistics of ``pca.CoVoteStats``, so an update costs
what the new votes change plus a compiled pass over the table, not a rebuild
of the whole matrix. (A replay is for real conversations; at Pol.is's caps the
table takes 100,000 x 10,000 bytes at most.)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from threadpoolctl import threadpool_limits

from worker.analysis import _kernels, engine
from worker.analysis.matrix import VoteMatrix
from worker.analysis.pca import CoVoteStats


class LiveVotes:
    """A growing vote matrix with the read interface the engine uses.

    Votes live in a compact table of one byte per cell (0: no vote, else the
    vote + 2), grown as participants and statements arrive, together with the
    running column sums and the co-vote statistics for the PCA. Reads go over
    each participant's row in column order, as Pol.is sums them, so two
    participants who voted alike land on exactly the same point.
    """

    def __init__(self) -> None:
        self.participant_ids: list[str] = []
        self.statement_ids: list[str] = []
        self._rows: dict[str, int] = {}
        self._cols: dict[str, int] = {}
        self._cells = np.zeros((64, 64), dtype=np.int8)
        self._row_cols = np.zeros((64, 64), dtype=np.int32)  # each row's voted columns, ascending
        self._row_len = np.zeros(64, dtype=np.int64)
        self._row_counts = np.zeros(64)
        self._col_counts = np.zeros(64)
        self._col_sums = np.zeros(64)
        self.stats = CoVoteStats()

    @property
    def n(self) -> int:
        return len(self.participant_ids)

    @property
    def m(self) -> int:
        return len(self.statement_ids)

    def _grow(self) -> None:
        rows, cols = self._cells.shape
        if self.n > rows or self.m > cols:
            rows, cols = max(rows, 2 * self.n), max(cols, 2 * self.m)
            for name, dtype in (("_cells", np.int8), ("_row_cols", np.int32)):
                old = getattr(self, name)
                new = np.zeros((rows, cols), dtype=dtype)
                new[: old.shape[0], : old.shape[1]] = old
                setattr(self, name, new)
        for name, size in (("_row_counts", rows), ("_col_counts", cols), ("_col_sums", cols), ("_row_len", rows)):
            old = getattr(self, name)
            if len(old) < size:
                new = np.zeros(size, dtype=old.dtype)
                new[: len(old)] = old
                setattr(self, name, new)

    def _index(self, ids: dict[str, int], names: list[str], key: str) -> int:
        index = ids.get(key)
        if index is None:
            index = ids[key] = len(names)
            names.append(key)
        return index

    def add(self, voters: Sequence[str], statements: Sequence[str], values: Sequence[int]) -> None:
        """Apply votes in time order (a later vote on the same statement replaces the earlier one)."""
        rows = np.array([self._index(self._rows, self.participant_ids, v) for v in voters], dtype=np.int64)
        cols = np.array([self._index(self._cols, self.statement_ids, s) for s in statements], dtype=np.int64)
        self._grow()
        self.stats.grow(self.m)
        stats = self.stats
        _kernels.apply_votes(
            self._cells,
            self._row_cols,
            self._row_len,
            self._row_counts,
            self._col_counts,
            self._col_sums,
            stats.n_both,
            stats.products,
            stats.sums,
            rows,
            cols,
            np.asarray(values, dtype=np.int64),
        )

    # --- the engine's read interface ---------------------------------------------------
    def flags(self, mod_out: set[str], meta: set[str]) -> tuple[np.ndarray, np.ndarray]:
        """Per statement: not moderated out, and meta (kept while no statement arrives)."""
        cached = getattr(self, "_flags", None)
        if cached is None or cached[0] != self.m or cached[1] is not mod_out or cached[2] is not meta:
            active = np.array([tid not in mod_out for tid in self.statement_ids], dtype=bool)
            is_meta = np.array([tid in meta for tid in self.statement_ids], dtype=bool)
            self._flags = (self.m, mod_out, meta, active, is_meta)
            cached = self._flags
        return cached[3], cached[4]

    def row_counts(self) -> np.ndarray:
        return self._row_counts[: self.n]

    def column_means(self) -> np.ndarray:
        counts = self._col_counts[: self.m]
        return np.divide(self._col_sums[: self.m], counts, out=np.zeros(self.m), where=counts > 0)

    def gram(self, mu: np.ndarray, active: np.ndarray) -> np.ndarray:
        return self.stats.gram(mu, active)

    def masked_tallies(self, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        return _kernels.table_tallies(self._cells, self._row_cols, self._row_len, self.n, self.m, mask)

    def centered_products(
        self, v: np.ndarray, mu: np.ndarray, active: np.ndarray, rows: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        rows = np.arange(self.n) if rows is None else rows
        return _kernels.table_projection(self._cells, self._row_cols, self._row_len, self.n, rows, mu, v, active)

    def to_matrix(self) -> VoteMatrix:
        """The same votes as a sparse ``VoteMatrix`` with the same row and column order."""
        rows, cols = np.nonzero(self._cells[: self.n, : self.m])
        values = self._cells[rows, cols].astype(np.int64) - 2
        return VoteMatrix.from_codes(self.participant_ids, self.statement_ids, rows, cols, values)


def batches_by_second(times: np.ndarray) -> list[slice]:
    """Slices of a time-ordered log, one per second of vote time that has votes."""
    if len(times) == 0:
        return []
    seconds = np.asarray(times) // 1000
    starts = np.flatnonzero(np.concatenate([[True], seconds[1:] != seconds[:-1]]))
    ends = np.concatenate([starts[1:], [len(seconds)]])
    return [slice(int(a), int(b)) for a, b in zip(starts, ends, strict=True)]


def replay(
    times: Sequence[int],
    voters: Sequence[str],
    statements: Sequence[str],
    values: Sequence[int],
    *,
    mod_out: set[str] = frozenset(),
    meta: set[str] = frozenset(),
    params: engine.Params = engine.DEFAULT_PARAMS,
    attributes: dict[str, dict[str, str]] | None = None,
    extras: bool = True,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[engine.AnalysisResult, engine.State]:
    """Replay a vote log (sorted by time, milliseconds) one update per second; return the final analysis."""
    times = np.asarray(times)
    order = np.argsort(times, kind="stable")
    times = times[order]
    voters = [str(voters[i]) for i in order]
    statements = [str(statements[i]) for i in order]
    values = [int(values[i]) for i in order]
    data = LiveVotes()
    state = engine.State()
    core = None
    batches = batches_by_second(times)
    mod_out, meta = set(mod_out), set(meta)
    with threadpool_limits(1):  # small matrices: threads cost more than they give
        for number, batch in enumerate(batches, start=1):
            data.add(voters[batch], statements[batch], values[batch])
            core, state = engine.core_update(
                data, mod_out=mod_out, meta=meta, state=state, params=params, complete=number >= len(batches) - 1
            )
            if progress:
                progress(number, len(batches))
    matrix = data.to_matrix()
    if core is None:
        return engine.update(matrix, mod_out=mod_out, meta=meta, params=params, attributes=attributes, extras=extras)
    result = engine.describe(matrix, core, state=state, params=params, attributes=attributes, extras=extras)
    return result, state
