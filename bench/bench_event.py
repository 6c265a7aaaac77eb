"""One open event, end to end, by hand: a crowd votes on the web and on Telegram while Redis and the worker restart.

    .venv/bin/python bench/bench_event.py      # 1,000 web + 200 Telegram people, 2 minutes at 200 votes/s
    .venv/bin/python bench/bench_event.py --web 300 --telegram 50 --seconds 60 --rate 60

Needs PostgreSQL on 127.0.0.1:5432 and redis-server on the PATH (the run starts a Redis of its own on a free
port, so restarting it disturbs no one). The services profile runs as plain processes: uvicorn with the
docker-compose web command, a Celery worker with the compose worker command, the fake Bot API
(tests/bots/fake_telegram.py) delivering Telegram updates to the web process's webhook
(TELEGRAM_WEBHOOK_SECRET set, registered with manage.py setwebhook). The event screen (public websocket) and
the dashboard (staff websocket) stay open through reconnecting clients that behave as static/js/live.js.

Printed: votes sent, answered OK, stored and lost (goal 0); the delay from a vote's 2xx to the first screen push
that counts it (p50, p95; goal p95 <= 1 s); the screen's longest time without a push and across the Redis
restart; whether it recovered by itself; analyses stored after the worker restart. The code is
bench/event_run.py, shared with tests/e2e/test_event_end_to_end.py.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    from bench import event_figures, event_run

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--web", type=int, default=1000, help="participants on the web")
    parser.add_argument("--telegram", type=int, default=200, help="participants on Telegram (webhook)")
    parser.add_argument("--seconds", type=float, default=120.0, help="voting time")
    parser.add_argument("--rate", type=float, default=200.0, help="votes per second, web and Telegram together")
    parser.add_argument("--statements", type=int, default=40)
    parser.add_argument("--redis-down", type=float, default=2.0, help="seconds Redis stays stopped")
    args = parser.parse_args()
    if not event_run.up(5432) or not shutil.which("redis-server"):
        sys.exit("bench_event needs PostgreSQL on 127.0.0.1:5432 and redis-server on the PATH.")
    os.environ.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/consult_event_bench_{os.getpid()}",
        SECRET_KEY="bench-" + "k" * 50,
        HTTPS="false",
        LOG_LEVEL="WARNING",
        ANALYSIS_RUNNER="off",  # this process sets up and counts; the stack's Celery worker analyses
    )
    os.environ.pop("REDIS_URL", None)  # this process only sets up and counts; the stack has its own Redis
    import django

    django.setup()
    from django.db import connection

    name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    database_url = f"postgres://postgres@127.0.0.1:5432/{name}"
    logs = Path(tempfile.mkdtemp(prefix="bench-event-"))
    stack = None
    try:
        event_run.setup_event(args.statements)
        stack = event_run.Stack(database_url, logs)
        stack.start()
        load = os.getloadavg()
        print(
            f"{args.web} web + {args.telegram} Telegram participants, {args.seconds:g} s at {args.rate:g} votes/s; "
            f"{os.cpu_count()} cores, load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}; logs in {logs}"
        )
        plan = event_run.Plan(
            web=args.web,
            telegram=args.telegram,
            seconds=args.seconds,
            rate=args.rate,
            redis_down=args.redis_down,
            settle=120,
        )
        started = time.monotonic()
        result = event_run.run_event(stack, plan, progress=lambda line: print(line, flush=True))
        summary = event_figures.summarise(result)
        for line in event_figures.report(summary):
            print(line)
        load = os.getloadavg()
        print(f"run took {time.monotonic() - started:.0f} s; load average at the end {load[0]:.1f} {load[1]:.1f}")
    finally:
        if stack is not None:
            stack.stop_all()
        connection.close()
        connection.creation.destroy_test_db(name, verbosity=0)


if __name__ == "__main__":
    main()
