"""The guard in tests/conftest.py: reaching the real Telegram from a test cannot go unnoticed."""

import asyncio
import socket

import pytest
from django.conf import settings
from telegram import Bot
from telegram.error import NetworkError


def test_the_real_telegram_is_unreachable_from_tests(telegram_guard):
    with pytest.raises(OSError, match="real Telegram"):
        socket.getaddrinfo("api.telegram.org", 443)
    assert telegram_guard == ["api.telegram.org"]
    telegram_guard.clear()  # this test meant to try; any other test would now fail


def test_a_bot_left_at_telegrams_address_fails_loudly(telegram_guard):
    async def call():
        async with Bot("123:ABC", base_url="https://api.telegram.org/bot") as bot:
            await bot.get_me()

    with pytest.raises(NetworkError):
        asyncio.run(call())
    assert telegram_guard, "the lookup of api.telegram.org was caught"
    telegram_guard.clear()


def test_processes_started_by_tests_point_nowhere_by_default():
    assert settings.TELEGRAM_API_URL == "http://127.0.0.1:9"
