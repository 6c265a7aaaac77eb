"""A consultation's current votes as arrays, kept between analysis runs and brought up to date in place.

A ``VoteSet`` holds one entry per (participant, statement): the choice, plus
for every participant and statement the key of its first vote (when it was
cast, then the vote id). Those keys give the order of first appearance that
a full reload (votes ordered by time cast, then id) produces, so the matrix
built from a set brought up to date with ``merged`` is the matrix a full
reload would build, row for row and column for column.

Votes read again are harmless (the latest reading wins). Deletions are not
applied here: the job reloads everything when a participant or statement of
the set no longer exists (a deleted first vote would change the order).

Pure numpy: no Django here.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import scipy.sparse as sp

from worker.analysis.matrix import VoteMatrix

FORMAT = 2


class Votes(Protocol):
    """Rows of the vote table as arrays (``ideation.selectors.analysis.Votes``): ids, who, on what,
    the choice, when first cast and when last changed (µs since the epoch)."""

    ids: np.ndarray
    participants: np.ndarray
    statements: np.ndarray
    choices: np.ndarray
    created: np.ndarray
    updated: np.ndarray

    def __len__(self) -> int: ...


@dataclass
class VoteSet:
    """Participants and statements in order of first vote, and one choice per voted cell."""

    participants: np.ndarray  # database ids, in row order
    participant_first: np.ndarray  # (n, 2): created µs and id of each participant's first vote
    statements: np.ndarray
    statement_first: np.ndarray  # (m, 2)
    rows: np.ndarray  # per vote
    cols: np.ndarray
    choices: np.ndarray
    updated_until: int  # µs: the newest ``updated`` seen (the next delta starts a little before it)
    loaded_at: float = 0.0  # when the votes were last read in full (seconds since the epoch)

    # --- building ----------------------------------------------------------------------------
    @classmethod
    def from_votes(cls, votes: Votes) -> VoteSet:
        """All of a consultation's votes (any order)."""
        participants, participant_first, rows = _first_keys(votes.participants, votes.created, votes.ids)
        statements, statement_first, cols = _first_keys(votes.statements, votes.created, votes.ids)
        order = np.argsort(rows * max(len(statements), 1) + cols, kind="stable")  # cells in matrix order
        return cls(
            participants,
            participant_first,
            statements,
            statement_first,
            rows[order],
            cols[order],
            np.asarray(votes.choices, dtype=np.int8)[order],
            int(votes.updated.max()) if len(votes) else 0,
        )

    def merged(self, delta: Votes) -> VoteSet:
        """This set with ``delta`` (votes read again since) applied: new cells added, changed ones replaced."""
        if not len(delta):
            return self
        # every participant and statement, old and new, with the key of its first vote
        participants, participant_first, old_rows, new_rows = _union_keys(
            self.participants, self.participant_first, delta.participants, delta.created, delta.ids
        )
        statements, statement_first, old_cols, new_cols = _union_keys(
            self.statements, self.statement_first, delta.statements, delta.created, delta.ids
        )
        m = max(len(statements), 1)
        old_keys = old_rows[self.rows] * m + old_cols[self.cols]
        new_keys = new_rows * m + new_cols
        keys = np.concatenate([old_keys, new_keys])
        choices = np.concatenate([self.choices, np.asarray(delta.choices, dtype=np.int8)])
        # the last occurrence of each cell wins: the delta's reading, the newest
        _, first_in_reversed = np.unique(keys[::-1], return_index=True)
        keep = len(keys) - 1 - first_in_reversed
        keys, choices = keys[keep], choices[keep]
        return VoteSet(
            participants,
            participant_first,
            statements,
            statement_first,
            keys // m,
            keys % m,
            choices,
            max(self.updated_until, int(delta.updated.max())),
            self.loaded_at,
        )

    # --- what the analysis reads --------------------------------------------------------------
    def __len__(self) -> int:
        return len(self.rows)

    def same_votes(self, other: VoteSet) -> bool:
        """The same participants, statements and votes, in the same order."""
        return all(
            np.array_equal(getattr(self, name), getattr(other, name))
            for name in (
                "participants",
                "participant_first",
                "statements",
                "statement_first",
                "rows",
                "cols",
                "choices",
            )
        )

    def missing(self, participants: np.ndarray, statements: np.ndarray) -> bool:
        """Whether a participant or statement of this set is not among those given (deleted since)."""
        return not (np.isin(self.participants, participants).all() and np.isin(self.statements, statements).all())

    def matrix(self) -> VoteMatrix:
        """The vote matrix a full reload builds: rows and columns in order of first vote."""
        n, m = len(self.participants), len(self.statements)
        keys = self.rows * max(m, 1) + self.cols
        order = slice(None) if np.all(keys[1:] > keys[:-1]) else np.argsort(keys, kind="stable")
        rows = self.rows[order]
        indptr = np.zeros(n + 1, dtype=np.int64)
        np.add.at(indptr, rows + 1, 1)
        np.cumsum(indptr, out=indptr)
        values = sp.csr_matrix(
            (self.choices[order].astype(np.float64), self.cols[order].astype(np.int32), indptr), shape=(n, m)
        )
        return VoteMatrix(
            [str(p) for p in self.participants.tolist()], [str(s) for s in self.statements.tolist()], values
        )

    # --- storage ------------------------------------------------------------------------------
    def to_bytes(self) -> bytes:
        buffer = io.BytesIO()
        np.savez(
            buffer,
            format=np.array([FORMAT, self.updated_until], dtype=np.int64),
            loaded_at=np.array([self.loaded_at]),
            participants=self.participants,
            participant_first=self.participant_first,
            statements=self.statements,
            statement_first=self.statement_first,
            rows=self.rows.astype(np.int32),
            cols=self.cols.astype(np.int32),
            choices=self.choices,
        )
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> VoteSet | None:
        """None for anything unreadable or of another format (the caller reloads)."""
        try:
            with np.load(io.BytesIO(data), allow_pickle=False) as f:
                version, updated_until = (int(x) for x in f["format"])
                if version != FORMAT:
                    return None
                return cls(
                    f["participants"],
                    f["participant_first"],
                    f["statements"],
                    f["statement_first"],
                    f["rows"].astype(np.int64),
                    f["cols"].astype(np.int64),
                    f["choices"],
                    updated_until,
                    float(f["loaded_at"][0]),
                )
        except (ValueError, KeyError, OSError, EOFError):
            return None


def _first_keys(ids: np.ndarray, created: np.ndarray, vote_ids: np.ndarray):
    """Distinct ``ids`` in order of their first vote (created, vote id), those keys, and each vote's code."""
    ids = np.asarray(ids, dtype=np.int64)
    if not len(ids):
        return ids, np.zeros((0, 2), dtype=np.int64), ids
    order = np.lexsort((vote_ids, created))  # the vote log in time order
    unique, first_at, inverse = np.unique(ids[order], return_index=True, return_inverse=True)
    keys = np.column_stack([np.asarray(created)[order][first_at], np.asarray(vote_ids)[order][first_at]])
    by_first = np.lexsort((keys[:, 1], keys[:, 0]))
    rank = np.empty(len(unique), dtype=np.int64)
    rank[by_first] = np.arange(len(unique))
    codes = np.empty(len(ids), dtype=np.int64)
    codes[order] = rank[inverse]
    return unique[by_first], keys[by_first], codes


def _union_keys(known: np.ndarray, known_first: np.ndarray, ids: np.ndarray, created: np.ndarray, vote_ids: np.ndarray):
    """Known ids with their first-vote keys, joined by those of ``ids``; everything in first-vote order.

    Returns the ids, their keys, the new position of each known id and the position of each of ``ids``.
    """
    fresh, fresh_first, _codes = _first_keys(ids, created, vote_ids)
    sorter = np.argsort(known, kind="stable")
    at = np.minimum(np.searchsorted(known, fresh, sorter=sorter), max(len(known) - 1, 0))
    is_known = np.zeros(len(fresh), dtype=bool)
    if len(known):
        is_known = known[sorter[at]] == fresh
        # a delta vote older than a known first vote: one the set missed before (it committed late);
        # its key is the first now, as a full reload would order it
        earlier = np.zeros(len(fresh), dtype=bool)
        earlier[is_known] = _before(fresh_first[is_known], known_first[sorter[at[is_known]]])
        if earlier.any():
            known_first = known_first.copy()
            known_first[sorter[at[earlier]]] = fresh_first[earlier]
    all_ids = np.concatenate([known, fresh[~is_known]])
    all_first = np.concatenate([known_first.reshape(-1, 2), fresh_first[~is_known]])
    by_first = np.lexsort((all_first[:, 1], all_first[:, 0]))
    position = np.empty(len(all_ids), dtype=np.int64)
    position[by_first] = np.arange(len(all_ids))
    ordered = all_ids[by_first]
    lookup = np.argsort(ordered, kind="stable")
    where = lookup[np.searchsorted(ordered, np.asarray(ids, dtype=np.int64), sorter=lookup)]
    return ordered, all_first[by_first], position[: len(known)], where


def _before(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Row-wise (created, id) of ``a`` sorts before that of ``b``."""
    return (a[:, 0] < b[:, 0]) | ((a[:, 0] == b[:, 0]) & (a[:, 1] < b[:, 1]))
