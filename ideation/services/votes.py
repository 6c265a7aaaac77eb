"""Votes: agree (+1), disagree (-1) or pass (0) on a statement."""

from __future__ import annotations

from contextlib import nullcontext

from django.db import connection, transaction
from django.utils import timezone

from ideation import events
from ideation.exceptions import InvalidChoice, OwnStatement, StatementNotFound
from ideation.models import Participant, Statement, Vote
from ideation.services.common import note_channel, require_channel, require_open

VALID_CHOICES = frozenset(Vote.Choice.values)

# One statement does the checks and the write: the statement must be one the participant may vote on
# (``Statement.objects.visible``, not their own: the same rule as everywhere, as a subquery); voting
# again replaces the earlier vote. Nothing is written when a check fails. ("WHERE true": SQLite reads
# "SELECT ... ON CONFLICT" as a join without it.)
_UPSERT = """
INSERT INTO {vote} (participant_id, statement_id, choice, channel, created, updated)
SELECT %s, votable.id, %s, %s, %s, %s FROM ({votable}) votable WHERE true
ON CONFLICT (participant_id, statement_id)
DO UPDATE SET choice = excluded.choice, channel = excluded.channel, updated = excluded.updated
RETURNING id
"""


def vote_cast(*, participant: Participant, statement_id: int, choice: int, channel: str) -> Vote:
    """Record a vote; voting again on the same statement replaces the earlier vote.

    Only statements the participant may see can be voted on, and not their own.
    One database statement in the usual case (two more, in one transaction, the
    first time the participant uses ``channel``): a vote is the hot path of a
    live event.
    """
    consultation = participant.consultation
    require_open(consultation)
    require_channel(channel)
    # bool is an int in Python; True must not pass as "agree".
    if type(choice) is not int or choice not in VALID_CHOICES:
        raise InvalidChoice()
    if type(statement_id) is not int or not 0 < statement_id < 2**63:  # beyond a bigint: no such statement
        raise StatementNotFound()
    votable = Statement.objects.votable_by(participant).filter(pk=statement_id)
    votable_sql, votable_params = votable.values("id").query.sql_with_params()
    sql = _UPSERT.format(vote=Vote._meta.db_table, votable=votable_sql)
    now = timezone.now()
    stamp = connection.ops.adapt_datetimefield_value(now)
    params = [participant.pk, choice, channel, stamp, stamp, *votable_params]
    first_on_channel = channel not in participant.channels
    with transaction.atomic() if first_on_channel else nullcontext():
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            row = cursor.fetchone()
        if row is None:
            raise _refusal(participant, statement_id)
        if first_on_channel:
            note_channel(participant, channel)
        events.contribution_recorded(consultation_id=consultation.pk, kind="vote")
    return Vote(
        pk=row[0],
        participant=participant,
        statement_id=statement_id,
        choice=choice,
        channel=channel,
        created=now,
        updated=now,
    )


def _refusal(participant: Participant, statement_id: int) -> Exception:
    """Why the vote was not written (the error path only): not a statement they may see, or their own."""
    own = Statement.objects.visible(participant.consultation).filter(pk=statement_id, author=participant)
    if own.exists():
        return OwnStatement()
    return StatementNotFound()
