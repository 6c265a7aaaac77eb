"""Stability: how reproducible the opinion groups are.

Beyond Pol.is. The participants who are clustered are resampled with
replacement (a bootstrap; at most ``MAX_SAMPLE`` draws, an m-out-of-n
bootstrap for very large conversations), and on each resample the pipeline
that shapes the groups is run again: column means and the two components
(warm-started from the real ones), the projection, and k-means with the same
number of groups. Every clustered participant is then assigned to the nearest
resampled group, and the agreement with the real grouping is measured by the
adjusted Rand index (1 = identical, 0 = chance level).

Reported with the groups: the mean and the lowest ARI over the resamples, a
per-group figure (the mean best Jaccard overlap of the group with a resampled
group) and a plain-words label: "high" (mean ARI >= 0.8), "moderate"
(>= 0.5) or "low", so facilitators know how far to trust the groups.
"""

from __future__ import annotations

import numpy as np
from sklearn.cluster import KMeans
from sklearn.metrics import adjusted_rand_score
from threadpoolctl import threadpool_limits

from worker.analysis import pca
from worker.analysis.matrix import VoteMatrix

RESAMPLES = 20
MAX_SAMPLE = 10_000
# A resample's components start from the full data's and settle within a few block iterations
# (at 20,000 x 500, 3, 5 and 10 give the same stability to four decimals; each costs ~70 ms).
PCA_ITERATIONS = 5


def empty() -> dict:
    """The report when there is nothing to resample (fewer than two groups)."""
    return {"method": "bootstrap", "resamples": 0, "ari_mean": None, "ari_min": None, "per_group": {}, "label": None}


def label(ari: float | None) -> str | None:
    if ari is None:
        return None
    return "high" if ari >= 0.8 else "moderate" if ari >= 0.5 else "low"


def group_stability(
    matrix: VoteMatrix,
    active: np.ndarray,
    rows: np.ndarray,
    labels: np.ndarray,
    comps: np.ndarray,
    *,
    resamples: int = RESAMPLES,
    seed: int = 0,
) -> dict:
    """``rows`` are the clustered participants, ``labels`` their group (0..k-1)."""
    k = len(np.unique(labels)) if len(labels) else 0
    if k < 2 or len(rows) < 2 * k or not np.any(comps) or resamples < 1:
        return empty()
    clustered = matrix.subset_rows(rows)
    rng = np.random.default_rng(seed)
    scores: list[float] = []
    overlaps = np.zeros(k)
    for b in range(resamples):
        draw = rng.choice(len(rows), size=min(len(rows), MAX_SAMPLE), replace=True)
        picked, multiplicity = np.unique(draw, return_counts=True)
        sample = clustered.subset_rows(picked)
        weights = multiplicity.astype(float)
        voted = sample.voted()
        counts = weights @ voted
        sums = weights @ sample.values
        mu = np.where(active, np.divide(sums, counts, out=np.zeros(sample.m), where=counts > 0), 0.0)
        operator = pca.gram_operator(sample, mu, active, row_weights=weights)
        comps_b = pca.components(sample.m, operator=operator, warm=comps, max_iterations=PCA_ITERATIONS, tolerance=None)
        positions = pca.project(clustered, comps_b, mu, active).participants
        # two-dimensional points, a few thousand: OpenMP threads only wait on each other here (badly so
        # on a busy machine, where a barrier waits for a descheduled thread), one is faster
        with threadpool_limits(1, user_api="openmp"):
            model = KMeans(n_clusters=k, n_init=3, random_state=b).fit(positions[picked], sample_weight=weights)
            resampled = model.predict(positions)
        scores.append(adjusted_rand_score(labels, resampled))
        for g in range(k):
            in_g = labels == g
            best = 0.0
            for h in range(k):
                in_h = resampled == h
                union = np.count_nonzero(in_g | in_h)
                best = max(best, np.count_nonzero(in_g & in_h) / union if union else 0.0)
            overlaps[g] += best
    mean = float(np.mean(scores))
    return {
        "method": "bootstrap",
        "resamples": resamples,
        "ari_mean": mean,
        "ari_min": float(np.min(scores)),
        "per_group": {g: float(overlaps[g] / resamples) for g in range(k)},
        "label": label(mean),
    }
