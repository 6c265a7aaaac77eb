"""Every non-trivial read of the domain, shared by the web, the bot and the dashboard."""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from ideation.models import (
    AnalysisSnapshot,
    Consultation,
    ModerationLogEntry,
    Participant,
    Question,
    Statement,
    Vote,
)
from ideation.services.analysis import membership_key
from ideation.text import dedupe_key

_random = random.Random()  # noqa: S311 - choosing statements, not secrets


def consultation_get(*, slug: str, include_drafts: bool = False) -> Consultation | None:
    """A consultation participants may visit (drafts only for facilitators)."""
    qs = Consultation.objects.all()
    if not include_drafts:
        qs = qs.exclude(status=Consultation.Status.DRAFT)
    return qs.filter(slug=slug).first()


def consultations_listed() -> QuerySet[Consultation]:
    return Consultation.objects.exclude(status=Consultation.Status.DRAFT).order_by("-status", "-created")


def consultations_for_staff() -> QuerySet[Consultation]:
    """Every consultation, drafts included (open ones first): the facilitators' way in to the live pages."""
    return Consultation.objects.order_by("-status", "-created")


def participant_get(*, consultation: Consultation, uid: str | uuid.UUID) -> Participant | None:
    try:
        uid = uuid.UUID(str(uid))
    except ValueError:
        return None
    return Participant.objects.select_related("consultation").filter(consultation=consultation, uid=uid).first()


def participant_with_consultation(
    *, slug: str, uid: str | uuid.UUID, include_drafts: bool = False
) -> Participant | None:
    """The participant ``uid`` of the consultation ``slug`` with their consultation, in one query.

    The same rules as ``consultation_get`` then ``participant_get`` (drafts
    only for facilitators): the participant pages' hot path.
    """
    try:
        uid = uuid.UUID(str(uid))
    except ValueError:
        return None
    qs = Participant.objects.select_related("consultation").filter(consultation__slug=slug, uid=uid)
    if not include_drafts:
        qs = qs.exclude(consultation__status=Consultation.Status.DRAFT)
    return qs.first()


def participant_for_chat(*, consultation: Consultation, key: str) -> Participant | None:
    """The participant a chat account (by its keyed hash) is in this consultation, if any."""
    if not key:
        return None
    return Participant.objects.select_related("consultation").filter(consultation=consultation, chat_key=key).first()


def participant_count(*, consultation: Consultation) -> int:
    return Participant.objects.filter(consultation=consultation).count()


def questions(*, consultation: Consultation) -> list[Question]:
    return list(consultation.questions.order_by("order"))


def participant_answers(*, participant: Participant) -> dict[int, str]:
    """Question id -> the participant's answer text."""
    return dict(participant.answers.values_list("question_id", "text"))


def statement_priorities(*, consultation: Consultation) -> dict[int, float] | None:
    """Priorities from the latest analysis, or None before any analysis exists."""
    row = (
        AnalysisSnapshot.objects.filter(consultation=consultation)
        .order_by("-version")
        .values_list("priorities", flat=True)
        .first()
    )
    if row is None:
        return None
    return {int(pk): float(value) for pk, value in row.items()}


def newness_weight(votes: int) -> float:
    """Before any analysis: favour statements few people have seen (Pol.is's 1 + 8 * 2^(-S/5), squared)."""
    return (1 + 8 * 2 ** (-votes / 5)) ** 2


def statement_next(*, participant: Participant, rng: random.Random | None = None) -> Statement | None:
    """The next statement to show: weighted random among the visible ones not yet voted on.

    Never the participant's own, never one they voted on, never a hidden one.
    Weights are the latest analysis's priorities (1 for statements it has not
    seen yet) or, before any analysis, ``newness_weight``.
    """
    candidates = unvoted_statements(participant=participant)  # the deck (selectors.journey)
    priorities = statement_priorities(consultation=participant.consultation)
    if priorities is None:
        rows = list(candidates.annotate(n=Count("votes")).values_list("pk", "n"))
    else:
        rows = [(pk, None) for pk in candidates.values_list("pk", flat=True)]
    chosen = _choose(rows, priorities, rng or _random)
    return None if chosen is None else Statement.objects.get(pk=chosen)


def _choose(rows: list[tuple[int, int | None]], priorities: dict[int, float] | None, rng: random.Random) -> int | None:
    """Draw one of the candidates ``(pk, votes on it)`` by weight (``statement_next``'s rule)."""
    if priorities is None:
        weights = [newness_weight(n) for _pk, n in rows]
    else:
        weights = [max(priorities.get(pk, 1.0), 0.0) for pk, _n in rows]
    if not rows:
        return None
    if sum(weights) <= 0:
        weights = [1.0] * len(rows)
    return rng.choices([pk for pk, _n in rows], weights=weights, k=1)[0]


def deck_next(*, participant: Participant, rng: random.Random | None = None) -> tuple[Statement | None, VoteProgress]:
    """``statement_next`` and ``vote_progress`` together, in three queries: after each vote of the JSON deck."""
    voted = Vote.objects.filter(participant=participant, statement=OuterRef("pk"))
    shown = Statement.objects.votable_by(participant).annotate(mine=Exists(voted))
    priorities = statement_priorities(consultation=participant.consultation)
    if priorities is None:
        rows = list(shown.annotate(n=Count("votes")).values_list("pk", "mine", "n"))
    else:
        rows = [(pk, mine, None) for pk, mine in shown.values_list("pk", "mine")]
    progress = VoteProgress(voted=sum(1 for _pk, mine, _n in rows if mine), total=len(rows))
    chosen = _choose([(pk, n) for pk, mine, n in rows if not mine], priorities, rng or _random)
    return (None if chosen is None else Statement.objects.get(pk=chosen)), progress


@dataclass(frozen=True)
class VoteProgress:
    voted: int
    total: int

    @property
    def position(self) -> int:
        """The number of the statement on screen ("12" of "12 of 40")."""
        return min(self.voted + 1, self.total)

    @property
    def remaining(self) -> int:
        return self.total - self.voted


def vote_progress(*, participant: Participant) -> VoteProgress:
    shown = Statement.objects.votable_by(participant)
    total = shown.count()
    voted = Vote.objects.filter(participant=participant, statement__in=shown).count()
    return VoteProgress(voted=voted, total=total)


def statement_for_participant(*, participant: Participant, statement_id: int) -> Statement | None:
    """A statement the participant may see and vote on (for changing a vote)."""
    return Statement.objects.votable_by(participant).filter(pk=statement_id).first()


def participant_vote_choice(*, participant: Participant, statement: Statement) -> int | None:
    return Vote.objects.filter(participant=participant, statement=statement).values_list("choice", flat=True).first()


def participant_votes(*, participant: Participant) -> list[tuple[Statement, int]]:
    """The participant's votes on statements still visible, newest first."""
    visible = Statement.objects.visible(participant.consultation)
    votes = (
        Vote.objects.filter(participant=participant, statement__in=visible)
        .exclude(statement__author=participant)
        .select_related("statement")
        .order_by("-updated", "-pk")
    )
    return [(vote.statement, vote.choice) for vote in votes]


def participant_statements(*, participant: Participant) -> QuerySet[Statement]:
    return Statement.objects.filter(author=participant).order_by("-created")


def statement_with_text(*, consultation: Consultation, text: str) -> Statement | None:
    """The statement that counts as a duplicate of ``text``, if any."""
    return Statement.objects.filter(consultation=consultation, dedupe_key=dedupe_key(text)).first()


def moderation_queue(*, consultation: Consultation, state: int | None) -> QuerySet[Statement]:
    """Statements in a moderation state (None: all), with their vote counts."""
    qs = Statement.objects.filter(consultation=consultation)
    if state is not None:
        qs = qs.filter(moderation=state)
    return qs.annotate(
        agrees=Count("votes", filter=Q(votes__choice=1)),
        disagrees=Count("votes", filter=Q(votes__choice=-1)),
        passes=Count("votes", filter=Q(votes__choice=0)),
    ).order_by("created", "pk")


def moderation_counts(*, consultation: Consultation) -> dict[int, int]:
    rows = Statement.objects.filter(consultation=consultation).values_list("moderation").annotate(n=Count("pk"))
    counts = {state: 0 for state in Statement.Moderation.values}
    counts.update(dict(rows))
    return counts


def moderation_log(*, consultation: Consultation) -> QuerySet[ModerationLogEntry]:
    return ModerationLogEntry.objects.filter(consultation=consultation).order_by("-created", "-pk")


# --- analysis -------------------------------------------------------------------------------


def analysis_latest(*, consultation: Consultation, full: bool = False) -> AnalysisSnapshot | None:
    """The current analysis; without ``full`` the large fields stay in the database."""
    qs = AnalysisSnapshot.objects.filter(consultation=consultation).order_by("-version")
    if not full:
        qs = qs.defer("result", "state", "memberships", "priorities")
    return qs.first()


def participant_standing(*, participant: Participant) -> dict | None:
    """Where the participant stands in the latest analysis (None before one), through the one reader.

    Keys: ``analysed``; ``group`` (the engine's id of the group shown they are
    in, else None), ``group_number`` (1..``n_groups``), ``group_size``;
    ``group_hidden`` (they are in a group of fewer than ``MIN_GROUP`` people: no
    size, nothing it agrees on); ``agrees_on`` and ``consensus`` (claims: each
    reads like its statement and carries ``n``, how many saw it); ``stability``
    (the engine's label) and ``created``. Statements as participants may see
    them now, above the consultation's evidence floor.
    """
    analysis = analysis_read(
        consultation=participant.consultation, audience=Audience.PARTICIPANT, participant=participant
    )
    if analysis is None:
        return None
    group = analysis.participant_group
    return {
        "analysed": True,
        "group": group.id if group else None,
        "group_number": group.number if group else None,
        "group_size": group.size if group else None,
        "group_hidden": analysis.participant_group_hidden,
        "n_groups": analysis.n_groups,
        "agrees_on": group.agrees_on if group else [],
        "consensus": list(analysis.consensus_agree),
        "stability": analysis.stability.label,
        "created": analysis.created,
    }


def polis_export_data(*, consultation: Consultation) -> dict:
    """A consultation in the shape of a Pol.is export, with Pol.is-style integer ids.

    Imported participants and statements keep their original ids; others get
    the next free numbers. Groups come from the latest analysis.
    """

    def numbering(rows: list[dict]) -> dict[int, str]:
        taken = [int(r["external_id"]) for r in rows if r["external_id"].isdigit()]
        following = max(taken, default=-1) + 1
        ids = {}
        for r in rows:
            if r["external_id"].isdigit():
                ids[r["pk"]] = r["external_id"]
            else:
                ids[r["pk"]] = str(following)
                following += 1
        return ids

    participants = list(
        Participant.objects.filter(consultation=consultation).order_by("created", "pk").values("pk", "external_id")
    )
    statements = list(
        Statement.objects.filter(consultation=consultation)
        .order_by("created", "pk")
        .values("pk", "external_id", "author_id", "text", "moderation", "is_meta", "is_seed", "created")
    )
    pid, tid = numbering(participants), numbering(statements)
    votes = [
        {"voter": pid[p], "statement": tid[s], "choice": c, "time": updated}
        for p, s, c, updated in Vote.objects.filter(statement__consultation=consultation)
        .order_by("updated", "pk")
        .values_list("participant_id", "statement_id", "choice", "updated")
    ]
    memberships = (
        AnalysisSnapshot.objects.filter(consultation=consultation)
        .order_by("-version")
        .values_list("memberships", flat=True)
        .first()
        or {}
    )
    groups = {pid[p["pk"]]: memberships.get(membership_key(p["pk"])) for p in participants}
    return {
        "title": consultation.title,
        "description": consultation.description,
        "statements": [
            {
                "id": tid[s["pk"]],
                # a statement without a known author (forgotten, or a facilitator's seed) is given to no one
                "author": pid.get(s["author_id"], "-1"),
                "text": s["text"],
                "moderated": int(s["moderation"]),
                "is_meta": s["is_meta"],
                "is_seed": s["is_seed"],
                "time": s["created"],
            }
            for s in statements
        ],
        "votes": votes,
        "groups": groups,
    }


# The one reader of stored analyses, what the analysis job reads, the live dashboard and event screen
# (modules of their own; re-exported here).
from ideation.selectors.analysis import (  # noqa: E402
    analysis_context as analysis_context,
)
from ideation.selectors.analysis import (  # noqa: E402
    analysis_votes as analysis_votes,
)
from ideation.selectors.analysis import (  # noqa: E402
    analysis_votes_since as analysis_votes_since,
)
from ideation.selectors.analysis import (  # noqa: E402
    fast_votes_supported as fast_votes_supported,
)
from ideation.selectors.analysis import (  # noqa: E402
    from_micros as from_micros,
)
from ideation.selectors.analysis_reader import (  # noqa: E402
    MIN_GROUP as MIN_GROUP,
)
from ideation.selectors.analysis_reader import (  # noqa: E402
    Analysis as Analysis,
)
from ideation.selectors.analysis_reader import (  # noqa: E402
    Audience as Audience,
)
from ideation.selectors.analysis_reader import (  # noqa: E402
    analysis_read as analysis_read,
)
from ideation.selectors.journey import (  # noqa: E402
    IN_CONV_VOTES as IN_CONV_VOTES,
)
from ideation.selectors.journey import (  # noqa: E402
    StandingStatus as StandingStatus,
)
from ideation.selectors.journey import (  # noqa: E402
    Step as Step,
)
from ideation.selectors.journey import (  # noqa: E402
    StepKind as StepKind,
)
from ideation.selectors.journey import (  # noqa: E402
    language_choose as language_choose,
)
from ideation.selectors.journey import (  # noqa: E402
    participant_next_step as participant_next_step,
)
from ideation.selectors.journey import (  # noqa: E402
    participant_standing_status as participant_standing_status,
)
from ideation.selectors.journey import (  # noqa: E402
    unvoted_statements as unvoted_statements,
)
from ideation.selectors.live import (  # noqa: E402
    analysis_view as analysis_view,
)
from ideation.selectors.live import (  # noqa: E402
    consultation_stats as consultation_stats,
)
from ideation.selectors.live import (  # noqa: E402
    participation_timeline as participation_timeline,
)
from ideation.selectors.live import (  # noqa: E402
    statement_breakdown as statement_breakdown,
)
from ideation.selectors.screen import (  # noqa: E402
    PinnedNumbers as PinnedNumbers,
)
from ideation.selectors.screen import (  # noqa: E402
    ScreenShown as ScreenShown,
)
from ideation.selectors.screen import (  # noqa: E402
    pinned_numbers as pinned_numbers,
)
from ideation.selectors.screen import (  # noqa: E402
    screen_shown as screen_shown,
)
from ideation.selectors.screen import (  # noqa: E402
    statements_pinnable as statements_pinnable,
)
from ideation.selectors.themes import (  # noqa: E402
    answer_theme_ids as answer_theme_ids,
)
from ideation.selectors.themes import (  # noqa: E402
    answers_for_theming as answers_for_theming,
)
from ideation.selectors.themes import (  # noqa: E402
    question_themes as question_themes,
)
