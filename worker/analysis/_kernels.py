"""Compiled inner loops (numba) for the work every update repeats.

A replay runs tens of thousands of updates; in plain numpy each small step
(a k-means step over a hundred base clusters, a pass over the votes) costs
more in call overhead than in arithmetic. These kernels do the same
arithmetic as the numpy code they replace, loop for loop, and are cached on
disk after their first compilation.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

# Above this many points x centers, nearest-center search uses both cores.
PARALLEL_CELLS = 50_000


@njit(cache=True)
def _nearest_serial(points, centers, labels):
    for i in range(points.shape[0]):
        best, best_d = 0, np.inf
        for j in range(centers.shape[0]):
            dx, dy = points[i, 0] - centers[j, 0], points[i, 1] - centers[j, 1]
            d = dx * dx + dy * dy
            if d < best_d:
                best, best_d = j, d
        labels[i] = best


@njit(cache=True, parallel=True)
def _nearest_parallel(points, centers, labels):
    for i in prange(points.shape[0]):
        best, best_d = 0, np.inf
        for j in range(centers.shape[0]):
            dx, dy = points[i, 0] - centers[j, 0], points[i, 1] - centers[j, 1]
            d = dx * dx + dy * dy
            if d < best_d:
                best, best_d = j, d
        labels[i] = best


@njit(cache=True)
def _assign(points, weights, centers):
    """Each point's nearest center (the first on ties), and the clusters' weighted sums."""
    n, c = points.shape[0], centers.shape[0]
    labels = np.empty(n, dtype=np.int64)
    if n * c > PARALLEL_CELLS:
        _nearest_parallel(points, centers, labels)
    else:
        _nearest_serial(points, centers, labels)
    sums = np.zeros((c, 2))
    totals = np.zeros(c)
    counts = np.zeros(c, dtype=np.int64)
    for i in range(n):
        best = labels[i]
        w = weights[i]
        sums[best, 0] += w * points[i, 0]
        sums[best, 1] += w * points[i, 1]
        totals[best] += w
        counts[best] += 1
    return labels, sums, totals, counts


@njit(cache=True)
def _lex_order(centers):
    order = np.argsort(centers[:, 1], kind="mergesort")
    return order[np.argsort(centers[order, 0], kind="mergesort")]


@njit(cache=True)
def _same(a, b, threshold):
    oa, ob = _lex_order(a), _lex_order(b)
    size = min(a.shape[0], b.shape[0])
    for i in range(size):
        dx = a[oa[i], 0] - b[ob[i], 0]
        dy = a[oa[i], 1] - b[ob[i], 1]
        if np.sqrt(dx * dx + dy * dy) >= threshold:
            return False
    return True


@njit(cache=True)
def kmeans_iterate(points, weights, centers, ids, max_iters, threshold):
    """Pol.is k-means steps from ``centers`` until no center moves by ``threshold`` (or max_iters)."""
    iterations = max_iters
    while True:
        labels, sums, totals, counts = _assign(points, weights, centers)
        keep = (counts > 0) & (totals > 0)
        position = np.cumsum(keep.astype(np.int64)) - 1
        kept = np.flatnonzero(keep)
        new_centers = np.empty((kept.shape[0], 2))
        for p in range(kept.shape[0]):
            j = kept[p]
            new_centers[p, 0] = sums[j, 0] / totals[j]
            new_centers[p, 1] = sums[j, 1] / totals[j]
        new_ids = ids[kept]
        for i in range(labels.shape[0]):
            labels[i] = position[labels[i]]
        if iterations == 0 or _same(centers, new_centers, threshold):
            return new_ids, new_centers, labels
        centers, ids = new_centers, new_ids
        iterations -= 1


@njit(cache=True)
def silhouette(distances, labels, g):
    """Mean Pol.is silhouette (a member alone in its cluster scores 0); -1 with fewer than two clusters."""
    n = labels.shape[0]
    sizes = np.zeros(g)
    for i in range(n):
        sizes[labels[i]] += 1
    if np.count_nonzero(sizes) < 2:
        return -1.0
    total = 0.0
    sums = np.zeros(g)
    for i in range(n):
        own = labels[i]
        if sizes[own] <= 1:
            continue
        sums[:] = 0.0
        for j in range(n):
            sums[labels[j]] += distances[i, j]
        a = sums[own] / (sizes[own] - 1)
        b = np.inf
        for h in range(g):
            if h != own and sizes[h] > 0:
                b = min(b, sums[h] / sizes[h])
        top = max(a, b)
        if top > 0:
            total += (b - a) / top
    return total / n


@njit(cache=True)
def _recenter(points, weights, labels, c):
    sums = np.zeros((c, 2))
    totals = np.zeros(c)
    for i in range(points.shape[0]):
        j = labels[i]
        if j >= 0:
            w = weights[i]
            sums[j, 0] += w * points[i, 0]
            sums[j, 1] += w * points[i, 1]
            totals[j] += w
    return sums, totals


@njit(cache=True)
def _drop_empty(ids, sums, totals, labels):
    """Clusters without weight disappear; returns (ids, centers, labels)."""
    keep = totals > 0
    position = np.cumsum(keep.astype(np.int64)) - 1
    kept = np.flatnonzero(keep)
    centers = np.empty((kept.shape[0], 2))
    for p in range(kept.shape[0]):
        centers[p, 0] = sums[kept[p], 0] / totals[kept[p]]
        centers[p, 1] = sums[kept[p], 1] / totals[kept[p]]
    new_labels = labels.copy()
    for i in range(labels.shape[0]):
        if labels[i] >= 0:
            new_labels[i] = position[labels[i]] if keep[labels[i]] else -1
    return ids[kept], centers, new_labels


@njit(cache=True)
def _distinct_points(points):
    order = _lex_order(points)
    count = 0
    for p in range(order.shape[0]):
        i = order[p]
        if p == 0 or points[i, 0] != points[order[p - 1], 0] or points[i, 1] != points[order[p - 1], 1]:
            count += 1
    return count


@njit(cache=True)
def clean_start(points, weights, labels, ids, k):
    """Pol.is's warm start from previous clusters (labels over the current points; -1: new point).

    Recentre on the members still present, merge clusters on the same spot,
    then, while there are fewer clusters than k (and than distinct points),
    split off the point farthest from every center as a cluster of its own.
    """
    n = points.shape[0]
    next_id = ids.max() + 1 if ids.shape[0] else 0
    sums, totals = _recenter(points, weights, labels, ids.shape[0])
    ids, centers, labels = _drop_empty(ids, sums, totals, labels)
    if ids.shape[0] == 0:  # nobody left: one cluster of everyone
        all_labels = np.zeros(n, dtype=np.int64)
        sums, totals = _recenter(points, weights, all_labels, 1)
        return np.array([next_id], dtype=np.int64), sums / totals[0], all_labels
    # merge clusters whose centers coincide (the larger one's id; ties to the later)
    c = ids.shape[0]
    target = np.arange(c)
    sizes = np.zeros(c, dtype=np.int64)
    for i in range(n):
        if labels[i] >= 0:
            sizes[labels[i]] += 1
    merged = False
    for a in range(c):
        for b in range(a):
            if target[b] == b and centers[a, 0] == centers[b, 0] and centers[a, 1] == centers[b, 1]:
                target[a] = b
                if sizes[b] <= sizes[a]:
                    ids[b] = ids[a]
                sizes[b] += sizes[a]
                merged = True
                break
    if merged:
        for i in range(n):
            if labels[i] >= 0:
                labels[i] = target[labels[i]]
        sums, totals = _recenter(points, weights, labels, c)
        for a in range(c):
            if target[a] != a:
                totals[a] = 0.0
        ids, centers, labels = _drop_empty(ids, sums, totals, labels)
    if ids.shape[0] >= k:
        return ids, centers, labels
    possible = min(k, _distinct_points(points))
    while ids.shape[0] < possible:
        best, best_d = -1, -1.0
        for i in range(n):
            nearest = np.inf
            for j in range(centers.shape[0]):
                dx, dy = points[i, 0] - centers[j, 0], points[i, 1] - centers[j, 1]
                nearest = min(nearest, np.sqrt(dx * dx + dy * dy))
            if nearest >= best_d:  # the last of equally distal points, as Clojure's max-key
                best, best_d = i, nearest
        if best_d <= 0:
            break
        c = ids.shape[0]
        new_ids = np.empty(c + 1, dtype=np.int64)
        new_ids[:c] = ids
        new_ids[c] = ids.max() + 1
        labels[best] = c
        sums, totals = _recenter(points, weights, labels, c + 1)
        ids, centers, labels = _drop_empty(new_ids, sums, totals, labels)
    return ids, centers, labels


@njit(cache=True)
def distance_matrix(points):
    n = points.shape[0]
    result = np.zeros((n, n))
    for i in range(n):
        for j in range(i):
            dx, dy = points[i, 0] - points[j, 0], points[i, 1] - points[j, 1]
            result[i, j] = result[j, i] = np.sqrt(dx * dx + dy * dy)
    return result


@njit(cache=True)
def group_clusterings(
    centers, sizes, base_ids, stored_bases, stored_groups, stored_counts, max_k, max_iters, threshold
):
    """Pol.is's group k-means over base-cluster centers for k = 2..max_k, with silhouettes.

    ``stored_bases[k, :stored_counts[k]]`` (sorted) and ``stored_groups[k]`` are
    the previous clustering for k: each base cluster id's group id. Returns per
    k the group ids sorted (padded with -1), each base cluster's position in
    them, and the silhouette.
    """
    c = centers.shape[0]
    distances = distance_matrix(centers)
    out_ids = np.full((max_k + 1, max_k + 1), -1, dtype=np.int64)
    out_labels = np.full((max_k + 1, c), -1, dtype=np.int64)
    scores = np.full(max_k + 1, -np.inf)
    for k in range(2, max_k + 1):
        count = stored_counts[k]
        previous = np.full(c, -1, dtype=np.int64)
        if count > 0:
            bases = stored_bases[k, :count]
            for i in range(c):
                at = np.searchsorted(bases, base_ids[i])
                if at < count and bases[at] == base_ids[i]:
                    previous[i] = stored_groups[k, at]
        prev_ids, prev_labels = previous_clustering(previous)
        if prev_ids.shape[0] > 0:
            ids, start, labels = clean_start(centers, sizes, prev_labels, prev_ids, k)
        else:
            order = _lex_order(centers)
            first = np.full(c, c, dtype=np.int64)
            for p in range(c):  # first row of each distinct point
                i = order[p]
                if p == 0 or centers[i, 0] != centers[order[p - 1], 0] or centers[i, 1] != centers[order[p - 1], 1]:
                    first[i] = i
            seeds = np.sort(first)
            n_seeds = min(k, int((seeds < c).sum()))
            start = np.empty((n_seeds, 2))
            for s in range(n_seeds):
                start[s] = centers[seeds[s]]
            ids = np.arange(n_seeds)
        ids, _final, labels = kmeans_iterate(centers, sizes, start, ids, max_iters, threshold)
        scores[k] = silhouette(distances, labels, ids.shape[0])
        ids, _order, labels = sort_by_id(ids, labels)
        out_ids[k, : ids.shape[0]] = ids
        out_labels[k] = labels
    return out_ids, out_labels, scores


@njit(cache=True)
def orthonormalize(a):
    """Orthonormal columns spanning ``a``'s (modified Gram-Schmidt); dependent columns become zero."""
    q = a.copy()
    m, p = q.shape
    for j in range(p):
        for i in range(j):
            dot = 0.0
            for r in range(m):
                dot += q[r, i] * q[r, j]
            for r in range(m):
                q[r, j] -= dot * q[r, i]
        norm = 0.0
        for r in range(m):
            norm += q[r, j] * q[r, j]
        norm = np.sqrt(norm)
        if norm > 1e-12:
            for r in range(m):
                q[r, j] /= norm
        else:
            for r in range(m):
                q[r, j] = 0.0
    return q


@njit(cache=True)
def block_power(gram, basis, iterations):
    """``iterations`` steps of block power iteration with re-orthonormalisation."""
    for _ in range(iterations):
        basis = orthonormalize(np.ascontiguousarray(gram @ basis))
    return basis


@njit(cache=True)
def _top_ritz(basis, product, k):
    """The top-k Ritz vectors of the block ``basis`` given ``product`` = gram @ basis."""
    small = basis.T @ product
    small = (small + small.T) / 2
    values, vectors = np.linalg.eigh(small)
    order = np.argsort(values)[::-1][:k]
    return np.ascontiguousarray(basis @ vectors[:, order])


@njit(cache=True)
def block_power_converged(gram, basis, max_iterations, tolerance, k):
    """Block power iteration until the top-k Ritz vectors move less than ``tolerance``."""
    product = np.ascontiguousarray(gram @ basis)
    top = _top_ritz(basis, product, k)
    for _ in range(max_iterations):
        basis = orthonormalize(product)
        product = np.ascontiguousarray(gram @ basis)
        ritz = _top_ritz(basis, product, k)
        moved = ritz - top @ (top.T @ ritz)
        top = ritz
        if np.sqrt((moved * moved).sum()) < tolerance:
            break
    return basis


@njit(cache=True)
def polis_power_pca(gram, starts, iterations):
    """Pol.is's PCA (pca.clj): per component, power iteration on X^T X from a start vector,
    at most ``iterations`` + 1 products, stopping early when the eigenvalue repeats
    exactly; then the component is factored out of the data before the next
    (X' = X (I - v v^T), applied implicitly: X'^T X' w = P G P w)."""
    m = gram.shape[0]
    n_comps = starts.shape[0]
    comps = np.zeros((n_comps, m))
    for c in range(n_comps):
        v = starts[c].copy()
        last = 0.0
        remaining = iterations
        while True:
            w = v.copy()
            for d in range(c):  # project out the earlier components
                w -= (comps[d] @ w) * comps[d]
            product = gram @ w
            for d in range(c - 1, -1, -1):
                product -= (comps[d] @ product) * comps[d]
            eigval = np.sqrt((product * product).sum())
            if eigval == 0.0:
                v = np.zeros(m)
                break
            new = product / eigval
            # Pol.is stops when the eigenvalue repeats exactly; a vector that no longer
            # moves beyond rounding is the same fixed point, reached without the extra laps
            still = np.abs(new - v).max() < 1e-13
            v = new
            if remaining == 0 or eigval == last or still:
                break
            last = eigval
            remaining -= 1
        comps[c] = v
    return comps


@njit(cache=True)
def covote_gram(n_both, products, sums, mu, active):
    """X^T X = S - A mu^T - mu A^T + N mu mu^T over active columns (pca.CoVoteStats), in one pass."""
    m = mu.shape[0]
    gram = np.zeros((m, m))
    for i in range(m):
        if not active[i]:
            continue
        for j in range(m):
            if active[j]:
                gram[i, j] = products[i, j] - sums[i, j] * mu[j] - sums[j, i] * mu[i] + n_both[i, j] * mu[i] * mu[j]
    return gram


@njit(cache=True)
def previous_clustering(stored):
    """Stored cluster ids per point (-1: none) -> (sorted distinct ids, position of each point's id)."""
    present = stored[stored >= 0]
    ids = np.unique(present)
    labels = np.full(stored.shape[0], -1, dtype=np.int64)
    for i in range(stored.shape[0]):
        if stored[i] >= 0:
            labels[i] = np.searchsorted(ids, stored[i])
    return ids, labels


@njit(cache=True)
def sort_by_id(ids, labels):
    order = np.argsort(ids)
    position = np.empty(order.shape[0], dtype=np.int64)
    for p in range(order.shape[0]):
        position[order[p]] = p
    new_labels = labels.copy()
    for i in range(labels.shape[0]):
        if labels[i] >= 0:
            new_labels[i] = position[labels[i]]
    return ids[order], order, new_labels


@njit(cache=True)
def base_clustering(points, stored, k, max_iters, threshold):
    """Base clusters: warm-started from stored ids per point (-1: new) or seeded fresh; sorted by id."""
    n = points.shape[0]
    weights = np.ones(n)
    ids, labels = previous_clustering(stored)
    if ids.shape[0] > 0:
        ids, start, labels = clean_start(points, weights, labels, ids, k)
    else:
        order = _lex_order(points)
        first = np.full(n, n, dtype=np.int64)
        for p in range(n):
            i = order[p]
            if p == 0 or points[i, 0] != points[order[p - 1], 0] or points[i, 1] != points[order[p - 1], 1]:
                first[i] = i
        seeds = np.sort(first)
        count = min(k, int((seeds < n).sum()))
        start = np.empty((count, 2))
        for s in range(count):
            start[s] = points[seeds[s]]
        ids = np.arange(count)
    ids, centers, labels = kmeans_iterate(points, weights, start, ids, max_iters, threshold)
    ids, order, labels = sort_by_id(ids, labels)
    return ids, centers[order], labels


@njit(cache=True, parallel=True)
def table_projection(cells, row_cols, row_len, n, rows, mu, v, active):
    """From the vote table (0: none, else vote + 2) and each row's voted columns in ascending
    order: sum over voted j of (r_ij - mu_j) v_j per participant, summed in column order as
    Pol.is does (identical voters get bitwise identical sums), and votes on active columns."""
    raw = np.zeros((n, 2))
    active_votes = np.zeros(n)
    for r in prange(rows.shape[0]):
        i = rows[r]
        x0 = 0.0
        x1 = 0.0
        count = 0.0
        for k in range(row_len[i]):
            j = row_cols[i, k]
            x = (cells[i, j] - 2) - mu[j]
            x0 += x * v[j, 0]
            x1 += x * v[j, 1]
            if active[j]:
                count += 1.0
        raw[i, 0] = x0
        raw[i, 1] = x1
        active_votes[i] = count
    return raw, active_votes


@njit(cache=True)
def table_tallies(cells, row_cols, row_len, n, m, mask):
    """Agrees, disagrees and votes per column over rows where ``mask``."""
    agree = np.zeros(m, dtype=np.int64)
    disagree = np.zeros(m, dtype=np.int64)
    seen = np.zeros(m, dtype=np.int64)
    for i in range(n):
        if mask[i]:
            for k in range(row_len[i]):
                j = row_cols[i, k]
                cell = cells[i, j]
                seen[j] += 1
                if cell == 3:
                    agree[j] += 1
                elif cell == 1:
                    disagree[j] += 1
    return agree, disagree, seen


@njit(cache=True)
def _covote_row(cells, row_cols, row_len, row, n_both, products, sums, sign):
    length = row_len[row]
    for a in range(length):
        i = row_cols[row, a]
        vi = cells[row, i] - 2
        for b in range(length):
            j = row_cols[row, b]
            vj = cells[row, j] - 2
            n_both[i, j] += sign
            products[i, j] += sign * vi * vj
            sums[i, j] += sign * vi


@njit(cache=True)
def apply_votes(cells, row_cols, row_len, row_counts, col_counts, col_sums, n_both, products, sums, rows, cols, values):
    """Record votes in the replay's table (pca.CoVoteStats kept in step); a later vote replaces an earlier one."""
    for e in range(rows.shape[0]):
        row, col, value = rows[e], cols[e], values[e]
        old = cells[row, col]
        if old == value + 2:
            continue
        _covote_row(cells, row_cols, row_len, row, n_both, products, sums, -1.0)
        if old == 0:
            row_counts[row] += 1
            col_counts[col] += 1
            length = row_len[row]
            at = length
            while at > 0 and row_cols[row, at - 1] > col:  # keep the row's columns ascending
                row_cols[row, at] = row_cols[row, at - 1]
                at -= 1
            row_cols[row, at] = col
            row_len[row] = length + 1
            col_sums[col] += value
        else:
            col_sums[col] += value - (old - 2)
        cells[row, col] = value + 2
        _covote_row(cells, row_cols, row_len, row, n_both, products, sums, 1.0)


@njit(cache=True)
def clusters_update(
    points,
    stored_base,
    stored_bases,
    stored_groups,
    stored_counts,
    base_k,
    base_iters,
    max_max_k,
    group_iters,
    threshold,
):
    """Base clusters, then group clusterings for k = 2..min(max_max_k, 2 + bases // 12), in one call."""
    base_ids, base_centers, base_labels = base_clustering(points, stored_base, base_k, base_iters, threshold)
    c = base_ids.shape[0]
    max_k = min(max_max_k, 2 + c // 12)
    sizes = np.zeros(c)
    for i in range(base_labels.shape[0]):
        if base_labels[i] >= 0:
            sizes[base_labels[i]] += 1.0
    if c == 0:
        empty = np.full((max_k + 1, max_k + 1), -1, dtype=np.int64)
        return (
            base_ids,
            base_centers,
            base_labels,
            empty,
            np.full((max_k + 1, 0), -1, dtype=np.int64),
            np.full(max_k + 1, -np.inf),
        )
    group_ids, group_labels, scores = group_clusterings(
        base_centers, sizes, base_ids, stored_bases, stored_groups, stored_counts, max_k, group_iters, threshold
    )
    return base_ids, base_centers, base_labels, group_ids, group_labels, scores


@njit(cache=True)
def _ridge(index, target_base, offsets, other, size, lambda_intercept, lambda_factor):
    """Per entity: ridge regression of (target_base - offsets[other side]) on [1, factor] (2 x 2 normal equations).

    ``offsets`` and ``other`` are indexed through the entries' other side, already gathered by the caller
    as arrays (see bridging_step). Sums in entry order, as np.bincount adds: the same numbers.
    """
    count = np.zeros(size)
    s_f = np.zeros(size)
    s_ff = np.zeros(size)
    s_t = np.zeros(size)
    s_tf = np.zeros(size)
    for i in range(index.shape[0]):
        j = index[i]
        o = other[i]
        t = target_base[i] - offsets[i]
        count[j] += 1.0
        s_f[j] += o
        s_ff[j] += o * o
        s_t[j] += t
        s_tf[j] += t * o
    intercept = np.empty(size)
    factor = np.empty(size)
    for j in range(size):
        a11 = count[j] + lambda_intercept
        a12 = s_f[j]
        a22 = s_ff[j] + lambda_factor
        det = a11 * a22 - a12 * a12
        intercept[j] = (a22 * s_t[j] - a12 * s_tf[j]) / det
        factor[j] = (a11 * s_tf[j] - a12 * s_t[j]) / det
    return intercept, factor


@njit(cache=True)
def bridging_step(rows, cols, y, mu, bs, fs, n, m, lambda_intercept, lambda_factor):
    """One alternating-least-squares sweep of worker.analysis.bridging.fit, operation for operation.

    Returns the participants' intercepts and factors, the statements' and the residual of every rating.
    """
    k = y.shape[0]
    base = np.empty(k)
    offsets = np.empty(k)
    other = np.empty(k)
    for i in range(k):
        base[i] = y[i] - mu
        offsets[i] = bs[cols[i]]
        other[i] = fs[cols[i]]
    bu, fu = _ridge(rows, base, offsets, other, n, lambda_intercept, lambda_factor)
    for i in range(k):
        offsets[i] = bu[rows[i]]
        other[i] = fu[rows[i]]
    bs_new, fs_new = _ridge(cols, base, offsets, other, m, lambda_intercept, lambda_factor)
    residual = np.empty(k)
    for i in range(k):
        r, c = rows[i], cols[i]
        residual[i] = ((y[i] - bu[r]) - bs_new[c]) - fu[r] * fs_new[c]
    return bu, fu, bs_new, fs_new, residual
