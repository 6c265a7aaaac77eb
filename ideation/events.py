"""The one module that talks to the outside: the channel layer and the task queue.

Services call these functions inside their transaction; the work happens
after commit, so a rolled-back write never announces anything. Failures here
(Redis down) are logged and swallowed: PostgreSQL already holds the data,
only live views and analyses pause. After a failure Redis is left alone for
a few seconds, so an outage does not slow every request down.

Live events that fail are held (one per kind and consultation) and sent again
after the back-off, so open pages catch up as soon as Redis answers again.

Analyses are debounced per consultation: the first contribution schedules a
run a moment later (``ANALYSIS_DEBOUNCE_SECONDS``) and the ones that follow
before it starts ride along. Where the run happens depends on
``ANALYSIS_RUNNER``: "celery" (a worker, by task name), "thread" (in this
process, off the request path: the embedded profile) or "off".
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from functools import partial

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.core.cache import cache
from django.db import close_old_connections, transaction
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

ANALYSIS_KINDS = frozenset({"vote", "statement", "forget", "moderation", "import"})
OUTAGE_BACKOFF_SECONDS = 2.0
_redis_down_until = 0.0


def group_name(consultation_id: int) -> str:
    """The channel-layer group of a consultation's live views."""
    return f"consultation.{consultation_id}"


def contribution_recorded(*, consultation_id: int, kind: str) -> None:
    """A participant joined, answered, wrote or voted (``kind``); tell live views and the analysis after commit."""
    transaction.on_commit(partial(_after_commit, consultation_id, kind))


def moderation_changed(*, consultation_id: int) -> None:
    transaction.on_commit(partial(_after_commit, consultation_id, "moderation"))


def consultation_changed(*, consultation_id: int) -> None:
    """A consultation was opened, closed or set up differently: live views hear of it after commit."""
    transaction.on_commit(partial(_publish, consultation_id, {"type": "activity", "kind": "consultation"}))


def analysis_stored(*, consultation_id: int, version: int) -> None:
    transaction.on_commit(
        partial(_publish, consultation_id, {"type": "analysis", "kind": "analysis", "version": version})
    )


def theming_requested(*, run_id: int) -> None:
    """A facilitator asked for theme suggestions: run them after commit, where analyses run."""
    transaction.on_commit(partial(_start_theming, run_id))


def _start_theming(run_id: int) -> None:
    runner = settings.ANALYSIS_RUNNER
    if runner == "thread":
        if _local_runner.enabled:
            _local_runner.submit(settings.THEMING_TASK, run_id)
    elif runner == "celery":
        try:
            from celery import current_app

            current_app.send_task(settings.THEMING_TASK, args=[run_id], retry=False)
        except Exception:  # noqa: BLE001 - the run stays queued; the page offers to start it again later
            _redis_failed(f"theming run {run_id}")


def _after_commit(consultation_id: int, kind: str) -> None:
    _publish(consultation_id, {"type": "activity", "kind": kind})
    if kind in ANALYSIS_KINDS:
        schedule_analysis(consultation_id)


def _redis_available() -> bool:
    return time.monotonic() >= _redis_down_until


def redis_available() -> bool:
    """False for a few seconds after Redis failed (pages then say live updates are paused)."""
    return _redis_available()


def _redis_failed(what: str) -> None:
    global _redis_down_until
    _redis_down_until = time.monotonic() + OUTAGE_BACKOFF_SECONDS
    logger.warning("%s skipped: Redis unavailable (retrying in %ss)", what, OUTAGE_BACKOFF_SECONDS)


def _publish(consultation_id: int, message: dict) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    if settings.REDIS_URL and not _redis_available():
        _held.hold(consultation_id, message)
        return
    # Twice: after Redis restarts, the first use of a pooled connection fails (the pool then drops it).
    for attempt in (1, 2):
        try:
            if settings.REDIS_URL:
                _publisher.group_send(layer, group_name(consultation_id), message)
            else:  # the in-memory layer: on the loop its consumers run on (this process's server)
                async_to_sync(layer.group_send)(group_name(consultation_id), message)
            return
        except Exception:
            if attempt == 1 and settings.REDIS_URL:
                continue
            if settings.REDIS_URL:
                _redis_failed(f"live update for consultation {consultation_id}")
                _held.hold(consultation_id, message)
            else:
                logger.warning("live update for consultation %s not sent", consultation_id, exc_info=True)


class _Publisher:
    """One event loop per process, in a thread of its own, that sends to the Redis channel layer.

    ``async_to_sync`` outside a server (Celery tasks, commands, benchmarks)
    starts a new event loop for every call, and the layer a new Redis
    connection for every loop: about 4 ms an event. This loop keeps its
    connection. A forked process (Celery's pool) starts its own.
    """

    TIMEOUT = 5.0  # seconds: longer than the layer's connect timeout, so a dead Redis fails first

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._pid = 0

    def _running_loop(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._loop is None or self._pid != os.getpid():
                self._loop, self._pid = asyncio.new_event_loop(), os.getpid()
                threading.Thread(target=self._loop.run_forever, name="live-publisher", daemon=True).start()
            return self._loop

    def group_send(self, layer, group: str, message: dict) -> None:
        future = asyncio.run_coroutine_threadsafe(layer.group_send(group, message), self._running_loop())
        try:
            future.result(self.TIMEOUT)
        except BaseException:
            future.cancel()
            raise


_publisher = _Publisher()


class _HeldEvents:
    """Live events that could not be sent while Redis was failing, sent again once it answers.

    At most one of each kind per consultation is kept (a screen only needs to
    know that something happened), so an outage costs a few bytes, however
    many votes arrive meanwhile. A timer retries after the back-off; open
    pages then catch up at once, not at their next heartbeat.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._events: dict[tuple[int, str, str], dict] = {}
        self._timer: threading.Timer | None = None

    def hold(self, consultation_id: int, message: dict) -> None:
        key = (consultation_id, message.get("type", ""), str(message.get("kind", "")))
        with self._lock:
            self._events[key] = message
            if self._timer is None:
                self._timer = threading.Timer(OUTAGE_BACKOFF_SECONDS + 0.05, self.flush)
                self._timer.daemon = True
                self._timer.start()

    def flush(self) -> None:
        with self._lock:
            events, self._events, self._timer = self._events, {}, None
        for (consultation_id, _type, _kind), message in events.items():
            _publish(consultation_id, message)  # holds it again if Redis still fails

    def __len__(self) -> int:
        return len(self._events)


_held = _HeldEvents()


# --- analysis scheduling --------------------------------------------------------------


def pending_key(consultation_id: int) -> str:
    return f"analysis-pending:{consultation_id}"


def schedule_analysis(consultation_id: int, *, delay: float | None = None) -> None:
    """Run the analysis of this consultation soon, once for any number of calls meanwhile."""
    delay = settings.ANALYSIS_DEBOUNCE_SECONDS if delay is None else delay
    runner = settings.ANALYSIS_RUNNER
    if runner == "thread":
        if _local_runner.enabled:
            _local_runner.schedule(consultation_id, delay)
    elif runner == "celery":
        if not _redis_available():
            return
        try:
            if cache.add(pending_key(consultation_id), 1, timeout=max(60, int(delay) * 10)):
                from celery import current_app

                current_app.send_task(settings.ANALYSIS_TASK, args=[consultation_id], countdown=delay, retry=False)
        except Exception:  # noqa: BLE001 - the next contribution schedules it again
            cache_delete_quietly(pending_key(consultation_id))
            _redis_failed(f"analysis of consultation {consultation_id}")


def analysis_starting(consultation_id: int) -> None:
    """A run is starting: contributions from now on schedule one more run."""
    cache_delete_quietly(pending_key(consultation_id))


def cache_delete_quietly(key: str) -> None:
    try:
        cache.delete(key)
    except Exception:  # noqa: BLE001
        logger.warning("cache unavailable; could not clear %s", key)


class _LocalRunner:
    """The embedded profile's analysis runner: one background thread, debounced per consultation.

    Only the web process enables it (config/asgi.py): a management command
    that writes votes must not leave analyses running when it exits.
    """

    def __init__(self) -> None:
        self.enabled = False
        self._lock = threading.Lock()
        self._pending: set[int] = set()
        self._executor: ThreadPoolExecutor | None = None

    def schedule(self, consultation_id: int, delay: float) -> None:
        with self._lock:
            if consultation_id in self._pending:
                return
            self._pending.add(consultation_id)
            if self._executor is None:
                self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="analysis")
        timer = threading.Timer(delay, self._submit, args=(consultation_id,))
        timer.daemon = True
        timer.start()

    def _submit(self, consultation_id: int) -> None:
        self._executor.submit(self._run, consultation_id)

    def submit(self, task: str, *args: object) -> None:
        """Run another task (by its dotted name) on the same background thread, without debouncing."""
        with self._lock:
            if self._executor is None:
                self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="analysis")
        self._executor.submit(self._run_task, task, args)

    def _run_task(self, task: str, args: tuple) -> None:
        close_old_connections()
        try:
            import_string(task).apply(args=args)
        except Exception:
            logger.exception("%s%r failed", task, args)
        finally:
            close_old_connections()

    def _run(self, consultation_id: int) -> None:
        with self._lock:
            self._pending.discard(consultation_id)
        close_old_connections()
        try:
            import_string(settings.ANALYSIS_TASK).apply(args=(consultation_id,))
        except Exception:
            logger.exception("analysis of consultation %s failed", consultation_id)
        finally:
            close_old_connections()

    def wait_idle(self, timeout: float = 60.0) -> bool:
        """For tests and commands: wait until nothing is pending or running."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                pending = bool(self._pending)
            executor = self._executor
            busy = executor is not None and executor._work_queue.qsize() > 0
            if not pending and not busy:
                if executor is None:
                    return True
                future = executor.submit(lambda: None)
                future.result(timeout=max(0.1, deadline - time.monotonic()))
                with self._lock:
                    if not self._pending:
                        return True
            time.sleep(0.05)
        return False


_local_runner = _LocalRunner()


def enable_local_runner() -> None:
    """Run analyses in this process when ANALYSIS_RUNNER is "thread" (the web server calls this)."""
    _local_runner.enabled = True
