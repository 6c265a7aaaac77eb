"""A fake Telegram Bot API server on loopback, for tests and benchmarks of the real bot client.

Point python-telegram-bot (v22) at it::

    with fake_telegram_server() as server:
        app = (Application.builder().token(TOKEN).base_url(f"{server.api_url}/bot")
               .base_file_url(f"{server.api_url}/file/bot").build())
        user = server.user(1001, language_code="fr")
        user.send_text("hello")
        assert "hello" in user.wait_for_reply()["text"]

It runs a ``ThreadingHTTPServer`` in a daemon thread, so a bot in the same process (asyncio) or in a subprocess
(``TELEGRAM_API_URL=server.api_url manage.py runbot``) can use it. The test side is synchronous and thread-safe,
with ``async`` wrappers (``asyncio.to_thread``) for async tests.

What it fakes: ``/bot{token}/{method}`` with form, JSON, multipart or empty bodies; getMe; getUpdates (updates kept
until confirmed with a higher offset, long polling, 409 while a webhook is set); webhooks (the update is POSTed
with the secret header, retried a few times on non-2xx answers); sendMessage, editMessageText,
editMessageReplyMarkup, deleteMessage, answerCallbackQuery and the "settings" calls (commands, menu button, chat
action); private chats with users who send text, commands, stickers, photos, voice notes, documents and taps on
inline buttons. Errors use Telegram's codes and descriptions (401, 404, 400 chat not found / message is too long /
message is not modified / message to edit not found, 409 conflict).

What it does not fake: groups and channels, parse_mode (HTML/Markdown text is stored as sent, tags included), media
uploads and file downloads, inline mode, payments, rate limits (429), Telegram's UTF-16 entity offsets beyond the
4096-unit text limit, and any method without an ``_api_<method>`` handler here (404).
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import copy
import itertools
import json
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from email import policy
from email.parser import BytesParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

TOKEN = "123456:TEST-TOKEN"
MAX_TEXT = 4096
NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are exactly the same"
    " as a current content and reply markup of the message"
)
WEBHOOK_CONFLICT = (
    "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"
)
_INT_KEYS = {"chat_id", "message_id", "offset", "limit", "timeout", "max_connections", "cache_time"}
_TEXT_KEYS = {"text", "caption", "url", "secret_token", "callback_query_id", "parse_mode", "action", "ip_address"}


class ApiError(Exception):
    def __init__(self, code: int, description: str):
        super().__init__(description)
        self.code, self.description = code, description


def _coerce(key: str, value: Any) -> Any:
    """Form values are strings: numbers, booleans and nested JSON objects are decoded back."""
    if not isinstance(value, str) or key in _TEXT_KEYS:
        return value
    if key in _INT_KEYS:
        with contextlib.suppress(ValueError):
            return int(value)
        return value
    if value in ("true", "false"):
        return value == "true"
    if value.startswith(("[", "{")):
        with contextlib.suppress(ValueError):
            return json.loads(value)
    return value


def parse_params(content_type: str, body: bytes, query: str = "") -> dict[str, Any]:
    """The parameters of one Bot API call, whatever its encoding (query string, form, JSON, multipart)."""
    params: dict[str, Any] = dict(urllib.parse.parse_qsl(query, keep_blank_values=True))
    kind = content_type.split(";")[0].strip().lower()
    if body and kind == "application/json":
        params.update(json.loads(body))
    elif body and kind == "multipart/form-data":
        head = f"Content-Type: {content_type}\r\n\r\n".encode()
        for part in BytesParser(policy=policy.default).parsebytes(head + body).iter_parts():
            name, payload = part.get_param("name", header="content-disposition"), part.get_payload(decode=True) or b""
            filename = part.get_filename()
            params[name] = {"filename": filename, "size": len(payload)} if filename else payload.decode()
    elif body:
        params.update(urllib.parse.parse_qsl(body.decode(), keep_blank_values=True))
    return {key: _coerce(key, value) for key, value in params.items()}


def _buttons(message: dict | None) -> list[tuple[str, str | None]]:
    rows = ((message or {}).get("reply_markup") or {}).get("inline_keyboard") or []
    return [(button.get("text", ""), button.get("callback_data")) for row in rows for button in row]


def _inline(markup: Any) -> dict | None:
    """What Telegram keeps on a message: an inline keyboard with at least one button, else nothing."""
    if isinstance(markup, dict) and any(markup.get("inline_keyboard") or []):
        return markup
    return None


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


class _Entry:
    """One unconfirmed update."""

    def __init__(self, update: dict, redelivered: bool = False):
        self.update, self.redelivered = update, redelivered
        self.handed_out, self.attempts, self.next_try = False, 0, 0.0

    @property
    def update_id(self) -> int:
        return self.update["update_id"]


class FakeUser:
    """A Telegram user in a private chat with the bot (chat id == user id)."""

    def __init__(self, server: FakeTelegram, user_id: int, language_code: str, first_name: str):
        self.server, self.user_id, self.language_code, self.first_name = server, user_id, language_code, first_name
        self.keyboard: dict | None = None  # the last reply keyboard (non-inline markup) the bot sent, if any
        self._next_message_id = itertools.count(1)
        self._bot_messages: dict[int, dict] = {}  # message_id -> current state
        self._user_message_ids: set[int] = set()
        self._events: list[dict] = []  # {"seq", "kind", "message"}: bot sends and edits, message as it was then
        self._seq = 0  # bumped by every user action and every bot event in this chat
        self._last_action = 0

    @property
    def chat(self) -> dict:
        return {"id": self.user_id, "type": "private", "first_name": self.first_name}

    @property
    def from_user(self) -> dict:
        return {"id": self.user_id, "is_bot": False, "first_name": self.first_name, "language_code": self.language_code}

    # -- user actions ------------------------------------------------------------------------------------------
    def _send(self, **content: Any) -> dict:
        with self.server._cond:
            message_id = next(self._next_message_id)
            self._user_message_ids.add(message_id)
            message = {"message_id": message_id, "from": self.from_user, "chat": self.chat, "date": int(time.time())}
            return self.server._enqueue({"message": {**message, **content}}, self)

    def send_text(self, text: str) -> dict:
        return self._send(text=text)

    def command(self, name: str, *args: str) -> dict:
        command = f"/{name.lstrip('/')}"
        entity = {"type": "bot_command", "offset": 0, "length": _utf16_len(command)}
        return self._send(text=" ".join((command, *args)), entities=[entity])

    def _file(self, kind: str, **fields: Any) -> dict:
        n = next(self.server._file_ids)
        return {"file_id": f"{kind}-{self.user_id}-{n}", "file_unique_id": f"u{kind}{n}", **fields}

    def send_sticker(self, emoji: str = "👍") -> dict:
        sticker = self._file("sticker", type="regular", width=512, height=512, is_animated=False, is_video=False)
        return self._send(sticker={**sticker, "emoji": emoji, "file_size": 20480})

    def send_photo(self, caption: str | None = None) -> dict:
        sizes = [self._file("photo", width=w, height=w * 3 // 4, file_size=w * 60) for w in (90, 320, 1280)]
        return self._send(photo=sizes, **({"caption": caption} if caption else {}))

    def send_voice(self, duration: int = 3) -> dict:
        return self._send(
            voice=self._file("voice", duration=duration, mime_type="audio/ogg", file_size=duration * 4000)
        )

    def send_document(self, file_name: str = "notes.pdf", caption: str | None = None) -> dict:
        document = self._file("document", file_name=file_name, mime_type="application/pdf", file_size=52311)
        return self._send(document=document, **({"caption": caption} if caption else {}))

    def tap(self, data: str, message_id: int | None = None, *, force: bool = False) -> dict:
        """Press the inline button whose callback_data is ``data`` (on the latest message with a keyboard)."""
        with self.server._cond:
            message = self._find(message_id, keyboard=True)
            if not force and (message is None or data not in [d for _, d in _buttons(message)]):
                where = f"message {message_id}" if message_id else "the latest bot message with an inline keyboard"
                raise AssertionError(f"no button with callback_data {data!r} on {where}; buttons: {_buttons(message)}")
            if message is None:
                message = {"message_id": message_id or 1, "from": self.server.bot_user, "chat": self.chat}
                message.update(date=int(time.time()), text="")
            query = {"id": str(next(self.server._query_ids)), "from": self.from_user, "message": copy.deepcopy(message)}
            query.update(chat_instance=str(-self.user_id), data=data)
            self.server._query_set.add(query["id"])
            return self.server._enqueue({"callback_query": query}, self)

    # -- what the user sees ----------------------------------------------------------------------------------
    def _find(self, message_id: int | None, keyboard: bool = False) -> dict | None:
        if message_id is not None:
            return self._bot_messages.get(message_id)
        candidates = [m for m in self._bot_messages.values() if not keyboard or _buttons(m)]
        return candidates[-1] if candidates else None

    def buttons(self, message_id: int | None = None) -> list[tuple[str, str | None]]:
        with self.server._cond:
            return _buttons(self._find(message_id))

    @property
    def messages(self) -> list[dict]:
        with self.server._cond:
            return copy.deepcopy(list(self._bot_messages.values()))

    @property
    def last_text(self) -> str | None:
        with self.server._cond:
            return self._events[-1]["message"].get("text") if self._events else None

    @property
    def seq(self) -> int:
        """The chat's activity counter now: pass it as ``after=`` to wait only for what happens from here on."""
        with self.server._cond:
            return self._seq

    def events(self, after: int = 0) -> list[dict]:
        """Bot sends and edits in this chat after ``seq``: dicts with seq, kind (send/edit/markup) and message."""
        with self.server._cond:
            return copy.deepcopy([e for e in self._events if e["seq"] > after])

    def wait_for_reply(self, timeout: float = 10.0, after: int | None = None) -> dict:
        """The first message the bot sent or edited in this chat after ``after`` (default: the user's last action)."""
        with self.server._cond:
            after = self._last_action if after is None else after
            self.server._cond.wait_for(lambda: any(e["seq"] > after for e in self._events), timeout)
            for event in self._events:
                if event["seq"] > after:
                    return copy.deepcopy(event["message"])
            recent = [f"  #{e['seq']} {e['kind']}: {e['message'].get('text')!r}" for e in self._events[-5:]]
            errors = [f"  {method}: {status} {text}" for method, status, text in self.server._errors[-5:]]
            raise TimeoutError(
                f"no reply from the bot in chat {self.user_id} within {timeout}s after activity #{after}.\n"
                f"Last bot messages:\n{chr(10).join(recent) or '  (none)'}\n"
                f"Last errors answered to the bot:\n{chr(10).join(errors) or '  (none)'}"
            )

    async def areply(self, timeout: float = 10.0, after: int | None = None) -> dict:
        after = self._last_action if after is None else after
        return await asyncio.to_thread(self.wait_for_reply, timeout, after)

    def __repr__(self) -> str:
        return f"<FakeUser {self.user_id} {self.language_code}>"


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # keep-alive connections must not make stop() wait
    fake: FakeTelegram


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as httpx expects
    server: _HTTPServer

    def setup(self):
        super().setup()
        with self.server.fake._cond:
            self.server.fake._connections.add(self.connection)

    def finish(self):
        with contextlib.suppress(OSError):
            super().finish()
        with self.server.fake._cond:
            self.server.fake._connections.discard(self.connection)

    def log_message(self, *args):  # quiet
        pass

    def _body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            chunks = []
            while size := int(self.rfile.readline().split(b";")[0].strip() or b"0", 16):
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            while self.rfile.readline().strip():  # trailers
                pass
            return b"".join(chunks)
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def do_POST(self):
        url, body = urllib.parse.urlsplit(self.path), self._body()
        content_type = self.headers.get("Content-Type", "")
        try:
            params = parse_params(content_type, body, url.query)
            status, payload = self.server.fake._dispatch(urllib.parse.unquote(url.path), params, content_type)
        except ValueError as exc:
            status, payload = 400, {"ok": False, "error_code": 400, "description": f"Bad Request: {exc}"}
        except Exception as exc:  # a bug in the fake: say so to the client rather than dropping the connection
            status, payload = 500, {"ok": False, "error_code": 500, "description": f"fake Telegram bug: {exc!r}"}
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        try:
            self.wfile.write(data)
        except ConnectionError:  # the client gave up (a long poll cancelled at shutdown)
            self.close_connection = True

    do_GET = do_POST


class FakeTelegram:
    """The fake Bot API. ``start()`` binds 127.0.0.1 on a free port; ``api_url`` is then the TELEGRAM_API_URL."""

    def __init__(self, token: str = TOKEN, *, webhook_attempts: int = 3, webhook_timeout: float = 10.0):
        self.token, self.bot_id = token, int(token.split(":")[0])
        self.webhook_attempts, self.webhook_timeout = webhook_attempts, webhook_timeout
        self.bot_user = {"id": self.bot_id, "is_bot": True, "first_name": "Consultation bot"}
        self.bot_user["username"] = "consultation_test_bot"
        self.api_url = ""
        self.content_types: collections.Counter[str] = collections.Counter()  # what the client really sent
        self._cond = threading.Condition(threading.RLock())
        self._users: dict[int, FakeUser] = {}
        self._pending: list[_Entry] = []
        self._requests: list[tuple[str, dict]] = []
        self._errors: list[tuple[str, int, str]] = []
        self._deliveries: list[tuple[int, int]] = []
        self._webhook: dict | None = None
        self._commands: list = []
        self._query_set: set[str] = set()
        self._update_ids, self._query_ids = itertools.count(1), itertools.count(7001)
        self._file_ids = itertools.count(1)
        self._connections: set[socket.socket] = set()
        self._httpd: _HTTPServer | None = None
        self._threads: list[threading.Thread] = []
        self._stopped = False
        # Bot API methods are case-insensitive: "sendmessage" -> ("sendMessage", self._api_sendMessage)
        self._methods = {n[5:].lower(): (n[5:], getattr(self, n)) for n in dir(self) if n.startswith("_api_")}

    # -- lifecycle -----------------------------------------------------------------------------------------------
    def start(self) -> FakeTelegram:
        if self._httpd is None:
            self._httpd = _HTTPServer(("127.0.0.1", 0), _Handler)
            self._httpd.fake = self
            self.api_url = f"http://127.0.0.1:{self._httpd.server_address[1]}"
            serve = threading.Thread(target=self._httpd.serve_forever, args=(0.05,), name="fake-telegram", daemon=True)
            deliver = threading.Thread(target=self._deliver_loop, name="fake-telegram-webhook", daemon=True)
            self._threads = [serve, deliver]
            for thread in self._threads:
                thread.start()
        return self

    def stop(self) -> None:
        with self._cond:
            self._stopped = True
            self._cond.notify_all()
        if self._httpd is not None:
            self._httpd.shutdown()
            with self._cond:
                for conn in list(self._connections):
                    with contextlib.suppress(OSError):
                        conn.shutdown(socket.SHUT_RDWR)
            self._httpd.server_close()
            for thread in self._threads:
                thread.join(timeout=5)
            self._httpd = None

    def __enter__(self) -> FakeTelegram:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # -- test side -----------------------------------------------------------------------------------------------
    def user(self, user_id: int, language_code: str | None = None, first_name: str = "Test") -> FakeUser:
        """The user (and private chat) with that id, created on first use."""
        with self._cond:
            if user_id not in self._users:
                self._users[user_id] = FakeUser(self, user_id, language_code or "en", first_name)
            elif language_code:
                self._users[user_id].language_code = language_code
            return self._users[user_id]

    def redeliver(self, update: dict) -> dict:
        """Hand the very same update (same update_id) to the bot again, as Telegram does on retries."""
        update = copy.deepcopy(update)
        body = update.get("message") or update.get("callback_query") or {}
        chat_id = (body.get("chat") or (body.get("message") or {}).get("chat") or body.get("from") or {}).get("id")
        with self._cond:
            user = self._users.get(chat_id)
            if user is not None:
                user._seq += 1
                user._last_action = user._seq
            self._pending.append(_Entry(update, redelivered=True))
            self._cond.notify_all()
        return update

    @property
    def requests(self) -> list[tuple[str, dict]]:
        with self._cond:
            return copy.deepcopy(self._requests)

    def calls(self, method: str) -> list[dict]:
        """The parameters of every call of ``method``, in order."""
        return [params for name, params in self.requests if name.lower() == method.lower()]

    def count(self, method: str) -> int:
        with self._cond:
            return sum(1 for name, _ in self._requests if name.lower() == method.lower())

    @property
    def errors(self) -> list[tuple[str, int, str]]:
        """(method, error_code, description) of every call answered with ok=false."""
        with self._cond:
            return list(self._errors)

    @property
    def webhook(self) -> dict | None:
        with self._cond:
            return dict(self._webhook) if self._webhook else None

    @property
    def deliveries(self) -> list[tuple[int, int]]:
        """(update_id, http_status) of every webhook delivery attempt; status 0 when the connection failed."""
        with self._cond:
            return list(self._deliveries)

    def pending(self) -> int:
        with self._cond:
            return len(self._pending)

    def wait_for_request(self, method: str, count: int = 1, timeout: float = 10.0) -> dict:
        """Block until the bot has called ``method`` ``count`` times; return the parameters of that call."""
        with self._cond:
            if not self._cond.wait_for(lambda: self.count(method) >= count, timeout):
                raise TimeoutError(f"{method} called {self.count(method)} times, not {count}, within {timeout}s")
            return copy.deepcopy(self.calls(method)[count - 1])

    async def await_request(self, method: str, count: int = 1, timeout: float = 10.0) -> dict:
        return await asyncio.to_thread(self.wait_for_request, method, count, timeout)

    def wait_idle(self, timeout: float = 10.0) -> None:
        """Block until no update is pending (all confirmed by getUpdates or delivered to the webhook)."""
        with self._cond:
            if not self._cond.wait_for(lambda: not self._pending, timeout):
                raise TimeoutError(f"{len(self._pending)} updates still pending after {timeout}s")

    # -- internals -----------------------------------------------------------------------------------------------
    def _enqueue(self, body: dict, user: FakeUser) -> dict:
        with self._cond:
            update = {"update_id": next(self._update_ids), **body}
            user._seq += 1
            user._last_action = user._seq
            self._pending.append(_Entry(copy.deepcopy(update)))
            self._cond.notify_all()
            return update

    def _dispatch(self, path: str, params: dict, content_type: str) -> tuple[int, dict]:
        if not path.startswith("/bot"):
            return 404, {"ok": False, "error_code": 404, "description": "Not Found"}
        token, _, method = path[len("/bot") :].partition("/")
        name, handler = self._methods.get(method.lower(), (method, None))
        try:
            if token != self.token:
                raise ApiError(401, "Unauthorized")
            if handler is None:
                raise ApiError(404, "Not Found: method not found")
            with self._cond:
                self._requests.append((name, copy.deepcopy(params)))
                self.content_types[content_type.split(";")[0].strip() or "(empty)"] += 1
                self._cond.notify_all()
            return 200, {"ok": True, "result": handler(params)}
        except ApiError as err:
            with self._cond:
                self._errors.append((name, err.code, err.description))
                self._cond.notify_all()
            return err.code, {"ok": False, "error_code": err.code, "description": err.description}

    def _chat(self, params: dict) -> FakeUser:
        if "chat_id" not in params:
            raise ApiError(400, "Bad Request: chat_id is empty")
        user = self._users.get(params["chat_id"])
        if user is None:
            raise ApiError(400, "Bad Request: chat not found")
        return user

    def _record(self, user: FakeUser, kind: str, message: dict) -> dict:
        user._seq += 1
        user._events.append({"seq": user._seq, "kind": kind, "message": copy.deepcopy(message)})
        self._cond.notify_all()
        return copy.deepcopy(message)

    @staticmethod
    def _check_text(params: dict) -> str:
        text = params.get("text")
        if not text:
            raise ApiError(400, "Bad Request: message text is empty")
        if _utf16_len(text) > MAX_TEXT:
            raise ApiError(400, "Bad Request: message is too long")
        return text

    def _api_getMe(self, params: dict) -> dict:
        flags = dict.fromkeys(("can_join_groups", "can_read_all_group_messages", "supports_inline_queries"), False)
        return {**self.bot_user, **flags}

    def _api_getUpdates(self, params: dict) -> list[dict]:
        offset, limit = params.get("offset"), max(1, min(int(params.get("limit") or 100), 100))
        timeout, allowed = float(params.get("timeout") or 0), params.get("allowed_updates") or []
        with self._cond:
            if self._webhook:
                raise ApiError(409, WEBHOOK_CONFLICT)
            if isinstance(offset, int) and offset < 0:
                self._pending = self._pending[offset:]
            elif isinstance(offset, int) and offset > 0:  # confirms every update below offset
                self._pending = [
                    e for e in self._pending if e.update_id >= offset or (e.redelivered and not e.handed_out)
                ]
                self._cond.notify_all()

            def visible() -> list[_Entry]:
                return [e for e in self._pending if not allowed or any(kind in e.update for kind in allowed)][:limit]

            self._cond.wait_for(lambda: visible() or self._stopped or self._webhook, timeout)
            entries = visible()
            for entry in entries:
                entry.handed_out = True
            return [copy.deepcopy(e.update) for e in entries]

    def _api_sendMessage(self, params: dict) -> dict:
        with self._cond:
            user, text = self._chat(params), self._check_text(params)
            message = {"message_id": next(user._next_message_id), "from": self.bot_user, "chat": user.chat}
            message.update(date=int(time.time()), text=text)
            if params.get("entities"):
                message["entities"] = params["entities"]
            markup = params.get("reply_markup")
            if _inline(markup):
                message["reply_markup"] = markup
            elif isinstance(markup, dict):
                user.keyboard = None if markup.get("remove_keyboard") else markup
            user._bot_messages[message["message_id"]] = message
            return self._record(user, "send", message)

    def _edit(self, params: dict, kind: str) -> dict:
        if "inline_message_id" in params:
            raise ApiError(400, "Bad Request: inline messages are not supported by the fake")
        with self._cond:
            user = self._chat(params)
            message = user._bot_messages.get(params.get("message_id"))
            if message is None:
                raise ApiError(400, "Bad Request: message to edit not found")
            text = self._check_text(params) if kind == "edit" else message.get("text")
            markup = _inline(params.get("reply_markup"))
            if text == message.get("text") and markup == message.get("reply_markup"):
                raise ApiError(400, NOT_MODIFIED)
            message.pop("reply_markup", None)
            message.update(
                {"text": text, "edit_date": int(time.time())}, **({"reply_markup": markup} if markup else {})
            )
            return self._record(user, kind, message)

    def _api_editMessageText(self, params: dict) -> dict:
        return self._edit(params, "edit")

    def _api_editMessageReplyMarkup(self, params: dict) -> dict:
        return self._edit(params, "markup")

    def _api_deleteMessage(self, params: dict) -> bool:
        with self._cond:
            user, message_id = self._chat(params), params.get("message_id")
            if user._bot_messages.pop(message_id, None) is None and message_id not in user._user_message_ids:
                raise ApiError(400, "Bad Request: message to delete not found")
            user._user_message_ids.discard(message_id)
            return True

    def _api_answerCallbackQuery(self, params: dict) -> bool:
        with self._cond:
            if params.get("callback_query_id") not in self._query_set:
                raise ApiError(400, "Bad Request: query is too old and response timeout expired or query ID is invalid")
            return True

    def _api_setMyCommands(self, params: dict) -> bool:
        with self._cond:
            self._commands = params.get("commands") or []
            return True

    def _api_deleteMyCommands(self, params: dict) -> bool:
        with self._cond:
            self._commands = []
            return True

    def _api_getMyCommands(self, params: dict) -> list:
        with self._cond:
            return copy.deepcopy(self._commands)

    def _true(self, params: dict) -> bool:
        return True

    _api_setChatMenuButton = _api_sendChatAction = _api_setMyDescription = _true
    _api_setMyShortDescription = _api_setMyName = _true

    def _api_setWebhook(self, params: dict) -> bool:
        with self._cond:
            if params.get("drop_pending_updates"):
                self._pending.clear()
            if not params.get("url"):
                self._webhook = None
            else:
                self._webhook = {"url": params["url"], "secret_token": params.get("secret_token")}
                for entry in self._pending:
                    entry.attempts, entry.next_try = 0, 0.0
            self._cond.notify_all()
            return True

    def _api_deleteWebhook(self, params: dict) -> bool:
        return self._api_setWebhook({"drop_pending_updates": params.get("drop_pending_updates")})

    def _api_getWebhookInfo(self, params: dict) -> dict:
        with self._cond:
            url = self._webhook["url"] if self._webhook else ""
            return {"url": url, "has_custom_certificate": False, "pending_update_count": len(self._pending)}

    # -- webhook delivery ----------------------------------------------------------------------------------------
    def _due(self) -> tuple[_Entry | None, float | None]:
        """The next update to POST (in order, skipping those that used up their attempts), or how long to wait."""
        if not self._webhook:
            return None, None
        for entry in self._pending:
            if entry.attempts < self.webhook_attempts:
                wait = entry.next_try - time.monotonic()
                return (entry, None) if wait <= 0 else (None, wait)
        return None, None

    def _deliver_loop(self) -> None:
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        while True:
            with self._cond:
                entry, wait = self._due()
                while entry is None and not self._stopped:
                    self._cond.wait(wait)
                    entry, wait = self._due()
                if self._stopped:
                    return
                url, secret = self._webhook["url"], self._webhook["secret_token"]
                entry.attempts += 1
            headers = {"Content-Type": "application/json"}
            if secret:
                headers["X-Telegram-Bot-Api-Secret-Token"] = secret
            request = urllib.request.Request(url, json.dumps(entry.update).encode(), headers, method="POST")
            try:
                with opener.open(request, timeout=self.webhook_timeout) as response:
                    status = response.status
            except urllib.error.HTTPError as err:
                status = err.code
            except (OSError, ValueError):
                status = 0
            with self._cond:
                self._deliveries.append((entry.update_id, status))
                if 200 <= status < 300:
                    self._pending = [e for e in self._pending if e is not entry]
                else:
                    entry.next_try = time.monotonic() + 0.05 * 2 ** (entry.attempts - 1)
                self._cond.notify_all()


@contextlib.contextmanager
def fake_telegram_server(token: str = TOKEN) -> Iterator[FakeTelegram]:
    """A started fake server, stopped on exit: ``with fake_telegram_server() as server: ...``."""
    with FakeTelegram(token) as server:
        yield server
