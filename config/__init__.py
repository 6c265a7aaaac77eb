"""Django configuration (settings, URLs, ASGI/WSGI entry points).

It lives here rather than in ``platform/`` because a Python package named
``platform`` would shadow the standard library module of that name.
"""

# The Celery app, so that tasks are sent with this project's configuration.
from worker.celery import app as celery_app

__all__ = ["celery_app"]
