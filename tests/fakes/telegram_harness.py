"""The bot as Telegram meets it: the local runtime behind its HTTP webhook, the fake Bot API in front.

``Telegram`` (the fake) posts updates to the webhook over real HTTP on 127.0.0.1 (the local API
Gateway emulator), the gateway and sender call the fake Bot API over real HTTP through
``TELEGRAM_API_URL``, and ``drain()`` runs the event flow to completion. Time only passes when someone
sleeps (one :class:`FakeClock` for the client's waits, the fake's flood control and the router's delayed
retries), so waits cost nothing.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import requests

from tests.fakes.telegram_api import DEFAULT_TOKEN, FakeClock, FakeTelegram, TelegramUser

WEBHOOK_SECRET = "test-webhook-secret_0123456789"
# How long each step of the flow takes, on the fake clock (``bot_under_test(step_seconds=…)``): the seconds
# from the event before it to this event type's arrival. Every stage slow enough for the chat to see its
# progress step; and a flow with an AI model (the content takes seconds, the slides follow at once, the
# render takes a moment).
SLOW_STEPS = {"carousel.content.analyzed": 4.0, "carousel.slides.generated": 2.0, "carousel.completed": 3.0}
REQUEST_TYPES = ("carousel.generate.requested", "carousel.restyle.requested")
AI_MODEL_STEPS = {"carousel.content.analyzed": 6.0, "carousel.slides.generated": 0.3, "carousel.completed": 2.5}


@dataclass
class BotUnderTest:
    runtime: Any
    telegram: FakeTelegram
    clock: FakeClock
    webhook_url: str
    secret: str = WEBHOOK_SECRET
    responses: list[requests.Response] = field(default_factory=list)
    published: list[dict[str, Any]] = field(default_factory=list)  # every envelope put on the bus
    started_at: datetime = field(default_factory=lambda: datetime.now(UTC))

    def __post_init__(self) -> None:
        self._clock_start = self.clock()
        self._request_anchor: tuple[datetime, float] | None = None

    def now(self) -> datetime:
        """The wall-clock time the fake clock stands for. Records carry real timestamps, taken when the
        handlers ran (a few real seconds into the test), so as of ``now()`` they look as old as the fake
        time since then: the sweep's "nothing tried for 300 s" is judged on that, a little early."""
        return self.started_at + timedelta(seconds=self.clock() - self._clock_start)

    def wait(self, seconds: float) -> None:
        """Let ``seconds`` pass (on the fake clock), then run the orchestrator's schedule as of then and
        the flow it starts, as the deployed 5-minute schedule would."""
        self.clock.sleep(seconds)
        self.runtime.run_schedule(at=self.now())
        self.drain()

    def capture(self, params: dict[str, Any], **_: Any) -> None:
        self.published += [json.loads(entry["Detail"]) for entry in params.get("Entries", [])]
        for envelope in self.published[-len(params.get("Entries", [])):]:
            requested_at = envelope.get("data", {}).get("requestedAt")
            if envelope["type"] in REQUEST_TYPES and requested_at:
                self._request_anchor = (datetime.fromisoformat(requested_at), self.clock())

    def flow_now(self) -> float:
        """The sender's wall clock (epoch seconds): the last request's ``requestedAt`` plus the fake time
        since it was published, so a flow's steps are as far apart as ``step_seconds`` makes them,
        however long the handlers really took."""
        if self._request_anchor is None:
            return self.now().timestamp()
        requested_at, fake_then = self._request_anchor
        return requested_at.timestamp() + self.clock() - fake_then

    def user(self, **kwargs: Any) -> TelegramUser:
        return TelegramUser(self.telegram, **kwargs)

    def post(self, body: Any, *, secret: str | None = "default", headers: dict[str, str] | None = None,
             raw: bytes | None = None) -> requests.Response:
        """POST to the webhook as Telegram does (JSON body, the secret token header)."""
        sent_headers = {"Content-Type": "application/json"} | (headers or {})
        if secret == "default":
            secret = self.secret
        if secret is not None:
            sent_headers["X-Telegram-Bot-Api-Secret-Token"] = secret
        data = raw if raw is not None else json.dumps(body).encode()
        response = requests.post(self.webhook_url, data=data, headers=sent_headers, timeout=30)
        self.responses.append(response)
        return response

    @property
    def base_url(self) -> str:
        return self.webhook_url.removesuffix("/telegram/webhook")

    def get(self, path: str) -> requests.Response:
        """GET one of the HTTP API's routes (``/health``, ``/stats``, ``/carousels/<id>``)."""
        response = requests.get(self.base_url + path, timeout=30)
        self.responses.append(response)
        return response

    def deliver(self, update: dict[str, Any]) -> requests.Response:
        """Deliver one update, expect it acknowledged, run the flow it started to completion."""
        response = self.post(update)
        assert response.status_code == 200, (response.status_code, response.text)
        self.drain()
        return response

    def drain(self) -> None:
        self.runtime.router.drain()

    def events(self, event_type: str | None = None) -> list[dict[str, Any]]:
        """Every envelope put on the bus (first publication of each id), optionally of one type."""
        seen, found = set(), []
        for envelope in self.published:
            if envelope["id"] not in seen and (event_type is None or envelope["type"] == event_type):
                seen.add(envelope["id"])
                found.append(envelope)
        return found

    def emitted(self, event_type: str | None = None) -> list[dict[str, Any]]:
        """Like :meth:`events` but excluding the orchestrator's own bookkeeping (workflow.*)."""
        return [e for e in self.events(event_type) if not e["type"].startswith("workflow.")]

    def failed_deliveries(self) -> list[Any]:
        return [d for d in self.runtime.router.deliveries if not d.ok]


@contextmanager
def bot_under_test(tmp_path: Path, monkeypatch: Any, *, token: str = DEFAULT_TOKEN, secret: str = WEBHOOK_SECRET,
                   step_seconds: dict[str, float] | None = None, **env: str) -> Iterator[BotUnderTest]:
    """Start the fake Bot API, point the real client at it, start the local runtime and its webhook.

    The sender judges how long a progress step was shown by ``BotUnderTest.flow_now()``: without
    ``step_seconds`` a flow takes no time and only its last step shows; with it, each event of a type
    listed there arrives that many seconds (on the fake clock) after the step before it, whichever
    function the router hands it to first (see ``SLOW_STEPS``)."""
    import vibecoder.telegram
    from local.runtime import LocalRuntime
    from local.server import LocalServer
    from vibecoder.settings import reset_settings

    clock = FakeClock()
    telegram = FakeTelegram(token, clock=clock).start()
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", telegram.token)
    monkeypatch.setenv("TELEGRAM_API_URL", telegram.api_url)
    monkeypatch.setenv("TELEGRAM_WEBHOOK_SECRET", secret)
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(vibecoder.telegram, "sleep", clock.sleep)
    reset_settings()
    runtime = LocalRuntime(out_dir=tmp_path / "out", clock=clock, sleep=clock.sleep)
    runtime.start()
    server = LocalServer(runtime, port=0)
    thread = threading.Thread(target=server.httpd.serve_forever, name="webhook", daemon=True)
    thread.start()
    from vibecoder.aws import client

    running = BotUnderTest(runtime, telegram, clock, f"{server.url}/telegram/webhook", secret)
    import telegram_sender.logic

    monkeypatch.setattr(telegram_sender.logic, "wall_clock", running.flow_now)
    if step_seconds:
        invoke, arrived = runtime.router.invoke, set()

        def taking_its_time(function: str, event: dict[str, Any]) -> Any:
            envelope = event.get("detail") or {}
            if envelope.get("id") not in arrived:
                arrived.add(envelope.get("id"))
                clock.sleep(step_seconds.get(envelope.get("type", ""), 0.0))
            return invoke(function, event)

        runtime.router.invoke = taking_its_time
    client("events").meta.events.register("provide-client-params.events.PutEvents", running.capture)
    try:
        yield running
    finally:
        server.httpd.shutdown()
        server.httpd.server_close()
        runtime.stop()
        telegram.stop()
        reset_settings()
