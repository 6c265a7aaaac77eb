"""Voting at event scale: the vote POST and the JSON vote beside a trivial Django view, in one run.

    .venv/bin/python bench/bench_votes.py                 # needs PostgreSQL and Redis on 127.0.0.1
    .venv/bin/python bench/bench_votes.py --seconds 5 --workers 1

Runs the web server as the compose ``web`` command does (uvicorn,
``config.asgi``, no access log), on a throwaway database and Redis database
(``--redis-db``, default 12), with ``ANALYSIS_RUNNER=celery`` and no worker
(the tasks wait in Redis: the web process pays what it pays at an event).
The settings are the project's plus one URL, ``/bench/trivial/``: a sync
Django view returning "ok" behind the same middleware (``bench/votes_urls.py``).

300 participants (``--participants``) join beforehand, each with their own
signed participant cookie; an open consultation has ``--statements``
statements. A load generator in a process of its own (plain asyncio
HTTP/1.1 keep-alive connections: about 0.1 ms of its CPU a request) keeps
``--clients`` connections busy for ``--seconds`` per endpoint:

- ``trivial``: GET /bench/trivial/;
- ``vote``: the form POST (answered with a redirect to the deck);
- ``json``: the same POST with ``Accept: application/json`` (answered with the next statement).

Each connection votes for its own participants, never twice on one pair, so
every vote accepted must be one row: after each vote run the rows are
counted against the answers (and deleted before the next run). Printed:
throughput, p50/p99 per endpoint and the targets of issue 11 (vote
throughput >= 0.6x trivial; vote p99 <= 1.5x trivial p99 at 64 clients and
<= 100 ms at 8 clients; the same for the JSON vote), for one uvicorn process
and then ``--workers`` processes.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.processes import free_port, up  # noqa: E402

CSRF = "b" * 32  # an unmasked CSRF secret: the cookie and the form field carry the same value
ENDPOINTS = ("trivial", "vote", "json")


# --- the load generator (a process of its own) --------------------------------------------------


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bytes, bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    lower = head.lower()
    if b"transfer-encoding: chunked" in lower:
        body = b""
        while True:
            size = int((await reader.readline()).strip(), 16)
            chunk = await reader.readexactly(size + 2)
            if size == 0:
                break
            body += chunk[:-2]
        return status, head, body
    start = lower.find(b"content-length:")
    length = int(lower[start + 15 : lower.find(b"\r\n", start)]) if start >= 0 else 0
    return status, head, await reader.readexactly(length)


def _accepted(endpoint: str, status: int, head: bytes, body: bytes) -> bool:
    """Whether the server says it did what was asked (an error redirect carries a message cookie)."""
    if endpoint == "trivial":
        return status == 200 and body == b"ok"
    if endpoint == "vote":
        return status == 302 and b"messages=" not in head
    return status == 200 and b'"ok": true' in body


async def _connection(port, endpoint, requests, deadline, results) -> None:
    """One client: its requests one after the other on a keep-alive connection, until the deadline."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        for request in requests:
            if time.monotonic() >= deadline:
                break
            started = time.perf_counter()
            writer.write(request)
            try:
                status, head, body = await _read_response(reader)
            except (asyncio.IncompleteReadError, ConnectionError):
                results["errors"] += 1
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
                continue
            results["latencies"].append(time.perf_counter() - started)
            results["ok" if _accepted(endpoint, status, head, body) else "refused"] += 1
            if head.lower().find(b"connection: close") >= 0:
                writer.close()
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
    finally:
        writer.close()


def _requests(endpoint: str, slug: str, cookies: list[str], statements: list[int], seed: int) -> list[bytes]:
    """One connection's requests: for votes, its participants in turn, each on its statements in a random order."""
    host = b"Host: 127.0.0.1\r\n"
    if endpoint == "trivial":
        cookie = f"Cookie: csrftoken={CSRF}; p_{slug}={cookies[0]}\r\n".encode()
        return [b"GET /bench/trivial/ HTTP/1.1\r\n" + host + cookie + b"\r\n"] * 200_000
    rng = random.Random(seed)
    orders = [rng.sample(statements, len(statements)) for _ in cookies]
    accept = b"Accept: application/json\r\n" if endpoint == "json" else b"Accept: text/html,*/*;q=0.8\r\n"
    out = []
    for k in range(len(statements)):
        for cookie, order in zip(cookies, orders, strict=True):
            body = f"csrfmiddlewaretoken={CSRF}&statement={order[k]}&choice={rng.choice((-1, 0, 1))}".encode()
            out.append(
                f"POST /c/{slug}/vote/ HTTP/1.1\r\n".encode()
                + host
                + f"Cookie: csrftoken={CSRF}; p_{slug}={cookie}\r\n".encode()
                + accept
                + b"Content-Type: application/x-www-form-urlencoded\r\n"
                + f"Content-Length: {len(body)}\r\n\r\n".encode()
                + body
            )
    return out


def generate(plan: dict) -> dict:
    """Run one endpoint's load; returns counts, sorted latencies and the generator's own CPU time."""
    clients, cookies = plan["clients"], plan["cookies"]
    shares = [cookies[c::clients] for c in range(clients)]
    per_connection = [
        _requests(plan["endpoint"], plan["slug"], share, plan["statements"], seed=c) for c, share in enumerate(shares)
    ]
    results = {"ok": 0, "refused": 0, "errors": 0, "latencies": []}

    async def run() -> float:
        start = time.monotonic()
        deadline = start + plan["seconds"]
        await asyncio.gather(
            *(_connection(plan["port"], plan["endpoint"], reqs, deadline, results) for reqs in per_connection)
        )
        return time.monotonic() - start

    cpu = time.process_time()
    elapsed = asyncio.run(run())
    results["cpu"] = time.process_time() - cpu
    results["elapsed"] = elapsed
    results["latencies"].sort()
    return results


# --- CPU accounting (from /proc: Linux) ------------------------------------------------------------


def _cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def cpu_by_role(server_pid: int) -> dict[str, float]:
    """CPU seconds used so far by the web server (with its worker processes), PostgreSQL and Redis."""
    totals = {"web": 0.0, "postgres": 0.0, "redis": 0.0}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            comm = (entry / "comm").read_text().strip()
            ppid = int((entry / "stat").read_text().rpartition(")")[2].split()[1])
        except OSError:
            continue
        pid = int(entry.name)
        if pid == server_pid or ppid == server_pid:
            totals["web"] += _cpu_seconds(pid)
        elif comm == "postgres":
            totals["postgres"] += _cpu_seconds(pid)
        elif comm.startswith("redis-server"):
            totals["redis"] += _cpu_seconds(pid)
    return totals


# --- the bench ---------------------------------------------------------------------------------


def quantile(values: list[float], q: float) -> float:
    return values[min(len(values) - 1, int(q * len(values)))] if values else float("nan")


def start_server(port: int, workers: int) -> subprocess.Popen:
    bin_dir = Path(sys.executable).parent
    command = [str(bin_dir / "uvicorn"), "config.asgi:application", "--host", "127.0.0.1", "--port", str(port)]
    command += ["--proxy-headers", "--forwarded-allow-ips", "*", "--no-access-log", "--lifespan", "off"]
    if workers > 1:
        command += ["--workers", str(workers)]
    server = subprocess.Popen(command, cwd=ROOT, env={**os.environ})
    deadline = time.monotonic() + 60
    while not up(port):
        if time.monotonic() > deadline or server.poll() is not None:
            raise SystemExit("uvicorn did not start")
        time.sleep(0.2)
    return server


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=10.0, help="per endpoint and load")
    parser.add_argument("--participants", type=int, default=300)
    parser.add_argument("--statements", type=int, default=100)
    parser.add_argument("--clients", default="64,8")
    parser.add_argument("--workers", default="1,4", help="uvicorn processes, one run each")
    parser.add_argument("--endpoints", default=",".join(ENDPOINTS), help="a subset, to profile one")
    parser.add_argument("--redis-db", type=int, default=12, help="a Redis database no one else uses meanwhile")
    args = parser.parse_args()
    if not (up(5432) and up(6379)):
        sys.exit("bench_votes needs PostgreSQL (127.0.0.1:5432) and Redis (127.0.0.1:6379): the services profile.")
    os.environ.update(
        DJANGO_SETTINGS_MODULE="bench.votes_settings",
        DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/consult_votes_bench_{os.getpid()}",
        REDIS_URL=f"redis://127.0.0.1:6379/{args.redis_db}",
        SECRET_KEY="bench-" + "k" * 50,
        HTTPS="false",
        ANALYSIS_RUNNER="celery",
        VAR_DIR=tempfile.mkdtemp(prefix="bench-votes-"),
        LOG_LEVEL="WARNING",
        PYTHONPATH=str(ROOT),
    )
    import django

    django.setup()
    from django.core.cache import cache
    from django.db import connection

    name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{name}"
    cache.clear()
    try:
        slug, cookies, statements = prepare(args.participants, args.statements)
        connection.close()
        load = os.getloadavg()
        print(f"load average before: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} ({os.cpu_count()} cores)")
        for workers in (int(w) for w in args.workers.split(",")):
            port = free_port()
            server = start_server(port, workers)
            try:
                for clients in (int(c) for c in args.clients.split(",")):
                    measure(
                        port,
                        server.pid,
                        workers,
                        clients,
                        args.seconds,
                        slug,
                        cookies,
                        statements,
                        args.endpoints.split(","),
                    )
            finally:
                server.terminate()
                server.wait(timeout=30)
        load = os.getloadavg()
        print(f"load average after: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    finally:
        connection.close()
        connection.creation.destroy_test_db(name, verbosity=0)


def prepare(participants: int, statements: int) -> tuple[str, list[str], list[int]]:
    """An open consultation with its statements, and the participants' cookies (they consented beforehand)."""
    from django.http import HttpResponse

    from ideation import selectors, services
    from ideation.models import Consultation, Statement
    from ideation.text import dedupe_key
    from ideation.web import participant_cookie

    consultation = Consultation.objects.create(
        slug="event", title="Event", status=Consultation.Status.OPEN, languages=["en"], default_language="en"
    )
    Statement.objects.bulk_create(
        Statement(
            consultation=consultation,
            text=(text := f"Statement number {i} of the event"),
            dedupe_key=dedupe_key(text),
            moderation=1,
        )
        for i in range(statements)
    )
    cookies = []
    for _ in range(participants):
        participant = services.participant_start(consultation=consultation, language="en", consent=True, channel="web")
        services.participant_advance(participant=participant, at=selectors.Step.consent())
        response = HttpResponse()
        participant_cookie.write(response, participant)
        cookies.append(response.cookies[participant_cookie.cookie_name(consultation)].value)
    return consultation.slug, cookies, list(consultation.statements.values_list("pk", flat=True))


def measure(port, server_pid, workers, clients, seconds, slug, cookies, statements, endpoints) -> None:
    from django.db import connection

    from ideation.models import Vote

    print(f"\n== {workers} uvicorn process(es), {clients} concurrent clients, {len(cookies)} participants ==")
    figures = {}
    context = multiprocessing.get_context("spawn")
    for endpoint in endpoints:
        plan = {
            "port": port,
            "endpoint": endpoint,
            "clients": clients,
            "seconds": seconds,
            "slug": slug,
            "cookies": cookies,
            "statements": statements,
        }
        # A short warm-up (connections, pools, code paths), then the measure.
        with context.Pool(1) as pool:
            pool.apply(generate, ({**plan, "seconds": 1.0},))
            Vote.objects.all().delete()  # the measure casts the same votes again
            connection.close()
            before = cpu_by_role(server_pid)
            result = pool.apply(generate, (plan,))
            after = cpu_by_role(server_pid)
        stored = None
        if endpoint != "trivial":
            stored = Vote.objects.count()
            Vote.objects.all().delete()
            connection.close()
        lat = result["latencies"]
        answered = len(lat)
        figures[endpoint] = {
            "rate": answered / result["elapsed"],
            "p50": quantile(lat, 0.50),
            "p99": quantile(lat, 0.99),
        }
        line = (
            f"{endpoint:8} {figures[endpoint]['rate']:7.0f}/s  p50 {figures[endpoint]['p50'] * 1000:7.1f} ms  "
            f"p99 {figures[endpoint]['p99'] * 1000:7.1f} ms  accepted {result['ok']}, refused {result['refused']}, "
            f"errors {result['errors']}"
        )
        per = {role: (after[role] - before[role]) / max(answered, 1) * 1e3 for role in after}
        line += (
            f"\n{'':9}CPU a request: web {per['web']:.2f} ms, PostgreSQL {per['postgres']:.2f} ms "
            f"(all its clients), Redis {per['redis']:.2f} ms, generator {result['cpu'] / max(answered, 1) * 1e3:.2f} ms"
        )
        if stored is not None:
            verdict = "exactly once" if stored == result["ok"] else "NOT exactly once"
            line += f"\n{'':9}rows stored {stored} for {result['ok']} votes accepted: {verdict}"
        print(line, flush=True)
    if "trivial" not in figures:
        return
    trivial = figures["trivial"]
    for endpoint in (e for e in ("vote", "json") if e in figures):
        f = figures[endpoint]
        ratio = f["rate"] / trivial["rate"]
        p99_ratio = f["p99"] / trivial["p99"]
        checks = [f"throughput {ratio:.2f}x trivial (target >= 0.6: {'met' if ratio >= 0.6 else 'NOT met'})"]
        if clients >= 64:
            checks.append(
                f"p99 {p99_ratio:.2f}x trivial p99 (target <= 1.5: {'met' if p99_ratio <= 1.5 else 'NOT met'})"
            )
        if clients <= 8:
            checks.append(f"p99 {f['p99'] * 1000:.0f} ms (target <= 100 ms: {'met' if f['p99'] <= 0.1 else 'NOT met'})")
        print(f"  {endpoint}: " + "; ".join(checks))


if __name__ == "__main__":
    main()
