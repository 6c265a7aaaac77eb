"""The Pol.is part of an update: in-conv participants, PCA, base clusters, groups, k smoothing, priorities.

``core_update`` returns it in array form (``Core``) with the new ``State``;
``worker.analysis.describe`` turns it into the typed result.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from worker.analysis import _kernels, kmeans, pca, repness
from worker.analysis.state import Params, State, _take


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
