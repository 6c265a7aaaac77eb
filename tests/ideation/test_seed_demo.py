"""The #nextstrategy demo consultation."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from ideation.models import Consultation, Question, Region, StakeholderGroup, Statement

pytestmark = pytest.mark.django_db

LANGUAGES = ("en", "fr", "es", "ar")


def test_demo_is_complete_in_four_languages():
    call_command("seed_demo", verbosity=0)
    demo = Consultation.objects.get(slug="nextstrategy")
    assert demo.accepts_input() and demo.is_strict
    assert demo.title == "Amnesty International's next global strategy: make it yours"
    assert sorted(demo.languages) == sorted(LANGUAGES)
    questions = list(demo.questions.order_by("order"))
    assert [q.title for q in questions] == [
        "How can Amnesty International shift narratives and attitudes?",
        "How can Amnesty International strengthen its movement and become a better partner?",
        "How should Amnesty International influence or disrupt power?",
        "How can Amnesty International become more diverse and inclusive?",
        "What should Amnesty International's added value and unique role be?",
    ]
    assert [g.name for g in demo.stakeholder_groups.all()] == [
        "Member or supporter",
        "National section or structure",
        "International Secretariat staff",
        "Global network",
        "Partner organisation",
        "General public",
    ]
    assert [r.name for r in demo.regions.all()] == [
        "Africa",
        "Americas",
        "Asia-Pacific",
        "Europe and Central Asia",
        "Middle East and North Africa",
    ]
    seeds = Statement.objects.filter(consultation=demo, is_seed=True)
    assert 15 <= seeds.count() <= 25
    assert seeds.filter(moderation=Statement.Moderation.ACCEPTED).count() == seeds.count()
    translated = [*questions, *demo.stakeholder_groups.all(), *demo.regions.all(), *seeds, demo]
    for item in translated:
        for language in ("fr", "es", "ar"):
            for field in item.translated_fields:
                if getattr(item, field):
                    assert item.localized(field, language) != getattr(item, field), (item, field, language)


def test_seed_demo_is_idempotent():
    call_command("seed_demo", verbosity=0)
    counts = (
        Consultation.objects.count(),
        Question.objects.count(),
        StakeholderGroup.objects.count(),
        Region.objects.count(),
        Statement.objects.count(),
    )
    call_command("seed_demo", verbosity=0)
    assert counts == (
        Consultation.objects.count(),
        Question.objects.count(),
        StakeholderGroup.objects.count(),
        Region.objects.count(),
        Statement.objects.count(),
    )


def test_seed_demo_can_create_a_facilitator_once(capsys):
    from django.contrib.auth import get_user_model

    call_command("seed_demo", facilitator="facilitator")
    out = capsys.readouterr().out
    user = get_user_model().objects.get(username="facilitator")
    assert user.is_staff
    password = out.split("password '")[1].split("'")[0]
    assert user.check_password(password)
    call_command("seed_demo", facilitator="facilitator")
    assert "already exists" in capsys.readouterr().out
    assert get_user_model().objects.get(username="facilitator").check_password(password)
