"""What the public event screen shows now (presenter mode), and the live numbers of a pinned statement.

The pinned statement is read through the one reader's rules: the public
screen shows it only while it is accepted (``Audience.PUBLIC``), and splits
its votes only by the opinion groups the latest analysis may show (groups of
``MIN_GROUP`` people or more, numbered as everywhere else). A group's split
is given once at least the consultation's evidence floor of its members
voted on the statement; before that the screen says how many did.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from django.db.models import Count, QuerySet

from ideation.models import AnalysisSnapshot, Consultation, ScreenState, Statement, Vote
from ideation.selectors.analysis_reader import Audience, Tally, analysis_read, shown_statements
from ideation.services.analysis import membership_key

PINNED = "pinned"


@dataclass(frozen=True)
class ScreenShown:
    """``view``: "overview", "join", "results" or "pinned" (then ``pinned`` is the statement shown)."""

    view: str
    pinned: Statement | None = None
    stored_pin_hidden: bool = False  # a statement is pinned but may not be shown now (no longer accepted)
    stored: bool = False  # facilitators have set the screen (else it shows the overview, as it always did)


@dataclass(frozen=True)
class Split(Tally):
    """Agree / disagree / pass counts of one statement (overall, or in one group) and whole percentages.

    The reader's ``Tally`` (percentages that add up to 100), named as the screen's script reads them.
    """

    @property
    def agree_pct(self) -> int:
        return self.agree_percent

    @property
    def disagree_pct(self) -> int:
        return self.disagree_percent

    @property
    def pass_pct(self) -> int:
        return self.pass_percent

    def as_dict(self) -> dict:
        return {
            "agree": self.agree,
            "disagree": self.disagree,
            "pass": self.passed,
            "total": self.total,
            "agree_pct": self.agree_pct,
            "disagree_pct": self.disagree_pct,
            "pass_pct": self.pass_pct,
        }


@dataclass(frozen=True)
class GroupSplit:
    number: int
    size: int
    split: Split
    shown: bool  # enough of the group voted on it (the evidence floor) to show how they split


@dataclass(frozen=True)
class PinnedNumbers:
    statement: Statement
    overall: Split
    groups: tuple[GroupSplit, ...]
    floor: int

    @property
    def shape(self) -> str:
        """What the drawn block depends on beyond numbers; a page re-fetches the block when it changes."""
        groups = ",".join(f"{g.number}{'s' if g.shown else 'h'}" for g in self.groups)
        return f"{self.statement.pk}:{groups}"

    def as_message(self) -> dict:
        return {
            "type": "pinned",
            "statement": self.statement.pk,
            "shape": self.shape,
            "overall": self.overall.as_dict(),
            # a group's split only once enough of it voted; before that, how many did
            "groups": [
                {"number": g.number, "size": g.size, "shown": g.shown}
                | (g.split.as_dict() if g.shown else {"total": g.split.total})
                for g in self.groups
            ],
        }


def screen_shown(*, consultation: Consultation) -> ScreenShown:
    """What the event screen shows now: the stored state, with a pin only while its statement is accepted."""
    state = ScreenState.objects.filter(consultation=consultation).values("view", "pinned_id").first()
    if state is None:
        return ScreenShown(view=ScreenState.View.OVERVIEW)
    view = state["view"] if state["view"] in ScreenState.View.values else ScreenState.View.OVERVIEW
    if state["pinned_id"] is None:
        return ScreenShown(view=view, stored=True)
    shown = shown_statements(consultation=consultation, audience=Audience.PUBLIC, among={state["pinned_id"]})
    statement = shown.get(state["pinned_id"])
    if statement is None:
        return ScreenShown(view=view, stored_pin_hidden=True, stored=True)
    return ScreenShown(view=PINNED, pinned=statement, stored=True)


def statements_pinnable(*, consultation: Consultation) -> QuerySet[Statement]:
    """The statements facilitators may pin on the public screen: accepted ones, newest first."""
    return Statement.objects.filter(consultation=consultation, moderation=Statement.Moderation.ACCEPTED).order_by(
        "-created", "-pk"
    )


def _split(counts: Counter) -> Split:
    return Split(
        agree=counts[Vote.Choice.AGREE], disagree=counts[Vote.Choice.DISAGREE], passed=counts[Vote.Choice.PASS]
    )


def pinned_numbers(*, consultation: Consultation, statement: Statement) -> PinnedNumbers:
    """The statement's votes now, overall and by opinion group shown (groups of the latest analysis)."""
    overall = Counter(
        dict(Vote.objects.filter(statement=statement).values_list("choice").annotate(n=Count("pk")).order_by())
    )
    analysis = analysis_read(consultation=consultation, audience=Audience.PUBLIC)
    groups: tuple[GroupSplit, ...] = ()
    if analysis is not None and analysis.groups:
        memberships = (
            AnalysisSnapshot.objects.filter(consultation=consultation, version=analysis.version)
            .values_list("memberships", flat=True)
            .first()
            or {}
        )
        per_group: dict[str, Counter] = {g.id: Counter() for g in analysis.groups}
        for participant_id, choice in Vote.objects.filter(statement=statement).values_list("participant_id", "choice"):
            group_id = memberships.get(membership_key(participant_id))
            if group_id is not None and str(group_id) in per_group:
                per_group[str(group_id)][choice] += 1
        groups = tuple(
            GroupSplit(
                number=g.number,
                size=g.size,
                split=(split := _split(per_group[g.id])),
                shown=split.total >= consultation.evidence_floor,
            )
            for g in analysis.groups
        )
    return PinnedNumbers(statement=statement, overall=_split(overall), groups=groups, floor=consultation.evidence_floor)
