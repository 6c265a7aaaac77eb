"""Redis outages: after a failure Redis is left alone for a moment, and live events that failed are held.

PostgreSQL already holds every contribution, so a Redis failure only pauses
live views and analyses. Trying Redis again on every request would slow each
one down by a connection timeout: after a failure it is left alone for
``BACKOFF_SECONDS``. Live events that fail meanwhile are held and sent again
after the back-off, so open pages catch up as soon as Redis answers again.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

logger = logging.getLogger(__name__)

BACKOFF_SECONDS = 2.0
_down_until = 0.0


def redis_available() -> bool:
    """False for a few seconds after Redis failed (pages then say live updates are paused)."""
    return time.monotonic() >= _down_until


def redis_failed(what: str) -> None:
    """``what`` could not reach Redis: leave Redis alone for the back-off."""
    global _down_until
    _down_until = time.monotonic() + BACKOFF_SECONDS
    logger.warning("%s skipped: Redis unavailable (retrying in %ss)", what, BACKOFF_SECONDS)


def reset() -> None:
    """Count Redis as answering again at once (tests that simulated an outage)."""
    global _down_until
    _down_until = 0.0


class HeldEvents:
    """Live events that could not be sent while Redis was failing, sent again once it answers.

    At most one of each kind per consultation is kept (a screen only needs to
    know that something happened), so an outage costs a few bytes, however
    many votes arrive meanwhile. A timer retries after the back-off; open
    pages then catch up at once, not at their next heartbeat.
    """

    def __init__(self, resend: Callable[[int, dict], None]) -> None:
        self._resend = resend  # holds the event again if Redis still fails
        self._lock = threading.Lock()
        self._events: dict[tuple[int, str, str], dict] = {}
        self._timer: threading.Timer | None = None

    def hold(self, consultation_id: int, message: dict) -> None:
        key = (consultation_id, message.get("type", ""), str(message.get("kind", "")))
        with self._lock:
            self._events[key] = message
            if self._timer is None:
                self._timer = threading.Timer(BACKOFF_SECONDS + 0.05, self.flush)
                self._timer.daemon = True
                self._timer.start()

    def flush(self) -> None:
        with self._lock:
            events, self._events, self._timer = self._events, {}, None
        for (consultation_id, _type, _kind), message in events.items():
            self._resend(consultation_id, message)

    def __len__(self) -> int:
        return len(self._events)
