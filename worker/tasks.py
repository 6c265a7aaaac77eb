"""Celery tasks: ids in, a job, nothing else. Debounce and the one-run-at-a-time lease: ideation.events."""

from __future__ import annotations

from ideation import events
from worker import jobs
from worker.celery import app


@app.task(
    name="worker.tasks.analyse_consultation",
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(Exception,),
    retry_backoff=2,
    retry_jitter=False,
    max_retries=5,
)
def analyse_consultation(consultation_id: int) -> int | str | None:
    """The consultation's analysis; "busy" (and one more run scheduled) while another run holds its lease."""
    with events.analysis_lease(consultation_id) as held:
        return jobs.run_analysis(consultation_id) if held else "busy"


@app.task(name="worker.tasks.suggest_themes", acks_late=True, reject_on_worker_lost=True)
def suggest_themes(run_id: int) -> int:
    """Theme suggestions for a consultation's answers, with progress stored on the run."""
    return jobs.run_theming(run_id)
