"""The Telegram bot, long polling (the docker-compose ``bot`` service)."""

import sys

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from bots import application


class Command(BaseCommand):
    help = "Run the Telegram bot with long polling (TELEGRAM_BOT_TOKEN, TELEGRAM_API_URL)."

    def add_arguments(self, parser):
        parser.add_argument("--poll-timeout", type=int, default=30, help="Seconds each getUpdates call may wait.")

    def handle(self, *args, **options):
        if not settings.TELEGRAM_BOT_TOKEN:
            raise CommandError("TELEGRAM_BOT_TOKEN is not set: get a token from @BotFather and set it first.")
        # The event loop shares the GIL with the database threads: hand it back sooner than the
        # default 5 ms, or every socket call of the loop waits behind ORM work.
        sys.setswitchinterval(0.0005)
        bot = application.build()
        self.stdout.write(f"Telegram bot polling {settings.TELEGRAM_API_URL} (Ctrl+C to stop)", ending="\n")
        self.stdout.flush()
        # Pending updates are kept: people who wrote while the bot was down get their answers.
        bot.run_polling(
            allowed_updates=application.ALLOWED_UPDATES,
            timeout=options["poll_timeout"],
            drop_pending_updates=False,
            close_loop=False,
        )
        self.stdout.write("Telegram bot stopped.")
