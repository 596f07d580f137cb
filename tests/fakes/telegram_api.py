"""A faithful fake of the Telegram Bot API: real HTTP on 127.0.0.1, the documented limits enforced.

The code under test talks to it through ``TELEGRAM_API_URL`` exactly as it talks to
api.telegram.org: ``POST /bot<token>/<method>`` with JSON, form-encoded or multipart bodies,
answers ``{"ok": true, "result": …}`` or ``{"ok": false, "error_code": …, "description": …,
"parameters": {"retry_after": …}}``.

What it enforces (from the Bot API documentation):

- the token (401 Unauthorized otherwise) and known methods (404 Not Found otherwise);
- sendMessage/editMessageText: text 1-4096 characters after entity parsing (UTF-16 units);
  ``parse_mode=HTML`` with only Telegram's tags, balanced, ``<``/``>``/``&`` escaped;
  editing to the same content is 400 "message is not modified";
- captions ≤ 1024 characters; sendPhoto: ≤ 10 MB, width + height ≤ 10000, ratio ≤ 20, a decodable
  image; albums keep photos at most 1280 px on the long side (as Telegram re-encodes them);
- sendMediaGroup: 2-10 items, documents only with documents, every ``attach://`` present in the
  upload, URLs cannot be fetched here (no internet), known file_ids reusable;
- inline keyboards: callback_data 1-64 bytes; answerCallbackQuery: a query answered at most once;
- answerInlineQuery: a query answered at most once; at most 50 results, ids 1-64 bytes and unique, an
  article with a title and ``input_message_content.message_text`` (as sendMessage's text), ``cache_time``
  a non-negative integer, ``is_personal`` a boolean, ``button`` with a text and a ``start_parameter`` of
  1-64 of A-Z, a-z, 0-9, _ and -; :meth:`TelegramUser.choose` then posts the chosen article's message
  (via the bot) and gives the ``chosen_inline_result`` update, whose ``inline_message_id`` (a result with
  a keyboard) editMessageText accepts;
- sendChatAction: the documented actions only;
- where a message goes: ``message_thread_id`` only to an existing topic of a forum supergroup (400
  "message thread not found" otherwise, as in any other chat); ``reply_parameters.message_id`` must be a
  message of that chat unless ``allow_sending_without_reply`` (400 "message to be replied not found");
  the stored message carries ``message_thread_id``/``is_topic_message`` and ``reply_to_message``;
- flood control: an injected 429 keeps answering 429 until ``retry_after`` seconds have passed on
  the fake's clock (pass a :class:`FakeClock` and let the client's sleep advance it);
- injected 5xx (JSON or an HTML gateway page) for any method (``"*"``: every method);
- a stall: answers arrive only after a delay (real time), so the client's timeout strikes;
- getUpdates: the updates Telegram holds for the bot (:meth:`FakeTelegram.queue_update`), from the
  earliest unconfirmed one; ``offset`` confirms (forgets) every update below it, a negative one keeps
  only the last ``-offset``; ``limit`` 1-100; ``timeout`` seconds of long polling (real seconds: it
  returns as soon as an update arrives); ``allowed_updates`` is remembered and filters the updates
  created after it (default: every kind but chat_member, message_reaction, message_reaction_count);
  409 while a webhook is set, and 409 to a long poll that a newer getUpdates replaced.
  deleteWebhook (``drop_pending_updates``) makes getUpdates usable;
- outages: :meth:`FakeTelegram.outage` makes it unreachable for a while on its clock (every
  connection closed without an answer, a network error to the client), and ``stop()`` then
  ``start(port=…)`` takes it down and brings it back on the same port (connections refused meanwhile).

Tests read what the chat would show: :meth:`FakeTelegram.chat`, :meth:`FakeTelegram.albums`, and
every call in :attr:`FakeTelegram.calls`. :class:`TelegramUser` plays a user: it builds the updates
Telegram would post to the webhook (messages, button taps, other update kinds); for a bot that polls,
hand them to :meth:`FakeTelegram.queue_update` instead.
"""

from __future__ import annotations

import io
import itertools
import json
import math
import re
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from html.parser import HTMLParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

DEFAULT_TOKEN = "7000001:AAFakeTelegramTokenForTests_0123456789"
BOT_USER = {"id": 7000001, "is_bot": True, "first_name": "Bible VibeCoder", "username": "BibleVibeCoderBot"}

MAX_TEXT, MAX_CAPTION, MAX_CALLBACK_DATA, MAX_CALLBACK_TEXT = 4096, 1024, 64, 200
MAX_INLINE_RESULTS = 50
MAX_PHOTO_BYTES, MAX_DOCUMENT_BYTES = 10 * 1024 * 1024, 50 * 1024 * 1024
PHOTO_MAX_SIDE = 1280  # Telegram's largest stored size of a photo
CHAT_ACTIONS = {"typing", "upload_photo", "record_video", "upload_video", "record_voice", "upload_voice",
                "upload_document", "choose_sticker", "find_location", "record_video_note", "upload_video_note"}
HTML_TAGS = {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code", "pre", "span",
             "tg-spoiler", "tg-emoji", "blockquote"}
JSON_PARAMS = {"media", "reply_markup", "entities", "caption_entities", "allowed_updates", "reply_parameters",
               "link_preview_options", "results", "button"}
NOT_MODIFIED = ("Bad Request: message is not modified: specified new message content and reply markup are "
                "exactly the same as a current content and reply markup of the message")
QUERY_TOO_OLD = "Bad Request: query is too old and response timeout expired or query ID is invalid"
NOT_BY_DEFAULT = {"chat_member", "message_reaction", "message_reaction_count"}  # allowed_updates' default
WEBHOOK_ACTIVE = ("Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the "
                  "webhook first")
POLL_REPLACED = "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


class FakeClock:
    """Seconds that pass only when someone sleeps: flood control without real waiting."""

    def __init__(self, start: float = 1_000.0):
        self.now = start
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


class ApiError(Exception):
    def __init__(self, code: int, description: str, parameters: dict | None = None, html: bool = False):
        super().__init__(description)
        self.code, self.description, self.parameters, self.html = code, description, parameters, html


@dataclass
class Upload:
    filename: str
    data: bytes
    content_type: str


@dataclass
class ApiCall:
    method: str
    params: dict[str, Any]
    files: dict[str, Upload]
    status: int
    response: Any
    at: float

    @property
    def ok(self) -> bool:
        return self.status == 200

    @property
    def result(self) -> Any:
        return self.response.get("result") if isinstance(self.response, dict) else None


@dataclass
class Fault:
    status: int
    description: str
    retry_after: int | None = None
    html: bool = False
    after: int = 0  # calls of the method that still succeed before this fault strikes


@dataclass
class ChatMessage:
    """A message as the chat shows it now (edits applied), with what it looked like before."""

    message: dict[str, Any]
    history: list[dict[str, Any]] = field(default_factory=list)
    deleted: bool = False

    def __getitem__(self, key: str) -> Any:
        return self.message[key]

    def get(self, key: str, default: Any = None) -> Any:
        return self.message.get(key, default)

    @property
    def id(self) -> int:
        return self.message["message_id"]

    @property
    def text(self) -> str:
        return self.message.get("text") or self.message.get("caption") or ""

    @property
    def from_bot(self) -> bool:
        return self.message.get("from", {}).get("id") == BOT_USER["id"]

    @property
    def buttons(self) -> list[dict[str, Any]]:
        keyboard = (self.message.get("reply_markup") or {}).get("inline_keyboard") or []
        return [button for row in keyboard for button in row]

    @property
    def texts(self) -> list[str]:
        """Every text the message showed, oldest first (the status message's progress)."""
        return [m.get("text") or m.get("caption") or "" for m in self.history] + [self.text]


class _EntityParser(HTMLParser):
    """Telegram's HTML parse mode: known tags only, balanced, ``<`` and ``&`` escaped; returns the plain text."""

    ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.stack: list[str] = []
        self.plain: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag not in HTML_TAGS:
            raise ApiError(400, f"Bad Request: can't parse entities: Unsupported start tag \"{tag}\"")
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            raise ApiError(400, f"Bad Request: can't parse entities: Unmatched end tag \"{tag}\"")
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        if "<" in data or "&" in data:
            raise ApiError(400, "Bad Request: can't parse entities: Unsupported start tag or unescaped character")
        self.plain.append(data)

    def handle_entityref(self, name: str) -> None:
        if name not in self.ENTITIES:
            raise ApiError(400, f"Bad Request: can't parse entities: Unsupported HTML entity \"&{name};\"")
        self.plain.append(self.ENTITIES[name])

    def handle_charref(self, name: str) -> None:
        self.plain.append(chr(int(name[1:], 16) if name[:1] in "xX" else int(name)))

    @classmethod
    def plain_text(cls, text: str) -> str:
        parser = cls()
        parser.feed(text)
        parser.close()
        if parser.stack:
            raise ApiError(400, "Bad Request: can't parse entities: Can't find end tag corresponding to start tag")
        return "".join(parser.plain)


class FakeTelegram:
    def __init__(self, token: str = DEFAULT_TOKEN, clock: Callable[[], float] | None = None):
        self.token = token
        self.clock = clock or time.monotonic
        self.calls: list[ApiCall] = []
        self.chats: dict[int, list[ChatMessage]] = {}
        self.files: dict[str, bytes] = {}  # file_id → content
        self.profile_photos: dict[int, list[list[dict[str, Any]]]] = {}  # user id → photos (sizes), newest first
        self._file_paths: dict[str, str] = {}  # getFile's file_path → file_id
        self.chat_actions: list[tuple[int, str]] = []
        self.callback_answers: dict[str, dict[str, Any]] = {}
        self.inline_answers: dict[str, dict[str, Any]] = {}  # inline query id → answerInlineQuery's params
        self.inline_messages: dict[str, ChatMessage] = {}  # inline_message_id → the message sent via the bot
        self.known_chats: dict[int, dict[str, Any]] = {}  # chat id → the chat as users' messages showed it
        self.topics: dict[int, set[int]] = {}  # forum chat id → its topics' message_thread_id
        self.webhook: dict[str, Any] = {}
        self.pending_updates: list[dict[str, Any]] = []  # held for getUpdates until confirmed
        self.allowed_updates: list[str] = []  # the bot's setting ([] = the default kinds)
        self.waiting_polls = 0  # getUpdates calls waiting for an update right now
        self._faults: dict[str, deque[Fault]] = {}
        self.stall_seconds = 0.0  # every answer waits this long (outside the lock): the client times out
        self._flood_until: dict[str, float] = {}
        self._queries: dict[str, bool] = {}  # callback query id → answered
        self._message_ids = itertools.count(1)
        self._update_ids = itertools.count(500_000)
        self._file_ids = itertools.count(1)
        self._groups = itertools.count(13_000_000_000_000_000)
        self._lock = threading.RLock()
        self._changed = threading.Condition(self._lock)  # every call, queued update and waiting poll
        self._poll_generation = 0
        self._closing = False
        self._server: ThreadingHTTPServer | None = None
        self._down_until: float | None = None
        self.unanswered: list[tuple[str, float]] = []  # (method, clock) of each request an outage dropped

    # --- lifecycle ------------------------------------------------------------------------------

    def start(self, port: int = 0) -> FakeTelegram:
        """Listen on 127.0.0.1 (``port`` 0: any free one; a port it had before: back after ``stop()``)."""
        self._closing = False
        self._server = ThreadingHTTPServer(("127.0.0.1", port), self._handler_class())
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, name="fake-telegram", daemon=True).start()
        return self

    def stop(self) -> None:
        with self._changed:  # long polls in flight end now
            self._closing = True
            self._changed.notify_all()
        if self._server:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FakeTelegram:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    @property
    def api_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    # --- fault injection ------------------------------------------------------------------------

    def outage(self, seconds: float) -> None:
        """Unreachable for ``seconds`` from now on the fake's clock: each request in that time has its
        connection closed without an answer, as when api.telegram.org cannot be reached."""
        with self._lock:
            self._down_until = self.clock() + seconds

    def _unreachable(self, path: str) -> bool:
        with self._lock:
            if self._down_until is None or self.clock() >= self._down_until:
                return False
            self.unanswered.append((path.rsplit("/", 1)[-1], self.clock()))
            return True

    def fail(self, method: str, status: int, *, times: int = 1, retry_after: int | None = None,
             description: str | None = None, html: bool = False, after: int = 0) -> None:
        """The next ``times`` calls of ``method`` (after ``after`` more successful ones) answer ``status``.

        ``method="*"`` applies to every method without faults of its own. A 429 starts flood control:
        the method keeps answering 429 until ``retry_after`` has passed.
        """
        if status == 429 and retry_after is None:
            retry_after = 3
        default = {429: f"Too Many Requests: retry after {retry_after}", 500: "Internal Server Error",
                   502: "Bad Gateway", 503: "Service Unavailable", 400: "Bad Request", 403: "Forbidden: bot was "
                   "blocked by the user"}.get(status, "Error")
        with self._lock:
            queue = self._faults.setdefault(method, deque())
            for i in range(times):
                queue.append(Fault(status, description or default, retry_after, html, after if i == 0 else 0))

    def stall(self, seconds: float) -> None:
        """Answer every request only after ``seconds`` (real time); 0 ends the stall."""
        self.stall_seconds = seconds

    def recover(self) -> None:
        """Drop every injected fault and stall (flood control already started keeps its clock)."""
        with self._lock:
            self._faults.clear()
        self.stall_seconds = 0.0

    # --- what the chat shows --------------------------------------------------------------------

    def calls_of(self, method: str | None = None, *, ok: bool | None = True) -> list[ApiCall]:
        with self._lock:
            return [c for c in self.calls if (method is None or c.method == method) and (ok is None or c.ok == ok)]

    def chat(self, chat_id: int, *, from_bot: bool = True) -> list[ChatMessage]:
        """The chat's messages now (deleted ones left out), oldest first."""
        with self._lock:
            return [m for m in self.chats.get(chat_id, []) if not m.deleted and (m.from_bot or not from_bot)]

    def message(self, chat_id: int, message_id: int) -> ChatMessage:
        with self._lock:
            return next(m for m in self.chats.get(chat_id, []) if m.id == message_id)

    def albums(self, chat_id: int, kind: str | None = "photo") -> list[list[ChatMessage]]:
        """The media groups in the chat, each a list of its messages; ``kind`` = photo, document or None."""
        groups: dict[str, list[ChatMessage]] = {}
        for m in self.chat(chat_id):
            if m.get("media_group_id") and (kind is None or kind in m.message):
                groups.setdefault(m["media_group_id"], []).append(m)
        return list(groups.values())

    def next_update_id(self) -> int:
        return next(self._update_ids)

    def wait_until(self, condition: Callable[[], Any], timeout: float = 30.0) -> Any:
        """Block until ``condition()`` is truthy (checked after every call and queued update); its value."""
        with self._changed:
            if not self._changed.wait_for(condition, timeout):
                raise AssertionError(f"still not true after {timeout} s: {condition}")
            return condition()

    # --- the user side --------------------------------------------------------------------------

    def record_user_message(self, chat: dict[str, Any], sender: dict[str, Any] | None, **content: Any) -> dict:
        with self._lock:
            self.known_chats[chat["id"]] = chat
            message = {"message_id": next(self._message_ids), "date": int(time.time()), "chat": chat, **content}
            if sender is not None:
                message["from"] = sender
            self.chats.setdefault(chat["id"], []).append(ChatMessage(message))
            return message

    def create_forum_topic(self, chat: dict[str, Any], sender: dict[str, Any], name: str) -> int:
        """A member opens a topic in a forum supergroup; its message_thread_id (the id of the service
        message that created it, as at Telegram)."""
        if not chat.get("is_forum"):
            raise AssertionError(f"chat {chat['id']} is not a forum")
        created = self.record_user_message(chat, sender, forum_topic_created={"name": name, "icon_color": 7322096})
        with self._lock:
            thread_id = created["message_id"]
            created |= {"message_thread_id": thread_id, "is_topic_message": True}
            self.topics.setdefault(chat["id"], set()).add(thread_id)
            return thread_id

    def queue_update(self, update: dict[str, Any]) -> dict[str, Any]:
        """Telegram holds ``update`` for the bot (a user did something); getUpdates hands it out. An update
        of a kind ``allowed_updates`` excludes is never created, as at Telegram."""
        kind = next(key for key in update if key != "update_id")
        with self._changed:
            if kind in self.allowed_updates or (not self.allowed_updates and kind not in NOT_BY_DEFAULT):
                self.pending_updates.append(update)
                self._changed.notify_all()
        return update

    def open_callback_query(self) -> str:
        with self._lock:
            query_id = str(next(self._file_ids) * 7919 + 4_000_000_000)
            self._queries[query_id] = False
            return query_id

    # --- the HTTP server ------------------------------------------------------------------------

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _handle(self) -> None:
                if fake.stall_seconds:
                    time.sleep(fake.stall_seconds)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                if fake._unreachable(self.path):
                    self.close_connection = True  # no status line at all: the client sees a dropped connection
                    return
                status, payload, content_type = fake.handle_http(
                    self.command, self.path, self.headers.get("Content-Type", ""), body)
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", content_type)
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):  # the client gave up (a timeout, an abandoned long poll)
                    self.close_connection = True

            do_GET = do_POST = _handle

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
                pass

        return Handler

    def handle_http(self, verb: str, path: str, content_type: str, body: bytes) -> tuple[int, bytes, str]:
        parts = urlsplit(path)
        download = re.fullmatch(r"/file/bot(?P<token>[^/]+)/(?P<path>.+)", parts.path)
        if download:  # a file getFile named: the bytes, or 404 (a wrong token too, as Telegram answers)
            with self._lock:
                self.calls.append(ApiCall("download", {"file_path": download["path"]}, {}, 200, None, self.clock()))
                file_id = self._file_paths.get(download["path"]) if download["token"] == self.token else None
            if file_id is None:
                return 404, b'{"ok":false,"error_code":404,"description":"Not Found"}', "application/json"
            return 200, self.files[file_id], "application/octet-stream"
        found = re.fullmatch(r"/bot(?P<token>[^/]+)/(?P<method>[A-Za-z]+)", parts.path)
        method = found["method"] if found else parts.path
        params: dict[str, Any] = dict(parse_qsl(parts.query))
        files: dict[str, Upload] = {}
        with self._lock:
            try:
                if not found:
                    raise ApiError(404, "Not Found")
                if found["token"] != self.token:
                    raise ApiError(401, "Unauthorized")
                params, files = self._parse_body(params, content_type, body)
                self._fault_or_flood(method)
                handler = getattr(self, f"_api_{method}", None)
                if handler is None:
                    raise ApiError(404, "Not Found")
                result = handler(params, files)
                status, response = 200, {"ok": True, "result": result}
            except ApiError as error:
                status = error.code
                response = {"ok": False, "error_code": error.code, "description": error.description}
                if error.parameters:
                    response["parameters"] = error.parameters
                if error.html:
                    response = f"<html><head><title>{error.code} {error.description}</title></head></html>"
            self.calls.append(ApiCall(method, params, files, status, response, self.clock()))
            self._changed.notify_all()
        if isinstance(response, str):
            return status, response.encode(), "text/html"
        return status, json.dumps(response, ensure_ascii=False).encode(), "application/json"

    @staticmethod
    def _parse_body(params: dict[str, Any], content_type: str, body: bytes) -> tuple[dict, dict[str, Upload]]:
        files: dict[str, Upload] = {}
        if body and content_type.startswith("application/json"):
            try:
                decoded = json.loads(body)
            except ValueError:
                raise ApiError(400, "Bad Request: can't parse JSON") from None
            if not isinstance(decoded, dict):
                raise ApiError(400, "Bad Request: request body must be a JSON object")
            params.update(decoded)
        elif body and content_type.startswith("application/x-www-form-urlencoded"):
            params.update(parse_qsl(body.decode()))
        elif body and content_type.startswith("multipart/form-data"):
            parsed = BytesParser(policy=HTTP).parsebytes(f"Content-Type: {content_type}\r\n\r\n".encode() + body)
            for part in parsed.iter_parts():
                name = part.get_param("name", header="content-disposition")
                data = part.get_payload(decode=True) or b""
                if part.get_filename() is not None:
                    files[name] = Upload(part.get_filename(), data, part.get_content_type())
                else:
                    params[name] = data.decode("utf-8")
        for name in JSON_PARAMS & set(params):
            if isinstance(params[name], str):
                try:
                    params[name] = json.loads(params[name])
                except ValueError:
                    raise ApiError(400, f"Bad Request: can't parse {name} JSON object") from None
        return params, files

    def _fault_or_flood(self, method: str) -> None:
        until = self._flood_until.get(method)
        if until is not None and self.clock() < until:
            wait = math.ceil(until - self.clock())
            raise ApiError(429, f"Too Many Requests: retry after {wait}", {"retry_after": wait})
        queue = self._faults.get(method) or self._faults.get("*")
        if queue and queue[0].after > 0:
            queue[0].after -= 1
        elif queue:
            fault = queue.popleft()
            parameters = None
            if fault.status == 429:
                self._flood_until[method] = self.clock() + fault.retry_after
                parameters = {"retry_after": fault.retry_after}
            raise ApiError(fault.status, fault.description, parameters, fault.html)

    # --- validation helpers ---------------------------------------------------------------------

    def _chat_id(self, params: dict) -> int:
        value = params.get("chat_id")
        if value in (None, ""):
            raise ApiError(400, "Bad Request: chat_id is empty")
        try:
            return int(value)
        except (TypeError, ValueError):
            raise ApiError(400, "Bad Request: chat not found") from None

    @staticmethod
    def _plain(text: str, parse_mode: str | None) -> str:
        if parse_mode is None:
            return text
        if parse_mode != "HTML":
            raise ApiError(400, f"Bad Request: unsupported parse_mode {parse_mode!r} in this fake")
        return _EntityParser.plain_text(text)

    def _text(self, params: dict) -> str:
        text = params.get("text")
        if not isinstance(text, str) or not text.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        plain = self._plain(text, params.get("parse_mode"))
        if not plain.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if utf16_len(plain) > MAX_TEXT:
            raise ApiError(400, "Bad Request: message is too long")
        return plain

    def _caption(self, caption: Any, parse_mode: str | None) -> str | None:
        if caption in (None, ""):
            return None
        plain = self._plain(str(caption), parse_mode)
        if utf16_len(plain) > MAX_CAPTION:
            raise ApiError(400, "Bad Request: message caption is too long")
        return plain

    @staticmethod
    def _markup(params: dict) -> dict | None:
        markup = params.get("reply_markup")
        if markup is None:
            return None
        if not isinstance(markup, dict):
            raise ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")
        if "inline_keyboard" in markup:
            rows = markup["inline_keyboard"]
            if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
                raise ApiError(400, "Bad Request: field \"inline_keyboard\" of the InlineKeyboardMarkup must be an Array")
            for button in (b for row in rows for b in row):
                if not isinstance(button, dict) or not button.get("text"):
                    raise ApiError(400, "Bad Request: can't parse inline keyboard button: Text buttons are "
                                        "unallowed in the inline keyboard")
                data = button.get("callback_data")
                if data is not None and not 1 <= len(str(data).encode()) <= MAX_CALLBACK_DATA:
                    raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
                if data is None and not button.get("url"):
                    raise ApiError(400, "Bad Request: can't parse inline keyboard button: InlineKeyboardButton "
                                        "must have exactly one optional field")
        return markup

    def _placement(self, params: dict, chat_id: int) -> dict[str, Any]:
        """``message_thread_id`` and ``reply_parameters`` checked as Telegram does; what the stored message
        then carries."""
        placed: dict[str, Any] = {}
        thread = params.get("message_thread_id")
        if thread not in (None, ""):
            thread = _integer(params, "message_thread_id", 0)
            forum = self.known_chats.get(chat_id, {}).get("is_forum")
            if not forum or thread not in self.topics.get(chat_id, set()):
                raise ApiError(400, "Bad Request: message thread not found")
            placed |= {"message_thread_id": thread, "is_topic_message": True}
        reply = params.get("reply_parameters")
        if reply is not None:
            if not isinstance(reply, dict) or "message_id" not in reply:
                raise ApiError(400, "Bad Request: can't parse reply parameters JSON object")
            target_chat = self._chat_id({"chat_id": reply.get("chat_id", chat_id)})
            target = next((m for m in self.chats.get(target_chat, []) if m.id == _integer(reply, "message_id", 0)
                           and not m.deleted), None)
            if target is not None:
                placed["reply_to_message"] = {k: v for k, v in target.message.items() if k != "reply_to_message"}
            elif not reply.get("allow_sending_without_reply"):
                raise ApiError(400, "Bad Request: message to be replied not found")
        return placed

    def _store(self, chat_id: int, **content: Any) -> dict:
        known = self.known_chats.get(chat_id, {})
        chat = {"id": chat_id, "type": known.get("type") or ("private" if chat_id > 0 else "supergroup")}
        message = {"message_id": next(self._message_ids), "from": BOT_USER, "chat": chat | (
                   {"is_forum": True} if known.get("is_forum") else {}), "date": int(time.time()),
                   **{k: v for k, v in content.items() if v is not None}}
        self.chats.setdefault(chat_id, []).append(ChatMessage(message))
        return message

    def _bot_message(self, params: dict) -> ChatMessage:
        if params.get("inline_message_id") not in (None, ""):  # a message sent via the bot (inline mode)
            found = self.inline_messages.get(str(params["inline_message_id"]))
            if found is None:
                raise ApiError(400, "Bad Request: MESSAGE_ID_INVALID")
            return found
        chat_id = self._chat_id(params)
        try:
            message_id = int(params.get("message_id"))
        except (TypeError, ValueError):
            raise ApiError(400, "Bad Request: message identifier is not specified") from None
        for m in self.chats.get(chat_id, []):
            if m.id == message_id and not m.deleted:
                if not m.from_bot:
                    raise ApiError(400, "Bad Request: message can't be edited")
                return m
        raise ApiError(400, "Bad Request: message to edit not found")

    def _input_file(self, value: Any, files: dict[str, Upload], field_name: str) -> tuple[str, bytes, str | None]:
        """An InputFile parameter: an upload (as the field itself or attach://name) or a known file_id."""
        if isinstance(value, str) and value.startswith("attach://"):
            upload = files.get(value.removeprefix("attach://"))
            if upload is None:
                raise ApiError(400, f"Bad Request: file must be non-empty: no attachment {value!r} in the request")
        elif value is None and field_name in files:
            upload = files[field_name]
        elif isinstance(value, str) and value.startswith(("http://", "https://")):
            raise ApiError(400, "Bad Request: failed to get HTTP URL content")
        elif isinstance(value, str) and value in self.files:
            return value, self.files[value], None
        else:
            raise ApiError(400, "Bad Request: wrong remote file identifier specified: Wrong string length")
        if not upload.data:
            raise ApiError(400, "Bad Request: file must be non-empty")
        file_id = f"FAKE{next(self._file_ids):06d}"
        self.files[file_id] = upload.data
        return file_id, upload.data, upload.filename

    def _photo(self, file_id: str, data: bytes) -> list[dict[str, Any]]:
        from PIL import Image, UnidentifiedImageError

        if len(data) > MAX_PHOTO_BYTES:
            raise ApiError(400, "Bad Request: PHOTO_SAVE_FILE_INVALID (photo is larger than 10 MB)")
        try:
            with Image.open(io.BytesIO(data)) as image:
                width, height = image.size
        except (UnidentifiedImageError, OSError):
            raise ApiError(400, "Bad Request: IMAGE_PROCESS_FAILED") from None
        if width + height > 10_000 or max(width, height) / max(min(width, height), 1) > 20:
            raise ApiError(400, "Bad Request: PHOTO_INVALID_DIMENSIONS")
        scale = min(1.0, PHOTO_MAX_SIDE / max(width, height))
        sizes = []
        for side in (90, 320, 800, PHOTO_MAX_SIDE):
            s = min(1.0, side / max(width, height))
            if s <= scale:
                sizes.append({"file_id": f"{file_id}_{side}", "file_unique_id": f"u{file_id}_{side}",
                              "width": round(width * s), "height": round(height * s)})
        return sizes

    def _media_content(self, item: dict[str, Any], files: dict[str, Upload]) -> dict[str, Any]:
        """An InputMedia's file as the message carries it: a photo's sizes, or the document (video, audio)."""
        field_name = str(item.get("media", "")).removeprefix("attach://")
        file_id, data, filename = self._input_file(item.get("media"), files, field_name)
        if item["type"] == "photo":
            return {"photo": self._photo(file_id, data)}
        upload = files.get(field_name)
        return {item["type"]: self._document(file_id, data, filename, upload.content_type if upload else None)}

    def _document(self, file_id: str, data: bytes, filename: str | None, content_type: str | None) -> dict:
        if len(data) > MAX_DOCUMENT_BYTES:
            raise ApiError(400, "Bad Request: file is too big")
        return {"file_id": file_id, "file_unique_id": f"u{file_id}", "file_name": filename or "document",
                "mime_type": content_type or "application/octet-stream", "file_size": len(data)}

    def user_file(self, data: bytes, *, photo: bool = True) -> list[dict[str, Any]] | dict[str, Any]:
        """A file as a user's message carries it (a photo's sizes, or a document), downloadable by the bot."""
        file_id = f"USER{next(self._file_ids):06d}"
        self.files[file_id] = data
        if not photo:
            return {"file_id": file_id, "file_unique_id": f"u{file_id}", "file_name": "logo.png",
                    "mime_type": "image/png", "file_size": len(data)}
        try:
            sizes = self._photo(file_id, data)
        except ApiError:  # not an image: Telegram would not have made it a photo, but the test wants the bytes
            sizes = [{"file_id": f"{file_id}_90", "file_unique_id": f"u{file_id}", "width": 90, "height": 90}]
        for size in sizes:
            self.files[size["file_id"]] = data
        return sizes

    def set_profile_photo(self, user_id: int, data: bytes) -> None:
        """The user's newest profile photo (getUserProfilePhotos answers its sizes, smallest first)."""
        self.profile_photos.setdefault(user_id, []).insert(0, self.user_file(data))

    # --- methods --------------------------------------------------------------------------------

    def _api_getUserProfilePhotos(self, params: dict, files: dict) -> dict:
        user_id, offset, limit = (_integer(params, name, default) for name, default in
                                  (("user_id", 0), ("offset", 0), ("limit", 100)))
        if user_id <= 0:
            raise ApiError(400, "Bad Request: user not found")
        if not 1 <= limit <= 100:
            raise ApiError(400, "Bad Request: limit must be between 1 and 100")
        photos = self.profile_photos.get(user_id, [])
        return {"total_count": len(photos), "photos": photos[offset:offset + limit]}

    def _api_getFile(self, params: dict, files: dict) -> dict:
        file_id = str(params.get("file_id", ""))
        if file_id not in self.files:
            raise ApiError(400, "Bad Request: invalid file_id")
        if len(self.files[file_id]) > 20 * 1024 * 1024:
            raise ApiError(400, "Bad Request: file is too big")
        path = f"files/{file_id}"
        self._file_paths[path] = file_id
        return {"file_id": file_id, "file_unique_id": f"u{file_id}", "file_size": len(self.files[file_id]),
                "file_path": path}

    def _api_editMessageMedia(self, params: dict, files: dict) -> dict:
        target = self._bot_message(params)
        media = params.get("media")
        if not isinstance(media, dict) or media.get("type") not in ("photo", "document", "video", "animation", "audio"):
            raise ApiError(400, "Bad Request: can't parse InputMedia JSON object")
        old_kind = next((kind for kind in ("photo", "document", "video", "animation", "audio") if kind in target.message),
                        None)
        if old_kind is None:
            raise ApiError(400, "Bad Request: there is no media in the message to edit")
        if target.get("media_group_id") and (media["type"] == "document") != (old_kind == "document"):
            raise ApiError(400, "Bad Request: can't change the media type of an album item")
        content = self._media_content(media, files)
        caption = self._caption(media.get("caption"), media.get("parse_mode"))
        if content.get("photo") == target.get("photo") and caption == target.get("caption") \
                and self._markup(params) == target.get("reply_markup"):
            raise ApiError(400, NOT_MODIFIED)
        target.history.append(dict(target.message))
        kept = {k: v for k, v in target.message.items() if k not in (old_kind, "caption", "reply_markup")}
        target.message = kept | content | {"edit_date": int(time.time())} | ({"caption": caption} if caption else {}) \
            | ({"reply_markup": self._markup(params)} if self._markup(params) else {})
        return target.message


    def _api_getMe(self, params: dict, files: dict) -> dict:
        return dict(BOT_USER, can_join_groups=True, can_read_all_group_messages=False, supports_inline_queries=False)

    def _api_setWebhook(self, params: dict, files: dict) -> bool:
        secret = params.get("secret_token")
        if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", str(secret)):
            raise ApiError(400, "Bad Request: secret token contains unallowed characters")
        self.webhook = {"url": params.get("url", ""), "secret_token": secret,
                        "allowed_updates": params.get("allowed_updates")}
        return True

    def _api_getWebhookInfo(self, params: dict, files: dict) -> dict:
        return {"url": self.webhook.get("url", ""), "has_custom_certificate": False,
                "pending_update_count": len(self.pending_updates)}

    def _api_deleteWebhook(self, params: dict, files: dict) -> bool:
        self.webhook = {}
        if params.get("drop_pending_updates") in (True, "true", "True", "1"):
            self.pending_updates.clear()
        return True

    def _api_getUpdates(self, params: dict, files: dict) -> list[dict]:
        if self.webhook.get("url"):
            raise ApiError(409, WEBHOOK_ACTIVE)
        offset, limit, timeout = (_integer(params, name, default) for name, default in
                                  (("offset", 0), ("limit", 100), ("timeout", 0)))
        allowed = params.get("allowed_updates")
        if allowed is not None:
            if not isinstance(allowed, list) or not all(isinstance(kind, str) for kind in allowed):
                raise ApiError(400, "Bad Request: can't parse allowed_updates JSON array")
            self.allowed_updates = list(allowed)
        if offset > 0:  # everything below offset is confirmed: Telegram forgets it
            self.pending_updates = [u for u in self.pending_updates if u["update_id"] >= offset]
        elif offset < 0:
            self.pending_updates = self.pending_updates[offset:]
        self._poll_generation += 1
        generation, deadline = self._poll_generation, time.monotonic() + max(timeout, 0)
        while not self.pending_updates and not self._closing and time.monotonic() < deadline:
            self.waiting_polls += 1
            self._changed.notify_all()
            try:
                self._changed.wait(deadline - time.monotonic())  # releases the lock while it waits
            finally:
                self.waiting_polls -= 1
            if generation != self._poll_generation:
                raise ApiError(409, POLL_REPLACED)
        return self.pending_updates[:min(max(limit, 1), 100)]

    def _api_sendMessage(self, params: dict, files: dict) -> dict:
        chat_id, text = self._chat_id(params), self._text(params)
        return self._store(chat_id, text=text, reply_markup=self._markup(params), **self._placement(params, chat_id))

    def _api_editMessageText(self, params: dict, files: dict) -> dict:
        target = self._bot_message(params)
        if "text" not in target.message:
            raise ApiError(400, "Bad Request: there is no text in the message to edit")
        text, markup = self._text(params), self._markup(params)
        if text == target.message.get("text") and markup == target.message.get("reply_markup"):
            raise ApiError(400, NOT_MODIFIED)
        target.history.append(dict(target.message))
        target.message = {k: v for k, v in target.message.items() if k != "reply_markup"} | {
            "text": text, "edit_date": int(time.time())} | ({"reply_markup": markup} if markup else {})
        return target.message

    def _api_editMessageReplyMarkup(self, params: dict, files: dict) -> dict:
        target = self._bot_message(params)
        markup = self._markup(params)
        if markup == target.message.get("reply_markup"):
            raise ApiError(400, NOT_MODIFIED)
        target.history.append(dict(target.message))
        target.message = {k: v for k, v in target.message.items() if k != "reply_markup"} | (
            {"reply_markup": markup} if markup else {})
        return target.message

    def _api_deleteMessage(self, params: dict, files: dict) -> bool:
        chat_id, message_id = self._chat_id(params), int(params.get("message_id", 0))
        for m in self.chats.get(chat_id, []):
            if m.id == message_id and not m.deleted:
                m.deleted = True
                return True
        raise ApiError(400, "Bad Request: message to delete not found")

    def _api_sendChatAction(self, params: dict, files: dict) -> bool:
        chat_id, action = self._chat_id(params), params.get("action")
        if action not in CHAT_ACTIONS:
            raise ApiError(400, "Bad Request: wrong parameter action in request")
        self._placement({"message_thread_id": params.get("message_thread_id")}, chat_id)
        self.chat_actions.append((chat_id, action))
        return True

    def _api_sendPhoto(self, params: dict, files: dict) -> dict:
        chat_id = self._chat_id(params)
        caption = self._caption(params.get("caption"), params.get("parse_mode"))
        file_id, data, _ = self._input_file(params.get("photo"), files, "photo")
        return self._store(chat_id, photo=self._photo(file_id, data), caption=caption,
                           reply_markup=self._markup(params), **self._placement(params, chat_id))

    def _api_sendDocument(self, params: dict, files: dict) -> dict:
        chat_id = self._chat_id(params)
        caption = self._caption(params.get("caption"), params.get("parse_mode"))
        value = params.get("document")
        file_id, data, filename = self._input_file(value, files, "document")
        upload = files.get(value.removeprefix("attach://")) if isinstance(value, str) else files.get("document")
        document = self._document(file_id, data, filename, upload.content_type if upload else None)
        return self._store(chat_id, document=document, caption=caption, reply_markup=self._markup(params),
                           **self._placement(params, chat_id))

    def _api_sendMediaGroup(self, params: dict, files: dict) -> list[dict]:
        chat_id = self._chat_id(params)
        media = params.get("media")
        if not isinstance(media, list):
            raise ApiError(400, "Bad Request: can't parse media JSON object")
        if len(media) < 2:
            raise ApiError(400, "Bad Request: media must include 2-10 items")
        if len(media) > 10:
            raise ApiError(400, "Bad Request: too many media in the album (media must include 2-10 items)")
        kinds = {item.get("type") if isinstance(item, dict) else None for item in media}
        if not kinds <= {"photo", "video", "document", "audio"}:
            raise ApiError(400, "Bad Request: unsupported media type in the album")
        for single in ("document", "audio"):
            if single in kinds and len(kinds) > 1:
                raise ApiError(400, f"Bad Request: {single} can't be mixed with other media types")
        prepared = []
        for item in media:
            caption = self._caption(item.get("caption"), item.get("parse_mode"))
            prepared.append((self._media_content(item, files), caption))
        group_id, placement = str(next(self._groups)), self._placement(params, chat_id)
        return [self._store(chat_id, media_group_id=group_id, caption=caption, **content, **placement)
                for content, caption in prepared]

    def _api_answerInlineQuery(self, params: dict, files: dict) -> bool:
        query_id = str(params.get("inline_query_id", ""))
        if query_id not in self.inline_answers or self.inline_answers[query_id]:
            raise ApiError(400, QUERY_TOO_OLD)
        results = params.get("results")
        if isinstance(results, str):
            try:
                results = json.loads(results)
            except ValueError:
                raise ApiError(400, "Bad Request: can't parse inline query results JSON object") from None
        if not isinstance(results, list):
            raise ApiError(400, "Bad Request: can't parse inline query results JSON object")
        if len(results) > MAX_INLINE_RESULTS:
            raise ApiError(400, "Bad Request: RESULTS_TOO_MUCH")
        ids = [str(r.get("id", "")) if isinstance(r, dict) else "" for r in results]
        if any(not 1 <= len(i.encode()) <= 64 for i in ids):
            raise ApiError(400, "Bad Request: RESULT_ID_INVALID")
        if len(set(ids)) != len(ids):
            raise ApiError(400, "Bad Request: RESULT_ID_DUPLICATE")
        for result in results:
            if result.get("type") != "article":
                raise ApiError(400, f"Bad Request: result type {result.get('type')!r} is not supported by this fake")
            if not str(result.get("title") or "").strip():
                raise ApiError(400, "Bad Request: RESULT_TITLE_EMPTY")
            content = result.get("input_message_content")
            if not isinstance(content, dict) or "message_text" not in content:
                raise ApiError(400, "Bad Request: can't parse InputMessageContent: field \"message_text\" "
                                    "must be of type String")
            self._text({"text": content["message_text"], "parse_mode": content.get("parse_mode")})
            self._markup({"reply_markup": result.get("reply_markup")})
        cache_time = params.get("cache_time", 300)
        if isinstance(cache_time, bool) or not str(cache_time).isdigit():
            raise ApiError(400, "Bad Request: wrong parameter cache_time specified")
        if params.get("is_personal") not in (None, True, False, "true", "false"):
            raise ApiError(400, "Bad Request: wrong parameter is_personal specified")
        button = params.get("button")
        if button is not None:
            if not isinstance(button, dict) or not str(button.get("text") or "").strip():
                raise ApiError(400, "Bad Request: can't parse InlineQueryResultsButton JSON object")
            start = button.get("start_parameter")
            if "web_app" not in button and not (isinstance(start, str) and re.fullmatch(r"[A-Za-z0-9_-]{1,64}", start)):
                raise ApiError(400, "Bad Request: START_PARAM_INVALID")
        self.inline_answers[query_id] = dict(params, results=results)
        return True

    def open_inline_query(self) -> str:
        with self._lock:
            query_id = str(next(self._file_ids) * 7907 + 5_000_000_000)
            self.inline_answers[query_id] = {}
            return query_id

    def send_via_bot(self, chat: dict[str, Any], sender: dict[str, Any], result: dict[str, Any]) -> str | None:
        """The user chose ``result``: its message appears in ``chat`` from the user, via the bot. Returns the
        inline_message_id Telegram reports when the result carries an inline keyboard."""
        content = result["input_message_content"]
        shown = self._text({"text": content["message_text"], "parse_mode": content.get("parse_mode")})
        markup = result.get("reply_markup")
        message = self.record_user_message(chat, sender, text=shown, via_bot=BOT_USER,
                                           **({"reply_markup": markup} if markup else {}))
        if not markup:
            return None
        inline_id = f"AgAAA{message['message_id']:08d}"
        with self._lock:
            self.inline_messages[inline_id] = next(m for m in self.chats[chat["id"]] if m.id == message["message_id"])
        return inline_id

    def _api_answerCallbackQuery(self, params: dict, files: dict) -> bool:
        query_id = str(params.get("callback_query_id", ""))
        if self._queries.get(query_id, True):  # unknown or already answered
            raise ApiError(400, QUERY_TOO_OLD)
        text = params.get("text")
        if text is not None and utf16_len(str(text)) > MAX_CALLBACK_TEXT:
            raise ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        self._queries[query_id] = True
        self.callback_answers[query_id] = dict(params)
        return True


def _integer(params: dict, name: str, default: int) -> int:
    value = params.get(name, default)
    if isinstance(value, bool) or not isinstance(value, (int, str)) or not str(value).lstrip("-").isdigit():
        raise ApiError(400, f"Bad Request: wrong parameter {name} specified")
    return int(value)


class TelegramUser:
    """Someone in a chat with the bot: builds the updates Telegram posts to the webhook."""

    _ids = itertools.count(1)

    def __init__(self, telegram: FakeTelegram, *, user_id: int | None = None, first_name: str = "Ann",
                 language_code: str | None = "en", username: str | None = "ann_dev", chat_id: int | None = None,
                 chat_type: str = "private", forum: bool = False):
        self.telegram = telegram
        self.user_id = user_id or 310_000_000 + next(self._ids)
        self.sender = {"id": self.user_id, "is_bot": False, "first_name": first_name}
        if username:
            self.sender["username"] = username
        if language_code:
            self.sender["language_code"] = language_code
        self.chat_id = chat_id if chat_id is not None else self.user_id
        self.chat = {"id": self.chat_id, "type": chat_type}
        if chat_type == "private":
            self.chat |= {"first_name": first_name}
        else:
            self.chat |= {"title": "Carousel makers"} | ({"is_forum": True} if forum else {})

    def update(self, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
        return {"update_id": self.telegram.next_update_id(), kind: payload}

    def open_topic(self, name: str) -> int:
        """Open a topic in this forum supergroup; its message_thread_id (for :meth:`message`'s ``topic``)."""
        return self.telegram.create_forum_topic(self.chat, self.sender, name)

    def message(self, text: str | None = None, *, topic: int | None = None, **content: Any) -> dict[str, Any]:
        """A message the user sends: text (commands get their bot_command entity) or other content; ``topic``:
        in that forum topic."""
        if topic is not None:
            content |= {"message_thread_id": topic, "is_topic_message": True}
        if text is not None:
            content["text"] = text
            if text.startswith("/"):
                content["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
        message = self.telegram.record_user_message(self.chat, self.sender, **content)
        return self.update("message", message)

    def edited(self, text: str) -> dict[str, Any]:
        message = self.telegram.record_user_message(self.chat, self.sender, text=text)
        return self.update("edited_message", message | {"edit_date": message["date"] + 5})

    def press(self, message: ChatMessage, button_text: str) -> dict[str, Any]:
        """Tap an inline button of a bot message (the button must be on it)."""
        button = next((b for b in message.buttons if b["text"] == button_text), None)
        if button is None:
            raise AssertionError(f"no button {button_text!r} on message {message.id}: "
                                 f"{[b['text'] for b in message.buttons]}")
        return self.tap(message, button["callback_data"])

    def inline(self, query: str, chat_type: str = "group") -> dict[str, Any]:
        """Type ``@bot query`` in a chat (the inline_query update)."""
        payload = {"id": self.telegram.open_inline_query(), "from": self.sender, "query": query, "offset": "",
                   "chat_type": chat_type}
        return self.update("inline_query", payload)

    def choose(self, inline_update: dict[str, Any], chat: dict[str, Any], index: int = 0) -> dict[str, Any]:
        """Choose the bot's ``index``-th answer to an inline query, in ``chat``: its message appears there and
        Telegram reports the choice (the chosen_inline_result update, with inline feedback on)."""
        query = inline_update["inline_query"]
        answer = self.telegram.inline_answers.get(query["id"]) or {}
        results = answer.get("results") or []
        if index >= len(results):
            raise AssertionError(f"the bot offered {len(results)} results to {query['query']!r}")
        result = results[index]
        inline_id = self.telegram.send_via_bot(chat, self.sender, result)
        chosen = {"result_id": result["id"], "from": self.sender, "query": query["query"]}
        return self.update("chosen_inline_result", chosen | ({"inline_message_id": inline_id} if inline_id else {}))

    def tap(self, message: ChatMessage, data: str) -> dict[str, Any]:
        query = {"id": self.telegram.open_callback_query(), "from": self.sender, "message": message.message,
                 "chat_instance": f"-{self.chat_id}77", "data": data}
        return self.update("callback_query", query)


def other_update_kinds(user: TelegramUser) -> dict[str, dict[str, Any]]:
    """One realistic update of each kind the bot does not act on (payloads as the Bot API documents them)."""
    now = int(time.time())
    bot = dict(BOT_USER)
    channel = {"id": -1001234567890, "type": "channel", "title": "News"}
    member = {"status": "member", "user": bot}
    return {
        "edited_message": user.edited("edited text")["edited_message"],
        "channel_post": {"message_id": 5, "date": now, "chat": channel, "text": "/carousel from a channel"},
        "edited_channel_post": {"message_id": 5, "date": now, "edit_date": now, "chat": channel, "text": "x"},
        "my_chat_member": {"chat": user.chat, "from": user.sender, "date": now,
                           "old_chat_member": {"status": "left", "user": bot}, "new_chat_member": member},
        "chat_member": {"chat": {"id": -100555, "type": "supergroup", "title": "G"}, "from": user.sender,
                        "date": now, "old_chat_member": {"status": "left", "user": user.sender},
                        "new_chat_member": {"status": "member", "user": user.sender}},
        "chat_join_request": {"chat": {"id": -100555, "type": "supergroup", "title": "G"}, "from": user.sender,
                              "user_chat_id": user.user_id, "date": now},
        "poll": {"id": "5", "question": "?", "options": [{"text": "a", "voter_count": 1}], "total_voter_count": 1,
                 "is_closed": False, "is_anonymous": True, "type": "regular", "allows_multiple_answers": False},
        "poll_answer": {"poll_id": "5", "user": user.sender, "option_ids": [0]},
        "message_reaction": {"chat": user.chat, "message_id": 1, "user": user.sender, "date": now,
                             "old_reaction": [], "new_reaction": [{"type": "emoji", "emoji": "👍"}]},
        "message_reaction_count": {"chat": channel, "message_id": 1, "date": now, "reactions": []},
        "chat_boost": {"chat": channel, "boost": {"boost_id": "b", "add_date": now, "expiration_date": now + 9,
                                                  "source": {"source": "premium", "user": user.sender}}},
        "removed_chat_boost": {"chat": channel, "boost_id": "b", "remove_date": now,
                               "source": {"source": "premium", "user": user.sender}},
        "shipping_query": {"id": "s", "from": user.sender, "invoice_payload": "p", "shipping_address": {}},
        "pre_checkout_query": {"id": "p", "from": user.sender, "currency": "XTR", "total_amount": 1,
                               "invoice_payload": "p"},
        "business_connection": {"id": "bc", "user": user.sender, "user_chat_id": user.user_id, "date": now,
                                "is_enabled": True},
        "business_message": {"message_id": 9, "date": now, "chat": user.chat, "from": user.sender, "text": "hi",
                             "business_connection_id": "bc"},
        "edited_business_message": {"message_id": 9, "date": now, "edit_date": now, "chat": user.chat,
                                    "from": user.sender, "text": "hi!", "business_connection_id": "bc"},
        "deleted_business_messages": {"business_connection_id": "bc", "chat": user.chat, "message_ids": [9]},
        "purchased_paid_media": {"from": user.sender, "paid_media_payload": "x"},
        "some_future_update_kind": {"anything": [1, 2, 3]},
    }
