"""The Telegram adapter: updates in, ``bots.flow`` in a database thread, Bot API calls out.

One handler takes every update. It keys the person by an HMAC of their
Telegram id (the raw id goes no further than this module and is never logged
or stored), handles one update per person at a time, and sends one message
per step: button taps edit the tapped message in place.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import weakref
from concurrent.futures import ThreadPoolExecutor

from channels.db import DatabaseSyncToAsync
from django.conf import settings
from django.utils import translation
from django.utils.crypto import salted_hmac
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ChatType
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError
from telegram.ext import ContextTypes

from bots import flow

logger = logging.getLogger(__name__)

DB_THREADS = 2
SEND_ATTEMPTS = 4

_locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()
# The conversation runs in database threads of its own: updates of different
# people overlap, and nothing else in the process can starve them.
_db_threads = ThreadPoolExecutor(max_workers=DB_THREADS, thread_name_prefix="bot-db")
_handle = DatabaseSyncToAsync(flow.handle, thread_sensitive=False, executor=_db_threads)


def account_key(user_id: int) -> str:
    """The stored stand-in for a Telegram user id: HMAC-SHA256 with a server secret."""
    return salted_hmac(
        "bots.telegram.account", str(user_id), secret=settings.TELEGRAM_KEY_SECRET, algorithm="sha256"
    ).hexdigest()


def incoming_from(update: Update) -> flow.Incoming | None:
    """The update as a ``flow.Incoming``; None for updates the bot does not handle (edits, channel posts...)."""
    user = update.effective_user
    chat = update.effective_chat
    if user is None or chat is None or user.is_bot:
        return None
    common = {"update_id": update.update_id, "key": account_key(user.id), "language_code": user.language_code or ""}
    if chat.type != ChatType.PRIVATE:
        return flow.Incoming(kind="group", **common) if update.message else None
    if update.callback_query is not None:
        return flow.Incoming(kind="tap", data=update.callback_query.data or "", **common)
    message = update.message
    if message is None:
        return None
    text = message.text
    if text is None:
        return flow.Incoming(kind="other", **common)
    if text.startswith("/"):
        head, _sep, args = text.partition(" ")
        command = head[1:].split("@", 1)[0].lower()
        return flow.Incoming(kind="command", command=command[:32], args=args, **common)
    return flow.Incoming(kind="text", text=text, **common)


async def on_update(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    incoming = incoming_from(update)
    if incoming is None:
        return
    lock = _locks.get(incoming.key)
    if lock is None:
        lock = _locks[incoming.key] = asyncio.Lock()
    async with lock:  # one update per person at a time, in arrival order
        response = await _handle(incoming)
        await deliver(context.bot, update, response)


async def deliver(bot, update: Update, response: flow.Response) -> None:
    """Send the response: answer the tap, edit the tapped message or send new ones."""
    query = update.callback_query
    chat_id = update.effective_chat.id
    if query is not None:
        with contextlib.suppress(BadRequest):  # a tap too old to answer; the messages below still go out
            await query.answer(response.toast or None)
    for out in response.messages:
        markup = _markup(out.buttons)
        if out.edit and query is not None and query.message is not None:
            try:
                await _retrying(
                    bot.edit_message_text,
                    chat_id=chat_id,
                    message_id=query.message.message_id,
                    text=out.text,
                    reply_markup=markup,
                )
                continue
            except BadRequest as error:
                if "not modified" in str(error).lower():
                    continue
                # the message is gone or too old to edit: send a new one
        await _retrying(bot.send_message, chat_id=chat_id, text=out.text, reply_markup=markup)


async def _retrying(call, **kwargs):
    """A Bot API call, tried again on network trouble: the step is stored, its reply must not be lost."""
    last = SEND_ATTEMPTS - 1
    for attempt in range(SEND_ATTEMPTS):
        try:
            return await call(**kwargs)
        except BadRequest:
            raise
        except RetryAfter as error:  # Telegram's flood control says how long to wait
            if attempt == last:
                raise
            wait = error.retry_after
            delay = wait.total_seconds() if hasattr(wait, "total_seconds") else float(wait)
        except NetworkError:  # timeouts included
            if attempt == last:
                raise
            delay = 0.5 * 2**attempt
        await asyncio.sleep(delay)
    return None


def _markup(buttons: flow.Buttons) -> InlineKeyboardMarkup | None:
    if not buttons:
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=data) for label, data in row] for row in buttons]
    )


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log (no ids, no texts) and tell the person; the bot goes on serving everyone else."""
    error = context.error
    update_id = getattr(update, "update_id", None)
    if isinstance(error, Forbidden):  # the person blocked the bot
        logger.info("update %s: the bot may not write to this chat", update_id)
        return
    logger.error(
        "update %s failed: %s", update_id, type(error).__name__, exc_info=(type(error), error, error.__traceback__)
    )
    if isinstance(update, Update) and update.effective_chat is not None and not isinstance(error, TelegramError):
        user = update.effective_user
        with translation.override(flow.fallback_language(user.language_code if user else "")):
            text = str(flow.texts.ERROR)
        with contextlib.suppress(TelegramError):
            await context.bot.send_message(chat_id=update.effective_chat.id, text=text)
