"""The Celery app (``celery -A worker worker``) and its thin tasks; ``worker.analysis`` is the opinion math."""

from worker.celery import app

__all__ = ["app"]
