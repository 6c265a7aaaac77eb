"""Analyses run after contributions: debounced, one at a time per consultation, retried after failures.

The in-process runner (embedded profile) and a real Celery worker on Redis
(services profile) obey the same rules.
"""

from __future__ import annotations

import threading
import time

import pytest
from celery.contrib.testing.worker import start_worker

from ideation import services
from ideation.events import outage, scheduling
from ideation.models import AnalysisSnapshot
from tests.factories import ParticipantFactory, StatementFactory
from worker import jobs
from worker.celery import app


def wait_for(condition, timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def burst(consultation, participants: int, statements: int) -> int:
    """Votes cast through the domain service, one transaction each, as fast as possible."""
    items = [StatementFactory(consultation=consultation, text=f"Item {i}") for i in range(statements)]
    count = 0
    for p in range(participants):
        participant = ParticipantFactory(consultation=consultation)
        for i, item in enumerate(items):
            choice = 1 if (i + p) % 3 else -1
            services.vote_cast(participant=participant, statement_id=item.pk, choice=choice, channel="web")
            count += 1
    return count


class Recorder:
    """Wraps jobs.run_analysis to count runs and the most that ran at the same time."""

    def __init__(self, monkeypatch, fail_first: int = 0) -> None:
        self.runs = self.running = self.peak = 0
        self.failures_left = fail_first
        self.lock = threading.Lock()
        self.original = jobs.run_analysis
        monkeypatch.setattr(jobs, "run_analysis", self)

    def __call__(self, consultation_id):
        with self.lock:
            self.running += 1
            self.peak = max(self.peak, self.running)
            fail = self.failures_left > 0
            self.failures_left -= fail
        try:
            time.sleep(0.2)  # long enough for runs to overlap if nothing prevented it
            if fail:
                raise RuntimeError("simulated crash in the middle of an analysis")
            result = self.original(consultation_id)
            with self.lock:
                self.runs += 1
            return result
        finally:
            with self.lock:
                self.running -= 1


@pytest.mark.django_db(transaction=True)
def test_embedded_runner_analyses_in_the_background_debounced(consultation, settings, monkeypatch):
    settings.ANALYSIS_RUNNER = "thread"
    settings.ANALYSIS_DEBOUNCE_SECONDS = 0.3
    recorder = Recorder(monkeypatch)
    votes = burst(consultation, 25, 8)
    assert wait_for(lambda: AnalysisSnapshot.objects.filter(consultation=consultation).exists())
    assert scheduling.local_runner.wait_idle(60)
    latest = AnalysisSnapshot.objects.filter(consultation=consultation).latest()
    assert 1 <= recorder.runs <= 10, f"{votes} votes gave {recorder.runs} runs"
    assert recorder.peak == 1
    assert latest.n_votes == votes + 0, "the last run saw every vote"


@pytest.fixture
def celery_worker(settings):
    settings.ANALYSIS_RUNNER = "celery"
    settings.ANALYSIS_DEBOUNCE_SECONDS = 0.3
    app.control.purge()
    with start_worker(app, pool="threads", concurrency=3, perform_ping_check=False, loglevel="WARNING") as worker:
        yield worker
    app.control.purge()


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_a_burst_of_a_thousand_votes_gives_a_few_runs_one_at_a_time(consultation, celery_worker, monkeypatch, settings):
    debounce = settings.ANALYSIS_DEBOUNCE_SECONDS = 1.0
    recorder = Recorder(monkeypatch)
    started = time.monotonic()
    votes = burst(consultation, 50, 20)
    burst_seconds = time.monotonic() - started
    assert votes == 1000
    assert wait_for(lambda: AnalysisSnapshot.objects.filter(consultation=consultation, n_votes=votes).exists(), 90)
    time.sleep(2 * debounce)  # anything still queued has had time to run
    # Runs start at least one debounce apart, however slow the machine casting the votes:
    # a burst of N seconds gives at most about N / debounce runs, never one per vote.
    most = int(burst_seconds / debounce) + 3
    assert 1 <= recorder.runs <= min(most, votes // 10), (
        f"{recorder.runs} runs for {votes} votes cast in {burst_seconds:.1f} s (at most {most} expected)"
    )
    assert recorder.peak == 1, "never two runs of one consultation at once"


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_a_crashed_run_keeps_the_last_good_snapshot_and_is_retried(consultation, celery_worker, monkeypatch):
    jobs.run_analysis(consultation.pk)  # version 1, the last good one
    recorder = Recorder(monkeypatch, fail_first=1)
    participant = ParticipantFactory(consultation=consultation)
    statement = consultation.statements.first()
    services.vote_cast(participant=participant, statement_id=statement.pk, choice=1, channel="web")
    assert wait_for(lambda: recorder.failures_left == 0, 30)
    assert AnalysisSnapshot.objects.filter(consultation=consultation).latest().version == 1
    assert wait_for(lambda: AnalysisSnapshot.objects.filter(consultation=consultation).count() == 2, 60)
    assert AnalysisSnapshot.objects.filter(consultation=consultation).latest().n_votes == 1


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_redis_down_loses_no_vote(consultation, settings):
    settings.ANALYSIS_RUNNER = "celery"
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:9/0"}
    }
    app.conf.broker_url = "redis://127.0.0.1:9/0"
    try:
        participant = ParticipantFactory(consultation=consultation)
        statement = consultation.statements.first()
        started = time.monotonic()
        services.vote_cast(participant=participant, statement_id=statement.pk, choice=1, channel="web")
        services.vote_cast(participant=participant, statement_id=statement.pk, choice=-1, channel="web")
        assert time.monotonic() - started < 5
        assert participant.votes.get().choice == -1
    finally:
        app.conf.broker_url = settings.CELERY_BROKER_URL
        outage.reset()
