"""Telegram bot benchmark: simulated people against the real bot process and a fake Bot API.

    .venv/bin/python bench/bench_bot.py              # 200 people, PostgreSQL if it answers on 127.0.0.1:5432
    .venv/bin/python bench/bench_bot.py --people 50 --embedded   # SQLite, as `make run`
    .venv/bin/python bench/bench_bot.py --think 0    # no pauses: the bot's saturation throughput

The bot runs as in production, ``manage.py runbot`` in a process of its own,
long-polling the fake Bot API server of the tests (tests/bots/fake_telegram.py)
exactly as it would Telegram. Each simulated person, in a thread of their own,
runs the whole conversation: /start, consent, two profile taps, five answers,
ten votes (19 replies), pausing ``--think`` seconds on average (0.5x to 1.5x,
default 10: reading a statement and deciding, or typing an answer) between
steps. ``--think 0`` measures the saturation throughput instead. Printed: the time from a person's
message or tap to the bot's reply (median, p95, max), replies per second, and
failures. Target: p95 <= 300 ms with 200 people.
"""

from __future__ import annotations

import argparse
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _postgres_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=0.5):
            return True
    except OSError:
        return False


def configure(embedded: bool) -> str:
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ.setdefault("VAR_DIR", tempfile.mkdtemp(prefix="bench-bot-"))
    os.environ.setdefault("SECRET_KEY", "bench-" + "k" * 50)
    os.environ["ANALYSIS_RUNNER"] = "off"
    os.environ.pop("REDIS_URL", None)
    if embedded:
        os.environ.pop("DATABASE_URL", None)
        return "SQLite (embedded)"
    if "DATABASE_URL" not in os.environ and _postgres_up():
        os.environ["DATABASE_URL"] = "postgres://postgres@127.0.0.1:5432/consult_bench"
    return "PostgreSQL" if os.environ.get("DATABASE_URL") else "SQLite (embedded)"


def person(server, user_id: int, slug: str, think: float, latencies: list[float], failures: list[str]) -> None:
    user = server.user(user_id, language_code="en")
    rng = random.Random(user_id)

    def step(action, *args, **kwargs) -> dict:
        if think:
            time.sleep(think * rng.uniform(0.5, 1.5))
        started = time.perf_counter()
        getattr(user, action)(*args, **kwargs)
        reply = user.wait_for_reply(timeout=120)
        latencies.append(time.perf_counter() - started)
        return reply

    def last_button(reply: dict) -> str:
        return reply["reply_markup"]["inline_keyboard"][-1][0]["callback_data"]

    try:
        reply = step("command", "start", slug)
        reply = step("tap", "consent")
        reply = step("tap", last_button(reply))  # skip the stakeholder group
        reply = step("tap", last_button(reply))  # skip the region
        for n in range(5):
            reply = step("send_text", f"Answer {n} of person {user_id}: more schools, fewer walls.")
        for _ in range(10):
            if not reply.get("reply_markup"):
                break  # voted on everything
            reply = step("tap", reply["reply_markup"]["inline_keyboard"][0][0]["callback_data"])
    except Exception as error:  # noqa: BLE001 - counted and reported
        failures.append(f"{user_id}: {type(error).__name__}: {error}"[:300])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--people", type=int, default=200)
    parser.add_argument("--think", type=float, default=10.0, help="mean pause between steps, seconds (0: none)")
    parser.add_argument("--embedded", action="store_true", help="SQLite, as make run")
    parser.add_argument("--profile", metavar="FILE", help="run the bot under cProfile, statistics to FILE")
    args = parser.parse_args()
    database = configure(args.embedded)

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    postgres = connection.vendor == "postgresql"
    if postgres:
        name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
        url = f"postgres://postgres@127.0.0.1:5432/{name}"
    else:
        call_command("migrate", verbosity=0)
        url = f"sqlite:///{settings.DATABASES['default']['NAME']}"
    try:
        call_command("seed_demo", verbosity=0)
        connection.close()
        run(args, database, url)
    finally:
        if postgres:
            connection.creation.destroy_test_db(name, verbosity=0)


def run(args, database: str, url: str) -> None:
    from tests.bots.fake_telegram import TOKEN, FakeTelegram

    latencies: list[float] = []
    failures: list[str] = []
    with FakeTelegram(TOKEN) as server:
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_URL": server.api_url,
            "LOG_LEVEL": "WARNING",
        }
        if url.startswith("sqlite"):
            env.pop("DATABASE_URL")
        profile = ["-m", "cProfile", "-o", args.profile] if args.profile else []
        command = [sys.executable, *profile, "manage.py", "runbot", "--poll-timeout", "10"]
        bot = subprocess.Popen(command, cwd=ROOT, env=env)
        try:
            server.wait_for_request("getUpdates", timeout=120)
            threads = [
                threading.Thread(
                    target=person, args=(server, 9_000_000 + n, "nextstrategy", args.think, latencies, failures)
                )
                for n in range(args.people)
            ]
            started = time.perf_counter()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            elapsed = time.perf_counter() - started
            api_errors = server.errors
            calls = {
                m: server.count(m) for m in ("getUpdates", "sendMessage", "editMessageText", "answerCallbackQuery")
            }
        finally:
            bot.terminate()
            bot.wait(timeout=30)

    latencies.sort()
    p95 = latencies[int(0.95 * (len(latencies) - 1))] if latencies else float("nan")
    print(
        f"Telegram bot (runbot process), {args.people} people at once, {args.think:g} s mean pause between steps, "
        f"{database}, fake Bot API on loopback"
    )
    print(f"{'replies':>10} {'median ms':>10} {'p95 ms':>8} {'max ms':>8} {'replies/s':>10} {'failures':>9}")
    print(
        f"{len(latencies):>10} {statistics.median(latencies) * 1000:>10.0f} {p95 * 1000:>8.0f} "
        f"{latencies[-1] * 1000:>8.0f} {len(latencies) / elapsed:>10.1f} {len(failures):>9}"
    )
    print(f"target: p95 <= 300 ms -> {'met' if p95 <= 0.3 else 'NOT met'}")
    print("Bot API calls:", ", ".join(f"{method} {count}" for method, count in calls.items()))
    if api_errors:
        print(f"Bot API errors: {len(api_errors)}, e.g. {api_errors[:3]}")
    for failure in failures[:5]:
        print("failure:", failure)


if __name__ == "__main__":
    main()
