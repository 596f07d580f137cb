"""Telegram Bot API client (requests), and a recorder used when no bot token is configured.

``TELEGRAM_API_URL`` is the Bot API base URL, so any server that speaks the Bot API works
(the real one, a local Bot API server, or the tests' fake).
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any, Protocol

from vibecoder.events.envelope import utc_now

MAX_CAPTION = 1024
MAX_ALBUM = 10


class TelegramError(RuntimeError):
    def __init__(self, method: str, status: int, description: str, retry_after: int | None = None):
        super().__init__(f"Telegram {method} failed ({status}): {description}")
        self.method, self.status, self.description, self.retry_after = method, status, description, retry_after

    @property
    def retryable(self) -> bool:
        return self.status == 429 or self.status >= 500


class BotApi(Protocol):
    def call(self, method: str, params: dict[str, Any] | None = None,
             files: dict[str, tuple[str, bytes, str]] | None = None) -> Any: ...


class TelegramClient:
    def __init__(self, token: str, api_url: str = "https://api.telegram.org", *, timeout: float = 15.0,
                 max_attempts: int = 4, max_retry_after: float = 30.0, session: Any = None):
        self.base = f"{api_url.rstrip('/')}/bot{token}"
        self.timeout, self.max_attempts, self.max_retry_after = timeout, max_attempts, max_retry_after
        self._session = session

    @property
    def session(self) -> Any:
        if self._session is None:
            import requests  # imported on first call: not every function talks to Telegram

            self._session = requests.Session()
        return self._session

    def call(self, method: str, params: dict[str, Any] | None = None,
             files: dict[str, tuple[str, bytes, str]] | None = None) -> Any:
        """Call a Bot API method; 429 waits ``retry_after``, 5xx backs off, other errors raise at once."""
        for attempt in range(1, self.max_attempts + 1):
            try:
                return self._call_once(method, params or {}, files)
            except TelegramError as error:
                if not error.retryable or attempt == self.max_attempts:
                    raise
                wait = error.retry_after if error.retry_after is not None else 0.2 * 2 ** (attempt - 1)
                if wait > self.max_retry_after:
                    raise
                time.sleep(wait)
        raise AssertionError("unreachable")

    def _call_once(self, method: str, params: dict[str, Any], files: dict | None) -> Any:
        url = f"{self.base}/{method}"
        if files:  # multipart: JSON-valued fields go as strings
            form = {k: json.dumps(v) if isinstance(v, (dict, list)) else str(v) for k, v in params.items()}
            response = self.session.post(url, data=form, files=files, timeout=self.timeout)
        else:
            response = self.session.post(url, json=params, timeout=self.timeout)
        try:
            body = response.json()
        except ValueError:
            raise TelegramError(method, response.status_code, response.text[:200]) from None
        if response.status_code == 200 and body.get("ok"):
            return body["result"]
        retry_after = (body.get("parameters") or {}).get("retry_after")
        raise TelegramError(method, response.status_code, body.get("description", ""), retry_after)


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
        message_id = self._next_message_id
        self._next_message_id += 1
        if method == "sendMediaGroup":
            media = params["media"] if isinstance(params["media"], list) else json.loads(params["media"])
            self._next_message_id += len(media)
            return [{"message_id": message_id + i, "recorded_at": str(target)} for i in range(len(media))]
        return {"message_id": message_id, "recorded_at": str(target)}


def bot_api_from_settings(settings: Any) -> BotApi:
    if settings.telegram_bot_token:
        return TelegramClient(settings.telegram_bot_token, settings.telegram_api_url)
    return RecordingBotApi(Path(settings.local_out_dir or "out") / "telegram")
