"""Votes: agree (+1), disagree (-1) or pass (0) on a statement."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from ideation import events
from ideation.exceptions import InvalidChoice, OwnStatement, StatementNotFound
from ideation.models import Participant, Statement, Vote
from ideation.services.common import note_channel, require_channel, require_open

VALID_CHOICES = frozenset(Vote.Choice.values)


def vote_cast(*, participant: Participant, statement_id: int, choice: int, channel: str) -> Vote:
    """Record a vote; voting again on the same statement replaces the earlier vote.

    Only statements the participant may see can be voted on, and not their own.
    """
    consultation = participant.consultation
    require_open(consultation)
    require_channel(channel)
    # bool is an int in Python; True must not pass as "agree".
    if type(choice) is not int or choice not in VALID_CHOICES:
        raise InvalidChoice()
    if type(statement_id) is not int:
        raise StatementNotFound()
    statement = Statement.objects.visible(consultation).filter(pk=statement_id).only("pk", "author_id").first()
    if statement is None:
        raise StatementNotFound()
    if statement.author_id is not None and statement.author_id == participant.pk:
        raise OwnStatement()
    now = timezone.now()
    vote = Vote(participant=participant, statement=statement, choice=choice, channel=channel, created=now, updated=now)
    with transaction.atomic():
        # One statement: insert, or update the earlier vote, race-free.
        Vote.objects.bulk_create(
            [vote],
            update_conflicts=True,
            unique_fields=["participant", "statement"],
            update_fields=["choice", "channel", "updated"],
        )
        note_channel(participant, channel)
        events.contribution_recorded(consultation_id=consultation.pk, kind="vote")
    return vote
