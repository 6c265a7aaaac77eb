"""The task queue: analyses debounced per consultation, theme suggestions, and the in-process runner.

The first contribution schedules a run a moment later
(``ANALYSIS_DEBOUNCE_SECONDS``); the ones that follow before it starts ride
along. A run that starts clears the mark, so contributions during a run
schedule one more. Where runs happen depends on ``ANALYSIS_RUNNER``:

- "celery": a worker, by task name; the mark is a cache key shared by every
  process, so a burst from many web processes still sends one task.
- "thread" (the embedded profile): a background thread of the process that
  recorded the contribution, whatever that process is (the web server, the
  bot's ``runbot``, a command). ``manage.py`` waits for it after a command, so
  a command that writes votes stores their analysis before it exits. (Not at
  interpreter exit: by then the analysis could no longer import what it
  needs.) Processes sharing one database never run one consultation's
  analysis at the same time: the lease (``ideation.events.lease``) keeps them
  apart.
- "off": nothing runs (tests that do not ask for analyses).
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections import deque

from django.conf import settings
from django.core.cache import cache
from django.db import close_old_connections
from django.utils.module_loading import import_string

from ideation.events import outage

logger = logging.getLogger(__name__)


# Called before waiting for the runner to be idle: what a process noted but has not yet asked for (``coalesce``).
before_waiting: list = []


def pending_key(consultation_id: int) -> str:
    return f"analysis-pending:{consultation_id}"


def schedule_analysis(consultation_id: int, *, delay: float | None = None) -> None:
    """Run the analysis of this consultation soon, once for any number of calls meanwhile."""
    delay = settings.ANALYSIS_DEBOUNCE_SECONDS if delay is None else delay
    runner = settings.ANALYSIS_RUNNER
    if runner == "thread":
        local_runner.schedule(consultation_id, delay)
    elif runner == "celery":
        if not outage.redis_available():
            return
        try:
            if cache.add(pending_key(consultation_id), 1, timeout=max(60, int(delay) * 10)):
                from celery import current_app

                current_app.send_task(settings.ANALYSIS_TASK, args=[consultation_id], countdown=delay, retry=False)
        except Exception:  # noqa: BLE001 - the next contribution schedules it again
            _cache_delete_quietly(pending_key(consultation_id))
            outage.redis_failed(f"analysis of consultation {consultation_id}")


def analysis_starting(consultation_id: int) -> None:
    """A run is starting (wherever it was asked for): it covers what was scheduled so far; contributions
    from now on schedule one more run."""
    if settings.ANALYSIS_RUNNER == "celery":
        _cache_delete_quietly(pending_key(consultation_id))
    elif settings.ANALYSIS_RUNNER == "thread":
        local_runner.started(consultation_id)


def start_theming(run_id: int) -> None:
    """Run a theme suggestion where analyses run."""
    runner = settings.ANALYSIS_RUNNER
    if runner == "thread":
        local_runner.submit(settings.THEMING_TASK, run_id)
    elif runner == "celery":
        try:
            from celery import current_app

            current_app.send_task(settings.THEMING_TASK, args=[run_id], retry=False)
        except Exception:  # noqa: BLE001 - the run stays queued; the page offers to start it again later
            outage.redis_failed(f"theming run {run_id}")


def _cache_delete_quietly(key: str) -> None:
    try:
        cache.delete(key)
    except Exception:  # noqa: BLE001
        logger.warning("cache unavailable; could not clear %s", key)


class LocalRunner:
    """The embedded profile's runner: one background thread per process, analyses debounced per consultation.

    The thread starts with the first piece of work and ends when none is left,
    so an idle process has no thread. A server that stops drops what is left:
    a run never half-stores (one transaction), and the lease dies with it.
    """

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._due: dict[int, float] = {}  # consultation id -> when its run may start (monotonic)
        self._tasks: deque[tuple[str, tuple]] = deque()  # other tasks, run in order, not debounced
        self._thread: threading.Thread | None = None
        self._pid = os.getpid()
        self._busy = False

    def schedule(self, consultation_id: int, delay: float) -> None:
        with self._cond:
            if consultation_id in self._due:
                return
            self._due[consultation_id] = time.monotonic() + delay
            self._wake()

    def started(self, consultation_id: int) -> None:
        """A run of this consultation is starting in this process: the one scheduled is not needed."""
        with self._cond:
            if self._due.pop(consultation_id, None) is not None:
                self._cond.notify_all()

    def submit(self, task: str, *args: object) -> None:
        """Run another task (by its dotted name) on the same thread, without debouncing."""
        with self._cond:
            self._tasks.append((task, args))
            self._wake()

    def _wake(self) -> None:
        if self._pid != os.getpid():  # a forked child: the parent's thread is not here
            self._thread, self._pid, self._busy = None, os.getpid(), False
        if self._thread is None:
            self._thread = threading.Thread(target=self._loop, name="analysis-runner", daemon=True)
            self._thread.start()
        self._cond.notify_all()

    def _next(self) -> tuple[str, tuple] | None:
        """The next piece of work, once it is due; None (and the thread ends) when there is none."""
        with self._cond:
            while True:
                if self._tasks:
                    task = self._tasks.popleft()
                    break
                if not self._due:
                    self._thread = None
                    self._cond.notify_all()
                    return None
                consultation_id, due = min(self._due.items(), key=lambda item: item[1])
                wait = due - time.monotonic()
                if wait <= 0:
                    del self._due[consultation_id]  # contributions from now on schedule one more run
                    task = (settings.ANALYSIS_TASK, (consultation_id,))
                    break
                self._cond.wait(wait)
            self._busy = True
            return task

    def _loop(self) -> None:
        while (work := self._next()) is not None:
            task, args = work
            close_old_connections()
            try:
                import_string(task).apply(args=args)
            except Exception:
                logger.exception("%s%r failed", task, args)
            finally:
                close_old_connections()
                with self._cond:
                    self._busy = False
                    self._cond.notify_all()

    def wait_idle(self, timeout: float | None = 60.0) -> bool:
        """Wait until nothing is pending or running (``None``: however long it takes); False on time-out."""
        for flush in before_waiting:
            flush()
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._cond:
            while self._due or self._tasks or self._busy:
                left = 0.1 if deadline is None else deadline - time.monotonic()
                if left <= 0:
                    return False
                self._cond.wait(min(left, 0.1))
            return True


local_runner = LocalRunner()
