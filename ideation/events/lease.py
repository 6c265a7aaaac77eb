"""At most one analysis of a consultation at a time, across every process and machine.

A run holds a lease on its consultation. With Redis, the lease is a key that
expires after ``LEASE_SECONDS`` unless a heartbeat thread of the owner renews
it (every third of that), so a worker that dies, even killed with SIGKILL,
stalls that consultation's analyses for at most ``LEASE_SECONDS``. Without
Redis (the embedded profile: every process on one machine and one SQLite
file) the lease is an ``flock`` on a file beside the data, which the system
releases when its owner dies.

A run that finds the lease taken schedules one more run (debounced as
usual) instead of waiting: the owner may be at the start of a long job, and
the contributions that asked for this run must still be analysed after it.
"""

from __future__ import annotations

import logging
import os
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.core.cache import cache

from ideation.events import scheduling

logger = logging.getLogger(__name__)

LEASE_SECONDS = 30.0


def lease_key(consultation_id: int) -> str:
    """The lease's Redis key, with the cache's prefix (one deployment's keys never meet another's)."""
    return cache.make_key(f"analysis-lease:{consultation_id}")


@contextmanager
def analysis_lease(consultation_id: int) -> Iterator[bool]:
    """Hold the consultation's analysis lease for the ``with`` block; yields False when another run holds it.

    ``with analysis_lease(pk) as held: return job(pk) if held else "busy"``
    """
    scheduling.analysis_starting(consultation_id)
    lease = _RedisLease(consultation_id) if settings.REDIS_URL else _FileLease(consultation_id)
    if not lease.acquire():
        scheduling.schedule_analysis(consultation_id)  # once the owner is done, or its lease has expired
        yield False
        return
    try:
        yield True
    finally:
        lease.release()


def analysis_running(consultation_id: int) -> bool:
    """Whether some process holds the consultation's lease now (an analysis is being computed)."""
    if settings.REDIS_URL:
        return bool(_redis().exists(lease_key(consultation_id)))
    lease = _FileLease(consultation_id)
    if lease.acquire():
        lease.release()
        return False
    return True


_clients: dict[tuple[int, str], object] = {}


def _redis():
    """One client (and connection pool) per process and Redis URL."""
    import redis

    key = (os.getpid(), settings.REDIS_URL)
    if key not in _clients:
        _clients[key] = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2, socket_connect_timeout=1)
    return _clients[key]


class _RedisLease:
    """A Redis lock that expires unless renewed: SET NX PX to take it, renewed and released only by its owner."""

    def __init__(self, consultation_id: int) -> None:
        self._lock = _redis().lock(
            lease_key(consultation_id), timeout=LEASE_SECONDS, blocking=False, thread_local=False
        )
        self._stop = threading.Event()
        self._heartbeat: threading.Thread | None = None

    def acquire(self) -> bool:
        if not self._lock.acquire(token=uuid.uuid4().hex):
            return False
        self._heartbeat = threading.Thread(target=self._renew, name="analysis-lease", daemon=True)
        self._heartbeat.start()
        return True

    def _renew(self) -> None:
        from redis.exceptions import LockNotOwnedError, RedisError

        while not self._stop.wait(LEASE_SECONDS / 3):
            try:
                self._lock.reacquire()  # the full LEASE_SECONDS again, only while this run owns it
            except LockNotOwnedError:
                logger.error("analysis lease %s lost (expired while its owner was stalled)", self._lock.name)
                return
            except RedisError:
                logger.warning("could not renew analysis lease %s; retrying", self._lock.name, exc_info=True)

    def release(self) -> None:
        from redis.exceptions import LockError, RedisError

        self._stop.set()
        if self._heartbeat is not None:
            self._heartbeat.join()
        try:
            self._lock.release()
        except LockError:
            pass  # expired meanwhile: nothing to give back
        except RedisError:
            logger.warning("could not release analysis lease %s; it expires by itself", self._lock.name)


class _FileLease:
    """An exclusive ``flock`` on a file beside the database: released by the system when its owner dies."""

    def __init__(self, consultation_id: int) -> None:
        self._path = _lease_dir() / f"analysis-{consultation_id}.lock"
        self._fd: int | None = None

    def acquire(self) -> bool:
        import fcntl

        self._path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        self._fd = fd
        return True

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing the only descriptor releases the lock
            self._fd = None


def _lease_dir() -> Path:
    """Beside the SQLite file, so every process using that file shares the leases; else the data folder."""
    database = settings.DATABASES["default"]
    if database["ENGINE"].endswith("sqlite3") and str(database["NAME"]) not in ("", ":memory:"):
        return Path(database["NAME"]).resolve().parent / "leases"
    return Path(settings.VAR_DIR) / "leases"
