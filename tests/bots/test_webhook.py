"""Webhook mode: the Django view checks Telegram's secret header, then the real bot handles the update."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from ideation.models import ChatSession, Participant

SECRET = "webhook-secret-for-tests"
URL = "/telegram/webhook/"

pytestmark = pytest.mark.django_db(transaction=True)


def post(client, update, secret: str | None = SECRET, body: bytes | None = None):
    headers = {"HTTP_X_TELEGRAM_BOT_API_SECRET_TOKEN": secret} if secret is not None else {}
    data = body if body is not None else json.dumps(update)
    return client.post(URL, data=data, content_type="application/json", **headers)


def test_an_update_with_the_right_secret_is_handled(client, telegram, settings, consultation):
    settings.TELEGRAM_WEBHOOK_SECRET = SECRET
    user = telegram.user(8800001)
    response = post(client, user.command("start", consultation.slug))
    assert response.status_code == 200
    assert consultation.title in user.wait_for_reply()["text"]
    response = post(client, user.tap("consent"))
    assert response.status_code == 200
    assert Participant.objects.filter(channels=["telegram"]).count() == 1


@pytest.mark.parametrize("secret", [None, "", "wrong-secret", SECRET + "x"])
def test_a_wrong_or_missing_secret_is_refused_and_nothing_is_processed(
    client, telegram, settings, consultation, secret
):
    settings.TELEGRAM_WEBHOOK_SECRET = SECRET
    user = telegram.user(8800002)
    response = post(client, user.command("start", consultation.slug), secret=secret)
    assert response.status_code == 403
    assert not ChatSession.objects.exists()
    assert telegram.count("sendMessage") == 0


def test_without_a_configured_secret_every_update_is_refused(client, telegram, settings, consultation):
    settings.TELEGRAM_WEBHOOK_SECRET = ""
    user = telegram.user(8800003)
    assert post(client, user.command("start", consultation.slug), secret="").status_code == 403
    assert not ChatSession.objects.exists()


@pytest.mark.parametrize("body", [b"not json", b"[1, 2]", b'{"update_id": "7"}', b"\xff\xfe"])
def test_malformed_bodies_get_a_clear_400(client, telegram, settings, body):
    settings.TELEGRAM_WEBHOOK_SECRET = SECRET
    response = post(client, None, body=body)
    assert response.status_code == 400
    assert "error" in response.json()


def test_only_post_is_accepted(client, settings):
    settings.TELEGRAM_WEBHOOK_SECRET = SECRET
    assert client.get(URL, HTTP_X_TELEGRAM_BOT_API_SECRET_TOKEN=SECRET).status_code == 405


def test_the_setwebhook_command_registers_url_and_secret(telegram, settings):
    settings.TELEGRAM_WEBHOOK_SECRET = SECRET
    call_command("setwebhook", "https://consult.example.org/")
    assert telegram.webhook == {"url": "https://consult.example.org/telegram/webhook/", "secret_token": SECRET}
    call_command("setwebhook", "--delete")
    assert telegram.webhook is None


def test_the_setwebhook_command_refuses_without_a_secret(telegram, settings):
    settings.TELEGRAM_WEBHOOK_SECRET = ""
    with pytest.raises(CommandError, match="TELEGRAM_WEBHOOK_SECRET"):
        call_command("setwebhook", "https://consult.example.org")
