"""The participant's journey, read: which step comes next, which language to speak, where they stand.

One journey for every channel: consent, an optional profile, the questions in
order, the voting deck, done. The web pages and the Telegram bot render the
step named here and nothing else. ``Participant.step`` keeps the furthest step
reached as a short string ("profile", "question:3", "vote", "done"); ``Step``
reads and writes that string, here and nowhere else.

Done is one rule: the deck is empty (every statement the participant may vote
on has their vote). New statements put a participant who was done back on the
deck.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Exists, Max, OuterRef

from ideation.models import AnalysisSnapshot, Consultation, Participant, Statement, Vote
from ideation.services.analysis import membership_key

# The analysis places a participant in an opinion group once they voted on this
# many statements (or on every statement, when fewer have votes). It mirrors
# worker.analysis.engine.Params.in_conv_votes; the domain imports no math.
IN_CONV_VOTES = 7


class StepKind(enum.StrEnum):
    CONSENT = "consent"
    PROFILE = "profile"
    QUESTION = "question"
    DECK = "vote"
    DONE = "done"


_RANK = {StepKind.CONSENT: 0, StepKind.PROFILE: 1, StepKind.QUESTION: 2, StepKind.DECK: 3, StepKind.DONE: 4}


@dataclass(frozen=True, order=False)
class Step:
    """One step of the journey; ``order`` is the question's order for ``QUESTION`` steps."""

    kind: StepKind
    order: int | None = None

    def __post_init__(self) -> None:
        if (self.kind == StepKind.QUESTION) != (self.order is not None):
            raise ValueError("a question step, and only a question step, has an order")

    @classmethod
    def consent(cls) -> Step:
        return cls(StepKind.CONSENT)

    @classmethod
    def profile(cls) -> Step:
        return cls(StepKind.PROFILE)

    @classmethod
    def question(cls, order: int) -> Step:
        return cls(StepKind.QUESTION, int(order))

    @classmethod
    def deck(cls) -> Step:
        return cls(StepKind.DECK)

    @classmethod
    def done(cls) -> Step:
        return cls(StepKind.DONE)

    @classmethod
    def parse(cls, code: str) -> Step:
        """The step a stored string names; ``ValueError`` for anything else."""
        kind, sep, order = (code or "").partition(":")
        if kind == StepKind.QUESTION and sep and order.lstrip("-").isdigit():
            return cls.question(int(order))
        if not sep and kind in {StepKind.CONSENT, StepKind.PROFILE, StepKind.DECK, StepKind.DONE}:
            return cls(StepKind(kind))
        raise ValueError(f"unknown step {code!r}")

    @classmethod
    def read(cls, code: str) -> Step | None:
        """The step ``code`` names, or None when it names none (a chat's other states, say)."""
        try:
            return cls.parse(code)
        except ValueError:
            return None

    @property
    def code(self) -> str:
        """The stored form: "profile", "question:3", "vote", "done" ("consent" is never stored)."""
        return f"{self.kind}:{self.order}" if self.kind == StepKind.QUESTION else str(self.kind)

    @property
    def rank(self) -> tuple[int, int]:
        """Journey order: consent, profile, the questions by order, the deck, done."""
        return (_RANK[self.kind], self.order or 0)


def has_profile(*, consultation: Consultation) -> bool:
    """The profile step exists when there is something to choose: stakeholder groups or regions."""
    return consultation.stakeholder_groups.exists() or consultation.regions.exists()


def unvoted_statements(*, participant: Participant):
    """The deck: statements the participant may see and has not voted on (never their own)."""
    voted = Vote.objects.filter(participant=participant, statement=OuterRef("pk"))
    return Statement.objects.votable_by(participant).exclude(Exists(voted))


def step_after(*, participant: Participant, step: Step) -> Step:
    """What follows ``step`` for this participant (the deck is followed by itself until it is empty)."""
    consultation = participant.consultation
    if step.kind == StepKind.CONSENT and has_profile(consultation=consultation):
        return Step.profile()
    if step.kind in (StepKind.CONSENT, StepKind.PROFILE, StepKind.QUESTION):
        later = consultation.questions.order_by("order")
        if step.kind == StepKind.QUESTION:
            later = later.filter(order__gt=step.order)
        following = later.values_list("order", flat=True).first()
        if following is not None:
            return Step.question(following)
    return Step.deck() if unvoted_statements(participant=participant).exists() else Step.done()


def participant_next_step(*, participant: Participant | None) -> Step:
    """The step to show now: consent before there is a participant, then from the furthest step reached."""
    if participant is None:
        return Step.consent()
    reached = Step.parse(participant.step)
    if reached.kind == StepKind.QUESTION:
        if participant.consultation.questions.filter(order=reached.order).exists():
            return reached
        return step_after(participant=participant, step=reached)  # a question removed since
    if reached.kind in (StepKind.DECK, StepKind.DONE):
        return step_after(participant=participant, step=Step.deck())
    return reached


def language_choose(*, consultation: Consultation | None, participant: Participant | None, preferred: list[str]) -> str:
    """The language to speak: the participant's, else the first preferred code offered, else the default.

    ``preferred`` lists candidate codes, best first (the web: the language
    cookie, then Accept-Language; Telegram: the session's choice, then the
    app's language). Regional variants count as their language ("fr-CA" is
    "fr"). Always one of the consultation's languages (without a
    consultation: one of the site's).
    """
    site = [code for code, _name in settings.LANGUAGES]
    offered = list(consultation.languages) if consultation is not None else site
    if participant is not None and participant.language in offered:
        return participant.language
    for candidate in preferred:
        code = (candidate or "").split("-")[0].strip().lower()
        if code and code in offered:
            return code
    if consultation is not None and consultation.default_language in offered:
        return consultation.default_language
    if settings.LANGUAGE_CODE in offered or not offered:
        return settings.LANGUAGE_CODE
    return offered[0]


class StandingStatus(enum.StrEnum):
    """What can be said about the participant's opinion group now."""

    NONE = "none"  # no analysis yet, or no group to show them
    UPDATING = "updating"  # they have enough votes; the analysis that places them is on its way
    UNGROUPED = "ungrouped"  # they need to vote on more statements to be placed
    GROUPED = "grouped"  # the latest analysis placed them in a group


def participant_standing_status(*, participant: Participant) -> StandingStatus:
    """Whether the latest analysis can place the participant, or one on its way will.

    Right after a participant's seventh vote the stored analysis does not know
    them yet: that is "updating" (the vote starts a new analysis), not "vote
    more". Updating means: enough votes to be placed, not placed, and a vote
    newer than the analysis's newest.
    """
    snapshot = (
        AnalysisSnapshot.objects.filter(consultation_id=participant.consultation_id)
        .order_by("-version")
        .values_list("votes_until", f"memberships__{membership_key(participant.pk)}")
        .first()
    )
    if snapshot is None:
        return StandingStatus.NONE
    votes_until, group = snapshot
    if group is not None:
        return StandingStatus.GROUPED
    summary = Vote.objects.filter(participant=participant).aggregate(count=Count("pk"), newest=Max("updated"))
    count = summary["count"]
    if count < IN_CONV_VOTES:
        voted_on = Statement.objects.filter(consultation_id=participant.consultation_id).filter(
            Exists(Vote.objects.filter(statement=OuterRef("pk")))
        )
        if count == 0 or count < min(IN_CONV_VOTES, voted_on.count()):
            return StandingStatus.UNGROUPED
    if votes_until is None or summary["newest"] > votes_until:
        return StandingStatus.UPDATING
    return StandingStatus.NONE
