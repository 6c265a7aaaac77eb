"""Facilitators set consultations up in the Django admin."""

from __future__ import annotations

import pytest
from django.test import Client

from ideation.models import Consultation, Question, Statement

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(db):
    from tests.factories import UserFactory

    user = UserFactory(is_staff=True, is_superuser=True, username="admin")
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    "path",
    [
        "/admin/",
        "/admin/ideation/consultation/",
        "/admin/ideation/consultation/add/",
        "/admin/ideation/question/",
        "/admin/ideation/question/add/",
        "/admin/ideation/seedstatement/",
        "/admin/ideation/seedstatement/add/",
        "/admin/ideation/statement/",
        "/admin/ideation/participant/",
        "/admin/ideation/moderationlogentry/",
    ],
)
def test_admin_pages_load(admin_client, consultation, path):
    assert admin_client.get(path).status_code == 200


def test_change_pages_load(admin_client, consultation):
    assert admin_client.get(f"/admin/ideation/consultation/{consultation.pk}/change/").status_code == 200
    question = consultation.questions.first()
    assert admin_client.get(f"/admin/ideation/question/{question.pk}/change/").status_code == 200


def test_question_translations_are_edited_in_the_admin(admin_client, consultation):
    question = consultation.questions.first()
    response = admin_client.post(
        f"/admin/ideation/question/{question.pk}/change/",
        {
            "consultation": consultation.pk,
            "order": question.order,
            "title": "How can we grow?",
            "prompt": "Tell us",
            "context": "Background",
            "title__fr": "Comment grandir ?",
            "context__ar": "خلفية",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    question = Question.objects.get(pk=question.pk)
    assert question.localized("title", "fr") == "Comment grandir ?"
    assert question.localized("context", "ar") == "خلفية"
    assert question.localized("title", "es") == "How can we grow?"


def test_seed_statements_are_added_through_the_domain_rules(admin_client, consultation):
    data = {
        "consultation": consultation.pk,
        "text": "Amnesty should open more offices",
        "language": "en",
        "text__fr": "Ouvrir plus de bureaux",
    }
    response = admin_client.post("/admin/ideation/seedstatement/add/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    statement = Statement.objects.get(text="Amnesty should open more offices")
    assert statement.is_seed and statement.moderation == Statement.Moderation.ACCEPTED
    assert statement.localized("text", "fr") == "Ouvrir plus de bureaux"
    assert statement.author_user.username == "admin"

    duplicate = admin_client.post(
        "/admin/ideation/seedstatement/add/", {**data, "text": "AMNESTY should open more offices!"}
    )
    assert duplicate.status_code == 200
    assert "already been submitted" in duplicate.content.decode()
    assert Statement.objects.filter(text__iexact="amnesty should open more offices").count() == 1

    too_long = admin_client.post("/admin/ideation/seedstatement/add/", {**data, "text": "x" * 300})
    assert too_long.status_code == 200
    assert Statement.objects.count() == 4


EMPTY_INLINES = {
    f"{inline}-{count}_FORMS": 0
    for inline in ("questions", "stakeholder_groups", "regions")
    for count in ("TOTAL", "INITIAL")
}


def _add_form(**fields) -> dict:
    """A new consultation's admin form, without questions, groups or regions."""
    return {"languages": ["en"], "default_language": "en", "status": "draft", **EMPTY_INLINES, **fields}


def test_consultation_default_language_must_be_offered(admin_client):
    form = _add_form(slug="new", title="New", languages=["fr", "es"], moderation_mode="strict")
    response = admin_client.post("/admin/ideation/consultation/add/", form)
    assert response.status_code == 200
    assert "must be one of the languages offered" in response.content.decode()
    assert not Consultation.objects.filter(slug="new").exists()


def test_participant_contributions_are_read_only(admin_client, consultation):
    statement = Statement.objects.filter(consultation=consultation).first()
    response = admin_client.post(f"/admin/ideation/statement/{statement.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    assert Statement.objects.filter(pk=statement.pk).exists()


def _change_form(consultation, **changes) -> dict:
    """The consultation's admin change form as a browser would post it back, with ``changes``."""
    data = {
        "slug": consultation.slug,
        "title": consultation.title,
        "languages": consultation.languages,
        "default_language": consultation.default_language,
        "status": consultation.status,
        "moderation_mode": consultation.moderation_mode,
        "evidence_floor": consultation.evidence_floor,
        "stakeholder_groups-TOTAL_FORMS": 0,
        "stakeholder_groups-INITIAL_FORMS": 0,
        "regions-TOTAL_FORMS": 0,
        "regions-INITIAL_FORMS": 0,
    }
    questions = list(consultation.questions.order_by("order"))
    data |= {"questions-TOTAL_FORMS": len(questions), "questions-INITIAL_FORMS": len(questions)}
    for i, question in enumerate(questions):
        data |= {
            f"questions-{i}-id": question.pk,
            f"questions-{i}-consultation": consultation.pk,
            f"questions-{i}-order": question.order,
            f"questions-{i}-title": question.title,
        }
    return data | changes


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_closing_a_consultation_in_the_admin_reaches_the_live_screens(consultation):
    """The admin saves through the services, so closing there is announced like anywhere else."""
    from channels.db import database_sync_to_async

    from tests.ideation.test_live import communicator

    def close_in_the_admin():
        from tests.factories import UserFactory

        client = Client()
        client.force_login(UserFactory(is_staff=True, is_superuser=True, username="admin"))
        form = _change_form(consultation, status="closed")
        return client.post(f"/admin/ideation/consultation/{consultation.pk}/change/", form)

    screen = communicator(f"/ws/screen/{consultation.slug}/")
    assert (await screen.connect())[0]
    await screen.receive_json_from(timeout=5)  # the first counters
    response = await database_sync_to_async(close_in_the_admin)()
    assert response.status_code == 302, response.content.decode()[:2000]
    assert await database_sync_to_async(lambda: Consultation.objects.get(pk=consultation.pk).status)() == "closed"
    pushed = await screen.receive_json_from(timeout=5)  # long before the 15 s heartbeat
    assert pushed["type"] == "stats"
    await screen.disconnect()


def test_the_admin_saves_questions_through_the_services(admin_client, consultation, django_capture_on_commit_callbacks):
    question = consultation.questions.order_by("order").first()
    form = _change_form(consultation) | {"questions-0-title": "Renamed in the inline"}
    with django_capture_on_commit_callbacks() as callbacks:
        response = admin_client.post(f"/admin/ideation/consultation/{consultation.pk}/change/", form)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Question.objects.get(pk=question.pk).title == "Renamed in the inline"
    assert callbacks, "saving announces the change to live views after commit"


def test_the_evidence_floor_is_set_in_the_admin_and_checked(admin_client):
    data = _add_form(slug="floored", title="Floored", moderation_mode="open")
    assert 'name="evidence_floor"' in admin_client.get("/admin/ideation/consultation/add/").content.decode()
    refused = admin_client.post("/admin/ideation/consultation/add/", {**data, "evidence_floor": 0})
    assert refused.status_code == 200 and "greater than or equal to 1" in refused.content.decode()
    assert not Consultation.objects.filter(slug="floored").exists()
    admin_client.post("/admin/ideation/consultation/add/", {**data, "evidence_floor": 12})
    assert Consultation.objects.get(slug="floored").evidence_floor == 12
