"""One open event, end to end: the services profile as processes, a crowd on the web and on Telegram, restarts.

Shared by ``bench/bench_event.py`` (by hand, 1,200 people for 2 minutes) and
``tests/e2e/test_event_end_to_end.py`` (a small crowd, the same restarts).

The processes: uvicorn with the docker-compose web command, a Celery worker
with the compose worker command, a redis-server of the run's own on a free
port (so it can be stopped and started again without disturbing anyone), the
fake Bot API (tests/bots/fake_telegram.py) with the bot in webhook mode. The
database is the caller's (PostgreSQL).

While people vote, a reconnecting websocket client (as static/js/live.js:
retry after 1 s, doubling up to 10 s) watches the event screen and another
the staff dashboard, recording every counter push and when it came. Mid-run
the Celery worker is restarted (terminate, start again), then Redis.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import itertools
import json
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench.processes import compose_command, free_port, up

ROOT = Path(__file__).resolve().parent.parent
SLUG = "open-event"
SECRET = "event-webhook-secret"
STAFF, PASSWORD = "event-facilitator", "an-event-facilitator-password"


def _wait(check, what: str, timeout: float = 60.0, process: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"{what}: the process exited with {process.returncode}")
        if check():
            return
        time.sleep(0.1)
    raise RuntimeError(f"{what} within {timeout} s")


def stop(process: subprocess.Popen, grace: float = 30) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


# --- the event: one consultation, its statements and a facilitator -----------------------------------


def setup_event(statements: int) -> None:
    """An open consultation with ``statements`` seed statements (no questions: people vote at once)."""
    from django.contrib.auth import get_user_model

    from ideation import services
    from ideation.models import Consultation

    consultation = services.consultation_upsert(
        slug=SLUG,
        title="Open event",
        description="A livestreamed open event.",
        languages=["en"],
        default_language="en",
        status=Consultation.Status.OPEN,
        moderation_mode=Consultation.Moderation.OPEN,
    )
    for n in range(statements):
        services.statement_seed(consultation=consultation, text=f"Proposal number {n + 1} for the city", language="en")
    from django.contrib.auth.hashers import make_password

    user = get_user_model().objects.create_user(STAFF, is_staff=True)
    user.password = make_password(PASSWORD, hasher="pbkdf2_sha256")  # one the server checks (not the tests' MD5)
    user.save()


def stored_votes() -> dict[str, int]:
    from django.db.models import Count

    from ideation.models import Vote

    rows = Vote.objects.filter(statement__consultation__slug=SLUG).values("channel").annotate(n=Count("id"))
    return {row["channel"]: row["n"] for row in rows}


def snapshots_after(moment: float) -> int:
    """Analyses stored after ``moment`` (time.time())."""
    from datetime import UTC, datetime

    from ideation.models import AnalysisSnapshot

    since = datetime.fromtimestamp(moment, tz=UTC)
    return AnalysisSnapshot.objects.filter(consultation__slug=SLUG, created__gt=since).count()


# --- the processes -------------------------------------------------------------------------------------


class Stack:
    """redis-server, uvicorn (compose web command), a Celery worker (compose worker command), fake Bot API."""

    def __init__(self, database_url: str, logs: Path, debounce: float = 1.0) -> None:
        from tests.bots.fake_telegram import TOKEN, FakeTelegram

        self.logs = logs
        self.redis_port, self.web_port = free_port(), free_port()
        self.url = f"http://127.0.0.1:{self.web_port}"
        self.telegram = FakeTelegram(TOKEN).start()
        self.env = {
            **__import__("os").environ,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DATABASE_URL": database_url,
            "REDIS_URL": f"redis://127.0.0.1:{self.redis_port}/0",
            "SECRET_KEY": "event-" + "k" * 50,
            "HTTPS": "false",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "TRUSTED_PROXY_COUNT": "1",  # people's addresses come in X-Forwarded-For, as behind Caddy
            "ANALYSIS_RUNNER": "celery",
            "ANALYSIS_DEBOUNCE_SECONDS": str(debounce),
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_URL": self.telegram.api_url,
            "TELEGRAM_WEBHOOK_SECRET": SECRET,
            "PYTHONUNBUFFERED": "1",
            "LOG_LEVEL": "WARNING",
            # numba's on-disk cache of its own: a cache left behind by other runs has been seen to crash every
            # analysis ("LLVM ERROR: Symbol not found: allocate_sched"); see bench/README.md.
            "NUMBA_CACHE_DIR": str(logs / "numba-cache"),
        }
        self.processes: dict[str, subprocess.Popen] = {}

    def _start(self, name: str, command: list[str]) -> subprocess.Popen:
        bin_dir = Path(sys.executable).parent
        command = [sys.executable if p == "python" else p for p in command]
        if (bin_dir / command[0]).exists():
            command[0] = str(bin_dir / command[0])
        log = (self.logs / f"{name}.log").open("a")
        process = subprocess.Popen(command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT)
        self.processes[name] = process
        return process

    def start_redis(self) -> None:
        command = ["redis-server", "--bind", "127.0.0.1", "--port", str(self.redis_port)]
        process = self._start("redis", [*command, "--save", "", "--appendonly", "no"])
        _wait(lambda: up(self.redis_port), "redis-server did not start", 20, process)

    def start_web(self) -> None:
        port = str(self.web_port)
        command = [port if p == "8000" else "127.0.0.1" if p == "0.0.0.0" else p for p in compose_command("web")]
        process = self._start("web", command)

        def healthy() -> bool:
            import urllib.request

            with contextlib.suppress(OSError), urllib.request.urlopen(f"{self.url}/healthz", timeout=2):
                return True
            return False

        _wait(healthy, "the web process did not answer", 90, process)

    def start_worker(self) -> None:
        self._start("worker", compose_command("worker"))

    def start(self) -> None:
        self.start_redis()
        self.start_web()
        self.start_worker()
        # Webhook mode, registered as the README says (manage.py setwebhook <public address>).
        subprocess.run(
            [sys.executable, "manage.py", "setwebhook", self.url], cwd=ROOT, env=self.env, check=True, timeout=120
        )

    def restart_worker(self) -> float:
        stop(self.processes["worker"], grace=10)  # as docker compose restart: SIGTERM, SIGKILL 10 s later
        self.start_worker()
        return time.time()

    def stop_redis(self) -> None:
        stop(self.processes["redis"])

    def stop_all(self) -> None:
        for name in ("worker", "web", "redis"):
            if name in self.processes:
                stop(self.processes[name])
        self.telegram.stop()

    def log_tail(self, name: str, chars: int = 4000) -> str:
        path = self.logs / f"{name}.log"
        return path.read_text(errors="replace")[-chars:] if path.exists() else ""


# --- the live pages: reconnecting websocket clients ----------------------------------------------------


class LivePage:
    """A websocket client that reconnects by itself as static/js/live.js does (1 s, doubling to 10 s)."""

    def __init__(self, url: str, headers: dict[str, str] | None = None) -> None:
        self.url, self.headers = url, headers or {}
        self.pushes: list[tuple[float, int]] = []  # (time.monotonic(), votes counted)
        self.connects: list[float] = []
        self.closes: list[float] = []
        self._stop = threading.Event()
        self.thread = threading.Thread(target=lambda: asyncio.run(self._run()), daemon=True)
        self.thread.start()

    async def _run(self) -> None:
        import websockets

        delay = 1.0
        while not self._stop.is_set():
            try:
                async with websockets.connect(
                    self.url, origin="http://127.0.0.1", additional_headers=self.headers, ping_interval=None
                ) as ws:
                    self.connects.append(time.monotonic())
                    delay = 1.0
                    while not self._stop.is_set():
                        try:
                            raw = await asyncio.wait_for(ws.recv(), timeout=0.5)
                        except TimeoutError:
                            continue
                        message = json.loads(raw)
                        if message.get("type") == "stats":
                            self.pushes.append((time.monotonic(), int(message["stats"]["votes"])))
            except Exception:  # noqa: BLE001 - closed or refused: the page retries
                pass
            self.closes.append(time.monotonic())
            await asyncio.sleep(delay)
            delay = min(delay * 2, 10.0)

    def latest(self) -> int | None:
        return self.pushes[-1][1] if self.pushes else None

    def stop(self) -> None:
        self._stop.set()
        self.thread.join(timeout=5)


def staff_cookie(url: str) -> str:
    """Log the facilitator in at /admin/login/ and return the Cookie header for the dashboard's socket."""
    import httpx

    with httpx.Client(base_url=url, timeout=30) as client:
        client.get("/admin/login/")
        token = client.cookies["csrftoken"]
        form = {"username": STAFF, "password": PASSWORD, "csrfmiddlewaretoken": token, "next": "/admin/"}
        client.post("/admin/login/", data=form)
        return "; ".join(f"{name}={value}" for name, value in client.cookies.items())


# --- the crowd --------------------------------------------------------------------------------------------


@dataclass
class Vote:
    channel: str
    sent: float  # time.monotonic()
    answered: float | None = None  # 2xx (web) or the bot's reply to an accepted update (Telegram)
    ok: bool = False
    status: int = 0


@dataclass
class Plan:
    web: int = 30
    telegram: int = 10
    seconds: float = 20.0
    rate: float = 20.0
    worker_restart_at: float = 0.35  # fraction of the voting time
    redis_restart_at: float = 0.6
    redis_down: float = 2.0  # seconds Redis stays stopped
    connections: int = 128  # the web crowd's concurrent HTTP connections at most
    settle: float = 60.0  # seconds to wait after voting for the screen and the analysis to catch up


@dataclass
class Result:
    plan: Plan
    votes: list[Vote] = field(default_factory=list)
    joined_web: int = 0
    joined_telegram: int = 0
    started: float = 0.0
    ended: float = 0.0
    worker_restarted: float = 0.0  # time.time()
    worker_restarted_mono: float = 0.0
    redis_stopped: float = 0.0  # time.monotonic()
    redis_started: float = 0.0
    stored: dict[str, int] = field(default_factory=dict)
    screen: list[tuple[float, int]] = field(default_factory=list)
    screen_connects: list[float] = field(default_factory=list)
    dashboard: list[tuple[float, int]] = field(default_factory=list)
    snapshots_after_worker_restart: int = 0
    snapshots_after_redis_restart: int = 0
    webhook_statuses: dict[int, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)


class WebPerson:
    def __init__(self, client) -> None:
        self.client = client  # with its own address (X-Forwarded-For, as the proxy in front adds it)
        self.next_statement = 0

    async def join(self) -> None:
        response = await self.client.get(f"/c/{SLUG}/")
        response.raise_for_status()
        token = self.client.cookies["csrftoken"]
        response = await self.client.post(f"/c/{SLUG}/", data={"consent": "yes", "csrfmiddlewaretoken": token})
        if response.status_code >= 400:
            raise RuntimeError(f"joining: HTTP {response.status_code}")


async def _web_vote(person: WebPerson, statement: int, choice: int, vote: Vote) -> None:
    token = person.client.cookies["csrftoken"]
    form = {"statement": str(statement), "choice": str(choice), "csrfmiddlewaretoken": token}
    try:
        headers = {"Accept": "application/json", "X-Requested-With": "fetch"}  # the deck's script
        response = await person.client.post(f"/c/{SLUG}/vote/", data=form, headers=headers)
        vote.status = response.status_code
        vote.ok = 200 <= response.status_code < 300
    except Exception:  # noqa: BLE001 - a vote not answered: counted as sent, not OK
        vote.status = 0
    vote.answered = time.monotonic()


class TelegramPerson:
    def __init__(self, user) -> None:
        self.user = user
        self.reply: dict | None = None
        self.done = False

    def vote_buttons(self) -> list[str]:
        rows = ((self.reply or {}).get("reply_markup") or {}).get("inline_keyboard") or []
        return [b.get("callback_data", "") for row in rows for b in row if b.get("callback_data", "").startswith("v:")]

    def join(self) -> None:
        self.user.command("start", SLUG)
        self.reply = self.user.wait_for_reply(timeout=120)
        for _ in range(6):
            if self.vote_buttons():
                return
            rows = ((self.reply or {}).get("reply_markup") or {}).get("inline_keyboard") or []
            data = [b.get("callback_data", "") for row in rows for b in row]
            step = next((d for d in data if d.startswith("consent")), None) or next(
                (d for d in data if d.endswith(":skip") or d.startswith("qs:")), None
            )
            if step is None:
                raise RuntimeError(f"no way to the votes from {self.reply.get('text')!r}: {data}")
            self.user.tap(step)
            self.reply = self.user.wait_for_reply(timeout=120)
        raise RuntimeError("the bot never showed a statement to vote on")

    def vote(self, choice_index: int, vote: Vote, statuses: dict[int, int]) -> None:
        buttons = self.vote_buttons()
        if not buttons:
            self.done = True
            return
        update = self.user.tap(buttons[choice_index % len(buttons)])
        server = self.user.server

        def settled() -> list[int]:  # the statuses of the update's delivery attempts, once it is settled
            attempts = [status for uid, status in server.deliveries if uid == update["update_id"]]
            done = any(200 <= s < 300 for s in attempts) or len(attempts) >= server.webhook_attempts
            return attempts if done else []

        with server._cond:
            server._cond.wait_for(settled, timeout=90)
        vote.answered = time.monotonic()
        # Accepted = Telegram's delivery of the update was answered 2xx (the fake records every attempt).
        attempts = [status for uid, status in server.deliveries if uid == update["update_id"]]
        try:
            self.reply = self.user.wait_for_reply(timeout=30) if any(200 <= s < 300 for s in attempts) else None
        except TimeoutError:
            self.reply = None
        vote.status = attempts[-1] if attempts else 0
        vote.ok = any(200 <= s < 300 for s in attempts)
        statuses[vote.status] = statuses.get(vote.status, 0) + 1
        if not vote.ok:
            self.done = True  # no reply: this person looks at a stale card; they stop voting


def run_event(stack: Stack, plan: Plan, progress=print) -> Result:
    """Join the crowd, vote at ``plan.rate`` for ``plan.seconds`` with the restarts, then wait and count."""
    from ideation.models import Statement

    ids = list(Statement.objects.filter(consultation__slug=SLUG).order_by("pk").values_list("pk", flat=True))
    result = Result(plan=plan)
    screen = LivePage(f"ws://127.0.0.1:{stack.web_port}/ws/screen/{SLUG}/")
    dashboard = LivePage(
        f"ws://127.0.0.1:{stack.web_port}/ws/facilitate/{SLUG}/", headers={"Cookie": staff_cookie(stack.url)}
    )
    try:
        asyncio.run(_crowd(stack, plan, ids, result, progress))
        progress("   voting over; waiting for the screen and the analysis to catch up")
        expected_total = None
        deadline = time.monotonic() + plan.settle
        while time.monotonic() < deadline:
            result.stored = stored_votes()
            expected_total = sum(result.stored.values())
            result.snapshots_after_worker_restart = snapshots_after(result.worker_restarted)
            caught_up = screen.latest() == expected_total and any(t > result.redis_started for t, _ in screen.pushes)
            if caught_up and result.snapshots_after_worker_restart:
                break
            time.sleep(0.5)
        redis_back_wall = time.time() - (time.monotonic() - result.redis_started)
        result.snapshots_after_redis_restart = snapshots_after(redis_back_wall)
    finally:
        screen.stop()
        dashboard.stop()
    result.screen, result.screen_connects, result.dashboard = screen.pushes, screen.connects, dashboard.pushes
    return result


async def _crowd(stack: Stack, plan: Plan, ids: list[int], result: Result, progress) -> None:
    import httpx

    transport = httpx.AsyncHTTPTransport(limits=httpx.Limits(max_connections=plan.connections))
    web = [
        WebPerson(
            httpx.AsyncClient(
                base_url=stack.url,
                transport=transport,
                timeout=30,
                headers={"X-Forwarded-For": f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}"},
            )
        )
        for n in range(plan.web)
    ]
    telegram = [TelegramPerson(stack.telegram.user(7_000_000 + n)) for n in range(plan.telegram)]
    started = time.monotonic()
    joins = asyncio.Semaphore(32)

    async def join(person: WebPerson) -> bool:
        async with joins:
            try:
                await person.join()
                return True
            except Exception as error:  # noqa: BLE001 - reported
                result.errors.append(f"web join: {error!r}"[:200])
                return False

    def join_telegram(person: TelegramPerson) -> bool:
        try:
            person.join()
            return True
        except Exception as error:  # noqa: BLE001 - reported
            result.errors.append(f"telegram join: {error!r}"[:200])
            return False

    # A thread per Telegram person (each waits for the bot's replies); asyncio's default pool has only a few.
    loop = asyncio.get_running_loop()
    threads = concurrent.futures.ThreadPoolExecutor(max_workers=len(telegram) + 1)
    joined = await asyncio.gather(
        asyncio.gather(*(join(p) for p in web)),
        asyncio.gather(*(loop.run_in_executor(threads, join_telegram, p) for p in telegram)),
    )
    web = [p for p, ok in zip(web, joined[0], strict=True) if ok]
    telegram = [p for p, ok in zip(telegram, joined[1], strict=True) if ok]
    result.joined_web, result.joined_telegram = len(web), len(telegram)
    took = time.monotonic() - started
    progress(f"   {len(web)} web and {len(telegram)} Telegram participants joined in {took:.0f} s")

    total = int(plan.rate * plan.seconds)
    share = len(telegram) / max(1, len(web) + len(telegram))
    idle_web = list(reversed(web))
    idle_telegram = list(reversed(telegram))
    tasks: set[asyncio.Future] = set()
    result.started = start = time.monotonic() + 0.5
    restarts = asyncio.ensure_future(_restarts(stack, plan, start, result, progress))
    telegram_due = 0.0
    choices = itertools.cycle((1, -1, 0, 1, -1))

    def back(pool: list, person) -> None:
        pool.insert(0, person)

    for i in range(total):
        # Behind schedule, still let the answers in (they free people to vote again); the voting time is fixed:
        # votes the crowd could not send in it (everyone still waiting for an answer) are not sent.
        await asyncio.sleep(max(0.0, start + i / plan.rate - time.monotonic()))
        if time.monotonic() > start + plan.seconds:
            break
        telegram_due += share
        if telegram_due >= 1 and idle_telegram:
            telegram_due -= 1
            person = idle_telegram.pop()
            vote = Vote("telegram", time.monotonic())
            result.votes.append(vote)
            future = loop.run_in_executor(threads, person.vote, next(choices) % 3, vote, result.webhook_statuses)
            future.add_done_callback(lambda _f, p=person: None if p.done else back(idle_telegram, p))
        elif idle_web:
            person = idle_web.pop()
            if person.next_statement >= len(ids):
                continue  # voted on everything: leaves the pool
            statement, person.next_statement = ids[person.next_statement], person.next_statement + 1
            vote = Vote("web", time.monotonic())
            result.votes.append(vote)
            future = asyncio.ensure_future(_web_vote(person, statement, next(choices), vote))
            future.add_done_callback(lambda _f, p=person: back(idle_web, p))
        else:
            continue  # everyone is busy: this vote is not sent (the achieved rate says so)
        tasks.add(future)
        future.add_done_callback(tasks.discard)
    result.ended = time.monotonic()
    await restarts
    if tasks:
        await asyncio.wait(tasks, timeout=120)
    await transport.aclose()
    threads.shutdown(wait=False)


async def _in_own_thread(function):
    """Run ``function`` in a new thread of its own (not a pool the crowd may fill) and await its result."""
    future = asyncio.get_running_loop().create_future()
    loop = asyncio.get_running_loop()

    def run() -> None:
        try:
            value = function()
        except BaseException as error:  # noqa: BLE001 - handed to the awaiting coroutine
            loop.call_soon_threadsafe(future.set_exception, error)
        else:
            loop.call_soon_threadsafe(future.set_result, value)

    threading.Thread(target=run, daemon=True).start()
    return await future


async def _restarts(stack: Stack, plan: Plan, start: float, result: Result, progress) -> None:
    """The worker and Redis restarts, each at its moment (independent: a slow worker stop delays nothing)."""

    async def worker() -> None:
        await asyncio.sleep(max(0.0, start + plan.worker_restart_at * plan.seconds - time.monotonic()))
        result.worker_restarted_mono = time.monotonic()
        result.worker_restarted = await _in_own_thread(stack.restart_worker)
        progress(f"   +{time.monotonic() - start:.0f} s: the Celery worker restarted")

    async def redis() -> None:
        await asyncio.sleep(max(0.0, start + plan.redis_restart_at * plan.seconds - time.monotonic()))
        result.redis_stopped = time.monotonic()
        await _in_own_thread(stack.stop_redis)
        await asyncio.sleep(plan.redis_down)
        await _in_own_thread(stack.start_redis)
        result.redis_started = time.monotonic()
        progress(
            f"   +{result.redis_stopped - start:.0f} s: Redis stopped, "
            f"started again {result.redis_started - result.redis_stopped:.1f} s later"
        )

    await asyncio.gather(worker(), redis())
