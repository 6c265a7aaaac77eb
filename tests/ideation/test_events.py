"""The analysis lease (ideation.events.lease): one run per consultation at a time, and a dead owner's lapses."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest
from django.conf import settings as django_settings

from ideation import events
from ideation.events import lease, scheduling

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OWNER = """
import sys, time
import django
django.setup()
from ideation.events import lease, scheduling
lease.LEASE_SECONDS = float(sys.argv[2])
with lease.analysis_lease(int(sys.argv[1])) as held:
    print("held" if held else "busy", flush=True)
    time.sleep(120)
"""


def start_owner(consultation_id: int, lease_seconds: float, backend: str) -> subprocess.Popen:
    """Another process that takes the lease and keeps it (renewing it) until it is killed."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings"}
    if backend == "file":
        env["TEST_SERVICES"] = "off"
        env.pop("REDIS_URL", None)
    owner = subprocess.Popen(
        [sys.executable, "-c", OWNER, str(consultation_id), str(lease_seconds)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert owner.stdout.readline().strip() == "held"
    return owner


def free(consultation_id: int) -> bool:
    with events.analysis_lease(consultation_id) as held:
        return held


@pytest.fixture(params=["redis", "file"])
def backend(request, settings):
    if request.param == "redis":
        if not django_settings.SERVICES["redis"]:
            pytest.skip("needs Redis on 127.0.0.1")
    else:
        settings.REDIS_URL = ""
    return request.param


def test_a_second_run_finds_the_lease_taken_and_a_finished_run_gives_it_back(backend):
    with events.analysis_lease(4101) as first:
        assert first
        assert events.analysis_running(4101)
        assert not free(4101), "one run per consultation at a time"
        assert free(4102), "other consultations are not held up"
    assert not events.analysis_running(4101)
    assert free(4101)


def test_a_killed_owners_lease_lapses_and_a_living_owners_does_not(backend):
    lease_seconds = 1.0
    owner = start_owner(4103, lease_seconds, backend)
    try:
        time.sleep(2.5 * lease_seconds)
        assert not free(4103), "the owner's heartbeat keeps its lease past the timeout"
        owner.send_signal(signal.SIGKILL)
        owner.wait(10)
        killed = time.monotonic()
        while not free(4103):
            assert time.monotonic() - killed < lease_seconds + 2, "a dead owner's lease must lapse"
            time.sleep(0.05)
    finally:
        owner.kill()
        owner.wait()
        owner.stdout.close()


def test_the_redis_lease_expires_by_itself_once_no_one_renews_it(settings):
    if not django_settings.SERVICES["redis"]:
        pytest.skip("needs Redis on 127.0.0.1")
    key = lease.lease_key(4104)
    lease._redis().set(key, "a worker that died", px=300)
    assert not free(4104)
    time.sleep(0.5)
    assert free(4104)


def test_a_run_that_starts_covers_the_one_scheduled_in_its_process(settings):
    """A command that runs the analysis itself (import_polis) leaves no second run behind it."""
    settings.ANALYSIS_RUNNER = "thread"
    settings.REDIS_URL = ""
    events.schedule_analysis(4105, delay=30)
    assert not scheduling.local_runner.wait_idle(0.2), "scheduled, not yet run"
    with events.analysis_lease(4105) as held:
        assert held
    assert scheduling.local_runner.wait_idle(1)
