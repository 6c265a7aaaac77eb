"""Test data. Factories set up state directly; the behaviour under test always goes through services."""

from __future__ import annotations

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from ideation.models import (
    Channel,
    Consultation,
    Participant,
    Question,
    Region,
    StakeholderGroup,
    Statement,
    Vote,
)
from ideation.text import dedupe_key


class ConsultationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Consultation

    slug = factory.Sequence(lambda n: f"consultation-{n}")
    title = factory.Sequence(lambda n: f"Consultation {n}")
    description = "What should we do next?"
    organiser = "The organisers"
    languages = ["en", "fr", "es", "ar"]
    default_language = "en"
    status = Consultation.Status.OPEN
    moderation_mode = Consultation.Moderation.OPEN


class QuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Question

    consultation = factory.SubFactory(ConsultationFactory)
    order = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Question {n}?")
    prompt = "Tell us what you think."
    context = "Some background."


class StakeholderGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StakeholderGroup

    consultation = factory.SubFactory(ConsultationFactory)
    name = factory.Sequence(lambda n: f"Group {n}")


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region

    consultation = factory.SubFactory(ConsultationFactory)
    name = factory.Sequence(lambda n: f"Region {n}")


class ParticipantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Participant

    consultation = factory.SubFactory(ConsultationFactory)
    language = "en"
    consented_at = factory.LazyFunction(timezone.now)
    channels = factory.LazyFunction(lambda: ["web"])


class StatementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Statement

    consultation = factory.SubFactory(ConsultationFactory)
    text = factory.Sequence(lambda n: f"Statement number {n} is worth a vote")
    dedupe_key = factory.LazyAttribute(lambda o: dedupe_key(o.text))
    language = "en"
    moderation = Statement.Moderation.ACCEPTED
    channel = Channel.WEB


class VoteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Vote

    participant = factory.SubFactory(ParticipantFactory)
    statement = factory.SubFactory(StatementFactory)
    choice = 1
    channel = Channel.WEB


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.PostGenerationMethodCall("set_password", "pass-word-123")
    is_staff = False

    @factory.post_generation
    def saved(obj, create, extracted, **kwargs):
        if create:
            obj.save()


def two_camps_vote(consultation, statements, *, people: int = 20) -> None:
    """``people`` web participants in two camps, each voting on every one of ``statements`` (via the services)."""
    from ideation import services

    for n in range(people):
        other = services.participant_start(consultation=consultation, language="en", consent=True, channel="web")
        for i, statement in enumerate(statements):
            choice = 1 if (i + n) % 2 else -1
            services.vote_cast(participant=other, statement_id=statement.pk, choice=choice, channel="web")
