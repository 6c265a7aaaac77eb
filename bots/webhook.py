"""Webhook mode: Telegram POSTs updates to a Django view, which hands them to the bot.

The python-telegram-bot Application lives on its own event loop in one
background thread per web process (``BotRuntime``), so the view works the same
under the ASGI server, a WSGI server and Django's test client.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.crypto import constant_time_compare
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from telegram import Update

from bots import application

logger = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 - a header name
MAX_BODY = 1_000_000


class BotRuntime:
    """One Application, initialised once, on an event loop in a daemon thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._app = None
        self._config: tuple[str, str] | None = None

    def _start(self):
        config = (settings.TELEGRAM_BOT_TOKEN, settings.TELEGRAM_API_URL)
        with self._lock:
            if self._app is None or self._config != config:
                if self._loop is None:
                    self._loop = asyncio.new_event_loop()
                    threading.Thread(target=self._loop.run_forever, name="telegram-webhook", daemon=True).start()
                if self._app is not None:  # the settings changed (tests): start afresh
                    asyncio.run_coroutine_threadsafe(self._app.shutdown(), self._loop).result(timeout=30)
                    self._app = None
                app = application.build(updater=False)
                asyncio.run_coroutine_threadsafe(app.initialize(), self._loop).result(timeout=30)
                asyncio.run_coroutine_threadsafe(_post_init(app), self._loop).result(timeout=30)
                self._app, self._config = app, config
        return self._app, self._loop

    def process(self, data: dict, timeout: float = 60.0) -> None:
        app, loop = self._start()
        update = Update.de_json(data, app.bot)
        asyncio.run_coroutine_threadsafe(app.process_update(update), loop).result(timeout=timeout)


async def _post_init(app) -> None:
    if app.post_init:
        await app.post_init(app)


runtime = BotRuntime()


@csrf_exempt
@require_POST
def telegram_webhook(request: HttpRequest) -> HttpResponse:
    """Telegram's updates. Wrong or missing secret header: 403 and nothing is processed."""
    secret = settings.TELEGRAM_WEBHOOK_SECRET
    given = request.headers.get(SECRET_HEADER, "")
    if not secret or not constant_time_compare(given, secret):
        return JsonResponse({"ok": False, "error": "forbidden"}, status=403)
    if not settings.TELEGRAM_BOT_TOKEN:
        return JsonResponse({"ok": False, "error": "the bot is not configured"}, status=503)
    if len(request.body) > MAX_BODY:
        return JsonResponse({"ok": False, "error": "too large"}, status=413)
    try:
        data = json.loads(request.body)
    except (ValueError, UnicodeDecodeError):
        return JsonResponse({"ok": False, "error": "the body is not JSON"}, status=400)
    if not isinstance(data, dict) or type(data.get("update_id")) is not int:
        return JsonResponse({"ok": False, "error": "not a Telegram update"}, status=400)
    try:
        runtime.process(data)
    except Exception:
        logger.exception("webhook update %s failed", data["update_id"])
        return JsonResponse({"ok": False, "error": "try again"}, status=500)
    return JsonResponse({"ok": True})
