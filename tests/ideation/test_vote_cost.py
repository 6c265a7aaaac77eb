"""What one vote costs the database: pinned, so that a regression on the event's hot path fails here.

A vote at a live event is the request that arrives thousands of times a
minute (bench/bench_votes.py). The form POST reads the consultation and the
participant in one query, checks and writes the vote in one statement, and
reads whether the deck has more; the JSON vote reads the deck once for the
next statement and the progress.
"""

from __future__ import annotations

import pytest
from django.http import HttpResponse
from django.test import Client

from ideation import services
from ideation.exceptions import StatementNotFound
from ideation.models import Statement, Vote
from ideation.web import participant_cookie
from tests.factories import ParticipantFactory, StatementFactory

pytestmark = pytest.mark.django_db

FORM_VOTE_QUERIES = 3  # consultation + participant; the vote (checks and upsert); is the deck empty?
JSON_VOTE_QUERIES = 5  # consultation + participant; the vote; the latest priorities; the deck; the next statement


@pytest.fixture
def voter(consultation):
    """A client holding a participant's cookie; the participant voted once on the web already."""
    for i in range(4):
        StatementFactory(consultation=consultation, text=f"Idea number {i} for the town")
    participant = ParticipantFactory(consultation=consultation, step="vote")
    response = HttpResponse()
    participant_cookie.write(response, participant)
    client = Client()
    client.cookies.update(response.cookies)
    first = Statement.objects.filter(consultation=consultation).first()
    client.post(f"/c/{consultation.slug}/vote/", {"statement": first.pk, "choice": "1"})
    assert Vote.objects.filter(participant=participant).count() == 1
    return client, participant


def unvoted(participant) -> list[Statement]:
    return list(Statement.objects.filter(consultation=participant.consultation).exclude(votes__participant=participant))


def test_a_form_vote_costs_three_queries(voter, django_assert_max_num_queries):
    client, participant = voter
    statement = unvoted(participant)[0]
    with django_assert_max_num_queries(FORM_VOTE_QUERIES):
        response = client.post(f"/c/{participant.consultation.slug}/vote/", {"statement": statement.pk, "choice": "-1"})
    assert response.status_code == 302 and response["Location"] == f"/c/{participant.consultation.slug}/vote/"
    assert Vote.objects.get(participant=participant, statement=statement).choice == -1


def test_a_json_vote_with_its_next_statement_costs_five_queries(voter, django_assert_max_num_queries):
    client, participant = voter
    left = unvoted(participant)
    with django_assert_max_num_queries(JSON_VOTE_QUERIES):
        response = client.post(
            f"/c/{participant.consultation.slug}/vote/",
            {"statement": left[0].pk, "choice": "0"},
            HTTP_ACCEPT="application/json",
        )
    data = response.json()
    total = Statement.objects.filter(consultation=participant.consultation).count()
    assert data["ok"] and (data["position"], data["total"]) == (3, total)
    assert data["statement"]["id"] in {s.pk for s in left[1:]}
    assert Vote.objects.get(participant=participant, statement=left[0]).choice == 0


def test_the_last_json_vote_of_the_deck_says_done_and_records_it(voter):
    client, participant = voter
    for statement in unvoted(participant):
        data = client.post(
            f"/c/{participant.consultation.slug}/vote/",
            {"statement": statement.pk, "choice": "1"},
            HTTP_ACCEPT="application/json",
        ).json()
    assert data["ok"] and data["statement"] is None and data["position"] == data["total"]
    participant.refresh_from_db()
    assert participant.step == "done"


def test_a_visitor_without_a_participant_cookie_still_costs_one_query_more_at_most(consultation, client):
    """Without a cookie (or with a stale one), the consultation is read on its own: the landing page still works."""
    response = client.get(f"/c/{consultation.slug}/vote/")
    assert response.status_code == 302 and response["Location"] == f"/c/{consultation.slug}/"
    stale = HttpResponse()
    participant_cookie.write(stale, ParticipantFactory(consultation=consultation))
    client.cookies.update(stale.cookies)
    Vote.objects.all().delete()
    consultation.participants.all().delete()
    assert client.get(f"/c/{consultation.slug}/vote/")["Location"] == f"/c/{consultation.slug}/"


@pytest.mark.parametrize("statement_id", [2**63, 10**30, 0, -5])
def test_ids_beyond_any_statement_are_refused_cleanly(consultation, participant, statement_id):
    with pytest.raises(StatementNotFound):
        services.vote_cast(participant=participant, statement_id=statement_id, choice=1, channel="web")
    assert not Vote.objects.exists()
