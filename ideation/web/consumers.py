"""Websockets for the live dashboard (staff) and the event screen (public, read-only).

Both join the consultation's channel-layer group (``ideation.events``), which
services announce to after commit. Counters are pushed at most
``PUSH_INTERVAL`` apart per connection however many votes arrive, and the
sockets of one process share each count of a consultation (``_SharedStats``),
so the database answers a few times a second per consultation, not per
screen; a new analysis or a moderation change asks the page to re-fetch that
part.

Every ``PING_INTERVAL`` a socket sends itself a ping through the channel
layer. When Redis is down the ping fails, or it never comes back, and the
socket closes: the page then says live updates are paused and reconnects
until Redis answers again (its first counters bring it up to date).
"""

from __future__ import annotations

import asyncio
import contextlib
import time

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from ideation import events, selectors

PUSH_INTERVAL = 0.25  # seconds: at most four counter updates a second per screen
HEARTBEAT = 15.0  # seconds: counters are re-sent this often anyway, so a missed event heals itself
PING_INTERVAL = 2.0  # seconds between pings through the channel layer; two missed ones close the socket
REFRESH_KINDS = {"moderation": ["moderation", "analysis"], "statement": ["moderation"]}


class LiveConsumer(AsyncJsonWebsocketConsumer):
    staff_only = False
    public = True

    async def connect(self) -> None:
        user = self.scope.get("user")
        if self.staff_only and not (user and user.is_authenticated and user.is_active and user.is_staff):
            await self.close(code=4403)
            return
        slug = self.scope["url_route"]["kwargs"]["slug"]
        consultation = await database_sync_to_async(selectors.consultation_get)(
            slug=slug, include_drafts=self.staff_only
        )
        if consultation is None:
            await self.close(code=4404)
            return
        self.consultation = consultation
        self.group = events.group_name(consultation.pk)
        self.last_push = 0.0
        self.unserved_since: float | None = None  # when the first event not yet in a push arrived
        self.pending: asyncio.Task | None = None
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        self.last_pong = time.monotonic()
        await self.push_stats()
        await self.connected()
        self.heartbeat = asyncio.ensure_future(self._heartbeat())
        self.pinger = asyncio.ensure_future(self._ping())

    async def connected(self) -> None:
        """Accepted and sent its first counters: what else a socket sends first."""

    async def disconnect(self, code: int) -> None:
        for task in (getattr(self, "pending", None), getattr(self, "heartbeat", None), getattr(self, "pinger", None)):
            if task is not None:
                task.cancel()
        if getattr(self, "group", None):
            # Redis down: its subscriptions went with it.
            with contextlib.suppress(Exception):
                await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive_json(self, content, **kwargs) -> None:
        """Read-only: anything a client sends is ignored."""

    # --- group events (ideation.events) ---

    async def activity(self, event: dict) -> None:
        parts = REFRESH_KINDS.get(event.get("kind"), [])
        if parts and not self.public:
            await self.send_json({"type": "refresh", "parts": parts})
        if self.unserved_since is None:
            self.unserved_since = time.monotonic()
        if self.pending is None or self.pending.done():
            self.pending = asyncio.ensure_future(self._push_soon())

    async def analysis(self, event: dict) -> None:
        await self.send_json({"type": "refresh", "parts": ["analysis", "timeline"], "version": event.get("version")})

    async def screen(self, event: dict) -> None:
        """Facilitators changed what the event screen shows: the dashboard redraws its control."""
        await self.send_json({"type": "refresh", "parts": ["presenter"]})

    async def live_ping(self, event: dict) -> None:
        self.last_pong = time.monotonic()

    async def _ping(self) -> None:
        """Close the socket when the channel layer stops carrying messages (Redis down or restarted)."""
        while True:
            await asyncio.sleep(PING_INTERVAL)
            try:
                await asyncio.wait_for(
                    self.channel_layer.send(self.channel_name, {"type": "live.ping"}), timeout=PING_INTERVAL
                )
            except Exception:  # noqa: BLE001 - Redis refused or did not answer
                await self.close(code=1011)
                return
            if time.monotonic() - self.last_pong > 2 * PING_INTERVAL + 1:
                await self.close(code=1011)
                return

    async def _push_soon(self) -> None:
        """Push once the interval allows; again if more events arrived meanwhile."""
        while self.unserved_since is not None:
            wait = self.last_push + PUSH_INTERVAL - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            since, self.unserved_since = self.unserved_since, None
            await self.push_stats(since=since)

    async def _heartbeat(self) -> None:
        """Events published while Redis was failing are lost; a periodic push catches up."""
        while True:
            await asyncio.sleep(HEARTBEAT)
            if time.monotonic() - self.last_push >= HEARTBEAT / 2:
                await self.push_stats()

    async def push_stats(self, *, since: float | None = None) -> None:
        """Counts read after ``since`` (default: now), so they include the votes whose events came before."""
        stats = await _stats.get(self.consultation, since=time.monotonic() if since is None else since)
        self.last_push = time.monotonic()
        await self.send_json({"type": "stats", "stats": flatten(stats, public=self.public)})


class _Shared:
    """The latest reading of each consultation in this process, shared by every socket it still serves.

    A count whose queries started after an event arrived includes that
    event's vote (it was committed before the event was sent), so a socket
    asking for numbers "since" an event takes a reading already under way
    that started after it, or starts one.
    """

    def __init__(self, read) -> None:
        self._read = read  # (consultation, *args) -> numbers, run in a thread
        self._latest: dict[tuple, tuple[float, asyncio.Future]] = {}

    async def get(self, consultation, *args, since: float):
        key = (id(asyncio.get_running_loop()), consultation.pk, *(getattr(a, "pk", a) for a in args))
        entry = self._latest.get(key)
        if entry is None or entry[0] < since:
            reading = database_sync_to_async(self._read)(consultation, *args)
            entry = (time.monotonic(), asyncio.ensure_future(reading))
            self._latest[key] = entry
        return await asyncio.shield(entry[1])


# Fresh numbers (not the page-load cache): a push must include the vote that caused it.
_stats = _Shared(lambda consultation: selectors.consultation_stats(consultation=consultation, cached=False))
_pinned = _Shared(
    lambda consultation, statement: selectors.pinned_numbers(consultation=consultation, statement=statement)
)


def flatten(stats: dict, *, public: bool) -> dict[str, int]:
    """``{"participants": 12, "votes:channel:web": 30, ...}``, the keys of the pages' data-stat attributes."""
    flat = dict(stats["totals"])
    if public:
        return flat
    for field, prefix in (("by_channel", "channel"), ("by_group", "group"), ("by_region", "region")):
        for kind, counts in stats[field].items():
            for name, n in counts.items():
                flat[f"{kind}:{prefix}:{name}"] = n
    return flat


class DashboardConsumer(LiveConsumer):
    staff_only = True
    public = False


class ScreenConsumer(LiveConsumer):
    """The public event screen, read-only. Presenter mode: it is told the view facilitators chose
    (``{"type": "screen", "view": ..., "pinned": id}``) and, while a statement is pinned, that statement's
    votes with every push of the counters (``{"type": "pinned", ...}``, ``selectors.PinnedNumbers``)."""

    staff_only = False
    public = True
    shown: selectors.ScreenShown | None = None

    async def connected(self) -> None:
        await self.send_screen()
        await self.push_pinned(since=time.monotonic())

    async def send_screen(self) -> None:
        """Read what the screen shows now; tell the page when that changed.

        On connect (a reconnect too: the state may have changed meanwhile) the
        page is told once facilitators have ever set the screen; until then it
        shows the overview it was loaded with.
        """
        shown = await database_sync_to_async(selectors.screen_shown)(consultation=self.consultation)
        before, self.shown = self.shown, shown
        if (before is None and shown.stored) or (
            before is not None and (before.view, _pk(before.pinned)) != (shown.view, _pk(shown.pinned))
        ):
            await self.send_json({"type": "screen", "view": shown.view, "pinned": _pk(shown.pinned)})

    async def screen(self, event: dict) -> None:
        await self.send_screen()
        await self.push_stats()

    async def activity(self, event: dict) -> None:
        if event.get("kind") in ("moderation", "consultation"):
            await self.send_screen()  # a pinned statement no longer accepted leaves the screen
        await super().activity(event)

    async def push_stats(self, *, since: float | None = None) -> None:
        since = time.monotonic() if since is None else since
        await super().push_stats(since=since)
        await self.push_pinned(since=since)

    async def push_pinned(self, *, since: float) -> None:
        if self.shown is not None and self.shown.pinned is not None:
            numbers = await _pinned.get(self.consultation, self.shown.pinned, since=since)
            await self.send_json(numbers.as_message())


def _pk(statement) -> int | None:
    return statement.pk if statement is not None else None
