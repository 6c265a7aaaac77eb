"""Races the database must settle: double taps and simultaneous duplicates (real PostgreSQL)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from ideation import services
from ideation.exceptions import DuplicateStatement
from ideation.models import Statement, Vote
from tests.factories import ParticipantFactory

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def run_together(count: int, work) -> list:
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def runner(index: int) -> None:
        try:
            barrier.wait()
            results[index] = work(index)
        except Exception as exc:  # collected, asserted by the test
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=runner, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_a_double_tap_records_one_vote(consultation):
    participant = ParticipantFactory(consultation=consultation)
    statement = Statement.objects.filter(consultation=consultation).first()
    results = run_together(
        8,
        lambda i: services.vote_cast(
            participant=participant, statement_id=statement.pk, choice=(1, -1)[i % 2], channel="web"
        ),
    )
    assert not [r for r in results if isinstance(r, Exception)]
    assert Vote.objects.filter(participant=participant, statement=statement).count() == 1


def test_the_same_statement_submitted_at_once_is_stored_once(consultation):
    authors = [ParticipantFactory(consultation=consultation) for _ in range(4)]
    results = run_together(
        4, lambda i: services.statement_submit(participant=authors[i], text="A race to say it", channel="web")
    )
    stored = [r for r in results if isinstance(r, Statement)]
    refused = [r for r in results if isinstance(r, DuplicateStatement)]
    assert len(stored) == 1 and len(refused) == 3, results
    assert Statement.objects.filter(text="A race to say it").count() == 1
    assert Vote.objects.filter(statement=stored[0]).count() == 1, "only the winner's agreement is recorded"
