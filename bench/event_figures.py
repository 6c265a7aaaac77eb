"""The figures of one event run (bench/event_run.py): votes sent, answered, stored and lost; the screen's delays,
gaps and recovery; the analyses stored after the restarts."""

from __future__ import annotations

import itertools

from bench.event_run import Result


def _percentile(values: list[float], q: float) -> float | None:
    return sorted(values)[int(q * (len(values) - 1))] if values else None


def summarise(result: Result) -> dict:
    """The run's figures: votes sent, answered, stored and lost; the screen's delays, gaps and recovery."""
    ok = [v for v in result.votes if v.ok]
    expected = {channel: sum(1 for v in ok if v.channel == channel) for channel in ("web", "telegram")}
    lost = {channel: max(0, expected[channel] - result.stored.get(channel, 0)) for channel in expected}
    answered = sorted(v.answered for v in ok if v.answered is not None)
    delays, outside = [], []
    pushes = result.screen
    j = 0
    for i, moment in enumerate(answered, start=1):
        # The i-th vote answered is counted by the first push after its answer whose count reaches i.
        while j < len(pushes) and pushes[j][0] < moment:
            j += 1
        seen = next((t for t, count in pushes[j:] if count >= i), None)
        if seen is not None:
            delays.append(seen - moment)
            if not (result.redis_stopped - 1 <= moment <= result.redis_started + 15):
                outside.append(seen - moment)
    window = [t for t, _ in pushes if result.started <= t <= result.ended]
    edges = [result.started, *window, result.ended]
    longest = max((b - a for a, b in itertools.pairwise(edges)), default=None)
    before = [t for t, _ in pushes if t <= result.redis_stopped]
    after = [t for t, _ in pushes if t > result.redis_stopped]
    back = [(t, n) for t, n in pushes if t > result.redis_started]
    total = sum(result.stored.values())
    sent = [v.sent for v in result.votes]
    span = max(sent) - min(sent) if len(sent) > 1 else 0
    web_latency = [v.answered - v.sent for v in ok if v.channel == "web"]
    return {
        "sent": {c: sum(1 for v in result.votes if v.channel == c) for c in ("web", "telegram")},
        "ok": expected,
        "stored": dict(result.stored),
        "lost": lost,
        "rate": len(sent) / span if span else 0.0,
        "web_latency_p50": _percentile(web_latency, 0.5),
        "web_latency_p95": _percentile(web_latency, 0.95),
        "delay_p50": _percentile(delays, 0.5),
        "delay_p95": _percentile(delays, 0.95),
        "delay_p95_outside_redis": _percentile(outside, 0.95),
        "never_shown": len(answered) - len(delays),
        "pushes": len(pushes),
        "longest_gap": longest,
        "redis_gap": (after[0] - before[-1]) if before and after else None,
        "reconnected": any(t > result.redis_started for t in result.screen_connects),
        "recovered_after": (back[0][0] - result.redis_started) if back else None,
        "screen_final": pushes[-1][1] if pushes else None,
        "screen_right_count": bool(pushes) and pushes[-1][1] == total,
        "dashboard_final": result.dashboard[-1][1] if result.dashboard else None,
        "dashboard_recovered": any(t > result.redis_started for t, _ in result.dashboard),
        "snapshots_after_worker_restart": result.snapshots_after_worker_restart,
        "snapshots_after_redis_restart": result.snapshots_after_redis_restart,
        "webhook_statuses": dict(result.webhook_statuses),
        "errors": result.errors[:5],
    }


def report(s: dict) -> list[str]:
    def ms(value: float | None) -> str:
        return "n/a" if value is None else f"{value * 1000:.0f} ms"

    def sec(value: float | None) -> str:
        return "n/a" if value is None else f"{value:.1f} s"

    lost = sum(s["lost"].values())
    p95 = s["delay_p95"]
    return [
        f"votes sent: {sum(s['sent'].values())} (web {s['sent']['web']}, Telegram {s['sent']['telegram']}), "
        f"at {s['rate']:.0f}/s",
        f"votes answered OK (web 2xx, Telegram update accepted): {sum(s['ok'].values())} "
        f"(web {s['ok']['web']}, Telegram {s['ok']['telegram']}); web vote p50 {ms(s['web_latency_p50'])}, "
        f"p95 {ms(s['web_latency_p95'])}",
        f"votes stored in PostgreSQL: {sum(s['stored'].values())} "
        f"(web {s['stored'].get('web', 0)}, Telegram {s['stored'].get('telegram', 0)})",
        f"votes lost: {lost} (goal 0: {'met' if lost == 0 else 'NOT met'})",
        f"counter delay on the screen (2xx -> first push including it): p50 {ms(s['delay_p50'])}, "
        f"p95 {ms(p95)} (goal p95 <= 1 s: {'met' if p95 is not None and p95 <= 1 else 'NOT met'}); "
        f"p95 outside the Redis restart {ms(s['delay_p95_outside_redis'])}; {s['never_shown']} never shown",
        f"screen without live updates: longest gap {sec(s['longest_gap'])} over {s['pushes']} pushes; "
        f"across the Redis restart {sec(s['redis_gap'])}",
        f"screen recovered by itself after Redis: {'yes' if s['recovered_after'] is not None else 'NO'} "
        f"(reconnected: {'yes' if s['reconnected'] else 'no'}; first push {sec(s['recovered_after'])} after Redis "
        f"was back; last count {s['screen_final']}, {'right' if s['screen_right_count'] else 'WRONG'}); "
        f"dashboard recovered: {'yes' if s['dashboard_recovered'] else 'NO'}",
        f"analysis snapshots stored after the worker restart: {s['snapshots_after_worker_restart']} "
        f"(after the Redis restart: {s['snapshots_after_redis_restart']})",
        f"webhook deliveries of votes by status: {s['webhook_statuses']}",
        *(f"error: {e}" for e in s["errors"]),
    ]
