"""The analysis job's incremental vote loading gives exactly what a full reload gives (real PostgreSQL)."""

from __future__ import annotations

import logging
import random
from datetime import timedelta

import numpy as np
import pytest
from django.conf import settings
from django.core.cache import cache

from ideation import selectors, services
from ideation.models import AnalysisSnapshot, Vote
from ideation.selectors import analysis as analysis_selectors
from tests.factories import ParticipantFactory, StatementFactory
from worker import jobs
from worker.analysis import voteset

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not settings.SERVICES["postgres"], reason="the incremental load needs PostgreSQL"),
]


def vote(participant, statement, choice):
    services.vote_cast(participant=participant, statement_id=statement.pk, choice=choice, channel="web")


def camps(consultation, people: int = 36, statements: int = 9, seed: int = 0):
    """Three camps with noisy votes on most statements."""
    rng = random.Random(seed)
    items = [StatementFactory(consultation=consultation, text=f"Statement {i}") for i in range(statements)]
    participants = []
    for p in range(people):
        participant = ParticipantFactory(consultation=consultation)
        participants.append(participant)
        for i, statement in enumerate(items):
            if rng.random() < 0.8:
                choice = 1 if (i + p % 3) % 3 == 0 else -1
                vote(participant, statement, rng.choice((choice, choice, choice, 0, -choice)))
    return items, participants


def run(consultation, caplog) -> tuple[AnalysisSnapshot, str]:
    """One job; its snapshot and how it loaded the votes ("load (full)" or "load (incremental)")."""
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="worker.jobs"):
        version = jobs.run_analysis(consultation.pk)
    phases = next(r.phases for r in caplog.records if hasattr(r, "phases"))
    how = next(k for k in phases if k.startswith("load"))
    return AnalysisSnapshot.objects.get(consultation=consultation, version=version), how


def both_ways(consultation, caplog) -> tuple[AnalysisSnapshot, str]:
    """The next analysis as the job makes it (kept votes brought up to date), checked against a full reload.

    Both start from the same previous snapshot. Returns the job's snapshot and how it loaded the votes.
    """
    key = jobs.votes_cache_key(consultation.pk)
    kept = cache.get(key)
    assert kept is not None, "the previous run kept its votes"
    cache.delete(key)
    full, how_full = run(consultation, caplog)
    assert how_full == "load (full)"
    AnalysisSnapshot.objects.filter(pk=full.pk).delete()
    cache.set(key, kept)
    snapshot, how = run(consultation, caplog)
    assert snapshot.version == full.version
    assert snapshot.result == full.result
    assert snapshot.state == full.state
    assert snapshot.votes_until == full.votes_until
    assert (snapshot.n_votes, snapshot.n_participants) == (full.n_votes, full.n_participants)
    assert snapshot.memberships == full.memberships and snapshot.priorities == full.priorities
    assert snapshot.n_votes == Vote.objects.filter(statement__consultation=consultation).count()
    return snapshot, how


def test_incremental_job_equals_full_recompute(consultation, caplog, monkeypatch):
    items, people = camps(consultation)
    first, how = run(consultation, caplog)
    assert how == "load (full)" and first.version == 1

    # new votes: newcomers, a new statement, more votes from people already there
    newcomers = [ParticipantFactory(consultation=consultation) for _ in range(4)]
    fresh = StatementFactory(consultation=consultation, text="A new statement")
    for participant in newcomers:
        for statement in [*items[:5], fresh]:
            vote(participant, statement, 1)
    for participant in people[:10]:
        vote(participant, fresh, -1)
    snapshot, how = both_ways(consultation, caplog)
    assert how == "load (incremental)"
    assert {str(p.pk) for p in newcomers} <= {p["id"] for p in snapshot.result["participants"]}

    # changed votes (the same cells, other choices)
    for participant in people[:12]:
        for statement in items[:4]:
            vote(participant, statement, -1 if random.Random(participant.pk).random() < 0.5 else 0)
    snapshot, how = both_ways(consultation, caplog)
    assert how == "load (incremental)"

    # a vote whose transaction committed late: cast "earlier" than votes already analysed (within the overlap)
    late = ParticipantFactory(consultation=consultation)
    vote(late, items[0], 1)
    vote(late, items[1], -1)
    earlier = snapshot.votes_until - timedelta(seconds=5)
    Vote.objects.filter(participant=late).update(created=earlier, updated=earlier)
    snapshot, how = both_ways(consultation, caplog)
    assert how == "load (incremental)"
    assert str(late.pk) in {p["id"] for p in snapshot.result["participants"]}

    # a participant deletes their data: their votes must leave the analysis (the job reloads everything)
    gone = people[3]
    StatementFactory(consultation=consultation, text="Mine", author=gone)
    services.participant_forget(participant=gone)
    snapshot, how = both_ways(consultation, caplog)
    assert how == "load (full)"
    assert str(gone.pk) not in {p["id"] for p in snapshot.result["participants"]}
    assert f"p{gone.pk}" not in snapshot.memberships

    # a vote stamped so long ago that no overlap covers it (a clock far behind): the periodic full load
    # puts it right, and says that the kept votes had drifted
    Vote.objects.filter(participant=people[5], statement=items[2]).update(
        choice=0 if Vote.objects.get(participant=people[5], statement=items[2]).choice else 1,
        updated=snapshot.votes_until - timedelta(hours=2),
    )
    monkeypatch.setattr(jobs, "FULL_LOAD_SECONDS", 0)
    snapshot, how = both_ways(consultation, caplog)
    assert how == "load (full)"
    assert any("drifted" in r.getMessage() for r in caplog.records)
    monkeypatch.undo()

    # and afterwards incremental again
    vote(people[6], items[3], 1)
    _snapshot, how = both_ways(consultation, caplog)
    assert how == "load (incremental)"


def test_nothing_new_changes_nothing_but_the_version(consultation, caplog):
    camps(consultation, people=20, statements=6)
    run(consultation, caplog)
    _snapshot, how = both_ways(consultation, caplog)
    assert how == "load (incremental)"


def test_the_binary_copy_and_the_delta_read_what_the_orm_reads(consultation):
    _items, people = camps(consultation, people=15, statements=5)
    votes = selectors.analysis_votes(consultation=consultation)
    everything = Vote.objects.filter(statement__consultation=consultation)
    rows = sorted(everything.values_list("pk", "participant_id", "statement_id", "choice", "created", "updated"))
    order = np.argsort(votes.ids)
    copied = list(
        zip(
            votes.ids[order].tolist(),
            votes.participants[order].tolist(),
            votes.statements[order].tolist(),
            votes.choices[order].tolist(),
            votes.created[order].tolist(),
            votes.updated[order].tolist(),
            strict=True,
        )
    )
    micros = analysis_selectors.micros
    assert copied == [(pk, p, s, c, micros(created), micros(updated)) for pk, p, s, c, created, updated in rows]

    recent = everything.order_by("-updated")[:7]
    since = micros(min(v.updated for v in recent))
    delta = selectors.analysis_votes_since(consultation=consultation, since=since)
    assert sorted(delta.votes.ids.tolist()) == sorted(
        everything.filter(updated__gte=recent[6].updated).values_list("pk", flat=True)
    )
    assert sorted(delta.participants.tolist()) == sorted(p.pk for p in consultation.participants.all())
    assert sorted(delta.statements.tolist()) == sorted(consultation.statements.values_list("pk", flat=True))
    kept = voteset.VoteSet.from_votes(votes)
    assert not kept.missing(delta.participants, delta.statements)
    services.participant_forget(participant=people[0])
    after = selectors.analysis_votes_since(consultation=consultation, since=since)
    assert kept.missing(after.participants, after.statements)
