"""The domain's rules, through ideation.services, on the real database."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from ideation import services
from ideation.exceptions import (
    ConsentRequired,
    ConsultationNotOpen,
    DuplicateStatement,
    EmptyText,
    InvalidChoice,
    InvalidModeration,
    OwnStatement,
    RateLimited,
    StatementNotFound,
    TextTooLong,
    UnknownChoice,
    UnknownLanguage,
    UnknownQuestion,
)
from ideation.models import Answer, Consultation, ModerationLogEntry, Participant, Statement, Vote
from tests.factories import ConsultationFactory, ParticipantFactory, StatementFactory, VoteFactory

pytestmark = pytest.mark.django_db


def start(consultation, **kwargs):
    defaults = {"language": "en", "consent": True, "channel": "web"}
    return services.participant_start(consultation=consultation, **{**defaults, **kwargs})


# --- participants ----------------------------------------------------------------


def test_start_needs_explicit_consent(consultation):
    for consent in (False, None, "yes", 1):
        with pytest.raises(ConsentRequired):
            start(consultation, consent=consent)
    assert Participant.objects.count() == 0


def test_start_records_consent_language_and_channel(consultation):
    participant = start(consultation, language="ar", channel="telegram")
    assert participant.consented_at is not None
    assert participant.language == "ar"
    assert participant.channels == ["telegram"]
    assert len(participant.uid.hex) == 32


def test_start_refuses_unknown_language(consultation):
    consultation.languages = ["en", "fr"]
    consultation.save()
    with pytest.raises(UnknownLanguage):
        start(consultation, language="ar")
    with pytest.raises(UnknownLanguage):
        start(consultation, language="xx")
    assert Participant.objects.count() == 0


@pytest.mark.parametrize("status", [Consultation.Status.DRAFT, Consultation.Status.CLOSED])
def test_no_participants_join_a_draft_or_closed_consultation(consultation, status):
    consultation.status = status
    consultation.save()
    with pytest.raises(ConsultationNotOpen):
        start(consultation)


def test_open_and_close_times_are_honoured(consultation):
    consultation.opens_at = timezone.now() + timedelta(hours=1)
    consultation.save()
    with pytest.raises(ConsultationNotOpen):
        start(consultation)
    consultation.opens_at = timezone.now() - timedelta(hours=2)
    consultation.closes_at = timezone.now() - timedelta(hours=1)
    consultation.save()
    with pytest.raises(ConsultationNotOpen):
        start(consultation)
    consultation.closes_at = timezone.now() + timedelta(hours=1)
    consultation.save()
    assert start(consultation)


def test_new_participants_per_client_are_capped(consultation, settings):
    settings.NEW_PARTICIPANTS_PER_MINUTE = 3
    for _ in range(3):
        start(consultation, client_key="client-a")
    with pytest.raises(RateLimited):
        start(consultation, client_key="client-a")
    start(consultation, client_key="client-b")  # another client is not affected
    assert Participant.objects.count() == 4


def test_profile_accepts_only_the_consultations_own_options(consultation, participant):
    other = ConsultationFactory()
    from tests.factories import RegionFactory

    foreign_region = RegionFactory(consultation=other)
    group = consultation.stakeholder_groups.first()
    region = consultation.regions.first()
    services.participant_set_profile(participant=participant, stakeholder_group_id=group.pk, region_id=region.pk)
    participant.refresh_from_db()
    assert (participant.stakeholder_group, participant.region) == (group, region)
    with pytest.raises(UnknownChoice):
        services.participant_set_profile(
            participant=participant, stakeholder_group_id=None, region_id=foreign_region.pk
        )
    participant.refresh_from_db()
    assert participant.region == region, "a refused change stores nothing"
    services.participant_set_profile(participant=participant, stakeholder_group_id=None, region_id=None)
    participant.refresh_from_db()
    assert participant.stakeholder_group is None and participant.region is None


def test_steps_only_move_forward(participant):
    services.participant_record_step(participant=participant, step="question:3")
    services.participant_record_step(participant=participant, step="question:2")
    assert participant.step == "question:3"
    services.participant_record_step(participant=participant, step="vote")
    services.participant_record_step(participant=participant, step="profile")
    participant.refresh_from_db()
    assert participant.step == "vote"
    with pytest.raises(ValueError):
        services.participant_record_step(participant=participant, step="nowhere")


def test_forget_deletes_contributions_and_keeps_statements_others_voted_on(consultation, participant):
    question = consultation.questions.first()
    services.answer_save(participant=participant, question_id=question.pk, text="My answer", channel="web")
    kept = services.statement_submit(participant=participant, text="Others voted on this one", channel="web")
    dropped = services.statement_submit(participant=participant, text="Nobody voted on this one", channel="web")
    other = ParticipantFactory(consultation=consultation)
    VoteFactory(participant=other, statement=kept, choice=-1)
    seed = Statement.objects.filter(is_seed=True).first()
    services.vote_cast(participant=participant, statement_id=seed.pk, choice=1, channel="web")

    summary = services.participant_forget(participant=participant)

    assert not Participant.objects.filter(pk=participant.pk).exists()
    assert not Answer.objects.exists()
    assert not Vote.objects.filter(participant_id=participant.pk).exists()
    kept.refresh_from_db()
    assert kept.author is None, "kept statements lose their author"
    assert Vote.objects.filter(statement=kept, participant=other).exists()
    assert not Statement.objects.filter(pk=dropped.pk).exists()
    assert summary.statements_detached == 1 and summary.statements_deleted == 1 and summary.answers_deleted == 1


# --- answers ---------------------------------------------------------------------


def test_answer_is_saved_then_replaced_not_duplicated(consultation, participant):
    question = consultation.questions.first()
    services.answer_save(participant=participant, question_id=question.pk, text="  first  ", channel="web")
    answer = services.answer_save(
        participant=participant, question_id=question.pk, text="Nous devrions travailler avec les écoles", channel="web"
    )
    assert Answer.objects.count() == 1
    assert answer.text == "Nous devrions travailler avec les écoles"
    assert answer.language == "fr"


@pytest.mark.parametrize("text", ["", "   ", "\n\t ", None])
def test_empty_answers_are_refused(consultation, participant, text):
    with pytest.raises(EmptyText):
        services.answer_save(
            participant=participant, question_id=consultation.questions.first().pk, text=text, channel="web"
        )
    assert not Answer.objects.exists()


def test_overlong_answer_is_refused_and_says_the_limit(consultation, participant):
    with pytest.raises(TextTooLong) as info:
        services.answer_save(
            participant=participant, question_id=consultation.questions.first().pk, text="x" * 5001, channel="web"
        )
    assert "5000" in str(info.value) and "5001" in str(info.value)
    assert not Answer.objects.exists()


def test_answer_to_another_consultations_question_is_refused(participant):
    from tests.factories import QuestionFactory

    foreign = QuestionFactory()
    with pytest.raises(UnknownQuestion):
        services.answer_save(participant=participant, question_id=foreign.pk, text="hello", channel="web")
    with pytest.raises(UnknownQuestion):
        services.answer_save(participant=participant, question_id=999999, text="hello", channel="web")


def test_answers_are_frozen_once_closed(consultation, participant):
    question = consultation.questions.first()
    services.answer_save(participant=participant, question_id=question.pk, text="before", channel="web")
    consultation.status = Consultation.Status.CLOSED
    consultation.save()
    participant.refresh_from_db()
    with pytest.raises(ConsultationNotOpen):
        services.answer_save(participant=participant, question_id=question.pk, text="after", channel="web")
    assert Answer.objects.get().text == "before"


# --- statements ------------------------------------------------------------------


def test_submitted_statement_counts_as_the_authors_agreement(participant):
    statement = services.statement_submit(participant=participant, text="  Work with   schools  ", channel="web")
    assert statement.text == "Work with schools"
    assert statement.moderation == Statement.Moderation.PENDING
    assert Vote.objects.get(participant=participant, statement=statement).choice == 1


@pytest.mark.parametrize(
    "variant",
    [
        "schools matter most",
        "SCHOOLS MATTER MOST!!!",
        "Schools,   matter... most?",
        " schools matter most ",
        "Schools — matter most",
    ],
)
def test_duplicates_ignore_case_spacing_and_punctuation(consultation, participant, variant):
    with pytest.raises(DuplicateStatement):
        services.statement_submit(participant=participant, text=variant, channel="web")
    assert Statement.objects.filter(author=participant).count() == 0


@pytest.mark.parametrize("text", ["", "   ", "!!!", "?? ..."])
def test_empty_statements_are_refused(participant, text):
    with pytest.raises(EmptyText):
        services.statement_submit(participant=participant, text=text, channel="web")


def test_statements_are_capped_at_280_characters(participant):
    services.statement_submit(participant=participant, text="a" * 279 + "b", channel="web")
    with pytest.raises(TextTooLong):
        services.statement_submit(participant=participant, text="c" * 281, channel="web")
    assert Statement.objects.filter(author=participant).count() == 1


def test_statements_per_hour_are_capped(participant, settings):
    settings.STATEMENTS_PER_HOUR = 2
    services.statement_submit(participant=participant, text="First idea", channel="web")
    services.statement_submit(participant=participant, text="Second idea", channel="web")
    with pytest.raises(RateLimited):
        services.statement_submit(participant=participant, text="Third idea", channel="web")
    Statement.objects.filter(author=participant).update(created=timezone.now() - timedelta(hours=2))
    services.statement_submit(participant=participant, text="Third idea", channel="web")


def test_no_statement_to_a_closed_consultation(consultation, participant):
    consultation.status = Consultation.Status.CLOSED
    consultation.save()
    participant.refresh_from_db()
    with pytest.raises(ConsultationNotOpen):
        services.statement_submit(participant=participant, text="Too late", channel="web")


def test_seed_statements_are_accepted_at_once_even_in_drafts(staff_user):
    draft = ConsultationFactory(status=Consultation.Status.DRAFT, moderation_mode=Consultation.Moderation.STRICT)
    statement = services.statement_seed(
        consultation=draft, text="A seed", language="en", translations={"fr": "Une graine"}, author_user=staff_user
    )
    assert statement.is_seed and statement.moderation == Statement.Moderation.ACCEPTED
    assert statement.localized("text", "fr") == "Une graine"
    assert statement.localized("text", "es") == "A seed"
    with pytest.raises(UnknownLanguage):
        services.statement_seed(consultation=draft, text="Another", language="xx")


# --- votes -----------------------------------------------------------------------


def seed(consultation):
    return Statement.objects.filter(consultation=consultation, is_seed=True).first()


def test_vote_then_change_of_mind_keeps_one_vote(consultation, participant):
    statement = seed(consultation)
    services.vote_cast(participant=participant, statement_id=statement.pk, choice=1, channel="web")
    first = Vote.objects.get()
    services.vote_cast(participant=participant, statement_id=statement.pk, choice=-1, channel="telegram")
    vote = Vote.objects.get()
    assert vote.choice == -1 and vote.channel == "telegram"
    assert vote.created == first.created and vote.updated >= first.updated
    participant.refresh_from_db()
    assert participant.channels == ["web", "telegram"]


@pytest.mark.parametrize("choice", [2, -2, 32768, -40000, "1", 1.0, None, True, False])
def test_only_agree_disagree_or_pass(consultation, participant, choice):
    with pytest.raises(InvalidChoice):
        services.vote_cast(participant=participant, statement_id=seed(consultation).pk, choice=choice, channel="web")
    assert not Vote.objects.exists()


def test_votes_on_unknown_rejected_or_foreign_statements_are_refused(consultation, participant):
    rejected = StatementFactory(consultation=consultation, moderation=Statement.Moderation.REJECTED)
    foreign = StatementFactory()
    for statement_id in (rejected.pk, foreign.pk, 10**9, "12", None):
        with pytest.raises(StatementNotFound):
            services.vote_cast(participant=participant, statement_id=statement_id, choice=1, channel="web")
    assert not Vote.objects.exists()


def test_in_strict_mode_unapproved_statements_cannot_be_voted_on(consultation, participant):
    consultation.moderation_mode = Consultation.Moderation.STRICT
    consultation.save()
    pending = StatementFactory(consultation=consultation, moderation=Statement.Moderation.PENDING)
    participant.refresh_from_db()
    with pytest.raises(StatementNotFound):
        services.vote_cast(participant=participant, statement_id=pending.pk, choice=1, channel="web")
    consultation.moderation_mode = Consultation.Moderation.OPEN
    consultation.save()
    participant.refresh_from_db()
    services.vote_cast(participant=participant, statement_id=pending.pk, choice=1, channel="web")


def test_no_vote_on_ones_own_statement(participant):
    own = services.statement_submit(participant=participant, text="My own idea", channel="web")
    with pytest.raises(OwnStatement):
        services.vote_cast(participant=participant, statement_id=own.pk, choice=-1, channel="web")
    assert Vote.objects.get(statement=own).choice == 1


def test_no_votes_once_closed(consultation, participant):
    consultation.status = Consultation.Status.CLOSED
    consultation.save()
    participant.refresh_from_db()
    with pytest.raises(ConsultationNotOpen):
        services.vote_cast(participant=participant, statement_id=seed(consultation).pk, choice=1, channel="web")


def test_unknown_channel_is_a_programming_error(consultation, participant):
    with pytest.raises(ValueError):
        services.vote_cast(participant=participant, statement_id=seed(consultation).pk, choice=1, channel="fax")


# --- moderation ------------------------------------------------------------------


def test_moderation_is_logged_with_who_what_and_why(consultation, participant, staff_user):
    statement = services.statement_submit(participant=participant, text="Needs review", channel="web")
    services.statement_moderate(statement=statement, action="reject", reason="Off topic", moderator=staff_user)
    assert statement.moderation == Statement.Moderation.REJECTED
    entry = ModerationLogEntry.objects.get()
    assert (entry.moderator_name, entry.action, entry.reason, entry.statement_text) == (
        "facilitator",
        "reject",
        "Off topic",
        "Needs review",
    )


def test_rejecting_needs_a_reason(consultation, participant, staff_user):
    statement = services.statement_submit(participant=participant, text="Needs review", channel="web")
    with pytest.raises(InvalidModeration):
        services.statement_moderate(statement=statement, action="reject", reason="  ", moderator=staff_user)
    with pytest.raises(InvalidModeration):
        services.statement_moderate(statement=statement, action="delete", reason="x", moderator=staff_user)
    statement.refresh_from_db()
    assert statement.moderation == Statement.Moderation.PENDING
    assert not ModerationLogEntry.objects.exists()


def test_bulk_moderation_is_all_or_nothing(consultation, staff_user):
    ours = [StatementFactory(consultation=consultation, moderation=0) for _ in range(3)]
    foreign = StatementFactory(moderation=0)
    with pytest.raises(InvalidModeration):
        services.statements_moderate(
            consultation=consultation,
            statement_ids=[s.pk for s in ours] + [foreign.pk],
            action="approve",
            moderator=staff_user,
        )
    assert Statement.objects.filter(moderation=1, pk__in=[s.pk for s in ours]).count() == 0
    with pytest.raises(InvalidModeration):
        services.statements_moderate(
            consultation=consultation, statement_ids=["x"], action="approve", moderator=staff_user
        )
    count = services.statements_moderate(
        consultation=consultation, statement_ids=[s.pk for s in ours], action="approve", moderator=staff_user
    )
    assert count == 3
    assert ModerationLogEntry.objects.filter(action="approve").count() == 3


def test_moderation_mode_change_is_logged(consultation, staff_user):
    services.consultation_set_moderation_mode(
        consultation=consultation, mode="strict", moderator=staff_user, reason="Live event"
    )
    consultation.refresh_from_db()
    assert consultation.is_strict
    entry = ModerationLogEntry.objects.get()
    assert (entry.action, entry.detail, entry.reason) == ("mode", "strict", "Live event")
    with pytest.raises(InvalidModeration):
        services.consultation_set_moderation_mode(consultation=consultation, mode="anarchy", moderator=staff_user)


# --- after commit ----------------------------------------------------------------


def test_live_events_are_sent_only_after_commit(consultation, participant, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        services.vote_cast(participant=participant, statement_id=seed(consultation).pk, choice=1, channel="web")
    assert len(callbacks) == 1


def test_a_refused_write_schedules_nothing(consultation, participant, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(InvalidChoice):
        services.vote_cast(participant=participant, statement_id=seed(consultation).pk, choice=5, channel="web")
    assert callbacks == []


def test_database_is_the_one_configured(settings):
    """Documents which profile ran: PostgreSQL when reachable, SQLite otherwise."""
    expected = "postgresql" if settings.SERVICES["postgres"] else "sqlite"
    assert connection.vendor == expected
