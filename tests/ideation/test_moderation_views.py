"""The moderation page: who may use it, and what it does."""

from __future__ import annotations

import csv
import io

import pytest
from django.test import Client

from ideation import services
from ideation.models import Consultation, ModerationLogEntry, Statement
from tests.factories import ParticipantFactory, StatementFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def strict(consultation):
    consultation.moderation_mode = Consultation.Moderation.STRICT
    consultation.save()
    return consultation


@pytest.fixture
def pending(strict):
    participant = ParticipantFactory(consultation=strict)
    return [
        services.statement_submit(participant=participant, text=text, channel="web")
        for text in ("Please review me", '=HYPERLINK("http://evil")', "Third pending one")
    ]


@pytest.fixture
def staff_client(staff_user):
    client = Client()
    client.force_login(staff_user)
    return client


def url(consultation, suffix=""):
    return f"/moderate/{consultation.slug}/{suffix}"


@pytest.mark.parametrize("suffix", ["", "log/", "log.csv"])
def test_anonymous_visitors_are_sent_to_log_in(strict, pending, suffix):
    response = Client().get(url(strict, suffix))
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
    response = Client().post(url(strict), {"single": f"approve:{pending[0].pk}"})
    assert response.status_code == 302
    assert Statement.objects.get(pk=pending[0].pk).moderation == Statement.Moderation.PENDING


@pytest.mark.parametrize("suffix", ["", "log/", "log.csv"])
def test_non_staff_users_are_refused(strict, pending, other_user, suffix):
    client = Client()
    client.force_login(other_user)
    assert client.get(url(strict, suffix)).status_code == 403
    response = client.post(url(strict), {"single": f"approve:{pending[0].pk}"})
    assert response.status_code == 403
    assert Statement.objects.get(pk=pending[0].pk).moderation == Statement.Moderation.PENDING


def test_queue_lists_pending_statements_with_counts(strict, pending, staff_client):
    page = staff_client.get(url(strict)).content.decode()
    assert "Please review me" in page and "Third pending one" in page
    assert 'data-count="pending">3<' in page
    assert "Schools matter most" not in page, "accepted seeds are not in the queue"


def test_approve_one_then_it_shows_to_participants(strict, pending, staff_client):
    response = staff_client.post(url(strict), {"single": f"approve:{pending[0].pk}"})
    assert response.status_code == 302
    statement = Statement.objects.get(pk=pending[0].pk)
    assert statement.moderation == Statement.Moderation.ACCEPTED
    assert Statement.objects.visible(strict).filter(pk=statement.pk).exists()


def test_reject_needs_a_reason_and_is_logged(strict, pending, staff_client):
    target = pending[1]
    page = staff_client.post(url(strict), {"single": f"reject:{target.pk}"}, follow=True).content.decode()
    assert "reason" in page.lower()
    assert Statement.objects.get(pk=target.pk).moderation == Statement.Moderation.PENDING
    staff_client.post(url(strict), {"single": f"reject:{target.pk}", f"reason_{target.pk}": "Spam link"})
    statement = Statement.objects.get(pk=target.pk)
    assert (statement.moderation, statement.moderation_reason) == (Statement.Moderation.REJECTED, "Spam link")
    assert ModerationLogEntry.objects.get().reason == "Spam link"


def test_bulk_actions(strict, pending, staff_client):
    ids = [pending[0].pk, pending[2].pk]
    staff_client.post(url(strict), {"ids": ids, "bulk_action": "reject", "bulk_reason": "Duplicates"})
    assert set(Statement.objects.filter(moderation=-1).values_list("pk", flat=True)) == set(ids)
    assert ModerationLogEntry.objects.filter(action="reject").count() == 2
    page = staff_client.post(url(strict), {"bulk_action": "approve"}, follow=True).content.decode()
    assert "Select at least one statement" in page


def test_mode_switch(strict, staff_client):
    staff_client.post(url(strict), {"mode": "open", "mode_reason": "Trusted room"})
    strict.refresh_from_db()
    assert strict.moderation_mode == "open"
    staff_client.post(url(strict), {"mode": "chaos"})
    strict.refresh_from_db()
    assert strict.moderation_mode == "open"


def test_moderation_log_exports_as_csv_without_formula_injection(strict, pending, staff_client):
    injected = pending[1]
    staff_client.post(url(strict), {"single": f"reject:{injected.pk}", f"reason_{injected.pk}": "@SUM(A1:A9)"})
    staff_client.post(url(strict), {"single": f"approve:{pending[0].pk}"})
    response = staff_client.get(url(strict, "log.csv"))
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [row["action"] for row in rows] == ["approve", "reject"]
    reject = rows[1]
    assert reject["moderator"] == "facilitator"
    assert reject["statement"] == '\'=HYPERLINK("http://evil")'
    assert reject["reason"] == "'@SUM(A1:A9)"
    assert "Please review me" in staff_client.get(url(strict, "log/")).content.decode()


def test_forged_moderation_posts_are_harmless(strict, pending, staff_client):
    for data in (
        {"single": "approve:abc"},
        {"single": "explode:1"},
        {"single": f"approve:{StatementFactory().pk}"},
        {"ids": ["1", "x"], "bulk_action": "approve"},
        {"ids": [str(pending[0].pk)], "bulk_action": "nuke"},
    ):
        response = staff_client.post(url(strict), data)
        assert response.status_code == 302
    assert not ModerationLogEntry.objects.exists()


def test_unknown_consultation_is_not_found(staff_client):
    assert staff_client.get("/moderate/nope/").status_code == 404
