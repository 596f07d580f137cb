"""Telegram Bot API client (requests), and a recorder used when no bot token is configured.

``TELEGRAM_API_URL`` is the Bot API base URL, so any server that speaks the Bot API works
(the real one, a local Bot API server, or the tests' fake).

Error handling follows the Bot API: every answer is ``{"ok": …}``; a failed one carries
``error_code``, ``description`` and, on flood control (429), ``parameters.retry_after`` — the
seconds to wait before the same request may be repeated. 429 waits that long, 5xx and network
errors back off, every other 4xx is final and raised at once.

How long a call may take is a :class:`CallPolicy` per purpose: the webhook answers inside API
Gateway's 29 s, delivery may wait longer. The token is in every request URL, so no error ever
carries requests' own text: :class:`TelegramError` redacts its description and is never chained to
requests' exception.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal, Protocol

from vibecoder.base import utc_now
from vibecoder.redaction import redact, remember_secret
from vibecoder.settings import MISSING_TELEGRAM_TOKEN, ConfigurationError

MAX_CAPTION = 1024  # characters of a photo/document caption
MAX_MESSAGE = 4096  # characters of a text message
MAX_ALBUM = 10  # items of one sendMediaGroup (and at least 2)
MIN_ALBUM = 2
MAX_CALLBACK_DATA = 64  # bytes of an inline button's callback_data
MAX_CALLBACK_ANSWER = 200  # characters of answerCallbackQuery's text
MAX_PHOTO_BYTES = 10 * 1024 * 1024  # sendPhoto: at most 10 MB, width + height ≤ 10000, ratio ≤ 20
MAX_DOCUMENT_BYTES = 50 * 1024 * 1024


def sleep(seconds: float) -> None:
    """The client's wait between attempts (a module function so tests can drive a fake clock)."""
    time.sleep(seconds)


def text_length(text: str) -> int:
    """Telegram counts message and caption lengths in UTF-16 code units (an emoji is often 2)."""
    return len(text.encode("utf-16-le")) // 2


def shorten(text: str, limit: int, ellipsis: str = "…") -> str:
    """Cut ``text`` to at most ``limit`` UTF-16 units, at a word boundary where possible."""
    if text_length(text) <= limit:
        return text
    budget, used, kept = limit - text_length(ellipsis), 0, []
    for char in text:
        used += text_length(char)
        if used > budget:
            break
        kept.append(char)
    cut = "".join(kept)
    head = cut.rsplit(" ", 1)[0]
    return (head if len(head) >= len(cut) * 0.6 else cut).rstrip(" ,.;:—-\n") + ellipsis


def inline_keyboard(rows: list[list[tuple[str, str]]]) -> dict[str, Any]:
    """``[[(text, callback_data), …], …]`` → an InlineKeyboardMarkup."""
    for row in rows:
        for _, data in row:
            if not 1 <= len(data.encode()) <= MAX_CALLBACK_DATA:
                raise ValueError(f"callback_data must be 1-{MAX_CALLBACK_DATA} bytes: {data!r}")
    return {"inline_keyboard": [[{"text": t, "callback_data": d} for t, d in row] for row in rows]}


class TelegramError(RuntimeError):
    """A failed Bot API call; ``status`` 0 is a network error. Its text is redacted (it may quote a URL)."""

    def __init__(self, method: str, status: int, description: str, retry_after: int | None = None):
        description = redact(description)
        super().__init__(f"Telegram {method} failed ({status}): {description}")
        self.method, self.status, self.description, self.retry_after = method, status, description, retry_after

    @property
    def retryable(self) -> bool:
        """Flood control, Telegram's own failures and network errors (status 0) may succeed later."""
        return self.status == 429 or self.status >= 500 or self.status == 0

    @property
    def not_modified(self) -> bool:
        """editMessage* with the same content: the message already shows what we wanted."""
        return self.status == 400 and "message is not modified" in self.description


class BotApi(Protocol):
    def call(self, method: str, params: dict[str, Any] | None = None,
             files: dict[str, tuple[str, bytes, str]] | None = None) -> Any: ...


@dataclass(frozen=True)
class CallPolicy:
    """How long one Bot API call may take: each attempt's timeout, the attempts, the longest flood wait
    spent inside the call (a longer ``retry_after`` is raised to the caller), the first backoff."""

    timeout: float
    max_attempts: int
    max_retry_after: float
    backoff: float = 0.2

    def backoff_before(self, attempt: int) -> float:
        """The wait after a failed ``attempt`` (1-based) without ``retry_after``: 0.2 s, 0.4 s, …"""
        return self.backoff * 2 ** (attempt - 1)

    def worst_case_seconds(self) -> float:
        """The longest one call can take: every attempt times out, every wait is the longest allowed."""
        waits = sum(max(self.max_retry_after, self.backoff_before(a)) for a in range(1, self.max_attempts))
        return self.max_attempts * self.timeout + waits


POLICIES: dict[str, CallPolicy] = {
    # The webhook must answer within API Gateway's 29 s (its Lambda times out at 25 s) after up to
    # WEBHOOK_MAX_CALLS calls; anything longer becomes a 503 and Telegram delivers the update again.
    "webhook": CallPolicy(timeout=3.0, max_attempts=2, max_retry_after=1.0),
    # Delivery uploads up to ten photos and may wait out flood control (telegram-sender runs 90 s).
    "delivery": CallPolicy(timeout=15.0, max_attempts=4, max_retry_after=30.0),
}
WEBHOOK_MAX_CALLS = 3  # the most Bot API calls one update makes (a restyle: answer, status message, chat action)
Purpose = Literal["webhook", "delivery"]


class TelegramClient:
    def __init__(self, token: str, api_url: str = "https://api.telegram.org", *, timeout: float = 15.0,
                 max_attempts: int = 4, max_retry_after: float = 30.0, session: Any = None):
        remember_secret(token)  # whatever quotes a request URL from here on is redacted
        self.base = f"{api_url.rstrip('/')}/bot{token}"
        self.files = f"{api_url.rstrip('/')}/file/bot{token}"  # where getFile's file_path is downloaded from
        self.policy = CallPolicy(timeout, max_attempts, max_retry_after)
        self._session = session

    @property
    def timeout(self) -> float:
        return self.policy.timeout

    @property
    def max_attempts(self) -> int:
        return self.policy.max_attempts

    @property
    def max_retry_after(self) -> float:
        return self.policy.max_retry_after

    def __repr__(self) -> str:  # never the base URL: it holds the token
        return f"TelegramClient({self.policy})"

    @property
    def session(self) -> Any:
        if self._session is None:
            import requests  # imported on first call: not every function talks to Telegram

            self._session = requests.Session()
        return self._session

    def call(self, method: str, params: dict[str, Any] | None = None,
             files: dict[str, tuple[str, bytes, str]] | None = None) -> Any:
        """Call a Bot API method; 429 waits ``retry_after``, 5xx backs off, other errors raise at once.

        A ``retry_after`` longer than ``max_retry_after`` is raised (with the error's ``retry_after``)
        so the caller's own retry (the bus) waits instead of a Lambda sitting idle.
        """
        for attempt in range(1, self.max_attempts + 1):
            try:
                return self._call_once(method, params or {}, files)
            except TelegramError as error:
                if not error.retryable or attempt == self.max_attempts:
                    raise
                wait = error.retry_after if error.retry_after is not None else self.policy.backoff_before(attempt)
                if wait > self.max_retry_after:
                    raise
                sleep(wait)
        raise AssertionError("unreachable")

    def download(self, file_path: str, max_bytes: int) -> bytes:
        """A file getFile named (one attempt: a brand image is worth no wait); raises TelegramError."""
        import requests

        failure = None
        try:
            response = self.session.get(f"{self.files}/{file_path}", timeout=self.timeout)
        except requests.RequestException as error:
            failure = redact(f"{type(error).__name__}: {error}")  # raised below, unchained: the URL holds the token
        if failure is not None:
            raise TelegramError("download", 0, failure)
        if response.status_code != 200:
            raise TelegramError("download", response.status_code, "the file could not be downloaded")
        if len(response.content) > max_bytes:
            raise TelegramError("download", 413, f"the file is larger than {max_bytes} bytes")
        return response.content

    def _call_once(self, method: str, params: dict[str, Any], files: dict | None) -> Any:
        response, failure = self._post(method, params, files)
        if failure is not None:
            # Raised here, outside the except block, so nothing chains back to requests' exception
            # (its text and its request carry the URL, and the URL carries the token).
            raise TelegramError(method, 0, failure)
        try:
            body = response.json()
        except ValueError:
            body = None  # an HTML gateway page, say; not chained to the decoder's error (it holds the text)
        if not isinstance(body, dict):
            raise TelegramError(method, response.status_code, response.text[:200] if body is None
                                else "unexpected answer")
        if response.status_code == 200 and body.get("ok"):
            return body.get("result")
        retry_after = (body.get("parameters") or {}).get("retry_after")
        status = body.get("error_code") or response.status_code
        raise TelegramError(method, int(status), str(body.get("description", "")), retry_after)

    def _post(self, method: str, params: dict[str, Any], files: dict | None) -> tuple[Any, str | None]:
        """(the response, None), or (None, the network error described without its URL)."""
        import requests

        url = f"{self.base}/{method}"
        try:
            if files:  # multipart: JSON-valued fields go as JSON strings
                form = {k: json.dumps(v) if isinstance(v, (dict, list, bool)) else str(v)
                        for k, v in params.items() if v is not None}
                return self.session.post(url, data=form, files=files, timeout=self.timeout), None
            return self.session.post(url, json={k: v for k, v in params.items() if v is not None},
                                     timeout=self.timeout), None
        except requests.RequestException as error:
            return None, redact(f"{type(error).__name__}: {error}")


class RecordingBotApi:
    """Stands in for Telegram when no token is set: each call becomes a JSON file (and its images)."""

    def __init__(self, folder: str | Path):
        self.folder = Path(folder)
        self._next_message_id = 1

    def call(self, method: str, params: dict[str, Any] | None = None,
             files: dict[str, tuple[str, bytes, str]] | None = None) -> Any:
        params = dict(params or {})
        chat = str(params.get("chat_id", "no-chat"))
        stamp = utc_now().strftime("%Y%m%dT%H%M%S%f")
        target = self.folder / chat / f"{stamp}-{method}"
        target.mkdir(parents=True, exist_ok=True)
        for field, (filename, data, _content_type) in (files or {}).items():
            (target / filename).write_bytes(data)
            params.setdefault("attachments", []).append({"field": field, "file": filename})
        (target / "request.json").write_text(json.dumps(params, ensure_ascii=False, indent=2), encoding="utf-8")
        if method in ("sendChatAction", "answerCallbackQuery", "deleteMessage"):
            return True
        if method in ("getUserProfilePhotos", "getFile"):  # nothing to fetch without Telegram
            raise TelegramError(method, 400, "Bad Request: recorded locally, no files to fetch")
        message_id = self._next_message_id
        self._next_message_id += 1
        if method == "sendMediaGroup":
            media = params["media"] if isinstance(params["media"], list) else json.loads(params["media"])
            self._next_message_id += len(media)
            return [{"message_id": message_id + i, "recorded_at": str(target)} for i in range(len(media))]
        return {"message_id": message_id, "recorded_at": str(target)}


def fetch_file(bot: Any, file_id: str, max_bytes: int) -> bytes:
    """A file a user sent (or their profile photo) by its file_id: getFile, then the download."""
    found = bot.call("getFile", {"file_id": file_id})
    if not isinstance(found, dict) or not found.get("file_path"):
        raise TelegramError("getFile", 400, "Bad Request: the file cannot be downloaded")
    if int(found.get("file_size") or 0) > max_bytes:
        raise TelegramError("getFile", 413, f"the file is larger than {max_bytes} bytes")
    download = getattr(bot, "download", None)
    if download is None:
        raise TelegramError("download", 400, "Bad Request: this Bot API stand-in cannot download files")
    return download(found["file_path"], max_bytes)


@lru_cache(maxsize=8)
def _client(token: str, api_url: str, purpose: Purpose) -> TelegramClient:
    # One per process and purpose: its session keeps the connection to the Bot API warm between invocations.
    policy = POLICIES[purpose]
    return TelegramClient(token, api_url, timeout=policy.timeout, max_attempts=policy.max_attempts,
                          max_retry_after=policy.max_retry_after)


def bot_api_from_settings(settings: Any, *, purpose: Purpose = "delivery") -> BotApi:
    """The Bot API client for ``purpose`` (see POLICIES); without a token, the recorder, but only locally:
    deployed, a missing token is a :class:`ConfigurationError` (Lambda's file system is read-only)."""
    if settings.telegram_bot_token:
        return _client(settings.telegram_bot_token, settings.telegram_api_url, purpose)
    if settings.telegram_token_missing:
        raise ConfigurationError(MISSING_TELEGRAM_TOKEN)
    return RecordingBotApi(Path(settings.local_out_dir or "out") / "telegram")


def answer_placement(chat_id: int, thread_id: int | None, reply_to: int | None) -> dict[str, Any]:
    """Where an answer goes in its chat: the forum topic it was asked in, and in a group (several people
    asking at once) a link to the message it answers, kept even if that message was deleted meanwhile.
    A private chat's answers follow their question anyway: no quote on each."""
    params: dict[str, Any] = {}
    if thread_id is not None:
        params["message_thread_id"] = thread_id
    if reply_to is not None and chat_id < 0:
        params["reply_parameters"] = {"message_id": reply_to, "allow_sending_without_reply": True}
    return params
