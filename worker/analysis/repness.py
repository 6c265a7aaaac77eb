"""Per-group statistics: representative statements, majority consensus,
group-informed consensus and the priority of each statement.

POLIS_MATH.md, "Representative statements", "Majority consensus",
"Group-informed consensus" and "Choosing the next statement to show"; the
selection rules follow Pol.is's repness.clj exactly, including its order of
evaluation. Counts: A agrees, D disagrees, S all votes (passes included).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

Z_90 = 1.2816
META_PRIORITY = 7.0
MAX_REPRESENTATIVE = 5
MAX_CONSENSUS = 5


def prop_test(successes: np.ndarray, n: np.ndarray) -> np.ndarray:
    """One-proportion test with +1 smoothing: 2 sqrt(n + 1) ((s + 1)/(n + 1) - 0.5)."""
    s1, n1 = successes + 1.0, n + 1.0
    return 2.0 * np.sqrt(n1) * (s1 / n1 - 0.5)


def two_prop_test(succ_in: np.ndarray, succ_out: np.ndarray, pop_in: np.ndarray, pop_out: np.ndarray) -> np.ndarray:
    """Two-proportion z with +1 on all four counts; 0 where the pooled proportion is 1."""
    s1, s2, n1, n2 = succ_in + 1.0, succ_out + 1.0, pop_in + 1.0, pop_out + 1.0
    p1, p2 = s1 / n1, s2 / n2
    pooled = (s1 + s2) / (n1 + n2)
    denominator = np.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (p1 - p2) / denominator
    return np.where(pooled == 1, 0.0, z)


@dataclass
class GroupStats:
    """Arrays over statements for one group against all other groups pooled."""

    na: np.ndarray
    nd: np.ndarray
    ns: np.ndarray
    pa: np.ndarray
    pd: np.ndarray
    pat: np.ndarray
    pdt: np.ndarray
    ra: np.ndarray
    rd: np.ndarray
    rat: np.ndarray
    rdt: np.ndarray


def group_stats(agree: np.ndarray, disagree: np.ndarray, seen: np.ndarray) -> list[GroupStats]:
    """From per-group tallies (groups x statements) to each group's repness statistics."""
    result = []
    total_a, total_d, total_s = agree.sum(axis=0), disagree.sum(axis=0), seen.sum(axis=0)
    for g in range(agree.shape[0]):
        na, nd, ns = agree[g].astype(float), disagree[g].astype(float), seen[g].astype(float)
        rest_a, rest_d, rest_s = total_a - na, total_d - nd, total_s - ns
        pa, pd = (na + 1) / (ns + 2), (nd + 1) / (ns + 2)
        result.append(
            GroupStats(
                na=na,
                nd=nd,
                ns=ns,
                pa=pa,
                pd=pd,
                pat=prop_test(na, ns),
                pdt=prop_test(nd, ns),
                ra=pa / ((rest_a + 1) / (rest_s + 2)),
                rd=pd / ((rest_d + 1) / (rest_s + 2)),
                rat=two_prop_test(na, rest_a, ns, rest_s),
                rdt=two_prop_test(nd, rest_d, ns, rest_s),
            )
        )
    return result


def _finalize(stats: GroupStats, j: int) -> dict:
    agree = stats.rat[j] > stats.rdt[j]
    return {
        "index": j,
        "repful_for": "agree" if agree else "disagree",
        "n_success": int(stats.na[j] if agree else stats.nd[j]),
        "n_trials": int(stats.ns[j]),
        "p_success": float(stats.pa[j] if agree else stats.pd[j]),
        "p_test": float(stats.pat[j] if agree else stats.pdt[j]),
        "repness": float(stats.ra[j] if agree else stats.rd[j]),
        "repness_test": float(stats.rat[j] if agree else stats.rdt[j]),
    }


def _metric(entry: dict) -> float:
    return entry["repness"] * entry["repness_test"] * entry["p_success"] * entry["p_test"]


def _beats_best_agree(stats: GroupStats, j: int, best: int | None) -> bool:
    na, nd = stats.na[j], stats.nd[j]
    if na == 0 and nd == 0:
        return False
    if best is not None and stats.ra[best] > 1.0:
        return bool(
            stats.ra[j] * stats.rat[j] * stats.pa[j] * stats.pat[j]
            > stats.ra[best] * stats.rat[best] * stats.pa[best] * stats.pat[best]
        )
    if best is not None:
        return bool(stats.pa[j] * stats.pat[j] > stats.pa[best] * stats.pat[best])
    return bool(stats.pat[j] > Z_90 or (stats.ra[j] > 1.0 and stats.pa[j] > 0.5))


def select_representative(stats: GroupStats, excluded: np.ndarray) -> list[dict]:
    """Up to five statements that set the group apart, agrees before disagrees (repness.clj)."""
    sufficient: list[dict] = []
    best: dict | None = None
    best_agree: int | None = None
    for j in range(len(stats.na)):
        if excluded[j]:
            continue
        passes = (stats.rat[j] > Z_90 and stats.pat[j] > Z_90) or (stats.rdt[j] > Z_90 and stats.pdt[j] > Z_90)
        if passes:
            sufficient.append(_finalize(stats, j))
        if not sufficient and (best is None or max(stats.rat[j], stats.rdt[j]) > best["repness_test"]):
            best = _finalize(stats, j)
        if _beats_best_agree(stats, j, best_agree):
            best_agree = j
    head = None
    if best_agree is not None:
        head = {**_finalize(stats, best_agree), "n_agree": int(stats.na[best_agree]), "best_agree": True}
    if not sufficient:
        return [head] if head else ([best] if best else [])
    rest = [e for e in sufficient if head is None or e["index"] != head["index"]]
    rest.sort(key=lambda e: -_metric(e))  # stable, like Clojure's sort-by
    chosen = ([head] if head else []) + rest
    chosen = chosen[:MAX_REPRESENTATIVE]
    return [e for e in chosen if e["repful_for"] == "agree"] + [e for e in chosen if e["repful_for"] == "disagree"]


def majority_consensus(agree: np.ndarray, disagree: np.ndarray, seen: np.ndarray, excluded: np.ndarray) -> dict:
    """Statements most participants agree (or disagree) with: p > 0.5 and significant, top five by p * z."""
    na, nd, ns = agree.astype(float), disagree.astype(float), seen.astype(float)
    pa, pd = (na + 1) / (ns + 2), (nd + 1) / (ns + 2)
    pat, pdt = prop_test(na, ns), prop_test(nd, ns)

    def top(p: np.ndarray, z: np.ndarray, n_success: np.ndarray) -> list[dict]:
        candidates = [j for j in range(len(p)) if not excluded[j] and p[j] > 0.5 and z[j] > Z_90]
        candidates.sort(key=lambda j: -(p[j] * z[j]))
        return [
            {
                "index": j,
                "n_success": int(n_success[j]),
                "n_trials": int(ns[j]),
                "p_success": float(p[j]),
                "p_test": float(z[j]),
            }
            for j in candidates[:MAX_CONSENSUS]
        ]

    return {"agree": top(pa, pat, na), "disagree": top(pd, pdt, nd)}


def group_informed_consensus(agree: np.ndarray, seen: np.ndarray) -> np.ndarray:
    """Product over groups of (A + 1) / (S + 2): agreement that holds in every group."""
    if agree.shape[0] == 0:
        return np.ones(agree.shape[1])
    return np.prod((agree + 1.0) / (seen + 2.0), axis=0)


def priorities(
    agree: np.ndarray, disagree: np.ndarray, seen: np.ndarray, extremity: np.ndarray, meta: np.ndarray
) -> np.ndarray:
    """How often to show each statement: Pol.is's importance, boosted while few have seen it, squared.

    The tallies are the last update's, summed over groups; meta statements get 7^2 = 49.
    """
    a = (agree + 1.0) / (seen + 2.0)
    passes = seen - agree - disagree
    p = (passes + 1.0) / (seen + 2.0)
    importance = (1 - p) * (extremity + 1) * a
    return np.where(meta, META_PRIORITY**2, (importance * (1 + 8 * 2.0 ** (-seen / 5.0))) ** 2)
