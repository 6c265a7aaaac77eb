"""Abuse limits for anonymous participation, counted in the cache.

Clients are told apart by a keyed hash of their address that lives only in
the cache, for the length of the window: no IP address is ever stored.
"""

from __future__ import annotations

import hashlib
import hmac
import logging

from django.conf import settings
from django.core.cache import cache

logger = logging.getLogger(__name__)


def client_key(address: str) -> str:
    """An opaque, keyed hash of a client address (useless without SECRET_KEY)."""
    digest = hmac.new(settings.SECRET_KEY.encode(), address.encode(), hashlib.sha256).hexdigest()
    return digest[:24]


def allow(key: str, *, limit: int, window: int) -> bool:
    """Count one hit on ``key``; False once more than ``limit`` hits fall in ``window`` seconds.

    Fails open: if the cache (Redis) is down, participation goes on.
    """
    try:
        if cache.add(key, 1, timeout=window):
            return True
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=window)
            count = 1
    except Exception:  # noqa: BLE001 - any cache failure must not block a participant
        logger.warning("rate limit cache unavailable; allowing")
        return True
    return count <= limit
