"""Live dashboard benchmark: how soon votes and analyses reach the screens.

    .venv/bin/python bench/bench_live.py                   # needs PostgreSQL and Redis on 127.0.0.1
    .venv/bin/python bench/bench_live.py --size 2000x200   # a smaller conversation for part 2

Runs the services profile as deployed: uvicorn (the compose web command) and a
Celery worker (the compose worker command) in processes of their own, on a
throwaway database and Redis database 13. A websocket client watches the event
screen's socket while this process casts votes through the domain services.

1. Votes arriving at ``--rate`` per second (default 200) for ``--seconds``:
   the delay from each vote's commit to the first counter push that includes
   it (median, p95; target p95 <= 1 s).
2. A conversation of ``--size`` participants x statements (default
   20,000 x 500, about 7 % voted) imported, analysed once, then a burst of 1,000
   votes: the time from the burst's last vote to the screen being told that
   the new analysis is there (target <= 5 s at 20,000 x 500).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.processes import free_port, up  # noqa: E402


class Watcher:
    """A websocket client on the event screen's socket, recording when each message arrived."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.messages: list[tuple[float, dict]] = []
        self.ready = threading.Event()
        self._stop = threading.Event()
        self.thread = threading.Thread(target=lambda: asyncio.run(self._run()), daemon=True)
        self.thread.start()

    async def _run(self) -> None:
        import websockets

        async with websockets.connect(self.url, origin="http://127.0.0.1", ping_interval=None) as ws:
            self.ready.set()
            while not self._stop.is_set():
                try:
                    raw = await asyncio.wait_for(ws.recv(), timeout=0.5)
                except TimeoutError:
                    continue
                except websockets.ConnectionClosed as closed:
                    print(f"   the screen's socket closed: {closed}")
                    return
                self.messages.append((time.monotonic(), json.loads(raw)))

    def stop(self) -> None:
        self._stop.set()
        self.thread.join(timeout=5)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rate", type=float, default=200.0)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--size", default="20000x500")
    parser.add_argument("--redis-db", type=int, default=13, help="a Redis database no one else uses meanwhile")
    args = parser.parse_args()
    if not (up(5432) and up(6379)):
        sys.exit("bench_live needs PostgreSQL (127.0.0.1:5432) and Redis (127.0.0.1:6379): the services profile.")
    os.environ.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/consult_live_bench_{os.getpid()}",
        REDIS_URL=f"redis://127.0.0.1:6379/{args.redis_db}",
        SECRET_KEY="bench-" + "k" * 50,
        HTTPS="false",
        ANALYSIS_RUNNER="celery",
        ANALYSIS_DEBOUNCE_SECONDS="0.5",
        VAR_DIR=tempfile.mkdtemp(prefix="bench-live-"),
        LOG_LEVEL="WARNING",
    )
    import django

    django.setup()
    from django.core.cache import cache
    from django.core.management import call_command
    from django.db import connection

    name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{name}"
    cache.clear()
    processes = []
    try:
        call_command("seed_demo", verbosity=0)
        port = free_port()
        env = {**os.environ}
        bin_dir = Path(sys.executable).parent
        processes.append(
            subprocess.Popen(
                [
                    str(bin_dir / "uvicorn"),
                    "config.asgi:application",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(port),
                    "--no-access-log",
                    "--lifespan",
                    "off",
                ],
                cwd=ROOT,
                env=env,
            )
        )
        processes.append(
            subprocess.Popen(
                [str(bin_dir / "celery"), "-A", "worker", "worker", "--loglevel", "WARNING", "--concurrency", "1"],
                cwd=ROOT,
                env=env,
            )
        )
        deadline = time.monotonic() + 60
        while not up(port) and time.monotonic() < deadline:
            time.sleep(0.2)
        part_one(port, args.rate, args.seconds)
        n, m = (int(x) for x in args.size.lower().split("x"))
        part_two(port, n, m)
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=30)
        connection.close()
        connection.creation.destroy_test_db(name, verbosity=0)


def part_one(port: int, rate: float, seconds: float) -> None:
    from ideation import services
    from ideation.models import Consultation

    consultation = Consultation.objects.get(slug="nextstrategy")
    statements = list(consultation.statements.values_list("pk", flat=True))
    total = int(rate * seconds)
    people = [
        services.participant_start(consultation=consultation, language="en", consent=True, channel="web")
        for _ in range(total // len(statements) + 1)
    ]
    watcher = Watcher(f"ws://127.0.0.1:{port}/ws/screen/nextstrategy/")
    watcher.ready.wait(30)
    time.sleep(1.0)
    base = max((m["stats"]["votes"] for _t, m in watcher.messages if m["type"] == "stats"), default=0)
    # Several processes cast the votes, each at its slots of one schedule, as several web processes would.
    from django.db import connections

    connections.close_all()
    started = time.monotonic() + 5.0  # time for the processes to start
    plan = [(k, PROCESSES, total, rate, started, [p.pk for p in people], statements) for k in range(PROCESSES)]
    with multiprocessing.get_context("spawn").Pool(PROCESSES) as pool:
        commits = sorted(t for share in pool.map(_cast_share, plan) for t in share)
    achieved = total / (commits[-1] - commits[0])
    time.sleep(2.0)
    watcher.stop()
    pushes = [(t, m["stats"]["votes"] - base) for t, m in watcher.messages if m["type"] == "stats"]
    delays = []
    for i, committed in enumerate(commits, start=1):
        seen = next((t for t, count in pushes if count >= i and t >= committed - 0.001), None)
        if seen is not None:
            delays.append(seen - committed)
    delays.sort()
    p95 = delays[int(0.95 * (len(delays) - 1))]
    print(f"1. {total} votes at {achieved:.0f}/s: {len(pushes)} counter pushes")
    print(
        f"   commit -> dashboard counter: median {statistics.median(delays) * 1000:.0f} ms, "
        f"p95 {p95 * 1000:.0f} ms, max {delays[-1] * 1000:.0f} ms "
        f"(target p95 <= 1 s: {'met' if p95 <= 1 else 'NOT met'}); {total - len(delays)} never shown"
    )


PROCESSES = 4


def _cast_share(plan) -> list[float]:
    """One process's share of the schedule: votes k, k + stride, ...; returns their commit times."""
    offset, stride, total, rate, started, people, statements = plan
    import django

    django.setup()  # a fresh process (spawned): its own database and Redis connections
    from django.db import connection

    from ideation import services
    from ideation.models import Participant

    persons = {p.pk: p for p in Participant.objects.filter(pk__in=people)}
    commits = []
    for i in range(offset, total, stride):
        if (wait := started + i / rate - time.monotonic()) > 0:
            time.sleep(wait)
        person, statement = persons[people[i // len(statements)]], statements[i % len(statements)]
        services.vote_cast(participant=person, statement_id=statement, choice=(1, -1, 0)[i % 3], channel="web")
        commits.append(time.monotonic())
    connection.close()
    return commits


def part_two(port: int, n: int, m: int) -> None:
    from django.test.utils import override_settings

    from bench.synthetic import import_synthetic
    from ideation import services
    from ideation.models import AnalysisSnapshot, Participant, Statement

    started = time.monotonic()
    with override_settings(ANALYSIS_RUNNER="off"):  # the first analysis runs here, not on the worker meanwhile
        consultation, n_votes = import_synthetic("bench-big", n, m)
    print(f"2. {n:,} x {m:,} conversation, {n_votes:,} votes, imported in {time.monotonic() - started:.0f} s")
    from django.db import connection

    with connection.cursor() as cursor:  # what autovacuum soon does after a bulk import, done before measuring
        cursor.execute("VACUUM ANALYZE")
    from worker import jobs

    first = time.monotonic()
    jobs.run_analysis(consultation.pk)  # the first analysis (the screen would have shown it long ago)
    print(f"   first full analysis (load, compute, store): {time.monotonic() - first:.1f} s")
    watcher = Watcher(f"ws://127.0.0.1:{port}/ws/screen/bench-big/")
    watcher.ready.wait(30)
    authors = Statement.objects.filter(consultation=consultation, author__isnull=False).values("author")
    people = list(Participant.objects.filter(consultation=consultation).exclude(pk__in=authors).order_by("pk")[:100])
    targets = list(Statement.objects.filter(consultation=consultation).order_by("pk").values_list("pk", flat=True))
    before = AnalysisSnapshot.objects.filter(consultation=consultation).count()
    for i in range(1000):
        cast = services.vote_cast(
            participant=people[i % 100], statement_id=targets[(i * 7) % len(targets)], choice=1, channel="web"
        )
    last = time.monotonic()
    # An analysis includes the burst's last vote when it read it: its votes_until is at least that vote's
    # time. (Counting votes is not enough: the burst's second half repeats the cells of its first half,
    # so an analysis started mid-burst already has as many votes.)
    last_stamp = cast.updated
    complete = set()  # analysis versions that include the whole burst
    deadline = last + 120
    seen = None
    while time.monotonic() < deadline and seen is None:
        time.sleep(0.05)
        for t, msg in list(watcher.messages):
            if msg["type"] == "refresh" and "analysis" in msg["parts"] and t > last:
                version = msg.get("version")
                if version not in complete:
                    snapshot = AnalysisSnapshot.objects.filter(consultation=consultation, version=version).first()
                    if snapshot is not None and snapshot.votes_until and snapshot.votes_until >= last_stamp:
                        complete.add(version)
                if version in complete:
                    seen = t
                    break
    watcher.stop()
    if seen is None:
        print("   no analysis with the whole burst reached the screen within 120 s")
        return
    after = AnalysisSnapshot.objects.filter(consultation=consultation).count()
    print(
        f"   last vote of a 1,000-vote burst -> new analysis on the screen: {seen - last:.1f} s "
        f"(target <= 5 s: {'met' if seen - last <= 5 else 'NOT met'}; {after - before} analyses ran)"
    )


if __name__ == "__main__":
    main()
