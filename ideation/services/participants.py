"""Participants: joining with consent, profile, language, progress, forgetting."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from ideation import events, ratelimit
from ideation.exceptions import ConsentRequired, RateLimited, UnknownChoice
from ideation.models import Consultation, Participant, Region, StakeholderGroup, Statement, Vote
from ideation.services.common import require_channel, require_language, require_open


def participant_start(
    *,
    consultation: Consultation,
    language: str,
    consent: bool,
    channel: str,
    client_key: str | None = None,
    external_id: str = "",
    chat_key: str = "",
    quote_consent: bool = False,
) -> Participant:
    """Create a participant once they have explicitly consented.

    ``client_key`` is an opaque hash of the client (see ``ratelimit.client_key``);
    it only counts new participants per minute and is never stored.
    ``external_id`` marks participants that come from elsewhere (the demo's
    simulated people); ``chat_key`` ties the participant to a chat account's
    keyed hash (``ChatSession.key``), so that account finds them again.
    ``quote_consent``: the report may quote their answers, without any name.
    """
    require_open(consultation)
    if consent is not True:
        raise ConsentRequired()
    require_language(consultation, language)
    require_channel(channel)
    if client_key is not None and not ratelimit.allow(
        f"new-participant:{consultation.pk}:{client_key}", limit=settings.NEW_PARTICIPANTS_PER_MINUTE, window=60
    ):
        raise RateLimited()
    with transaction.atomic():
        participant = Participant.objects.create(
            consultation=consultation,
            language=language,
            consented_at=timezone.now(),
            channels=[channel],
            external_id=external_id,
            chat_key=chat_key,
            quote_consent=quote_consent is True,
        )
        events.contribution_recorded(consultation_id=consultation.pk, kind="participant")
    return participant


def participant_set_profile(
    *, participant: Participant, stakeholder_group_id: int | None, region_id: int | None
) -> Participant:
    """Set (or clear, with None) the optional stakeholder group and region."""
    consultation = participant.consultation
    require_open(consultation)
    group = region = None
    if stakeholder_group_id is not None:
        group = StakeholderGroup.objects.filter(consultation=consultation, pk=stakeholder_group_id).first()
        if group is None:
            raise UnknownChoice()
    if region_id is not None:
        region = Region.objects.filter(consultation=consultation, pk=region_id).first()
        if region is None:
            raise UnknownChoice()
    participant.stakeholder_group = group
    participant.region = region
    participant.save(update_fields=["stakeholder_group", "region"])
    return participant


def participant_set_quote_consent(*, participant: Participant, consent: bool) -> Participant:
    """Whether the synthesis report may quote the participant's answers anonymously; changeable any time."""
    if participant.quote_consent != (consent is True):
        participant.quote_consent = consent is True
        participant.save(update_fields=["quote_consent"])
    return participant


def participant_set_language(*, participant: Participant, language: str) -> Participant:
    """Change the participant's language. Allowed after closing too: reading is not contributing."""
    require_language(participant.consultation, language)
    if participant.language != language:
        participant.language = language
        participant.save(update_fields=["language"])
    return participant


@dataclass(frozen=True)
class ForgetSummary:
    answers_deleted: int
    votes_deleted: int
    statements_deleted: int
    statements_detached: int


def participant_forget(*, participant: Participant) -> ForgetSummary:
    """Delete what the participant gave: profile, answers, votes and their statements.

    Statements other people have already voted on stay (their votes would
    otherwise lose their meaning) but are detached from their author.
    """
    with transaction.atomic():
        answers = participant.answers.count()
        votes = participant.votes.count()
        others_voted = Exists(Vote.objects.filter(statement=OuterRef("pk")).exclude(participant=participant))
        own = Statement.objects.filter(author=participant).annotate(others_voted=others_voted)
        detached = own.filter(others_voted=True).update(author=None)
        to_delete = Statement.objects.filter(author=participant)
        statements = to_delete.count()
        to_delete.delete()
        consultation_id = participant.consultation_id
        participant.delete()
        events.contribution_recorded(consultation_id=consultation_id, kind="forget")
    return ForgetSummary(
        answers_deleted=answers,
        votes_deleted=votes,
        statements_deleted=statements,
        statements_detached=detached,
    )
