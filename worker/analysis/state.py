"""What one analysis update carries to the next: the parameters, the id registries and the state.

Stored with each snapshot (``State.to_json``), the state makes a live
conversation updated many times converge the way Pol.is's did.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from worker.analysis import stability
from worker.analysis.result import ENGINE_VERSION


@dataclass(frozen=True)
class Params:
    base_k: int = 100
    max_k: int = 5
    base_iters: int = 100
    group_iters: int = 20
    k_buffer: int = 4
    in_conv_votes: int = 7
    greedy_n: int = 15
    max_participants: int = 100_000
    max_statements: int = 10_000
    stability_resamples: int = stability.RESAMPLES
    # "polis": Pol.is's warm-started power iteration (100 iterations a component),
    # "exact": the converged eigenvectors.
    pca_method: str = "polis"
    pca_iterations: int = 100


DEFAULT_PARAMS = Params()


class Registry:
    """Append-only ids with their positions; the states of successive updates share one.

    Mapping a list of ids that starts with the registered ones (a replay adds
    participants, never reorders them) costs one list comparison.
    """

    def __init__(self, ids: list[str] | None = None) -> None:
        self.ids: list[str] = list(ids or [])
        self.index: dict[str, int] = {key: i for i, key in enumerate(self.ids)}

    def __len__(self) -> int:
        return len(self.ids)

    def positions(self, keys: list[str]) -> np.ndarray:
        known = len(self.ids)
        if len(keys) >= known and keys[:known] == self.ids:
            for key in keys[known:]:
                self.index[key] = len(self.ids)
                self.ids.append(key)
            return np.arange(len(keys))
        result = np.empty(len(keys), dtype=np.int64)
        for i, key in enumerate(keys):
            position = self.index.get(key)
            if position is None:
                position = self.index[key] = len(self.ids)
                self.ids.append(key)
            result[i] = position
        return result


def _group_arrays(mapping: dict[int, int]) -> tuple[np.ndarray, np.ndarray]:
    bases = np.array(sorted(mapping), dtype=np.int64)
    return bases, np.array([mapping[b] for b in bases.tolist()], dtype=np.int64)


def _take(values: np.ndarray, positions: np.ndarray, default) -> np.ndarray:
    """values[positions], with ``default`` where a position lies beyond the array."""
    if not len(positions) or positions.max() < len(values):
        return values[positions]
    inside = positions < len(values)
    shape = (len(positions), *values.shape[1:])
    result = np.full(shape, default, dtype=values.dtype)
    result[inside] = values[positions[inside]]
    return result


@dataclass
class State:
    """What carries from one update to the next (JSON via ``to_json`` / ``from_json``).

    Arrays are indexed by position in the participant and statement registries:
    whether a participant is in-conv, its base cluster id (-1: none); each
    statement's components and last tallies (A, D, S). Group clusterings are
    kept by member id: {k: (base cluster ids, sorted; their group ids)}.
    ``basis`` (not saved) holds the last PCA block, a better warm start than the
    two components alone while the engine runs in one process.
    """

    participants: Registry = field(default_factory=Registry)
    statements: Registry = field(default_factory=Registry)
    in_conv: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    base: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    comps: np.ndarray = field(default_factory=lambda: np.zeros((0, 2)))
    last_totals: np.ndarray = field(default_factory=lambda: np.zeros((0, 3), dtype=np.int64))
    groups: dict[int, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)
    basis: np.ndarray | None = None
    k_smoother: dict = field(default_factory=dict)  # last_k, last_k_count, smoothed_k
    updates: int = 0

    def to_json(self) -> dict:
        pids, tids = self.participants.ids, self.statements.ids
        return {
            "version": ENGINE_VERSION,
            "in_conv": [pids[i] for i in np.flatnonzero(self.in_conv)],
            "base": {pids[i]: int(self.base[i]) for i in np.flatnonzero(self.base >= 0)},
            "comps": {tids[i]: [float(a), float(b)] for i, (a, b) in enumerate(self.comps)},
            "last_totals": {tids[i]: [int(x) for x in row] for i, row in enumerate(self.last_totals)},
            "groups": {
                str(k): {str(b): int(g) for b, g in zip(bases.tolist(), groups.tolist(), strict=True)}
                for k, (bases, groups) in self.groups.items()
            },
            "k_smoother": dict(self.k_smoother),
            "updates": self.updates,
        }

    @classmethod
    def from_json(cls, data: dict | None) -> State:
        if not data or data.get("version") != ENGINE_VERSION:
            return cls()
        participants = Registry(sorted(set(data["in_conv"]) | set(data["base"])))
        statements = Registry(sorted(set(data["comps"]) | set(data["last_totals"])))
        in_conv = np.zeros(len(participants), dtype=bool)
        in_conv[[participants.index[p] for p in data["in_conv"]]] = True
        base = np.full(len(participants), -1, dtype=np.int64)
        for pid, cid in data["base"].items():
            base[participants.index[pid]] = int(cid)
        comps = np.zeros((len(statements), 2))
        for tid, value in data["comps"].items():
            comps[statements.index[tid]] = value
        totals = np.zeros((len(statements), 3), dtype=np.int64)
        for tid, value in data["last_totals"].items():
            totals[statements.index[tid]] = value
        return cls(
            participants=participants,
            statements=statements,
            in_conv=in_conv,
            base=base,
            comps=comps,
            last_totals=totals,
            groups={int(k): _group_arrays({int(b): int(g) for b, g in m.items()}) for k, m in data["groups"].items()},
            k_smoother=data["k_smoother"],
            updates=data["updates"],
        )
