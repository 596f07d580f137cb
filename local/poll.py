"""``python -m local poll``: the local runtime on a real bot, its updates taken by getUpdates long polling.

No public URL is needed: the laptop asks Telegram for updates instead of Telegram posting them. Telegram
keeps a bot's updates until they are confirmed (a getUpdates whose ``offset`` is above their ids), so
nothing is lost while the laptop sleeps. Each update reaches telegram-gateway as the very proxy event the
API Gateway emulator builds for its webhook route (secret header included): the gateway cannot tell
polling from the webhook. A 5xx answer is retried, as Telegram would redeliver it. The offset after each
handled update is saved under the output folder, so a restart resumes there and handles nothing twice.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from local import apigw
from local.runtime import LocalRuntime
from tools.webhook import ALLOWED_UPDATES

POLL_TIMEOUT_SECONDS = 25  # one long poll; an idle bot makes a request this often
HTTP_MARGIN_SECONDS = 15  # the HTTP read waits this much longer than the long poll
MAX_ATTEMPTS = 5  # per update: the first delivery and four retries, 1, 2, 4 and 8 s apart
RETRY_SECONDS = 1.0  # the first wait before an update is retried, or getUpdates after Telegram was unreachable
MAX_BACKOFF_SECONDS = 30.0  # between getUpdates attempts while Telegram (or the network) is unreachable
GATEWAY = "telegram-gateway"


class PollError(RuntimeError):
    """Polling cannot go on (a refused token, another instance polling, a webhook set meanwhile)."""


class LongPollAbandoned(BaseException):
    """Raised by the signal handler inside a long poll: the updates stay at Telegram, unconfirmed."""


class OffsetStore:
    """The next update id to ask for, in a small JSON file (one per bot)."""

    def __init__(self, path: Path):
        self.path = path

    def load(self) -> int | None:
        try:
            return int(json.loads(self.path.read_text(encoding="utf-8"))["offset"])
        except FileNotFoundError:
            return None
        except (ValueError, KeyError, TypeError) as error:
            raise PollError(f"{self.path} is not an offset file ({error}); delete it to start from Telegram's "
                            f"earliest unconfirmed update") from error

    def save(self, offset: int) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        partial = self.path.with_suffix(".partial")
        partial.write_text(json.dumps({"offset": offset}), encoding="utf-8")
        partial.replace(self.path)  # atomic: a crash leaves the old offset or the new one


def webhook_route() -> apigw.Route:
    """The catalog's HTTP trigger of telegram-gateway (POST /telegram/webhook)."""
    return next(route for route in apigw.routes() if route.function == GATEWAY)


class UpdatePoller:
    def __init__(self, runtime: LocalRuntime, bot: Any, offsets: OffsetStore, *,
                 poll_timeout: int = POLL_TIMEOUT_SECONDS, retry_seconds: float = RETRY_SECONDS,
                 say: Callable[[str], None] = print):
        from telegram_gateway.handler import SECRET_HEADER

        self.runtime, self.bot, self.offsets = runtime, bot, offsets
        self.poll_timeout, self.retry_seconds, self.say = poll_timeout, retry_seconds, say
        self.route = webhook_route()
        self.headers = {"Content-Type": "application/json",
                        SECRET_HEADER: runtime.settings.telegram_webhook_secret}
        self.offset = offsets.load()
        self.confirmed_offset: int | None = None  # the offset Telegram last saw
        self.handled = 0
        self.in_long_poll = False
        self._stopping = threading.Event()

    @property
    def stopping(self) -> bool:
        return self._stopping.is_set()

    def stop(self) -> None:
        """Stop after the update being handled (a long poll in progress is abandoned by the signal handler)."""
        self._stopping.set()

    def delete_webhook(self) -> str:
        """getUpdates does not work while a webhook is set: remove it. Returns the URL it had ("" if none)."""
        url = (self.bot.call("getWebhookInfo") or {}).get("url") or ""
        self.bot.call("deleteWebhook", {"drop_pending_updates": False})
        return url

    # --- polling ----------------------------------------------------------------------------

    def run(self) -> None:
        """Poll until stopped; Telegram being unreachable is waited out, a refusal raises PollError."""
        from vibecoder.telegram import TelegramError

        backoff = self.retry_seconds
        while not self.stopping:
            try:
                self.poll_once()
                backoff = self.retry_seconds
            except LongPollAbandoned:
                return
            except TelegramError as error:
                if not error.retryable:
                    raise PollError(refusal(error)) from error
                self.say(f"Telegram unreachable ({error.description or error.status}); retrying in {backoff:.0f} s")
                self._stopping.wait(backoff)
                backoff = min(backoff * 2, MAX_BACKOFF_SECONDS)

    def poll_once(self) -> int:
        """One getUpdates (confirming what was handled), then each update it returned; how many were handled."""
        params = {"offset": self.offset, "timeout": self.poll_timeout, "allowed_updates": list(ALLOWED_UPDATES)}
        self.in_long_poll = True
        try:
            updates = self.bot.call("getUpdates", params)
        finally:
            self.in_long_poll = False
        self.confirmed_offset = self.offset
        handled = 0
        for update in updates:
            if self.stopping or not self.feed(update):
                break  # the rest stay at Telegram, unconfirmed: the next run gets them
            self.offset = int(update["update_id"]) + 1
            self.offsets.save(self.offset)
            self.handled += 1
            handled += 1
        return handled

    def feed(self, update: dict[str, Any]) -> bool:
        """Deliver one update to the gateway as its webhook would; False when stopped before it was handled."""
        body = json.dumps(update, ensure_ascii=False).encode()
        kind = next((key for key in update if key != "update_id"), "empty")
        for attempt in range(1, MAX_ATTEMPTS + 1):
            event = apigw.proxy_event(self.route, {}, self.route.method, self.route.resource, self.headers, body)
            status, _, answer = apigw.respond(self.runtime.invoke, self.route, event)
            if status < 500:
                ignored = _json(answer).get("ignored")
                self.say(f"update {update.get('update_id')} ({kind}): {status}" + (f", ignored: {ignored}"
                                                                                     if ignored else ""))
                if status >= 400:
                    self.say(f"  the gateway refused it: {answer.decode(errors='replace')[:200]}")
                return True
            if attempt == MAX_ATTEMPTS:
                self.say(f"update {update.get('update_id')} ({kind}): gave up after {attempt} attempts ({status}); "
                         f"the gateway's log says why")
                return True
            if self._stopping.wait(self.retry_seconds * 2 ** (attempt - 1)):
                return False
        raise AssertionError("unreachable")

    def confirm(self) -> None:
        """Tell Telegram what was handled since the last poll, so a webhook set later does not get it again."""
        from vibecoder.telegram import TelegramError

        if self.offset is None or self.offset == self.confirmed_offset:
            return
        with contextlib.suppress(TelegramError):  # best effort: the saved offset covers the next run anyway
            self.bot.call("getUpdates", {"offset": self.offset, "limit": 1, "timeout": 0})
            self.confirmed_offset = self.offset


def refusal(error: Any) -> str:
    """A Bot API refusal, said so the developer knows what to change."""
    if error.status == 401:
        return f"Telegram refused the token ({error.description}): check TELEGRAM_BOT_TOKEN"
    if error.status == 404:
        return "the Bot API answered 404 Not Found: check TELEGRAM_BOT_TOKEN and TELEGRAM_API_URL"
    if error.status == 409:
        return (f"{error.description} (stop the other process that polls with this token, or remove the webhook "
                f"that was set meanwhile)")
    return str(error)


def _json(data: bytes) -> dict[str, Any]:
    try:
        decoded = json.loads(data or b"{}")
    except ValueError:
        return {}
    return decoded if isinstance(decoded, dict) else {}


@contextlib.contextmanager
def stop_on_signals(poller: UpdatePoller) -> Iterator[None]:
    """Ctrl-C (SIGINT) and SIGTERM stop the poller after the current update; a second one stops at once."""
    def handle(signum: int, frame: Any) -> None:
        if poller.stopping:
            raise KeyboardInterrupt
        poller.stop()
        # os.write, not print: the signal may arrive while the main thread is inside print
        os.write(sys.stdout.fileno(), f"\n{signal.Signals(signum).name}: stopping after the current update\n".encode())
        if poller.in_long_poll:
            raise LongPollAbandoned

    previous = {number: signal.signal(number, handle) for number in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


def poll(out_dir: Path, verbose: bool = False) -> int:
    try:
        return _poll(out_dir, verbose)
    except KeyboardInterrupt:  # Ctrl-C while starting, or a second one while stopping
        print("interrupted", file=sys.stderr)
        return 130


def _poll(out_dir: Path, verbose: bool) -> int:
    from vibecoder.telegram import TelegramClient, TelegramError

    if not os.environ.get("TELEGRAM_BOT_TOKEN"):
        print("error: python -m local poll talks to a real bot: set TELEGRAM_BOT_TOKEN to its token (from "
              "@BotFather); TELEGRAM_API_URL picks another Bot API server (default https://api.telegram.org)",
              file=sys.stderr)
        return 2
    with LocalRuntime(out_dir=out_dir, verbose=verbose) as runtime:
        settings = runtime.settings
        bot = TelegramClient(settings.telegram_bot_token, settings.telegram_api_url,
                             timeout=POLL_TIMEOUT_SECONDS + HTTP_MARGIN_SECONDS)
        try:
            me = bot.call("getMe")
            poller = UpdatePoller(runtime, bot, OffsetStore(out_dir / f"poll-{me['id']}.json"),
                                  say=lambda line: print(line, flush=True))
            removed = poller.delete_webhook()
        except TelegramError as error:
            print(f"error: {refusal(error)} (Bot API at {settings.telegram_api_url})", file=sys.stderr)
            return 2 if not error.retryable else 1
        except PollError as error:
            print(f"error: {error}", file=sys.stderr)
            return 2
        print(f"bot @{me.get('username')} (id {me['id']}) via {settings.telegram_api_url}", flush=True)
        print(f"deleteWebhook: removed the webhook {removed} (python -m tools.webhook sets it again)" if removed
              else "deleteWebhook: no webhook was set", flush=True)
        start = f"from update {poller.offset}" if poller.offset is not None else "from the earliest unconfirmed update"
        print(f"polling {start}; offsets in {poller.offsets.path}; Ctrl-C stops", flush=True)
        runtime.start_router()
        code = 0
        with stop_on_signals(poller):
            try:
                poller.run()
            except PollError as error:
                print(f"error: {error}", file=sys.stderr)
                code = 1
            poller.confirm()
    # The runtime (its router included) has stopped.
    saved = f"next offset {poller.offset} saved in {poller.offsets.path}" if poller.offset is not None else \
        "no offset saved yet"
    print(f"stopped; updates handled: {poller.handled}; {saved}", flush=True)
    return code
