"""Real processes for end-to-end tests: the ASGI server exactly as docker-compose runs it,
and Debian's headless Chromium driven by Playwright."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
import pytest_asyncio

from bench.processes import compose_command, free_port

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def database_url() -> str:
    """The test database, as a DATABASE_URL a subprocess can use."""
    from django.db import connection

    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    return f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def process_env(**extra: str) -> dict[str, str]:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "DATABASE_URL": database_url(), **extra}
    env.setdefault("PYTHONUNBUFFERED", "1")
    return env


def wait_for_http(url: str, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args} exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {timeout} s")


@contextlib.contextmanager
def serve(django_db_blocker, tmp_path_factory, **extra_env: str) -> Iterator[str]:
    """uvicorn with the compose web command, on a free loopback port, serving collected static files."""
    static_root = tmp_path_factory.mktemp("static")
    with django_db_blocker.unblock():
        env = process_env(STATIC_ROOT=str(static_root), WHITENOISE_USE_FINDERS="false", **extra_env)
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=300,
    )
    port = str(free_port())
    command = [
        port if part == "8000" else "127.0.0.1" if part == "0.0.0.0" else part for part in compose_command("web")
    ]
    command[0] = str(Path(sys.executable).parent / command[0])
    log = open(tmp_path_factory.mktemp("logs") / "web.log", "w+")  # noqa: SIM115 - closed below
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for_http(f"{url}/healthz", process)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
        log.seek(0)
        output = log.read()
        log.close()
        if "Traceback" in output:
            print(output)  # shown with the test report


@pytest.fixture(scope="session")
def web_server(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[str]:
    with serve(django_db_blocker, tmp_path_factory) as url:
        yield url


@pytest.fixture
def demo_data(transactional_db):
    from django.core.management import call_command

    call_command("seed_demo", verbosity=0)


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is missing: apt-get install -y chromium (make test installs it)")
    if shutil.which("chromium") is None and not os.access(CHROMIUM, os.X_OK):
        pytest.skip("chromium is not executable")
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        await browser.close()


PASSWORD = "a-long-facilitator-password"


@pytest.fixture
def facilitator(transactional_db):
    """A staff account "facilitator" whose password the server (its own hasher) accepts."""
    from django.contrib.auth.hashers import make_password

    from tests.factories import UserFactory

    user = UserFactory(username="facilitator", is_staff=True)
    user.password = make_password(PASSWORD, hasher="pbkdf2_sha256")
    user.save()
    return user


async def log_in(page, base: str, next_path: str) -> None:
    """Log the facilitator in at /admin/login/ and wait for ``next_path``."""
    await page.goto(f"{base}/admin/login/?next={next_path}")
    await page.get_by_label("Username").fill("facilitator")
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Log in").click()
    await page.wait_for_url(f"**{next_path}")
