"""One analysis update, as Pol.is's conversation update does it, plus what we add.

``update(data, state=...)`` takes the votes (a ``VoteMatrix``, or the
replay's ``LiveVotes``) and the state the previous update left, and returns
the analysis and the new state. The state is what Pol.is carries from one
update to the next: the sticky in-conv set, the components (warm start), the
base clusters and every group clustering by member id, the k-smoothing
history and the last group tallies (for priorities). Stored with each
snapshot, it makes a live conversation updated many times converge the way
Pol.is's did.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from worker.analysis import _kernels, bridging, contention, kmeans, pca, repness, stability
from worker.analysis.breakdown import breakdown
from worker.analysis.matrix import VoteMatrix

ENGINE_VERSION = 1


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


def _lookup(stored: tuple[np.ndarray, np.ndarray] | None, keys: np.ndarray) -> np.ndarray:
    """Group id of each base cluster id in ``keys`` (-1 where unknown)."""
    if stored is None or not len(stored[0]):
        return np.full(len(keys), -1, dtype=np.int64)
    bases, groups = stored
    at = np.minimum(np.searchsorted(bases, keys), len(bases) - 1)
    return np.where(bases[at] == keys, groups[at], -1)


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


@dataclass
class Core:
    """The Pol.is part of an update, in array form (row and column order of the data)."""

    active: np.ndarray
    meta: np.ndarray
    in_conv_rows: np.ndarray
    projection: pca.Projection
    group_ids: list[str]
    n_base: int
    silhouettes: dict[int, float]
    k: int
    labels: np.ndarray  # group index per participant row, -1 if none
    priority: np.ndarray


def _in_conv(previous: np.ndarray, counts: np.ndarray, m: int, params: Params) -> np.ndarray:
    """Sticky in-conv rows: voted on min(7, m) statements, topped up to 15 with the keenest voters."""
    threshold = min(params.in_conv_votes, m)
    member = previous | (counts >= threshold)
    if member.sum() < params.greedy_n:
        outside = np.flatnonzero(~member)
        keenest = outside[np.argsort(-counts[outside], kind="stable")]
        member[keenest[: params.greedy_n - int(member.sum())]] = True
    return np.flatnonzero(member & (counts > 0))


def smooth_k(smoother: dict, this_k: int, buffer: int) -> dict:
    """Pol.is's k smoothing: a new k replaces the current one after winning ``buffer`` updates in a row.

    The first update takes its winner at once.
    """
    count = smoother.get("last_k_count", 0) + 1 if smoother.get("last_k") == this_k else 1
    current = smoother.get("smoothed_k")
    smoothed = this_k if count >= buffer or current is None else current
    return {"last_k": this_k, "last_k_count": count, "smoothed_k": smoothed}


def _previous(cluster_ids: np.ndarray) -> kmeans.Clustering | None:
    """Stored cluster ids per point (-1: none) as a clustering to warm-start from."""
    present = cluster_ids >= 0
    if not present.any():
        return None
    ids, inverse = np.unique(cluster_ids[present], return_inverse=True)
    labels = np.full(len(cluster_ids), -1, dtype=np.int64)
    labels[present] = inverse
    return kmeans.Clustering(ids, np.zeros((len(ids), 2)), labels)


def core_update(
    data, *, mod_out: set[str], meta: set[str], state: State, params: Params, complete: bool = True
) -> tuple[Core, State]:
    """Everything an update carries forward: PCA, base clusters, groups, tallies, priorities.

    A replay's intermediate updates are not ``complete``: they place only the
    clustered participants and skip the tallies and priorities that only a
    described update (and the one before it) needs.
    """
    n, m = data.n, data.m
    statement_ids = data.statement_ids
    active, is_meta = data.flags(mod_out, meta)
    participants, statements = state.participants, state.statements
    prow = participants.positions(data.participant_ids)
    scol = statements.positions(statement_ids)
    counts = data.row_counts()
    in_conv_rows = _in_conv(_take(state.in_conv, prow, False), counts, m, params)

    # PCA, warm-started from the last components
    mu = np.where(active, data.column_means(), 0.0)
    gram = data.gram(mu, active)
    if params.pca_method == "polis" and gram is not None:
        # Pol.is starts from the last components, new statements entering with 1; a
        # component that was all zeros is no start at all (wrapped-pca): a random one
        previous = _take(state.comps, scol, 0.0).T
        starts = np.where(scol < len(state.comps), previous, 1.0)
        dead = ~previous.any(axis=1) | (not state.updates)
        if dead.any():
            starts[dead] = pca.random_start(m)[dead]
        comps = _kernels.polis_power_pca(
            np.ascontiguousarray(gram), np.ascontiguousarray(starts), params.pca_iterations
        )
        basis = None
    else:
        warm = None
        if state.updates:
            warm = _take(state.basis if state.basis is not None else state.comps, scol, 0.0).T
        operator = None if gram is not None else pca.gram_operator(data, mu, active)
        comps, basis = pca.components(m, gram=gram, operator=operator, warm=warm, with_basis=True)
    projection = pca.project(data, comps, mu, active, rows=None if complete else in_conv_rows)

    # base clusters over in-conv participants, then groups over base-cluster centers for each k
    width = max([len(bases) for bases, _ in state.groups.values()] or [1])
    stored_bases = np.full((params.max_k + 1, width), -1, dtype=np.int64)
    stored_groups = np.full((params.max_k + 1, width), -1, dtype=np.int64)
    stored_counts = np.zeros(params.max_k + 1, dtype=np.int64)
    for kk, (bases, group_of) in state.groups.items():
        if kk <= params.max_k:
            stored_bases[kk, : len(bases)] = bases
            stored_groups[kk, : len(bases)] = group_of
            stored_counts[kk] = len(bases)
    base_ids, base_centers, base_labels, group_ids, group_labels, scores = _kernels.clusters_update(
        np.ascontiguousarray(projection.participants[in_conv_rows]),
        _take(state.base, prow[in_conv_rows], -1),
        stored_bases,
        stored_groups,
        stored_counts,
        params.base_k,
        params.base_iters,
        params.max_k,
        params.group_iters,
        kmeans.CONVERGENCE_THRESHOLD,
    )
    base = kmeans.Clustering(base_ids, base_centers, base_labels)
    groups, silhouettes, clusterings = None, {}, {}
    smoother = dict(state.k_smoother)
    if len(base):
        for kk in range(2, len(scores)):
            ids = group_ids[kk][group_ids[kk] >= 0]
            clusterings[kk] = kmeans.Clustering(ids, base_centers[:0], group_labels[kk])
            silhouettes[kk] = float(scores[kk])
        this_k = max(silhouettes, key=lambda kk: (silhouettes[kk], kk))  # ties go to the larger k
        smoother = smooth_k(smoother, this_k, params.k_buffer)
        smoothed = smoother["smoothed_k"]
        groups = clusterings[smoothed if smoothed in clusterings else this_k]
    n_groups = len(groups) if groups is not None else 0

    # group label of every participant row (through its base cluster)
    labels = np.full(n, -1, dtype=np.int64)
    if n_groups:
        labels[in_conv_rows] = np.where(base.labels >= 0, groups.labels[np.maximum(base.labels, 0)], -1)

    # priorities from the last update's tallies (summed over groups); this update's for the next
    priority = None
    totals = np.zeros((m, 3), dtype=np.int64)
    if complete:
        last = _take(state.last_totals, scol, 0).astype(float)
        priority = repness.priorities(last[:, 0], last[:, 1], last[:, 2], projection.extremity, is_meta)
        totals = np.column_stack(data.masked_tallies(labels >= 0))

    in_conv = np.zeros(len(participants), dtype=bool)
    in_conv[prow[in_conv_rows]] = True
    base_ids = np.full(len(participants), -1, dtype=np.int64)
    if len(base):
        base_ids[prow[in_conv_rows]] = base.ids[base.labels]
    comps_by_statement = np.zeros((len(statements), 2))
    comps_by_statement[scol] = comps.T
    basis_by_statement = None
    if basis is not None:
        basis_by_statement = np.zeros((len(statements), basis.shape[1]))
        basis_by_statement[scol] = basis
    last_totals = np.zeros((len(statements), 3), dtype=np.int64)
    last_totals[scol] = totals
    new_state = State(
        participants=participants,
        statements=statements,
        in_conv=in_conv,
        base=base_ids,
        comps=comps_by_statement,
        last_totals=last_totals,
        groups={kk: (base.ids.copy(), clusters.ids[clusters.labels]) for kk, clusters in clusterings.items()},
        basis=basis_by_statement,
        k_smoother=smoother,
        updates=state.updates + 1,
    )
    core = Core(
        active=active,
        meta=is_meta,
        in_conv_rows=in_conv_rows,
        projection=projection,
        group_ids=[str(cid) for cid in groups.ids.tolist()] if n_groups else [],
        n_base=len(base),
        silhouettes=silhouettes,
        k=n_groups,
        labels=labels,
        priority=priority,
    )
    return core, new_state


def update(
    data: VoteMatrix,
    *,
    mod_out: set[str] = frozenset(),
    meta: set[str] = frozenset(),
    state: State | None = None,
    params: Params = DEFAULT_PARAMS,
    attributes: dict[str, dict[str, str]] | None = None,
    extras: bool = True,
    stability_report: dict | None = None,
) -> tuple[dict, State]:
    """A full update: the Pol.is outputs and, with ``extras``, contention, bridging and stability.

    Returns the analysis as a JSON-ready dict (ids are strings, no NaN or
    infinity) and the new state. ``attributes`` maps an attribute name
    ("stakeholder_group", "region") to {participant id: category} for breakdowns.
    ``stability_report`` is an earlier result's stability to keep instead of
    resampling again, if it describes the same groups (same ids); a fresh one
    says when it was computed and how long that took (``computed_at``, ``seconds``).
    """
    state = state or State()
    data = data.capped(params.max_participants, params.max_statements)
    core, new_state = core_update(data, mod_out=set(mod_out), meta=set(meta), state=state, params=params)
    result = describe(
        data,
        core,
        state=new_state,
        params=params,
        attributes=attributes,
        extras=extras,
        stability_report=stability_report,
    )
    return result, new_state


def describe(
    data: VoteMatrix,
    core: Core,
    *,
    state: State,
    params: Params,
    attributes: dict[str, dict[str, str]] | None,
    extras: bool,
    stability_report: dict | None = None,
) -> dict:
    """The analysis as plain data."""
    statement_ids, participant_ids = data.statement_ids, data.participant_ids
    excluded = ~core.active | core.meta
    agree, disagree, seen = data.tallies()
    group_ids = core.group_ids
    group_agree, group_disagree, group_seen = data.group_tallies(core.labels, core.k)

    stats = repness.group_stats(group_agree, group_disagree, group_seen)
    representative = [repness.select_representative(s, excluded) for s in stats]
    consensus = repness.majority_consensus(agree, disagree, seen, excluded)
    gac = repness.group_informed_consensus(group_agree, group_seen) if core.k else np.full(data.m, np.nan)
    split = contention.contention(agree, disagree, group_agree, group_disagree)

    bridging_scores = _bridging(data, core) if extras else np.full(data.m, np.nan)
    if not extras:
        stability_report = stability.empty()
    elif stability_report is None or sorted(stability_report.get("per_group") or {}) != sorted(group_ids):
        started = time.perf_counter()
        clustered = core.in_conv_rows[core.labels[core.in_conv_rows] >= 0]
        stability_report = stability.group_stability(
            data,
            core.active,
            clustered,
            core.labels[clustered],
            core.projection.comps,
            resamples=params.stability_resamples,
        )
        stability_report["per_group"] = {
            group_ids[g]: v for g, v in stability_report["per_group"].items() if g < len(group_ids)
        }
        stability_report["seconds"] = time.perf_counter() - started  # what it cost, for callers deciding to reuse it
        stability_report["computed_at"] = time.time()

    def sid(entry: dict) -> dict:
        entry = dict(entry)
        entry["statement"] = statement_ids[entry.pop("index")]
        return entry

    in_conv = np.zeros(data.n, dtype=bool)
    in_conv[core.in_conv_rows] = True
    xy = core.projection.participants
    statements = []
    for j, tid in enumerate(statement_ids):
        statements.append(
            {
                "id": tid,
                "x": core.projection.statements[j, 0],
                "y": core.projection.statements[j, 1],
                "extremity": core.projection.extremity[j],
                "priority": core.priority[j],
                "group_informed_consensus": gac[j],
                "bridging": bridging_scores[j],
                "contention": {
                    "score": split["score"][j],
                    "split": split["split"][j],
                    "group_divide": split["group_divide"][j],
                },
                "agree": int(agree[j]),
                "disagree": int(disagree[j]),
                "pass": int(seen[j] - agree[j] - disagree[j]),
                "votes": int(seen[j]),
                "moderated_out": bool(not core.active[j]),
                "meta": bool(core.meta[j]),
                "groups": {
                    group_ids[g]: {
                        "agree": int(group_agree[g, j]),
                        "disagree": int(group_disagree[g, j]),
                        "votes": int(group_seen[g, j]),
                    }
                    for g in range(len(group_ids))
                },
            }
        )
    order = [j for j in np.argsort(-np.nan_to_num(gac, nan=-1.0), kind="stable") if not excluded[j]]
    bridge_order = [
        j
        for j in np.argsort(-np.nan_to_num(bridging_scores, nan=-np.inf), kind="stable")
        if not excluded[j] and np.isfinite(bridging_scores[j]) and bridging_scores[j] > 0
    ]
    result = {
        "engine_version": ENGINE_VERSION,
        "counts": {
            "participants": data.n,
            "in_conv": len(core.in_conv_rows),
            "statements": data.m,
            "votes": int(seen.sum()),
            "base_clusters": core.n_base,
        },
        "k": core.k,
        "silhouettes": {str(kk): v for kk, v in core.silhouettes.items()},
        "participants": [
            {
                "id": pid,
                "x": xy[i, 0],
                "y": xy[i, 1],
                "group": group_ids[core.labels[i]] if core.labels[i] >= 0 else None,
                "in_conv": bool(in_conv[i]),
            }
            for i, pid in enumerate(participant_ids)
        ],
        "statements": statements,
        "groups": [
            {
                "id": group_ids[g],
                "size": int(np.count_nonzero(core.labels == g)),
                "center": _group_center(core, g),
                "representative": [sid(e) for e in representative[g]],
            }
            for g in range(len(group_ids))
        ],
        "consensus": {
            "agree": [sid(e) for e in consensus["agree"]],
            "disagree": [sid(e) for e in consensus["disagree"]],
            "group_informed": [{"statement": statement_ids[j], "value": gac[j]} for j in order[:5] if core.k],
            "bridging": [{"statement": statement_ids[j], "value": bridging_scores[j]} for j in bridge_order[:5]],
        },
        "contention": [
            {
                "statement": statement_ids[j],
                "score": split["score"][j],
                "split": split["split"][j],
                "group_divide": split["group_divide"][j],
            }
            for j in contention.ranked(split["score"], excluded)
        ],
        "stability": stability_report,
        "updates": state.updates,
    }
    if attributes:
        result["breakdowns"] = {name: breakdown(data, labels) for name, labels in attributes.items()}
    return clean(result)


def _group_center(core: Core, g: int) -> list[float]:
    members = np.flatnonzero(core.labels == g)
    if not len(members):
        return [0.0, 0.0]
    return [float(v) for v in core.projection.participants[members].mean(axis=0)]


def _bridging(data: VoteMatrix, core: Core) -> np.ndarray:
    values = data.values.tocoo()
    decided = values.data != 0
    rows, cols = values.row[decided], values.col[decided]
    active = core.active[cols]
    rows, cols = rows[active], cols[active]
    ratings = (values.data[decided][active] > 0).astype(float)
    if len(ratings) == 0:
        return np.full(data.m, np.nan)
    fit = bridging.fit(
        rows,
        cols,
        ratings,
        data.n,
        data.m,
        participant_start=core.projection.participants[:, 0],
        statement_start=core.projection.comps[0],
    )
    return np.where(core.active, fit.statement_intercept, np.nan)


def clean(value):
    """JSON-ready: numpy scalars to Python, NaN and infinity to None."""
    if isinstance(value, dict):
        return {str(k): clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [clean(v) for v in value]
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        value = float(value)
        return value if np.isfinite(value) else None
    if isinstance(value, np.bool_):
        return bool(value)
    return value
