"""Self-tests of the fake Telegram Bot API: plain HTTP calls, then the real python-telegram-bot client."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from tests.bots.fake_telegram import NOT_MODIFIED, TOKEN, FakeTelegram, fake_telegram_server

KEYBOARD = {"inline_keyboard": [[{"text": "Yes", "callback_data": "v:1"}, {"text": "No", "callback_data": "v:0"}]]}


@pytest.fixture
def server():
    with fake_telegram_server() as server:
        yield server


@pytest.fixture
def api(server):
    with httpx.Client(base_url=f"{server.api_url}/bot{TOKEN}/", trust_env=False, timeout=10) as client:
        yield client


def test_get_me_token_and_unknown_method(server, api):
    me = api.post("getMe").json()
    assert me["ok"] and me["result"]["id"] == 123456 and me["result"]["username"] == "consultation_test_bot"
    wrong = httpx.post(f"{server.api_url}/bot1:WRONG/getMe", trust_env=False)
    assert wrong.status_code == 401 and wrong.json() == {"ok": False, "error_code": 401, "description": "Unauthorized"}
    unknown = api.post("sendPigeon")
    assert unknown.status_code == 404 and unknown.json()["description"] == "Not Found: method not found"


def test_updates_are_kept_until_confirmed(server, api):
    user = server.user(1001, language_code="fr")
    first = user.send_text("hello")
    user.command("start", "nextstrategy")
    got = api.post("getUpdates", data={"timeout": "0"}).json()["result"]
    assert [u["update_id"] for u in got] == [first["update_id"], first["update_id"] + 1]
    assert got[0]["message"]["from"]["language_code"] == "fr" and got[0]["message"]["chat"]["type"] == "private"
    assert got[1]["message"]["text"] == "/start nextstrategy"
    assert got[1]["message"]["entities"] == [{"type": "bot_command", "offset": 0, "length": 6}]
    again = api.post("getUpdates", data={"offset": str(first["update_id"])}).json()["result"]
    assert len(again) == 2  # not confirmed yet: handed out again
    rest = api.post("getUpdates", data={"offset": str(first["update_id"] + 1)}).json()["result"]
    assert [u["update_id"] for u in rest] == [first["update_id"] + 1]
    assert server.pending() == 1
    assert api.post("getUpdates", data={"offset": str(first["update_id"] + 2)}).json()["result"] == []
    assert server.pending() == 0
    assert server.count("getUpdates") == 4 and server.calls("getUpdates")[1]["offset"] == first["update_id"]


def test_long_poll_returns_as_soon_as_an_update_arrives(server, api):
    user = server.user(1002)
    threading.Timer(0.3, user.send_sticker).start()
    started = time.monotonic()
    got = api.post("getUpdates", data={"timeout": "5"}).json()["result"]
    elapsed = time.monotonic() - started
    assert 0.2 < elapsed < 2 and got[0]["message"]["sticker"]["width"] == 512
    started = time.monotonic()
    assert api.post("getUpdates", data={"offset": got[0]["update_id"] + 1, "timeout": "0.3"}).json()["result"] == []
    assert time.monotonic() - started >= 0.25


def test_messages_edits_and_errors(server, api):
    user = server.user(1003)
    api.post("sendMessage", data={"chat_id": "1003", "text": "intro"})
    sent = api.post("sendMessage", data={"chat_id": "1003", "text": "Vote?", "reply_markup": json.dumps(KEYBOARD)})
    message = sent.json()["result"]
    assert message["message_id"] == 2 and message["from"]["is_bot"] and message["reply_markup"] == KEYBOARD
    assert user.buttons() == [("Yes", "v:1"), ("No", "v:0")] and user.last_text == "Vote?"
    assert [m["text"] for m in user.messages] == ["intro", "Vote?"]

    tap = user.tap("v:1")
    assert tap["callback_query"]["message"]["message_id"] == 2 and tap["callback_query"]["data"] == "v:1"
    with pytest.raises(AssertionError, match="v:9"):
        user.tap("v:9")
    assert user.tap("v:9", message_id=1, force=True)["callback_query"]["message"]["message_id"] == 1
    query_id = tap["callback_query"]["id"]
    assert api.post("answerCallbackQuery", data={"callback_query_id": query_id, "text": "Thanks"}).json()["result"]
    assert api.post("answerCallbackQuery", data={"callback_query_id": "nope"}).status_code == 400

    same = {"chat_id": 1003, "message_id": 2, "text": "Vote?", "reply_markup": KEYBOARD}
    not_modified = api.post("editMessageText", json=same)  # a JSON body works as well as a form
    assert not_modified.status_code == 400 and not_modified.json()["description"] == NOT_MODIFIED
    api.post("editMessageText", data={"chat_id": "1003", "message_id": "2", "text": "Voted: yes"})
    reply = user.wait_for_reply(timeout=1)
    assert reply["text"] == "Voted: yes" and "reply_markup" not in reply  # an edit without markup drops the keyboard
    assert user.buttons() == [] and user.last_text == "Voted: yes"

    errors = {
        "chat not found": ("sendMessage", {"chat_id": "999", "text": "hi"}),
        "message is too long": ("sendMessage", {"chat_id": "1003", "text": "x" * 4097}),
        "message to edit not found": ("editMessageText", {"chat_id": "1003", "message_id": "77", "text": "x"}),
    }
    for description, (method, params) in errors.items():
        answer = api.post(method, data=params)
        assert answer.status_code == 400 and answer.json()["description"] == f"Bad Request: {description}"
    with pytest.raises(TimeoutError, match="Voted: yes"):
        user.wait_for_reply(timeout=0.2, after=user.seq)


def test_multipart_and_empty_bodies(server, api):
    server.user(1004)
    answer = api.post("sendMessage", data={"chat_id": "1004", "text": "file"}, files={"doc": ("a.txt", b"abc")})
    assert answer.json()["result"]["text"] == "file" and server.calls("sendMessage")[0]["doc"]["size"] == 3
    assert api.post("getWebhookInfo").json()["result"] == {
        "url": "",
        "has_custom_certificate": False,
        "pending_update_count": 0,
    }


class _Receiver(BaseHTTPRequestHandler):
    """A webhook endpoint that fails the first delivery, then accepts."""

    received: list[tuple[dict, str | None]] = []

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.received.append((body, self.headers.get("X-Telegram-Bot-Api-Secret-Token")))
        self.send_response(500 if len(self.received) == 1 else 200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def test_webhook_delivery_secret_retry_and_conflict(server, api):
    receiver = ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{receiver.server_address[1]}/telegram/"
        assert api.post("setWebhook", data={"url": url, "secret_token": "s3cret"}).json()["result"] is True
        assert server.webhook == {"url": url, "secret_token": "s3cret"}
        conflict = api.post("getUpdates")
        assert conflict.status_code == 409 and conflict.json()["description"].startswith(
            "Conflict: can't use getUpdates"
        )
        update = server.user(1005).send_text("via webhook")
        server.wait_idle(timeout=5)
        assert server.deliveries == [(update["update_id"], 500), (update["update_id"], 200)]
        assert [(body["update_id"], secret) for body, secret in _Receiver.received] == [
            (update["update_id"], "s3cret"),
            (update["update_id"], "s3cret"),
        ]
        server.redeliver(update)
        server.wait_idle(timeout=5)
        assert server.deliveries[-1] == (update["update_id"], 200)
        assert api.post("deleteWebhook").json()["result"] is True and server.webhook is None
        assert api.post("getUpdates").json()["result"] == []
    finally:
        receiver.shutdown()
        receiver.server_close()


@pytest.mark.asyncio
async def test_real_python_telegram_bot_client():
    from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
    from telegram.ext import Application, CallbackQueryHandler, ContextTypes, MessageHandler, filters

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        button = InlineKeyboardButton("Again", callback_data="again")
        await update.message.reply_text(f"echo: {update.message.text}", reply_markup=InlineKeyboardMarkup([[button]]))

    async def tapped(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await update.callback_query.answer("ok")
        await update.callback_query.edit_message_text(f"tapped: {update.callback_query.data}")

    with FakeTelegram() as server:
        api = server.api_url
        app = Application.builder().token(TOKEN).base_url(f"{api}/bot").base_file_url(f"{api}/file/bot").build()
        app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
        app.add_handler(CallbackQueryHandler(tapped))
        await app.initialize()
        await app.start()
        await app.updater.start_polling(poll_interval=0, timeout=1)
        try:
            user = server.user(1006, language_code="ar")
            user.send_text("hello")
            assert (await user.areply())["text"] == "echo: hello"
            assert user.buttons() == [("Again", "again")]
            user.tap("again")
            edited = await user.areply()
            assert edited["text"] == "tapped: again" and edited["message_id"] == user.messages[-1]["message_id"]
            assert (await server.await_request("answerCallbackQuery"))["text"] == "ok"
            update = user.send_text("twice")
            await user.areply()
            server.redeliver(update)  # the same update_id again: PTB handles it again
            assert (await user.areply())["text"] == "echo: twice"
            assert server.count("sendMessage") == 3
        finally:
            await app.updater.stop()
            await app.stop()
            await app.shutdown()
        assert server.pending() == 0 and server.errors == []
        assert server.count("getMe") == 1 and server.count("deleteWebhook") == 1
        # PTB 22 posts form-encoded bodies, and empty ones for calls without parameters (getMe, deleteWebhook)
        assert set(server.content_types) == {"(empty)", "application/x-www-form-urlencoded"}
