"""README's `make run` on a fresh copy of the project: embedded defaults, no PostgreSQL or Redis."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.e2e.conftest import free_port

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]
CLEARED = (
    "DATABASE_URL",
    "REDIS_URL",
    "SECRET_KEY",
    "DJANGO_SETTINGS_MODULE",
    "VAR_DIR",
    "STATIC_ROOT",
    "HTTPS",
    "WHITENOISE_USE_FINDERS",
    "CACHE_KEY_PREFIX",
    "CHANNEL_LAYER_PREFIX",
    "VIRTUAL_ENV",
)


def fresh_checkout(target: Path) -> None:
    """The files a clean clone would have (tracked, plus new files not ignored), nothing generated."""
    listed = (
        subprocess.run(
            ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
            cwd=ROOT,
            capture_output=True,
            check=True,
        )
        .stdout.decode()
        .split("\0")
    )
    for name in filter(None, listed):
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)


def test_make_run_serves_the_demo_from_a_fresh_checkout(tmp_path):
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    checkout = tmp_path / "consult"
    checkout.mkdir()
    fresh_checkout(checkout)
    assert not (checkout / ".venv").exists() and not (checkout / "var").exists()
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in CLEARED}
    env["PATH"] = os.pathsep.join(p for p in env["PATH"].split(os.pathsep) if ".venv" not in p)
    python = shutil.which("python3", path=env["PATH"]) or sys.executable
    log = open(tmp_path / "make-run.log", "w+")  # noqa: SIM115
    process = subprocess.Popen(
        ["make", "run", f"PORT={port}", f"PYTHON={python}"],
        cwd=checkout,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}/c/nextstrategy/"
    try:
        deadline = time.monotonic() + 900
        body = None
        while time.monotonic() < deadline and process.poll() is None:
            try:
                with urllib.request.urlopen(url, timeout=5) as response:
                    body = response.read().decode()
                    break
            except OSError:
                time.sleep(1)
        log.seek(0)
        output = log.read()
        assert body is not None, f"make run did not serve {url}:\n{output[-3000:]}"
        assert "Amnesty International&#x27;s next global strategy: make it yours" in body
        assert "Facilitator account created" in output, "make run says how facilitators log in"
        assert (checkout / "var" / "db.sqlite3").exists(), "embedded profile: SQLite"
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
        log.close()
