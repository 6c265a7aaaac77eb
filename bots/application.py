"""Building the python-telegram-bot Application, for long polling (``runbot``) and webhooks.

``TELEGRAM_API_URL`` is the Bot API root: the bot calls
``{TELEGRAM_API_URL}/bot{token}/{method}`` exactly as it would Telegram's.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import translation
from telegram import BotCommand, Update
from telegram.ext import Application, ApplicationBuilder, TypeHandler

from bots import handlers, texts
from ideation.text import detect_language

ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY]


def build(*, token: str | None = None, api_url: str | None = None, updater: bool = True) -> Application:
    """The bot, its one handler and error handler; ``updater=False`` for webhook use."""
    token = token or settings.TELEGRAM_BOT_TOKEN
    if not token:
        raise ImproperlyConfigured("TELEGRAM_BOT_TOKEN is not set: get a token from @BotFather.")
    api_url = (api_url or settings.TELEGRAM_API_URL).rstrip("/")
    builder = (
        ApplicationBuilder()
        .token(token)
        .base_url(f"{api_url}/bot")
        .base_file_url(f"{api_url}/file/bot")
        .concurrent_updates(settings.TELEGRAM_CONCURRENT_UPDATES)
        # A small pool: httpcore checks every pooled connection on each request, so a large one costs CPU.
        .connection_pool_size(4)
        # Slow networks: wait longer for a free connection and for answers before giving up.
        .pool_timeout(10)
        .connect_timeout(10)
        .read_timeout(15)
        .write_timeout(15)
        .post_init(_announce_commands)
        .post_stop(handlers.cancel_follow_ups)
    )
    if not updater:
        builder = builder.updater(None)
    application = builder.build()
    application.add_handler(TypeHandler(Update, handlers.on_update))
    application.add_error_handler(handlers.on_error)
    return application


async def _announce_commands(application: Application) -> None:
    """The command menu Telegram shows, in each interface language; the language model loaded once."""
    detect_language("warm up the language identifier", fallback="en")  # 1-2 s, better now than on a reply
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            commands = [BotCommand(name, str(description)) for name, description in texts.COMMANDS]
        await application.bot.set_my_commands(commands, language_code=None if code == "en" else code)
