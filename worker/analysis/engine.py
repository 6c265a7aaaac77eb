"""One analysis update, as Pol.is's conversation update does it, plus what we add.

``update(data, state=...)`` takes the votes (a ``VoteMatrix``, or the
replay's ``LiveVotes``) and the state the previous update left, and returns
the analysis (a typed ``AnalysisResult``; ``to_json()`` for storage) and the
new state. The state is what Pol.is carries from one update to the next: the
sticky in-conv set, the components (warm start), the base clusters and every
group clustering by member id, the k-smoothing history and the last group
tallies (for priorities). Stored with each snapshot, it makes a live
conversation updated many times converge the way Pol.is's did.

The work is in ``state`` (what carries over), ``update`` (the Pol.is core) and
``describe`` (the outputs); this module ties them together.
"""

from __future__ import annotations

from worker.analysis.describe import describe
from worker.analysis.matrix import VoteMatrix
from worker.analysis.result import ENGINE_VERSION, AnalysisResult, clean
from worker.analysis.state import DEFAULT_PARAMS, Params, Registry, State
from worker.analysis.update import Core, core_update, smooth_k

__all__ = [
    "DEFAULT_PARAMS",
    "ENGINE_VERSION",
    "AnalysisResult",
    "Core",
    "Params",
    "Registry",
    "State",
    "clean",
    "core_update",
    "describe",
    "smooth_k",
    "update",
]


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
) -> tuple[AnalysisResult, State]:
    """A full update: the Pol.is outputs and, with ``extras``, contention, bridging and stability.

    Returns the analysis (``to_json()`` gives it as JSON-ready data: ids are
    strings, no NaN or infinity) and the new state. ``attributes`` maps an attribute name
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
