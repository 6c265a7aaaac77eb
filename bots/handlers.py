"""The Telegram adapter: updates in, ``bots.flow`` in a database thread, Bot API calls out.

One handler takes every update. It keys the person by an HMAC of their
Telegram id (the raw id goes no further than this module and is never logged
or stored), handles one update per person at a time, and sends one message
per step: button taps edit the tapped message in place.

When /results says the analysis is being updated, a small task looks again
every few seconds (for up to a minute, without holding up anyone's updates)
and edits that message once the analysis placing the person has landed.
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
FOLLOW_UP_SECONDS = 60.0
FOLLOW_UP_EVERY = 3.0

_locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()
# The conversation runs in database threads of its own: updates of different
# people overlap, and nothing else in the process can starve them.
_db_threads = ThreadPoolExecutor(max_workers=DB_THREADS, thread_name_prefix="bot-db")
_handle = DatabaseSyncToAsync(flow.handle, thread_sensitive=False, executor=_db_threads)
_results_when_ready = DatabaseSyncToAsync(flow.results_when_ready, thread_sensitive=False, executor=_db_threads)
_follow_ups: set[asyncio.Task] = set()


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
        message_id = await deliver(context.bot, update, response)
    if response.follow_up is not None and message_id is not None:
        follow(context.bot, update.effective_chat.id, message_id, response.follow_up)


async def deliver(bot, update: Update, response: flow.Response) -> int | None:
    """Send the response: answer the tap, edit the tapped message or send new ones; the last message's id."""
    query = update.callback_query
    chat_id = update.effective_chat.id
    last = None
    if query is not None:
        with contextlib.suppress(BadRequest):  # a tap too old to answer; the messages below still go out
            await query.answer(response.toast or None)
    for out in response.messages:
        markup = _markup(out.buttons)
        if out.edit and query is not None and query.message is not None:
            last = query.message.message_id
            try:
                await _retrying(
                    bot.edit_message_text, chat_id=chat_id, message_id=last, text=out.text, reply_markup=markup
                )
                continue
            except BadRequest as error:
                if "not modified" in str(error).lower():
                    continue
                # the message is gone or too old to edit: send a new one
        sent = await _retrying(bot.send_message, chat_id=chat_id, text=out.text, reply_markup=markup)
        last = getattr(sent, "message_id", None)
    return last


def follow(bot, chat_id: int, message_id: int, follow_up) -> asyncio.Task:
    """Edit ``message_id`` with the person's results once the analysis placing them lands (up to a minute)."""
    task = asyncio.get_running_loop().create_task(_edit_when_ready(bot, chat_id, message_id, follow_up))
    _follow_ups.add(task)
    task.add_done_callback(_follow_ups.discard)
    return task


async def _edit_when_ready(bot, chat_id: int, message_id: int, follow_up) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + FOLLOW_UP_SECONDS
    while loop.time() < deadline:
        await asyncio.sleep(FOLLOW_UP_EVERY)
        try:
            out = await _results_when_ready(follow_up)
            if out is None:
                continue
            try:
                await _retrying(bot.edit_message_text, chat_id=chat_id, message_id=message_id, text=out.text)
            except BadRequest as error:  # gone or too old to edit: a short follow-up message instead
                if "not modified" not in str(error).lower():
                    await _retrying(bot.send_message, chat_id=chat_id, text=out.text)
        except TelegramError as error:
            logger.info("results follow-up not delivered: %s", type(error).__name__)
        except Exception:
            logger.exception("results follow-up failed")
        return


async def cancel_follow_ups(_application=None) -> None:
    """Stop waiting for analyses (the bot is stopping)."""
    tasks = [task for task in _follow_ups if task.get_loop() is asyncio.get_running_loop()]
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


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
