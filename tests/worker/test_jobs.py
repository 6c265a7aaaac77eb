"""Analyses of consultations in the database: snapshots, priorities, where participants stand."""

from __future__ import annotations

import random

import pytest
from django.test import Client

from ideation import selectors, services
from ideation.models import AnalysisSnapshot
from ideation.web.participant_cookie import SALT, cookie_name
from tests.factories import ParticipantFactory, StatementFactory
from worker import jobs

pytestmark = pytest.mark.django_db


def two_camps(consultation, per_camp: int = 20, statements: int = 10):
    """Two camps voting opposite ways on all statements but the last, which all agree with."""
    items = [StatementFactory(consultation=consultation, text=f"Statement {i}") for i in range(statements)]
    camps = {}
    for camp in (0, 1):
        for _ in range(per_camp):
            participant = ParticipantFactory(consultation=consultation)
            camps[participant.pk] = camp
            for i, statement in enumerate(items):
                choice = 1 if i == statements - 1 or i % 2 == camp else -1
                services.vote_cast(participant=participant, statement_id=statement.pk, choice=choice, channel="web")
    return items, camps


def test_run_stores_a_versioned_snapshot_with_priorities_and_memberships(consultation):
    items, camps = two_camps(consultation)
    assert jobs.run_analysis(consultation.pk) == 1
    assert jobs.run_analysis(consultation.pk) == 2
    snapshot = AnalysisSnapshot.objects.get(consultation=consultation, version=2)
    assert snapshot.result["k"] == 2 and snapshot.result["updates"] == 2, "the second run warm-starts from the first"
    assert snapshot.n_votes == 40 * 10
    assert set(snapshot.priorities) >= {str(s.pk) for s in items}
    groups = {}
    for pid, camp in camps.items():
        groups.setdefault(camp, set()).add(snapshot.memberships[f"p{pid}"])
    assert len(groups[0]) == 1 and len(groups[1]) == 1 and groups[0] != groups[1]
    breakdowns = snapshot.result["breakdowns"]
    assert set(breakdowns) == {"stakeholder_group", "region"}


def test_a_recent_stability_is_kept_for_a_while_when_it_was_dear(consultation, monkeypatch):
    two_camps(consultation, per_camp=8, statements=8)
    jobs.run_analysis(consultation.pk)
    jobs.run_analysis(consultation.pk)
    first, second = (
        AnalysisSnapshot.objects.get(consultation=consultation, version=v).result["stability"] for v in (1, 2)
    )
    assert first["label"] and first["seconds"] > 0
    # Cheap here (milliseconds): resampled again unless the factor lets a milliseconds-old one stand.
    monkeypatch.setattr(jobs, "STABILITY_REUSE_FACTOR", 10**9)
    jobs.run_analysis(consultation.pk)
    third = AnalysisSnapshot.objects.get(consultation=consultation, version=3).result["stability"]
    assert third["computed_at"] == second["computed_at"], "kept"
    monkeypatch.setattr(jobs, "STABILITY_REUSE_FACTOR", 0)
    jobs.run_analysis(consultation.pk)
    fourth = AnalysisSnapshot.objects.get(consultation=consultation, version=4).result["stability"]
    assert fourth["computed_at"] > third["computed_at"], "resampled"


def test_old_snapshots_are_pruned(consultation):
    two_camps(consultation, per_camp=8, statements=8)
    for _ in range(7):
        jobs.run_analysis(consultation.pk)
    assert list(AnalysisSnapshot.objects.filter(consultation=consultation).values_list("version", flat=True)) == [
        7,
        6,
        5,
        4,
        3,
    ]


def test_the_deck_follows_the_analysis_priorities(consultation):
    items, _ = two_camps(consultation, per_camp=8, statements=6)
    jobs.run_analysis(consultation.pk)
    priorities = selectors.statement_priorities(consultation=consultation)
    assert set(priorities) >= {s.pk for s in items}
    newcomer = ParticipantFactory(consultation=consultation)
    fresh = StatementFactory(consultation=consultation, text="Not yet analysed")
    rng = random.Random(0)
    counts = {}
    for _ in range(300):
        pk = selectors.statement_next(participant=newcomer, rng=rng).pk
        counts[pk] = counts.get(pk, 0) + 1
    best = max(items, key=lambda s: priorities[s.pk])
    assert counts.get(best.pk, 0) > counts.get(fresh.pk, 0), "priority 1 for the unanalysed statement"


def test_closing_page_says_where_the_participant_stands(consultation):
    _items, camps = two_camps(consultation)
    jobs.run_analysis(consultation.pk)
    pid = next(p for p, camp in camps.items() if camp == 0)
    client = Client()
    participant = ParticipantFactory._meta.model.objects.get(pk=pid)
    client.cookies[cookie_name(consultation)] = _signed(participant)
    page = client.get(f"/c/{consultation.slug}/done/").content.decode()
    assert "You are in opinion group" in page
    standing = selectors.participant_standing(participant=participant)
    assert standing["group_size"] == 20 and standing["n_groups"] == 2
    agreed = {s.text for s in standing["agrees_on"]}
    assert agreed and agreed <= {f"Statement {i}" for i in range(0, 10, 2)}, "camp 0 agrees with the even ones"
    assert "Statement 9" in page, "what everybody agrees on"


def test_closing_page_before_any_analysis_and_for_unclustered_people(consultation, participant):
    client = Client()
    client.cookies[cookie_name(consultation)] = _signed(participant)
    assert "Opinion groups appear here" in client.get(f"/c/{consultation.slug}/done/").content.decode()
    two_camps(consultation, per_camp=10, statements=8)
    jobs.run_analysis(consultation.pk)
    assert "not in an opinion group yet" in client.get(f"/c/{consultation.slug}/done/").content.decode()


def _signed(participant) -> str:
    from django.core import signing

    return signing.get_cookie_signer(salt=cookie_name(participant.consultation) + SALT).sign(participant.uid.hex)
