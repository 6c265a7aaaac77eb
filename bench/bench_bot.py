"""Telegram bot benchmark: simulated people against the real bot client and a fake Bot API.

    .venv/bin/python bench/bench_bot.py              # 200 people, PostgreSQL if it answers on 127.0.0.1:5432
    .venv/bin/python bench/bench_bot.py --people 50 --embedded   # SQLite, as `make run`

Each person runs the whole conversation in a thread of their own, as fast as
the bot answers: /start, consent, two profile taps, five answers, ten votes
(19 steps). The bot long-polls the fake server (tests/bots/fake_telegram.py)
exactly as it would Telegram. Printed: the time from a person's message or
tap to the bot's reply (median, p95, max), replies per second, and errors.
Target: p95 <= 300 ms with 200 people.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
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


def person(server, user_id: int, slug: str, latencies: list[float], failures: list[str]) -> None:
    user = server.user(user_id, language_code="en")

    def step(action, *args, **kwargs) -> dict:
        started = time.perf_counter()
        getattr(user, action)(*args, **kwargs)
        reply = user.wait_for_reply(timeout=60)
        latencies.append(time.perf_counter() - started)
        return reply

    def first_button(reply: dict, row: int = 0) -> str:
        return reply["reply_markup"]["inline_keyboard"][row][0]["callback_data"]

    try:
        reply = step("command", "start", slug)
        reply = step("tap", "consent")
        reply = step("tap", reply["reply_markup"]["inline_keyboard"][-1][0]["callback_data"])  # skip the group
        reply = step("tap", reply["reply_markup"]["inline_keyboard"][-1][0]["callback_data"])  # skip the region
        for n in range(5):
            reply = step("send_text", f"Answer {n} of person {user_id}: more schools, fewer walls.")
        for _ in range(10):
            if not reply.get("reply_markup"):
                break  # voted on everything
            reply = step("tap", first_button(reply))
    except Exception as error:  # noqa: BLE001 - counted and reported
        failures.append(f"{user_id}: {type(error).__name__}: {error}"[:300])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--people", type=int, default=200)
    parser.add_argument("--embedded", action="store_true", help="SQLite, as make run")
    args = parser.parse_args()
    database = configure(args.embedded)

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    test_db = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        call_command("seed_demo", verbosity=0)
        run(args.people, database, test_db)
    finally:
        connection.close()
        connection.creation.destroy_test_db(test_db, verbosity=0)


def run(people: int, database: str, test_db: str) -> None:
    from django.conf import settings

    from bots import application
    from tests.bots.fake_telegram import TOKEN, FakeTelegram

    with FakeTelegram(TOKEN) as server:
        settings.TELEGRAM_BOT_TOKEN = TOKEN
        settings.TELEGRAM_API_URL = server.api_url
        latencies: list[float] = []
        failures: list[str] = []
        loop = asyncio.new_event_loop()
        app = application.build()

        async def start_bot():
            await app.initialize()
            await app.post_init(app)
            await app.start()
            await app.updater.start_polling(poll_interval=0, timeout=1, allowed_updates=application.ALLOWED_UPDATES)

        async def stop_bot():
            await app.updater.stop()
            await app.stop()
            await app.shutdown()

        bot_thread = threading.Thread(target=loop.run_forever, daemon=True)
        bot_thread.start()
        asyncio.run_coroutine_threadsafe(start_bot(), loop).result(timeout=60)
        threads = [
            threading.Thread(target=person, args=(server, 9_000_000 + n, "nextstrategy", latencies, failures))
            for n in range(people)
        ]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started
        asyncio.run_coroutine_threadsafe(stop_bot(), loop).result(timeout=60)
        loop.call_soon_threadsafe(loop.stop)
        api_errors = server.errors

    latencies.sort()
    p95 = latencies[int(0.95 * (len(latencies) - 1))] if latencies else float("nan")
    print(f"Telegram bot, {people} people at once, {database}, fake Bot API on loopback")
    print(f"{'replies':>10} {'median ms':>10} {'p95 ms':>8} {'max ms':>8} {'replies/s':>10} {'failures':>9}")
    print(
        f"{len(latencies):>10} {statistics.median(latencies) * 1000:>10.0f} {p95 * 1000:>8.0f} "
        f"{latencies[-1] * 1000:>8.0f} {len(latencies) / elapsed:>10.1f} {len(failures):>9}"
    )
    print(f"target: p95 <= 300 ms -> {'met' if p95 <= 0.3 else 'NOT met'}")
    if api_errors:
        print(f"Bot API errors: {len(api_errors)}, e.g. {api_errors[:3]}")
    for failure in failures[:5]:
        print("failure:", failure)


if __name__ == "__main__":
    main()
