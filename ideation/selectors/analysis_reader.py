"""The one reading of a stored analysis, for every page, message and report.

``analysis_read`` turns the latest ``AnalysisSnapshot`` into typed objects
(``Analysis``: numbered opinion groups, their representative statements,
consensus, bridging and contention, each claim with its ``n``). The types
mirror the engine's result (``worker.analysis.result``) the way
``ideation.selectors.analysis.Votes`` mirrors arrays: the domain reads the
stored JSON and imports no math. It decides, once for all of them:

- which statements may be shown, by their moderation *now* (read at read
  time, not when the analysis ran), for an ``Audience``: the public event
  screen shows accepted statements only; participants (closing page, the
  bot's /results) and the report show what participants may see
  (``Statement.objects.visible``: accepted only in strict mode, anything not
  rejected in open mode); the facilitators' dashboard anything not rejected;
- which groups are shown: none of fewer than ``MIN_GROUP`` people, on any
  page (a participant in a smaller group is not told its size or what it
  agrees on), numbered 1..k in the engine's order among the groups shown;
- the evidence floor (``Consultation.evidence_floor``): a statement is called
  consensus, majority, contention or representative of a group only when at
  least that many people saw it (voted on it, passes and the author's own
  agreement included), overall and in each group shown (for a group's
  representative statements: in that group). See docs/analysis.md.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field, replace
from datetime import datetime

from django.db.models.fields.json import KeyTextTransform
from django.utils.translation import gettext_lazy as _

from ideation.models import AnalysisSnapshot, Consultation, Participant, Statement
from ideation.services.analysis import membership_key

MIN_GROUP = 5
STABILITY_LABELS = {"high": _("high"), "moderate": _("moderate"), "low": _("low")}  # the engine's labels


class Audience(enum.StrEnum):
    PUBLIC = "public"  # the event screen: accepted statements only
    PARTICIPANT = "participant"  # the closing page, /results, the report: what participants may see
    STAFF = "staff"  # the facilitators' dashboard: anything not rejected


@dataclass(frozen=True)
class Tally:
    """How the people who saw a statement voted, in the analysis: agree, disagree, pass."""

    agree: int
    disagree: int
    passed: int

    @property
    def total(self) -> int:
        return self.agree + self.disagree + self.passed

    @property
    def percents(self) -> tuple[int, int, int]:
        """Whole percentages of agree, disagree and pass that add up to 100 (largest remainders)."""
        counts = (self.agree, self.disagree, self.passed)
        if not self.total:
            return (0, 0, 0)
        exact = [100 * c / self.total for c in counts]
        whole = [int(e) for e in exact]
        by_remainder = sorted(range(3), key=lambda i: exact[i] - whole[i], reverse=True)
        for i in by_remainder[: 100 - sum(whole)]:
            whole[i] += 1
        return (whole[0], whole[1], whole[2])

    @property
    def agree_percent(self) -> int:
        return self.percents[0]

    @property
    def disagree_percent(self) -> int:
        return self.percents[1]

    @property
    def pass_percent(self) -> int:
        return self.percents[2]


@dataclass(frozen=True)
class Claim:
    """A statement something is said of, with ``n``: how many people saw it (overall, or in the group).

    It reads like the statement (``pk``, ``text``, ``localized``), so a page
    that lists statements can list claims.
    """

    statement: Statement
    n: int
    value: float | None = None  # the score behind the claim: a share, a consensus, a bridging or contention score
    tally: Tally | None = None  # overall agree / disagree / pass (None from a snapshot stored without them)

    @property
    def pk(self) -> int:
        return self.statement.pk

    @property
    def id(self) -> int:
        return self.statement.pk

    @property
    def text(self) -> str:
        return self.statement.text

    def localized(self, field_name: str, language: str | None = None) -> str:
        return self.statement.localized(field_name, language)


@dataclass(frozen=True)
class GroupClaim(Claim):
    """A statement that sets a group apart: ``share`` of the group's ``n`` agree (or disagree); ``n_all`` overall."""

    repful_for: str = "agree"
    n_all: int = 0

    @property
    def share(self) -> float | None:
        return self.value


@dataclass(frozen=True)
class OpinionGroup:
    id: str  # the engine's id, stable from one analysis to the next while the group lasts
    number: int  # 1..k among the groups shown
    size: int
    representative: tuple[GroupClaim, ...]

    @property
    def agrees_on(self) -> list[GroupClaim]:
        return [r for r in self.representative if r.repful_for == "agree"]


@dataclass(frozen=True)
class Stability:
    label: str | None = None  # "high", "moderate", "low"
    ari_mean: float | None = None
    ari_min: float | None = None
    method: str | None = None
    resamples: int | None = None


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    group: OpinionGroup | None  # None: in no group shown


@dataclass(frozen=True)
class StatementPoint:
    x: float
    y: float
    statement: Statement


@dataclass(frozen=True)
class Analysis:
    version: int
    created: datetime
    votes_until: datetime | None
    n_participants: int
    n_votes: int
    in_conv: int | None
    k: int  # groups found, shown or not
    engine_version: int | None
    audience: Audience
    evidence_floor: int
    groups: tuple[OpinionGroup, ...]
    hidden_groups: int  # groups of fewer than MIN_GROUP people, not shown
    clustered: int  # people in a group, shown or not
    consensus_agree: tuple[Claim, ...]
    consensus_disagree: tuple[Claim, ...]
    group_informed: tuple[Claim, ...]
    bridging: tuple[Claim, ...]
    contention: tuple[Claim, ...]
    below_floor: frozenset[int]  # statements the engine listed but the evidence floor holds back
    stability: Stability
    shown: dict[int, Statement] = field(repr=False)  # may be shown (with ``full``: all; else those mentioned)
    # with ``full``: participant id -> group shown; the opinion map's points
    memberships: dict[int, OpinionGroup] | None = field(default=None, repr=False)
    participant_points: tuple[Point, ...] = field(default=(), repr=False)
    statement_points: tuple[StatementPoint, ...] = field(default=(), repr=False)
    # with ``participant``: the group shown they are in; whether they are in a group too small to show
    participant_group: OpinionGroup | None = None
    participant_group_hidden: bool = False
    map: dict | None = field(default=None, repr=False)  # set by the pages that draw it (selectors.live)

    @property
    def n_groups(self) -> int:
        return len(self.groups)

    @property
    def stability_label(self) -> str:
        return str(STABILITY_LABELS.get(self.stability.label, ""))

    def group(self, group_id: str | None) -> OpinionGroup | None:
        return next((g for g in self.groups if g.id == group_id), None)


def shown_statements(
    *, consultation: Consultation, audience: Audience, among: set[int] | None = None
) -> dict[int, Statement]:
    """The statements this audience may be shown, by their moderation now (only ``among`` these ids, if given)."""
    if audience == Audience.PUBLIC:
        qs = Statement.objects.filter(consultation=consultation, moderation=Statement.Moderation.ACCEPTED)
    elif audience == Audience.PARTICIPANT:
        qs = Statement.objects.visible(consultation)
    else:
        qs = Statement.objects.filter(consultation=consultation).exclude(moderation=Statement.Moderation.REJECTED)
    if among is not None:
        qs = qs.filter(pk__in=among)
    return {s.pk: s for s in qs}


def _mentioned(source: dict) -> set[int]:
    """The statements an analysis says something of (its lists and its groups' representative statements)."""
    entries = [e for entries in (source.get("consensus") or {}).values() for e in entries or []]
    entries += source.get("contention") or []
    entries += [r for g in source.get("groups") or [] for r in g.get("representative") or []]
    return {pk for pk in (_int(e.get("statement")) for e in entries) if pk is not None}


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


Evidence = dict[str, tuple[int, dict[str, int], Tally | None]]


def _tally(counts) -> Tally | None:
    try:
        agree, disagree, passed = (int(c) for c in counts)
    except (TypeError, ValueError):
        return None
    return Tally(agree=agree, disagree=disagree, passed=passed)


def _evidence(statements: list[dict]) -> Evidence:
    return {
        str(s["id"]): (
            int(s.get("votes") or 0),
            {str(g): int((v or {}).get("votes") or 0) for g, v in (s.get("groups") or {}).items()},
            _tally((s.get("agree"), s.get("disagree"), s.get("pass"))),
        )
        for s in statements
    }


def analysis_read(
    *,
    consultation: Consultation,
    audience: Audience,
    full: bool = False,
    participant: Participant | None = None,
) -> Analysis | None:
    """The latest analysis as this audience may see it; None before the first one.

    ``full`` also reads every participant's group and the opinion map's
    points (the large part of a snapshot); ``participant`` reads where that
    participant stands (one key of the memberships).
    """
    fields = ["version", "created", "votes_until", "n_participants", "n_votes", "summary"]
    qs = AnalysisSnapshot.objects.filter(consultation=consultation).order_by("-version")
    if participant is not None:
        qs = qs.annotate(participant_group=KeyTextTransform(membership_key(participant.pk), "memberships"))
        fields.append("participant_group")
    if full:
        fields += ["result", "memberships"]
    row = qs.values(*fields).first()
    if row is None:
        return None
    summary = row["summary"] or {}
    result = row.get("result")
    if result is None and ("evidence" not in summary or "groups" not in summary):
        # a snapshot stored before the summary carried the evidence: read it from the whole result
        result = qs.values_list("result", flat=True).first() or {}
    source = result if result is not None else summary
    if result is not None:
        evidence = _evidence(result.get("statements") or [])
    else:
        # [votes, {group: votes}] and, since the screen shows them, [agree, disagree, pass]
        evidence = {
            str(sid): (
                int(entry[0]),
                {str(g): int(v) for g, v in entry[1].items()},
                _tally(entry[2] if len(entry) > 2 else None),
            )
            for sid, entry in summary["evidence"].items()
        }
    return _build(consultation, audience, row, source, evidence, participant)


def _build(
    consultation: Consultation,
    audience: Audience,
    row: dict,
    source: dict,
    evidence: Evidence,
    participant: Participant | None,
) -> Analysis:
    floor = consultation.evidence_floor
    # the map places every statement; otherwise only those the analysis mentions are read
    among = None if "statements" in source else _mentioned(source)
    shown = shown_statements(consultation=consultation, audience=audience, among=among)
    engine_groups = source.get("groups") or []
    visible = [g for g in engine_groups if int(g.get("size") or 0) >= MIN_GROUP]
    visible_ids = [str(g["id"]) for g in visible]
    below: set[int] = set()

    def seen(sid) -> tuple[int, dict[str, int]]:
        return evidence.get(str(sid), (0, {}, None))[:2]

    def claim(sid, value=None) -> Claim | None:
        """A claim about every group shown: enough people overall and in each of them."""
        pk = _int(sid)
        if pk is None or pk not in shown:
            return None
        n, per_group = seen(sid)
        if n < floor or any(per_group.get(gid, 0) < floor for gid in visible_ids):
            below.add(pk)
            return None
        return Claim(statement=shown[pk], n=n, value=value, tally=evidence.get(str(sid), (0, {}, None))[2])

    def claims(entries, key: str) -> tuple[Claim, ...]:
        out = []
        for entry in entries or []:
            made = claim(entry.get("statement"), entry.get(key))
            if made is not None and all(c.pk != made.pk for c in out):
                out.append(made)
        return tuple(out)

    groups = []
    for number, g in enumerate(visible, start=1):
        gid = str(g["id"])
        reps = []
        for r in g.get("representative") or []:
            pk = _int(r.get("statement"))
            if pk is None or pk not in shown:
                continue
            n_all, per_group = seen(r["statement"])
            n = per_group.get(gid, int(r.get("n_trials") or 0))
            if n < floor or n_all < floor:
                below.add(pk)
                continue
            reps.append(
                GroupClaim(
                    statement=shown[pk], n=n, value=r.get("p_success"), repful_for=r.get("repful_for"), n_all=n_all
                )
            )
        groups.append(OpinionGroup(id=gid, number=number, size=int(g["size"]), representative=tuple(reps[:5])))
    by_id = {g.id: g for g in groups}
    consensus = source.get("consensus") or {}
    counts = source.get("counts") or {}
    stability = source.get("stability") or {}
    participant_group, participant_hidden = None, False
    if participant is not None and row.get("participant_group"):
        participant_group = by_id.get(str(row["participant_group"]))
        participant_hidden = participant_group is None and any(
            str(g.get("id")) == str(row["participant_group"]) for g in engine_groups
        )
    analysis = Analysis(
        version=row["version"],
        created=row["created"],
        votes_until=row["votes_until"],
        n_participants=row["n_participants"],
        n_votes=row["n_votes"],
        in_conv=counts.get("in_conv"),
        k=int(source.get("k") or 0),
        engine_version=source.get("engine_version"),
        audience=audience,
        evidence_floor=floor,
        groups=tuple(groups),
        hidden_groups=len(engine_groups) - len(visible),
        clustered=sum(int(g.get("size") or 0) for g in engine_groups),
        consensus_agree=claims(consensus.get("agree"), "p_success"),
        consensus_disagree=claims(consensus.get("disagree"), "p_success"),
        group_informed=claims(consensus.get("group_informed"), "value"),
        bridging=claims(consensus.get("bridging"), "value"),
        contention=claims(source.get("contention"), "score"),
        below_floor=frozenset(below),
        stability=Stability(**{k: stability.get(k) for k in ("label", "ari_mean", "ari_min", "method", "resamples")}),
        shown=shown,
        participant_group=participant_group,
        participant_group_hidden=participant_hidden,
    )
    if "participants" not in source:
        return analysis
    memberships = {}
    for key, gid in (row.get("memberships") or {}).items():
        pk = _int(str(key).removeprefix("p"))
        if pk is not None and str(gid) in by_id:
            memberships[pk] = by_id[str(gid)]
    points = tuple(
        Point(x=p["x"], y=p["y"], group=by_id.get(str(p.get("group"))))
        for p in source.get("participants") or []
        if p.get("x") is not None and p.get("y") is not None
    )
    statement_points = tuple(
        StatementPoint(x=s["x"], y=s["y"], statement=shown[_int(s["id"])])
        for s in source.get("statements") or []
        if s.get("x") is not None and s.get("y") is not None and _int(s.get("id")) in shown
    )
    return replace(analysis, memberships=memberships, participant_points=points, statement_points=statement_points)


@dataclass(frozen=True)
class StatementFigures:
    """The latest analysis's raw numbers for one statement (for data exports: no claim, no filter)."""

    votes: int
    group_informed_consensus: float | None
    bridging: float | None
    contention: float | None
    priority: float | None
    extremity: float | None


def analysis_statement_figures(*, consultation: Consultation) -> dict[int, StatementFigures]:
    """Every statement's figures in the latest analysis, by statement id (empty before the first analysis).

    Raw numbers for the facilitators' spreadsheet, which lists every statement
    with its moderation state and vote counts; pages and reports make claims
    through ``analysis_read`` instead.
    """
    rows = (
        AnalysisSnapshot.objects.filter(consultation=consultation)
        .order_by("-version")
        .values_list("result__statements", flat=True)
        .first()
    )
    figures = {}
    for s in rows or []:
        pk = _int(s.get("id"))
        if pk is not None:
            figures[pk] = StatementFigures(
                votes=int(s.get("votes") or 0),
                group_informed_consensus=s.get("group_informed_consensus"),
                bridging=s.get("bridging"),
                contention=(s.get("contention") or {}).get("score"),
                priority=s.get("priority"),
                extremity=s.get("extremity"),
            )
    return figures
