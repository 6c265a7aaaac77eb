"""An update's outputs as the typed result: consensus, contention, representative statements, bridging, stability."""

from __future__ import annotations

import time

import numpy as np

from worker.analysis import bridging, contention, repness, result, stability
from worker.analysis.breakdown import breakdown
from worker.analysis.matrix import VoteMatrix
from worker.analysis.state import Params, State
from worker.analysis.update import Core


def describe(
    data: VoteMatrix,
    core: Core,
    *,
    state: State,
    params: Params,
    attributes: dict[str, dict[str, str]] | None,
    extras: bool,
    stability_report: dict | None = None,
) -> result.AnalysisResult:
    """The analysis as typed data."""
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

    def representative_of(entry: dict) -> result.Representative:
        return result.Representative(
            statement=statement_ids[entry["index"]],
            repful_for=entry["repful_for"],
            n_success=int(entry["n_success"]),
            n_trials=int(entry["n_trials"]),
            p_success=_number(entry["p_success"]),
            p_test=_number(entry["p_test"]),
            repness=_number(entry["repness"]),
            repness_test=_number(entry["repness_test"]),
            n_agree=entry.get("n_agree"),
            best_agree=entry.get("best_agree"),
        )

    def majority_of(entry: dict) -> result.Majority:
        return result.Majority(
            statement=statement_ids[entry["index"]],
            n_success=int(entry["n_success"]),
            n_trials=int(entry["n_trials"]),
            p_success=_number(entry["p_success"]),
            p_test=_number(entry["p_test"]),
        )

    in_conv = np.zeros(data.n, dtype=bool)
    in_conv[core.in_conv_rows] = True
    xy = core.projection.participants
    statements = tuple(
        result.StatementResult(
            id=tid,
            x=_number(core.projection.statements[j, 0]),
            y=_number(core.projection.statements[j, 1]),
            extremity=_number(core.projection.extremity[j]),
            priority=_number(core.priority[j]),
            group_informed_consensus=_number(gac[j]),
            bridging=_number(bridging_scores[j]),
            contention=result.Contention(
                score=_number(split["score"][j]),
                split=_number(split["split"][j]),
                group_divide=_number(split["group_divide"][j]),
            ),
            agree=int(agree[j]),
            disagree=int(disagree[j]),
            passed=int(seen[j] - agree[j] - disagree[j]),
            votes=int(seen[j]),
            moderated_out=bool(not core.active[j]),
            meta=bool(core.meta[j]),
            groups={
                group_ids[g]: result.GroupVotes(
                    agree=int(group_agree[g, j]), disagree=int(group_disagree[g, j]), votes=int(group_seen[g, j])
                )
                for g in range(len(group_ids))
            },
        )
        for j, tid in enumerate(statement_ids)
    )
    order = [j for j in np.argsort(-np.nan_to_num(gac, nan=-1.0), kind="stable") if not excluded[j]]
    bridge_order = [
        j
        for j in np.argsort(-np.nan_to_num(bridging_scores, nan=-np.inf), kind="stable")
        if not excluded[j] and np.isfinite(bridging_scores[j]) and bridging_scores[j] > 0
    ]
    return result.AnalysisResult(
        counts=result.Counts(
            participants=data.n,
            in_conv=len(core.in_conv_rows),
            statements=data.m,
            votes=int(seen.sum()),
            base_clusters=core.n_base,
        ),
        k=core.k,
        silhouettes={str(kk): _number(v) for kk, v in core.silhouettes.items()},
        participants=tuple(
            result.ParticipantResult(
                id=pid,
                x=_number(xy[i, 0]),
                y=_number(xy[i, 1]),
                group=group_ids[core.labels[i]] if core.labels[i] >= 0 else None,
                in_conv=bool(in_conv[i]),
            )
            for i, pid in enumerate(participant_ids)
        ),
        statements=statements,
        groups=tuple(
            result.GroupResult(
                id=group_ids[g],
                size=int(np.count_nonzero(core.labels == g)),
                center=_group_center(core, g),
                representative=tuple(representative_of(e) for e in representative[g]),
            )
            for g in range(len(group_ids))
        ),
        consensus=result.Consensus(
            agree=tuple(majority_of(e) for e in consensus["agree"]),
            disagree=tuple(majority_of(e) for e in consensus["disagree"]),
            group_informed=tuple(
                result.Ranked(statement=statement_ids[j], value=_number(gac[j])) for j in order[:5] if core.k
            ),
            bridging=tuple(
                result.Ranked(statement=statement_ids[j], value=_number(bridging_scores[j])) for j in bridge_order[:5]
            ),
        ),
        contention=tuple(
            result.Contentious(
                statement=statement_ids[j],
                score=_number(split["score"][j]),
                split=_number(split["split"][j]),
                group_divide=_number(split["group_divide"][j]),
            )
            for j in contention.ranked(split["score"], excluded)
        ),
        stability=result.clean(stability_report),
        updates=state.updates,
        breakdowns=result.clean({name: breakdown(data, labels) for name, labels in attributes.items()})
        if attributes
        else None,
    )


def _number(value) -> float | None:
    """A plain float, or None where it is not defined (NaN, infinity)."""
    if value is None:
        return None
    value = float(value)
    return value if np.isfinite(value) else None


def _group_center(core: Core, g: int) -> tuple[float, float]:
    members = np.flatnonzero(core.labels == g)
    if not len(members):
        return (0.0, 0.0)
    x, y = (float(v) for v in core.projection.participants[members].mean(axis=0))
    return (x, y)


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
