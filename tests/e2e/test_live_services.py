"""The services profile end to end: ASGI server, Celery worker, PostgreSQL and a Redis of the test's own,
with headless Chromium on the dashboard. Votes arrive over HTTP; the counters follow within 2 s, the
worker's analysis appears without reloading, and a Redis outage in the middle loses nothing."""

from __future__ import annotations

import contextlib
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from channels.db import database_sync_to_async
from django.core.management import call_command

from ideation.models import AnalysisSnapshot, Vote
from tests.e2e.conftest import ROOT, compose_command, free_port, log_in, process_env, wait_for_http
from tests.e2e.test_dashboard_live import Voter

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.services,
    pytest.mark.django_db(transaction=True),
    pytest.mark.asyncio(loop_scope="session"),
]


def start_redis(port: int) -> subprocess.Popen:
    process = subprocess.Popen(
        ["redis-server", "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            import socket

            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return process
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("redis-server did not start")


def start(command: list[str], env: dict, log: Path) -> subprocess.Popen:
    command = [str(Path(sys.executable).parent / command[0]), *command[1:]]
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=log.open("a"), stderr=subprocess.STDOUT)


def stop(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture
def stack(tmp_path, transactional_db):
    """redis-server, uvicorn (the compose web command) and a Celery worker (the compose worker command)."""
    redis_port, web_port = free_port(), free_port()
    redis = start_redis(redis_port)
    env = process_env(
        REDIS_URL=f"redis://127.0.0.1:{redis_port}/0",
        ANALYSIS_RUNNER="celery",
        ANALYSIS_DEBOUNCE_SECONDS="0.5",
        CACHE_KEY_PREFIX="live-e2e",
        CHANNEL_LAYER_PREFIX="live-e2e",
    )
    web_command = [
        str(web_port) if p == "8000" else "127.0.0.1" if p == "0.0.0.0" else p for p in compose_command("web")
    ]
    web = start(web_command, env, tmp_path / "web.log")
    worker = start(compose_command("worker"), env, tmp_path / "worker.log")
    processes = {"redis": redis, "web": web, "worker": worker}
    try:
        wait_for_http(f"http://127.0.0.1:{web_port}/healthz", web)
        yield {
            "url": f"http://127.0.0.1:{web_port}",
            "redis_port": redis_port,
            "processes": processes,
            "logs": tmp_path,
        }
    finally:
        for process in (processes["worker"], processes["web"], processes["redis"]):
            stop(process)


async def wait_stat(page, value: int, timeout: int = 2000) -> None:
    await page.wait_for_function(
        "n => document.querySelector('[data-stat=\"votes\"]').textContent.trim() === String(n)",
        arg=value,
        timeout=timeout,
    )


async def test_votes_analysis_and_a_redis_outage(stack, demo_data, facilitator, browser):
    await database_sync_to_async(call_command)("seed_demo", "--simulated", "40", verbosity=0)
    url = stack["url"]
    page = await (await browser.new_context(locale="en-GB")).new_page()
    await log_in(page, url, "/facilitate/nextstrategy/")
    await page.wait_for_selector("[data-live][data-connected=true]", timeout=10_000)
    votes = int(await page.locator('[data-stat="votes"]').first.text_content())
    assert await page.locator(".map circle").count() == 0

    screen = await (await browser.new_context()).new_page()
    await screen.goto(f"{url}/c/nextstrategy/screen/")
    await screen.wait_for_selector("[data-live][data-connected=true]", timeout=10_000)
    voter = Voter(url)
    await database_sync_to_async(voter.join)()
    for choice in (1, -1, 1):
        await database_sync_to_async(voter.vote)(choice)
        votes += 1
        await wait_stat(page, votes)
    # The Celery worker analyses (debounced) and the dashboard draws the groups without reloading.
    await page.wait_for_selector(".map circle", timeout=120_000)
    assert await page.locator(".legend li").count() >= 2
    # The event screen follows too: the same count, and the areas of consensus and contention.
    await wait_stat(screen, votes)
    await screen.wait_for_selector("text=Where people agree", timeout=10_000)
    analysed = await database_sync_to_async(AnalysisSnapshot.objects.count)()
    assert analysed >= 1

    # Redis goes down: votes are still accepted and stored; the page says live updates are paused.
    stop(stack["processes"]["redis"])
    await page.wait_for_selector("[data-live][data-connected=false]", timeout=10_000)
    assert "paused" in (await page.locator("[data-live-status]").text_content()).lower()
    for choice in (-1, 0):
        await database_sync_to_async(voter.vote)(choice)
        votes += 1
    stored = await database_sync_to_async(Vote.objects.count)()
    assert stored == votes, "no vote lost while Redis was down"
    reloaded = await (await browser.new_context()).new_page()
    await reloaded.goto(f"{url}/c/nextstrategy/screen/")
    assert int(await reloaded.locator('[data-stat="votes"]').first.text_content()) == votes, "pages still load"

    # Redis comes back: the open dashboard reconnects by itself, catches up, and follows new votes
    # again through the normal path (well inside the 15 s heartbeat), all without reloading.
    stack["processes"]["redis"] = start_redis(stack["redis_port"])
    with web_log_on_failure(stack):
        await page.wait_for_selector("[data-live][data-connected=true]", timeout=90_000)
        await wait_stat(page, votes, timeout=30_000)
        await database_sync_to_async(voter.vote)(1)
        votes += 1
        await wait_stat(page, votes, timeout=5_000)
    assert await database_sync_to_async(Vote.objects.count)() == votes


@contextlib.contextmanager
def web_log_on_failure(stack):
    """A failing check prints the end of the web process's log, where the reason usually is."""
    try:
        yield
    except Exception:
        print("web.log (end):\n" + (stack["logs"] / "web.log").read_text()[-6000:])
        raise
