"""Celery tasks: ids in, a job, nothing else. Analysis runs are debounced by ideation.events."""

from __future__ import annotations

import logging

from django.core.cache import cache

from ideation import events
from worker import jobs
from worker.celery import app

logger = logging.getLogger(__name__)

LOCK_SECONDS = 15 * 60


def lock_key(consultation_id: int) -> str:
    return f"analysis-running:{consultation_id}"


@app.task(
    bind=True,
    name="worker.tasks.analyse_consultation",
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(Exception,),
    retry_backoff=2,
    retry_jitter=False,
    max_retries=5,
)
def analyse_consultation(self, consultation_id: int) -> int | str | None:
    """At most one run per consultation at a time; contributions during a run queue one more."""
    events.analysis_starting(consultation_id)
    owner = self.request.id or "local"
    key = lock_key(consultation_id)
    if not cache.add(key, owner, timeout=LOCK_SECONDS) and cache.get(key) != owner:
        events.schedule_analysis(consultation_id)
        return "busy"
    try:
        return jobs.run_analysis(consultation_id)
    finally:
        cache.delete(key)


@app.task(name="worker.tasks.suggest_themes", acks_late=True, reject_on_worker_lost=True)
def suggest_themes(run_id: int) -> int:
    """Theme suggestions for a consultation's answers, with progress stored on the run."""
    return jobs.run_theming(run_id)
