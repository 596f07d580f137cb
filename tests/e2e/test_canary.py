"""Secrets never leave the function, looked at the way an attacker would.

Canary values for the bot token, the webhook secret and the OpenAI key run through the whole local
flow (the webhook over HTTP, every function through the catalog's rules, the real Bot API client
against the fake Bot API, the real OpenAI client against a fake OpenAI that echoes the key back in
its error) while Telegram refuses connections, times out, answers 5xx or answers 400 — at the
webhook and during delivery. Then everything the system wrote is searched for the canaries: every
envelope put on the bus, every DynamoDB item (the event store and idempotency records included),
every S3 object key and its metadata, every dead letter, every HTTP response body, and the whole log
output at INFO (urllib3 at DEBUG: it logs request URLs, the token's usual way out). Zero hits.
"""

from __future__ import annotations

import io
import json
import logging
import socket
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace

import pytest

from tests.fakes.telegram_harness import BotUnderTest, bot_under_test
from tests.unit.content.fake_openai_server import FakeOpenAI, error

CANARY_TOKEN = "5566778899:AAcanaryTOKENcanaryTOKENcanary_00042"
CANARY_WEBHOOK_SECRET = "canary_webhook_secret-Qx7Z9"
CANARY_OPENAI_KEY = "sk-canary-0123456789abcdefCANARYkey"
# What must never appear: each secret, and the token's secret half on its own (the bot id before the
# colon is public: getMe tells anyone).
CANARIES = (CANARY_TOKEN, CANARY_TOKEN.split(":")[1], CANARY_WEBHOOK_SECRET, CANARY_OPENAI_KEY)

STALL_SECONDS = 1.0  # the fake answers this late; the client's timeouts are cut to 0.2 s below
STANDARD_RECORD_FIELDS = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}


def free_port() -> int:
    """A port nothing listens on: connecting to it is refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _point_at(monkeypatch, url: str) -> None:
    from vibecoder.settings import reset_settings

    monkeypatch.setenv("TELEGRAM_API_URL", url)
    reset_settings()


Outage = tuple[Callable[[BotUnderTest, pytest.MonkeyPatch], None], Callable[[BotUnderTest, pytest.MonkeyPatch], None]]
OUTAGES: dict[str, Outage] = {
    "connection refused": (lambda bot, mp: _point_at(mp, f"http://127.0.0.1:{free_port()}"),
                           lambda bot, mp: _point_at(mp, bot.telegram.api_url)),
    "timeout": (lambda bot, mp: bot.telegram.stall(STALL_SECONDS), lambda bot, mp: bot.telegram.recover()),
    "5xx": (lambda bot, mp: bot.telegram.fail("*", 502, times=10_000, html=True),
            lambda bot, mp: bot.telegram.recover()),
    "400": (lambda bot, mp: bot.telegram.fail("*", 400, times=10_000, description="Bad Request: chat not found"),
            lambda bot, mp: bot.telegram.recover()),
}


class _EverythingFormatter(logging.Formatter):
    """A line as a plain handler prints it, plus every extra field (some log formats print them)."""

    def format(self, record: logging.LogRecord) -> str:
        extras = {k: v for k, v in vars(record).items() if k not in STANDARD_RECORD_FIELDS}
        return f"{super().format(record)} {json.dumps(extras, default=repr)}"


@contextmanager
def all_log_output() -> Iterator[io.StringIO]:
    """Everything any logger writes while the block runs: each handler's own output (the functions'
    Powertools loggers) and, through the root logger, every plain and third-party logger."""
    from local.runtime import LocalRuntime
    from vibecoder.events.catalog import CATALOG

    for function in CATALOG.services:  # every function's logger exists before the handlers are redirected
        LocalRuntime.handler_for(function)
    buffer = io.StringIO()
    loggers = [logging.root, *(lg for lg in logging.root.manager.loggerDict.values() if isinstance(lg, logging.Logger))]
    levels = {lg: lg.level for lg in loggers}
    streams = [(h, h.stream) for lg in loggers for h in lg.handlers if type(h) is logging.StreamHandler]
    for handler, _ in streams:
        handler.stream = buffer  # not setStream(): it flushes the old stream, maybe an earlier test's, closed
    for lg in loggers:
        if lg.handlers or lg is logging.root:
            lg.setLevel(logging.INFO)
    logging.getLogger("urllib3").setLevel(logging.DEBUG)
    catch_all = logging.StreamHandler(buffer)
    catch_all.setFormatter(_EverythingFormatter("[%(levelname)s] %(name)s: %(message)s"))
    logging.root.addHandler(catch_all)
    try:
        yield buffer
    finally:
        logging.root.removeHandler(catch_all)
        for handler, stream in streams:
            handler.stream = stream
        for lg, level in levels.items():
            lg.setLevel(level)


def everything_written(bot: BotUnderTest) -> dict[str, str]:
    """Where the system keeps what it wrote, each as one searchable text."""
    from vibecoder.aws import client

    dynamodb, s3 = client("dynamodb"), client("s3")
    places = {"bus": json.dumps(bot.published, ensure_ascii=False)}
    for name in dynamodb.list_tables()["TableNames"]:
        places[f"dynamodb:{name}"] = json.dumps(dynamodb.scan(TableName=name)["Items"], ensure_ascii=False)
    for bucket in (b["Name"] for b in s3.list_buckets()["Buckets"]):
        for obj in s3.list_objects_v2(Bucket=bucket).get("Contents", []):
            head = s3.head_object(Bucket=bucket, Key=obj["Key"])
            places[f"s3:{bucket}/{obj['Key']}"] = json.dumps([obj["Key"], head.get("Metadata")])
    places["dead letters"] = json.dumps([[d.function, d.event, d.error] for d in bot.runtime.router.dead_letters()],
                                        ensure_ascii=False)
    places["deliveries"] = json.dumps([d.error for d in bot.runtime.router.deliveries])
    places["http"] = "\n".join(f"{r.status_code} {r.url} {r.headers} {r.text}" for r in bot.responses)
    return places


def leaks(places: dict[str, str]) -> list[tuple[str, str]]:
    return [(where, canary) for where, written in places.items() for canary in CANARIES if canary in written]


@pytest.fixture
def short_telegram_timeouts(monkeypatch):
    """The client gives up after 0.2 s (the stalled fake answers after STALL_SECONDS), twice at most."""
    import vibecoder.telegram as telegram

    for purpose, policy in dict(telegram.POLICIES).items():
        monkeypatch.setitem(telegram.POLICIES, purpose, replace(policy, timeout=0.2, max_attempts=2))
    telegram._client.cache_clear()
    yield
    telegram._client.cache_clear()


@pytest.fixture
def closed_openai_circuit():
    """Each run calls OpenAI: earlier runs' failures (in this process) must not keep the breaker open."""
    from ai_content import circuit

    circuit.reset_memory_store()
    yield
    circuit.reset_memory_store()


@pytest.mark.parametrize("outage", list(OUTAGES))
def test_no_canary_is_written_anywhere_whatever_telegram_does(tmp_path, monkeypatch, capfd, outage,
                                                              short_telegram_timeouts, closed_openai_circuit):
    start_outage, end_outage = OUTAGES[outage]
    with FakeOpenAI(error(401, f"Incorrect API key provided: {CANARY_OPENAI_KEY}.")) as openai, \
            bot_under_test(tmp_path, monkeypatch, token=CANARY_TOKEN, secret=CANARY_WEBHOOK_SECRET,
                           OPENAI_API_KEY=CANARY_OPENAI_KEY, OPENAI_BASE_URL=openai.base_url,
                           OPENAI_MAX_RETRIES="0") as bot, \
            all_log_output() as logs:
        ann = bot.user()
        start_outage(bot, monkeypatch)
        bot.post(ann.message("/carousel 3 TDD"))  # the webhook meets the outage
        bot.post(ann.message("/help"))
        bot.drain()
        end_outage(bot, monkeypatch)
        accepted = bot.post(ann.message("/carousel 3 Serverless on AWS"))  # Telegram is back for this one…
        start_outage(bot, monkeypatch)
        bot.drain()  # …and gone again while the progress, the album and the apology go out
        bot.runtime.fail_stuck_now()
        bot.drain()
        request_ids = [e["data"]["requestId"] for e in bot.events("carousel.generate.requested")]
        for path in ("/health", "/stats", *(f"/carousels/{r}" for r in request_ids)):
            assert bot.get(path).status_code in (200, 503)
        end_outage(bot, monkeypatch)
        places = everything_written(bot)
    captured = capfd.readouterr()
    places["logs"] = logs.getvalue() + captured.out + captured.err

    assert accepted.status_code == 200 and request_ids  # a request really went through the outage
    assert openai.requests and all(r["headers"]["authorization"] == f"Bearer {CANARY_OPENAI_KEY}"
                                   for r in openai.requests)  # the key was really used…
    undelivered = [e for e in bot.events("telegram.bot.response.sent") if not e["data"]["delivered"]]
    assert bot.events("system.error.occurred") or undelivered  # …and Telegram's failures were met
    assert "Telegram" in places["logs"]  # the failures were logged, and the log is what we searched
    assert leaks(places) == [], sorted({w for w, _ in leaks(places)})
