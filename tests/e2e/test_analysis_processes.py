"""Analyses follow contributions in real processes: a command in the embedded profile, and the Celery
worker as docker-compose runs it (``celery -A worker worker``), killed the hard way."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bench.synthetic import import_synthetic
from ideation import events, services
from ideation.models import AnalysisSnapshot, Statement, Vote
from tests.conftest import REPORT
from tests.e2e.conftest import ROOT, compose_command, process_env
from worker.celery import app

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def start_worker(env: dict, log: Path) -> subprocess.Popen:
    command = compose_command("worker")
    command[0] = str(Path(sys.executable).parent / command[0])
    # A session of its own: the worker and its pool's children are killed together, as when a machine dies.
    return subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=log.open("a"), stderr=subprocess.STDOUT, start_new_session=True
    )


def kill_all(process: subprocess.Popen, sig: int = signal.SIGKILL) -> None:
    try:
        os.killpg(process.pid, sig)
    except ProcessLookupError:
        return
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def wait_for(condition, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return False


def vote(consultation, n: int) -> None:
    """A newcomer votes (a contribution that asks for an analysis)."""
    participant = services.participant_start(consultation=consultation, language="en", consent=True, channel="web")
    statement = Statement.objects.filter(consultation=consultation).order_by("pk")[n]
    services.vote_cast(participant=participant, statement_id=statement.pk, choice=1, channel="web")


def test_a_command_that_records_votes_stores_their_analysis_before_it_exits(consultation):
    """The embedded profile (no Redis): the process that recorded the votes analyses them, even a short one."""
    script = (
        "from ideation import services; from ideation.models import Consultation; "
        f"c = Consultation.objects.get(pk={consultation.pk}); "
        "people = [services.participant_start(consultation=c, language='en', consent=True, channel='web') "
        "for _ in range(4)]; "
        "[services.vote_cast(participant=p, statement_id=s.pk, choice=1 if (i + j) % 2 else -1, channel='web') "
        "for i, p in enumerate(people) for j, s in enumerate(c.statements.all())]"
    )
    env = process_env(ANALYSIS_DEBOUNCE_SECONDS="0.5")
    for services_only in ("REDIS_URL", "ANALYSIS_RUNNER"):  # the embedded defaults decide
        env.pop(services_only, None)
    subprocess.run([sys.executable, "manage.py", "shell", "-c", script], cwd=ROOT, env=env, check=True, timeout=120)
    snapshot = AnalysisSnapshot.objects.get(consultation=consultation)
    assert snapshot.n_votes == Vote.objects.filter(statement__consultation=consultation).count() > 0


@pytest.mark.services
def test_a_worker_killed_mid_analysis_does_not_stall_the_next_one(settings, tmp_path):
    """SIGKILL to the whole worker in the middle of a job: a new worker stores the next analysis within 60 s."""
    consultation, _ = import_synthetic("killed-worker", 4000, 200)  # a job of a few seconds, as in real life
    settings.ANALYSIS_RUNNER = "celery"
    settings.ANALYSIS_DEBOUNCE_SECONDS = 0.5
    env = process_env(ANALYSIS_RUNNER="celery", ANALYSIS_DEBOUNCE_SECONDS="0.5")
    app.control.purge()
    log = tmp_path / "worker.log"
    worker = start_worker(env, log)
    try:
        vote(consultation, 0)
        assert wait_for(lambda: events.analysis_running(consultation.pk), 90), log.read_text()
        kill_all(worker)
        killed_at = time.monotonic()
        assert events.analysis_running(consultation.pk), "the dead worker's lease is still there"
        assert not AnalysisSnapshot.objects.filter(consultation=consultation).exists(), "killed mid-job"

        worker = start_worker(env, log)
        vote(consultation, 1)  # participants go on voting
        assert wait_for(lambda: AnalysisSnapshot.objects.filter(consultation=consultation).exists(), 60), (
            log.read_text()
        )
        recovered = time.monotonic() - killed_at
        assert recovered < 60
        REPORT.append(f"worker killed mid-analysis: the next analysis stored {recovered:.1f} s later")
        assert (
            AnalysisSnapshot.objects.get(consultation=consultation).n_votes
            == Vote.objects.filter(statement__consultation=consultation).count()
        )
    finally:
        kill_all(worker, signal.SIGTERM)
        app.control.purge()
