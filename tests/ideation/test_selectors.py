"""Which statement comes next, and the progress shown with it."""

from __future__ import annotations

import random
from collections import Counter

import pytest

from ideation import selectors, services
from ideation.models import Consultation, Statement
from tests.factories import ParticipantFactory, StatementFactory, VoteFactory

pytestmark = pytest.mark.django_db


def deck(participant, rng=None):
    """Vote pass on everything the deck offers, in order; return the ids shown."""
    shown = []
    while (statement := selectors.statement_next(participant=participant, rng=rng)) is not None:
        shown.append(statement.pk)
        services.vote_cast(participant=participant, statement_id=statement.pk, choice=0, channel="web")
        assert len(shown) < 100, "the deck never ends"
    return shown


def test_deck_shows_every_visible_statement_once_and_never_hidden_or_own_ones(consultation):
    participant = ParticipantFactory(consultation=consultation)
    rejected = StatementFactory(consultation=consultation, moderation=Statement.Moderation.REJECTED)
    pending = StatementFactory(consultation=consultation, moderation=Statement.Moderation.PENDING)
    own = services.statement_submit(participant=participant, text="My own view", channel="web")
    other_consultation = StatementFactory()

    shown = deck(participant, random.Random(1))

    visible = set(
        Statement.objects.filter(consultation=consultation)
        .exclude(pk__in=[rejected.pk, own.pk])
        .values_list("pk", flat=True)
    )
    assert len(shown) == len(set(shown)), "never a statement twice"
    assert set(shown) == visible
    assert pending.pk in shown, "open mode shows unmoderated statements"
    assert rejected.pk not in shown and own.pk not in shown and other_consultation.pk not in shown


def test_strict_mode_deck_shows_only_approved_statements(consultation):
    consultation.moderation_mode = Consultation.Moderation.STRICT
    consultation.save()
    pending = StatementFactory(consultation=consultation, moderation=Statement.Moderation.PENDING)
    participant = ParticipantFactory(consultation=consultation)
    shown = deck(participant)
    assert pending.pk not in shown
    assert len(shown) == 3


def test_before_any_analysis_new_statements_come_first_more_often(consultation):
    """Weighted random: a statement nobody saw yet is far likelier than one seen by many."""
    fresh = StatementFactory(consultation=consultation, text="Nobody has seen this")
    worn = StatementFactory(consultation=consultation, text="Everybody has seen this")
    for _ in range(30):
        VoteFactory(statement=worn, participant=ParticipantFactory(consultation=consultation))
    Statement.objects.filter(consultation=consultation).exclude(pk__in=[fresh.pk, worn.pk]).delete()
    participant = ParticipantFactory(consultation=consultation)
    rng = random.Random(7)
    picks = Counter(selectors.statement_next(participant=participant, rng=rng).pk for _ in range(400))
    assert picks[fresh.pk] > 10 * max(picks[worn.pk], 1)


def test_weights_come_from_the_latest_analysis_when_there_is_one(consultation, monkeypatch):
    a, b, c = Statement.objects.filter(consultation=consultation).order_by("pk")
    monkeypatch.setattr(selectors, "statement_priorities", lambda *, consultation: {a.pk: 100.0, b.pk: 0.0})
    participant = ParticipantFactory(consultation=consultation)
    rng = random.Random(3)
    picks = Counter(selectors.statement_next(participant=participant, rng=rng).pk for _ in range(300))
    assert picks[b.pk] == 0, "priority 0 is never picked"
    assert picks[a.pk] > 50 * max(picks[c.pk], 1) / 2, "an unanalysed statement gets priority 1"
    assert picks[c.pk] > 0


def test_progress_counts_votes_on_visible_statements(consultation):
    participant = ParticipantFactory(consultation=consultation)
    services.statement_submit(participant=participant, text="Mine, not counted", channel="web")
    first = selectors.statement_next(participant=participant)
    progress = selectors.vote_progress(participant=participant)
    assert (progress.voted, progress.total, progress.position) == (0, 3, 1)
    services.vote_cast(participant=participant, statement_id=first.pk, choice=1, channel="web")
    progress = selectors.vote_progress(participant=participant)
    assert (progress.voted, progress.total, progress.position, progress.remaining) == (1, 3, 2, 2)


def test_next_step_follows_the_furthest_step(consultation):
    Step = selectors.Step
    participant = ParticipantFactory(consultation=consultation)
    assert selectors.participant_next_step(participant=participant) == Step.profile()
    services.participant_record_step(participant=participant, step="question:3")
    assert selectors.participant_next_step(participant=participant) == Step.question(3)
    services.participant_record_step(participant=participant, step="question:9")
    assert selectors.participant_next_step(participant=participant) == Step.deck()
