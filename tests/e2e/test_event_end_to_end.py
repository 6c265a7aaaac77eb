"""One open event, end to end, small: people vote on the web and on Telegram (webhook) while the screen and the
dashboard are open; mid-run the Celery worker and then Redis are restarted. No vote answered OK is lost, the
screen comes back by itself with the right count, and the restarted worker stores an analysis. The same run,
at event scale, is bench/bench_event.py (latencies are its job: the bounds here are generous)."""

from __future__ import annotations

import pytest

from bench import event_figures, event_run
from tests.e2e.conftest import database_url

pytestmark = [pytest.mark.e2e, pytest.mark.services, pytest.mark.django_db(transaction=True)]


def test_an_event_survives_a_worker_and_a_redis_restart(tmp_path):
    event_run.setup_event(statements=12)
    stack = event_run.Stack(database_url(), tmp_path, debounce=0.5)
    plan = event_run.Plan(
        web=30, telegram=10, seconds=30, rate=12, worker_restart_at=0.2, redis_restart_at=0.5, settle=90
    )
    try:
        stack.start()
        result = event_run.run_event(stack, plan, progress=print)
    finally:
        stack.stop_all()
    s = event_figures.summarise(result)
    logs = "\n".join(f"--- {name}.log\n{stack.log_tail(name)}" for name in ("web", "worker"))
    print("\n".join(event_figures.report(s)))
    assert result.joined_web == 30 and result.joined_telegram == 10, result.errors
    assert s["ok"]["web"] >= 100 and s["ok"]["telegram"] >= 10, s
    assert s["lost"] == {"web": 0, "telegram": 0}, s
    # Votes come in on both sides of the Redis restart, and the screen counted them all by itself.
    assert any(v.ok and v.sent > result.redis_started for v in result.votes), "votes after Redis was back"
    assert s["reconnected"], "the screen's socket reconnected by itself after the Redis restart"
    assert s["recovered_after"] is not None and s["screen_right_count"], (s, logs)
    assert s["dashboard_recovered"], s
    assert s["snapshots_after_worker_restart"] >= 1, ("no analysis after the worker restart", logs)
    # The web process logs Redis's absence while it lasts (channels_redis, a socket opened meanwhile); nothing else.
    web_log = stack.log_tail("web", 1_000_000)
    others = [t for t in web_log.split("Traceback")[1:] if "redis" not in t.lower() and "CancelledError" not in t]
    assert not others, others[0][-3000:]
