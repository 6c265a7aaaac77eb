"""The participant's journey in the domain: the typed step, what comes next, the language rule, the standing."""

from __future__ import annotations

from datetime import timedelta

import pytest

from ideation import selectors, services
from ideation.models import Vote
from ideation.selectors import IN_CONV_VOTES, StandingStatus, Step, StepKind
from tests.factories import ConsultationFactory, ParticipantFactory, QuestionFactory, StatementFactory

pytestmark = pytest.mark.django_db


def test_steps_read_and_write_the_stored_strings_in_one_place():
    for code in ("profile", "question:3", "vote", "done"):
        assert Step.parse(code).code == code
    assert Step.parse("question:3") == Step(StepKind.QUESTION, 3)
    assert Step.parse("vote").kind == StepKind.DECK
    for bad in ("", "nowhere", "question:", "question:x", "vote:2", "done:1"):
        with pytest.raises(ValueError):
            Step.parse(bad)
    with pytest.raises(ValueError):
        Step(StepKind.QUESTION)
    assert Step.profile().rank < Step.question(1).rank < Step.question(2).rank < Step.deck().rank < Step.done().rank


def test_the_journey_goes_consent_profile_questions_deck_done(consultation):
    assert selectors.participant_next_step(participant=None) == Step.consent()
    participant = services.participant_start(consultation=consultation, language="en", consent=True, channel="web")
    assert services.participant_advance(participant=participant, at=Step.consent()) == Step.profile()
    assert services.participant_advance(participant=participant, at=Step.profile()) == Step.question(1)
    assert services.participant_advance(participant=participant, at=Step.question(4)) == Step.question(5)
    assert services.participant_advance(participant=participant, at=Step.question(5)) == Step.deck()
    participant.refresh_from_db()
    assert participant.step == "vote"
    for statement in consultation.statements.all():
        services.vote_cast(participant=participant, statement_id=statement.pk, choice=1, channel="web")
    assert selectors.participant_next_step(participant=participant) == Step.done(), "the deck is empty: done"
    assert participant.step == "vote", "a selector stores nothing"
    assert services.participant_advance(participant=participant, at=Step.deck()) == Step.done()
    participant.refresh_from_db()
    assert participant.step == "done"
    # going back to a question does not undo the progress
    services.participant_advance(participant=participant, at=Step.question(1))
    participant.refresh_from_db()
    assert participant.step == "done"
    StatementFactory(consultation=consultation)
    assert selectors.participant_next_step(participant=participant) == Step.deck(), "new statements: the deck again"


def test_a_consultation_without_groups_or_regions_has_no_profile_step():
    consultation = ConsultationFactory()
    participant = services.participant_start(consultation=consultation, language="en", consent=True, channel="web")
    assert services.participant_advance(participant=participant, at=Step.consent()) == Step.done(), "nothing at all"
    QuestionFactory(consultation=consultation, order=7)
    StatementFactory(consultation=consultation)
    other = services.participant_start(consultation=consultation, language="en", consent=True, channel="telegram")
    assert services.participant_advance(participant=other, at=Step.consent()) == Step.question(7)
    assert services.participant_advance(participant=other, at=Step.question(7)) == Step.deck()


def test_a_removed_question_is_skipped_on_resume(consultation):
    participant = ParticipantFactory(consultation=consultation, step="question:3")
    consultation.questions.filter(order=3).delete()
    assert selectors.participant_next_step(participant=participant) == Step.question(4)


def test_one_language_rule_for_every_channel(consultation):
    consultation.languages = ["en", "fr", "ar"]
    consultation.default_language = "fr"
    consultation.save()
    choose = selectors.language_choose
    assert choose(consultation=consultation, participant=None, preferred=[]) == "fr", "the default"
    assert choose(consultation=consultation, participant=None, preferred=["", "de-DE", "ar-EG", "en"]) == "ar"
    assert choose(consultation=consultation, participant=None, preferred=["es"]) == "fr", "not offered"
    participant = ParticipantFactory(consultation=consultation, language="en")
    assert choose(consultation=consultation, participant=participant, preferred=["ar"]) == "en", "the person's own"
    assert choose(consultation=None, participant=None, preferred=["ES-mx"]) == "es", "before any consultation"
    assert choose(consultation=None, participant=None, preferred=["xx"]) == "en"


def _snapshot(consultation, *, members: dict, votes_until):
    """An analysis stored by hand: ``members`` participant -> group."""
    result = {
        "participants": [{"id": str(p.pk), "group": g} for p, g in members.items()],
        "groups": [{"id": g, "size": 1, "representative": []} for g in sorted(set(members.values()))],
        "counts": {"participants": len(members), "votes": 0},
    }
    return services.analysis_snapshot_store(
        consultation=consultation, result=result, state={}, votes_until=votes_until, duration_ms=1
    )


def test_standing_is_updating_right_after_the_vote_that_places_someone(consultation):
    statements = [StatementFactory(consultation=consultation) for _ in range(IN_CONV_VOTES)]
    participant, other = ParticipantFactory(consultation=consultation), ParticipantFactory(consultation=consultation)
    status = selectors.participant_standing_status
    assert status(participant=participant) == StandingStatus.NONE, "no analysis yet"
    for statement in statements:
        services.vote_cast(participant=other, statement_id=statement.pk, choice=1, channel="web")
    for statement in statements[:3]:
        services.vote_cast(participant=participant, statement_id=statement.pk, choice=1, channel="web")
    _snapshot(consultation, members={}, votes_until=Vote.objects.latest("updated").updated)
    assert status(participant=participant) == StandingStatus.UNGROUPED, "3 votes: vote more"
    for statement in statements[3:IN_CONV_VOTES]:
        services.vote_cast(participant=participant, statement_id=statement.pk, choice=-1, channel="web")
    assert status(participant=participant) == StandingStatus.UPDATING, "the seventh vote is not analysed yet"
    _snapshot(consultation, members={participant: 0}, votes_until=Vote.objects.latest("updated").updated)
    assert status(participant=participant) == StandingStatus.GROUPED


def test_standing_needs_as_many_votes_as_there_are_statements_when_fewer_than_seven(consultation):
    participant = ParticipantFactory(consultation=consultation)
    first = consultation.statements.first()
    services.vote_cast(participant=participant, statement_id=first.pk, choice=1, channel="web")
    _snapshot(consultation, members={}, votes_until=Vote.objects.latest("updated").updated - timedelta(seconds=1))
    assert selectors.participant_standing_status(participant=participant) == StandingStatus.UPDATING, (
        "one statement with votes: one vote is enough to be placed"
    )
    _snapshot(consultation, members={}, votes_until=Vote.objects.latest("updated").updated)
    assert selectors.participant_standing_status(participant=participant) == StandingStatus.NONE, (
        "analysed and still no group: no group to show, not 'vote more'"
    )
