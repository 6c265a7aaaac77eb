"""Live push: events for the dashboards and event screens of a consultation, over the channel layer."""

from __future__ import annotations

import asyncio
import logging
import os
import threading

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings

from ideation.events import outage

logger = logging.getLogger(__name__)


def group_name(consultation_id: int) -> str:
    """The channel-layer group of a consultation's live views."""
    return f"consultation.{consultation_id}"


def publish(consultation_id: int, message: dict) -> None:
    """Send ``message`` to the consultation's live views; held for later while Redis fails."""
    layer = get_channel_layer()
    if layer is None:
        return
    if settings.REDIS_URL and not outage.redis_available():
        held.hold(consultation_id, message)
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
                outage.redis_failed(f"live update for consultation {consultation_id}")
                held.hold(consultation_id, message)
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
held = outage.HeldEvents(resend=lambda consultation_id, message: publish(consultation_id, message))
