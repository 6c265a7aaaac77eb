"""Test settings: the real configuration, with the real services where they are reachable.

PostgreSQL (127.0.0.1:5432) and Redis (127.0.0.1:6379) are used whenever
they answer, as on the development machine and in CI; otherwise the suite
runs embedded (SQLite, in-memory layers) and tests marked ``services`` skip.
Set TEST_SERVICES=off to force the embedded profile. Everything is exported
through os.environ so servers and workers started by tests inherit it.
"""

import os
import socket
import tempfile


def _reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


if os.environ.get("TEST_SERVICES", "auto") != "off":
    if "DATABASE_URL" not in os.environ and _reachable("127.0.0.1", 5432):
        os.environ["DATABASE_URL"] = "postgres://postgres@127.0.0.1:5432/consult"
    if "REDIS_URL" not in os.environ and _reachable("127.0.0.1", 6379):
        os.environ["REDIS_URL"] = "redis://127.0.0.1:6379/15"

os.environ.setdefault("SECRET_KEY", "tests-only-secret-key-" + "k" * 40)
os.environ.setdefault("HTTPS", "false")
os.environ.setdefault("WHITENOISE_USE_FINDERS", "true")
# Never the real Telegram: tests point the bot at a fake Bot API (tests/bots/fake_telegram.py).
os.environ["TELEGRAM_API_URL"] = os.environ.get("TEST_TELEGRAM_API_URL", "http://127.0.0.1:9")
os.environ.setdefault("TELEGRAM_BOT_TOKEN", "")
# Analyses run only where a test asks for them (see tests/worker/).
os.environ.setdefault("ANALYSIS_RUNNER", "off")
# One run's keys never meet another's in a shared Redis.
os.environ.setdefault("CACHE_KEY_PREFIX", f"test{os.getpid()}")
os.environ.setdefault("CHANNEL_LAYER_PREFIX", f"test{os.getpid()}")
os.environ.setdefault("VAR_DIR", tempfile.mkdtemp(prefix="consult-test-var-"))

from config.settings import *  # noqa: E402, F403

STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):  # noqa: F405
    # A file, not memory, so that servers started by end-to-end tests share it.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}  # noqa: F405
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", "django.contrib.auth.hashers.PBKDF2PasswordHasher"]
SERVICES = {"postgres": bool(os.environ.get("DATABASE_URL")), "redis": bool(os.environ.get("REDIS_URL"))}
