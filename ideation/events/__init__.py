"""The one package that talks to the outside: the channel layer and the task queue.

Services call these functions inside their transaction; the work happens
after commit, so a rolled-back write never announces anything. Failures here
(Redis down) are logged and swallowed: PostgreSQL already holds the data,
only live views and analyses pause.

- ``live``: pushes to the dashboards and event screens (channel layer);
- ``outage``: the back-off after a Redis failure, and the live events held meanwhile;
- ``scheduling``: analyses debounced per consultation, on Celery or in-process;
- ``coalesce``: one process's contributions told to Redis together, every 50 ms;
- ``lease``: at most one analysis of a consultation at a time, even when a worker dies.

Tasks stay "ids in, job, service out": ``worker.tasks`` only enters
``analysis_lease`` around its job.
"""

from __future__ import annotations

from functools import partial

from django.conf import settings
from django.db import transaction

from ideation.events import scheduling
from ideation.events.coalesce import Coalescer
from ideation.events.lease import analysis_lease, analysis_running
from ideation.events.live import group_name, publish
from ideation.events.outage import redis_available
from ideation.events.scheduling import schedule_analysis, start_theming

__all__ = [
    "analysis_lease",
    "analysis_running",
    "analysis_stored",
    "consultation_changed",
    "contribution_recorded",
    "group_name",
    "moderation_changed",
    "redis_available",
    "schedule_analysis",
    "screen_changed",
    "theming_requested",
]

ANALYSIS_KINDS = frozenset({"vote", "statement", "forget", "moderation", "import"})


def contribution_recorded(*, consultation_id: int, kind: str) -> None:
    """A participant joined, answered, wrote or voted (``kind``); tell live views and the analysis after commit."""
    transaction.on_commit(partial(_after_commit, consultation_id, kind))


def moderation_changed(*, consultation_id: int) -> None:
    transaction.on_commit(partial(_after_commit, consultation_id, "moderation"))


def consultation_changed(*, consultation_id: int) -> None:
    """A consultation was opened, closed or set up differently: live views hear of it after commit."""
    transaction.on_commit(partial(publish, consultation_id, {"type": "activity", "kind": "consultation"}))


def screen_changed(*, consultation_id: int) -> None:
    """Facilitators changed what the event screen shows (presenter mode): screens and dashboards hear of it."""
    transaction.on_commit(partial(publish, consultation_id, {"type": "screen", "kind": "screen"}))


def analysis_stored(*, consultation_id: int, version: int) -> None:
    transaction.on_commit(
        partial(publish, consultation_id, {"type": "analysis", "kind": "analysis", "version": version})
    )


def theming_requested(*, run_id: int) -> None:
    """A facilitator asked for theme suggestions: run them after commit, where analyses run."""
    transaction.on_commit(partial(start_theming, run_id))


def _after_commit(consultation_id: int, kind: str) -> None:
    coalescer.add(consultation_id, kind)


def _deliver(consultation_id: int, kinds: set[str]) -> None:
    """One activity push per kind, and one analysis request for all of them (``coalesce``)."""
    for kind in sorted(kinds):
        publish(consultation_id, {"type": "activity", "kind": kind})
    if kinds & ANALYSIS_KINDS:
        schedule_analysis(consultation_id)


coalescer = Coalescer(_deliver, lambda: settings.EVENTS_COALESCE_SECONDS)
scheduling.before_waiting.append(coalescer.flush)
