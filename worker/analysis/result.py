"""What an analysis update returns: frozen dataclasses, and their JSON (``AnalysisResult.to_json``).

The JSON is what ``AnalysisSnapshot.result`` stores, and what the domain's
reader (``ideation.selectors.reading``) reads back; its shape is the one every
stored snapshot of ``ENGINE_VERSION`` 1 has, so old snapshots and new ones read
the same. Statement and participant ids are strings; numbers that are not
defined (NaN, infinity) are ``None``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

ENGINE_VERSION = 1


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


@dataclass(frozen=True)
class Contention:
    """How divided voters are on a statement: overall (``split``), between groups (``group_divide``), both."""

    score: float | None
    split: float | None
    group_divide: float | None

    def to_json(self) -> dict:
        return {"score": self.score, "split": self.split, "group_divide": self.group_divide}


@dataclass(frozen=True)
class GroupVotes:
    agree: int
    disagree: int
    votes: int  # who saw it in the group: agree, disagree or pass

    def to_json(self) -> dict:
        return {"agree": self.agree, "disagree": self.disagree, "votes": self.votes}


@dataclass(frozen=True)
class StatementResult:
    id: str
    x: float | None
    y: float | None
    extremity: float | None
    priority: float | None
    group_informed_consensus: float | None
    bridging: float | None
    contention: Contention
    agree: int
    disagree: int
    passed: int
    votes: int  # who saw it: agree, disagree or pass (the author's own agreement included)
    moderated_out: bool
    meta: bool
    groups: dict[str, GroupVotes]

    def to_json(self) -> dict:
        return {
            "id": self.id,
            "x": self.x,
            "y": self.y,
            "extremity": self.extremity,
            "priority": self.priority,
            "group_informed_consensus": self.group_informed_consensus,
            "bridging": self.bridging,
            "contention": self.contention.to_json(),
            "agree": self.agree,
            "disagree": self.disagree,
            "pass": self.passed,
            "votes": self.votes,
            "moderated_out": self.moderated_out,
            "meta": self.meta,
            "groups": {gid: v.to_json() for gid, v in self.groups.items()},
        }


@dataclass(frozen=True)
class ParticipantResult:
    id: str
    x: float | None
    y: float | None
    group: str | None
    in_conv: bool

    def to_json(self) -> dict:
        return {"id": self.id, "x": self.x, "y": self.y, "group": self.group, "in_conv": self.in_conv}


@dataclass(frozen=True)
class Representative:
    """A statement that sets a group apart (Pol.is's repness): ``n_success`` of the group's ``n_trials``."""

    statement: str
    repful_for: str  # "agree" or "disagree"
    n_success: int
    n_trials: int
    p_success: float | None
    p_test: float | None
    repness: float | None
    repness_test: float | None
    n_agree: int | None = None  # set on the group's best agreed statement only
    best_agree: bool | None = None

    def to_json(self) -> dict:
        data = {
            "repful_for": self.repful_for,
            "n_success": self.n_success,
            "n_trials": self.n_trials,
            "p_success": self.p_success,
            "p_test": self.p_test,
            "repness": self.repness,
            "repness_test": self.repness_test,
        }
        if self.n_agree is not None:
            data["n_agree"] = self.n_agree
        if self.best_agree is not None:
            data["best_agree"] = self.best_agree
        data["statement"] = self.statement
        return data


@dataclass(frozen=True)
class GroupResult:
    id: str
    size: int
    center: tuple[float, float]
    representative: tuple[Representative, ...]

    def to_json(self) -> dict:
        return {
            "id": self.id,
            "size": self.size,
            "center": list(self.center),
            "representative": [r.to_json() for r in self.representative],
        }


@dataclass(frozen=True)
class Majority:
    """A statement most voters agree (or disagree) with: ``n_success`` of ``n_trials``."""

    statement: str
    n_success: int
    n_trials: int
    p_success: float | None
    p_test: float | None

    def to_json(self) -> dict:
        return {
            "n_success": self.n_success,
            "n_trials": self.n_trials,
            "p_success": self.p_success,
            "p_test": self.p_test,
            "statement": self.statement,
        }


@dataclass(frozen=True)
class Ranked:
    statement: str
    value: float | None

    def to_json(self) -> dict:
        return {"statement": self.statement, "value": self.value}


@dataclass(frozen=True)
class Consensus:
    agree: tuple[Majority, ...]
    disagree: tuple[Majority, ...]
    group_informed: tuple[Ranked, ...]
    bridging: tuple[Ranked, ...]

    def to_json(self) -> dict:
        return {
            "agree": [e.to_json() for e in self.agree],
            "disagree": [e.to_json() for e in self.disagree],
            "group_informed": [e.to_json() for e in self.group_informed],
            "bridging": [e.to_json() for e in self.bridging],
        }


@dataclass(frozen=True)
class Contentious:
    statement: str
    score: float | None
    split: float | None
    group_divide: float | None

    def to_json(self) -> dict:
        return {
            "statement": self.statement,
            "score": self.score,
            "split": self.split,
            "group_divide": self.group_divide,
        }


@dataclass(frozen=True)
class Counts:
    participants: int
    in_conv: int
    statements: int
    votes: int
    base_clusters: int

    def to_json(self) -> dict:
        return {
            "participants": self.participants,
            "in_conv": self.in_conv,
            "statements": self.statements,
            "votes": self.votes,
            "base_clusters": self.base_clusters,
        }


@dataclass(frozen=True)
class AnalysisResult:
    """One analysis: groups, consensus, contention, bridging, stability, per statement and participant.

    ``stability`` is the stability module's report (kept as it is: a later
    update may reuse it), ``breakdowns`` the per-attribute tallies, if asked for.
    """

    counts: Counts
    k: int
    silhouettes: dict[str, float | None]
    participants: tuple[ParticipantResult, ...]
    statements: tuple[StatementResult, ...]
    groups: tuple[GroupResult, ...]
    consensus: Consensus
    contention: tuple[Contentious, ...]
    stability: dict
    updates: int
    breakdowns: dict | None = None
    engine_version: int = ENGINE_VERSION

    def to_json(self) -> dict:
        data = {
            "engine_version": self.engine_version,
            "counts": self.counts.to_json(),
            "k": self.k,
            "silhouettes": dict(self.silhouettes),
            "participants": [p.to_json() for p in self.participants],
            "statements": [s.to_json() for s in self.statements],
            "groups": [g.to_json() for g in self.groups],
            "consensus": self.consensus.to_json(),
            "contention": [c.to_json() for c in self.contention],
            "stability": self.stability,
            "updates": self.updates,
        }
        if self.breakdowns is not None:
            data["breakdowns"] = self.breakdowns
        return clean(data)
