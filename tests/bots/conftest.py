"""The real python-telegram-bot client against the fake Bot API server (tests/bots/fake_telegram.py)."""

from __future__ import annotations

import pytest
import pytest_asyncio

from bots import application
from tests.bots.fake_telegram import TOKEN, FakeTelegram
from tests.factories import StatementFactory


@pytest.fixture
def telegram(settings):
    """A fake Bot API on loopback, and the settings pointing the bot at it."""
    with FakeTelegram(TOKEN) as server:
        settings.TELEGRAM_BOT_TOKEN = TOKEN
        settings.TELEGRAM_API_URL = server.api_url
        yield server


class Bot:
    """The real Application, long polling the fake server, restartable like the runbot process."""

    def __init__(self) -> None:
        self.app = None

    async def start(self) -> None:
        self.app = application.build()
        await self.app.initialize()
        if self.app.post_init:
            await self.app.post_init(self.app)
        await self.app.start()
        await self.app.updater.start_polling(poll_interval=0, timeout=1, allowed_updates=application.ALLOWED_UPDATES)

    async def stop(self) -> None:
        if self.app is not None:
            await self.app.updater.stop()
            await self.app.stop()
            await self.app.shutdown()
            self.app = None


@pytest_asyncio.fixture
async def bot(telegram):
    runner = Bot()
    await runner.start()
    try:
        yield runner
    finally:
        await runner.stop()


@pytest.fixture
def deck(consultation):
    """The shared consultation with thirteen statements to vote on."""
    for i in range(10):
        StatementFactory(consultation=consultation, text=f"Proposal number {i}", is_seed=True)
    return consultation
