"""Register (or remove) the bot's webhook with Telegram."""

import asyncio

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse
from telegram import Bot
from telegram.error import TelegramError

from bots.application import ALLOWED_UPDATES


class Command(BaseCommand):
    help = "Point Telegram at this site's webhook (https://HOST/telegram/webhook/), or --delete it."

    def add_arguments(self, parser):
        parser.add_argument("base_url", nargs="?", help="The site's public root, e.g. https://consult.example.org")
        parser.add_argument("--delete", action="store_true", help="Remove the webhook (back to long polling).")

    def handle(self, *args, base_url=None, delete=False, **options):
        token = settings.TELEGRAM_BOT_TOKEN
        if not token:
            raise CommandError("TELEGRAM_BOT_TOKEN is not set.")
        if not delete:
            if not base_url:
                raise CommandError("Give the site's public root, e.g. https://consult.example.org")
            if not settings.TELEGRAM_WEBHOOK_SECRET:
                raise CommandError("TELEGRAM_WEBHOOK_SECRET is not set: the webhook would refuse every update.")
        url = base_url.rstrip("/") + reverse("bots:telegram_webhook") if base_url else ""
        try:
            asyncio.run(self._call(token, url, delete))
        except TelegramError as error:
            raise CommandError(f"Telegram refused: {error}") from error
        self.stdout.write("Webhook removed." if delete else f"Webhook set to {url}")

    async def _call(self, token: str, url: str, delete: bool) -> None:
        api = settings.TELEGRAM_API_URL
        async with Bot(token, base_url=f"{api}/bot", base_file_url=f"{api}/file/bot") as bot:
            if delete:
                await bot.delete_webhook()
            else:
                await bot.set_webhook(
                    url, secret_token=settings.TELEGRAM_WEBHOOK_SECRET, allowed_updates=ALLOWED_UPDATES
                )
