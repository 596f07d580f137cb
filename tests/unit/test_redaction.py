"""Tokens and keys never appear in log lines, whatever carries them."""

import json

import pytest

from vibecoder.lambda_kit import observability
from vibecoder.redaction import REDACTED, redact, redact_response, redact_value, remember_secret

BOT_TOKEN = "123456789:AAHfiqksKZ8WmR2zSjiQ7_v4TMAKdiHm9T0"
OPENAI_KEY = "sk-proj-abcdefghijklmnopqrstuvwx0123"


def test_shapes_are_redacted_without_configuration():
    line = f"POST https://api.telegram.org/bot{BOT_TOKEN}/sendMessage with {OPENAI_KEY}"
    assert redact(line, secrets=[]) == f"POST https://api.telegram.org/bot{REDACTED}/sendMessage with {REDACTED}"


def test_configured_secret_values_are_redacted(monkeypatch):
    monkeypatch.setenv("TELEGRAM_WEBHOOK_SECRET", "hunter2-webhook-secret")
    assert redact("header hunter2-webhook-secret seen") == f"header {REDACTED} seen"


def test_short_or_ordinary_text_is_left_alone(monkeypatch):
    monkeypatch.setenv("TELEGRAM_WEBHOOK_SECRET", "abc")
    assert redact("abc 12:34 sk-short") == "abc 12:34 sk-short"


def test_handler_logs_are_redacted_in_messages_extras_and_tracebacks(monkeypatch, capsys):
    monkeypatch.setenv("POWERTOOLS_LOG_LEVEL", "INFO")
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", BOT_TOKEN)
    logger, _, _ = observability("redaction-test")
    logger.setLevel("INFO")

    logger.info(f"calling bot{BOT_TOKEN}", extra={"url": f"https://x/bot{BOT_TOKEN}/getMe", "key": OPENAI_KEY})
    try:
        raise ConnectionError(f"cannot reach https://api.telegram.org/bot{BOT_TOKEN}/sendPhoto")
    except ConnectionError:
        logger.exception("send failed")

    output = capsys.readouterr().out
    assert BOT_TOKEN not in output and OPENAI_KEY not in output
    lines = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    assert len(lines) == 2 and REDACTED in lines[0]["message"] and REDACTED in lines[1]["exception"]


# --- the shapes and values redaction knows ----------------------------------------------------------


def test_a_bot_api_url_is_redacted_whatever_the_tokens_length():
    assert redact("POST /bot42:short-tok/getMe", secrets=[]) == f"POST /bot{REDACTED}/getMe"


def test_remembered_secrets_are_redacted_without_any_environment_variable(monkeypatch):
    monkeypatch.delenv("TELEGRAM_WEBHOOK_SECRET", raising=False)
    remember_secret("resolved-from-secrets-manager-42")
    assert redact("x resolved-from-secrets-manager-42 y") == f"x {REDACTED} y"


def test_nested_values_are_redacted_keys_included_and_other_types_kept():
    value = {"a": [f"bot{BOT_TOKEN}", {OPENAI_KEY: 1.5}], "n": 3, "t": (OPENAI_KEY,), "none": None}
    assert redact_value(value, secrets=[]) == {"a": [f"bot{REDACTED}", {REDACTED: 1.5}], "n": 3, "t": (REDACTED,),
                                               "none": None}


def test_an_api_response_body_and_headers_are_redacted_a_binary_body_is_kept():
    response = {"statusCode": 500, "headers": {"X-Debug": OPENAI_KEY}, "body": json.dumps({"e": OPENAI_KEY})}
    redacted = redact_response(response)
    assert OPENAI_KEY not in json.dumps(redacted) and redacted["statusCode"] == 500
    binary = {"statusCode": 200, "body": "c2stcHJvai0=", "isBase64Encoded": True}
    assert redact_response(binary) == binary


# --- the Telegram client never carries its token in an error ---------------------------------------


def _chain(error: BaseException) -> list[BaseException]:
    found = []
    while error is not None and error not in found:
        found.append(error)
        error = error.__cause__ or error.__context__
    return found


def _everything_about(error: BaseException) -> str:
    import traceback

    return " ".join([str(error), repr(error.args), repr(vars(error)),
                     *(f"{type(e).__name__}: {e} {e.args!r}" for e in _chain(error)),
                     "".join(traceback.format_exception(error))])


def test_a_refused_connection_error_carries_no_token_no_url_and_no_chain(monkeypatch):
    import socket

    from vibecoder import telegram

    monkeypatch.setattr(telegram, "sleep", lambda seconds: None)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = telegram.TelegramClient(BOT_TOKEN, f"http://127.0.0.1:{port}", timeout=1, max_attempts=2)

    with pytest.raises(telegram.TelegramError) as refused:
        client.call("sendMessage", {"chat_id": 1, "text": "hi"})

    assert refused.value.status == 0 and refused.value.retryable and "ConnectionError" in str(refused.value)
    assert BOT_TOKEN not in _everything_about(refused.value) and _chain(refused.value) == [refused.value]
    assert BOT_TOKEN not in repr(client)


def test_an_answer_that_quotes_the_url_is_redacted_and_not_chained(monkeypatch):
    from tests.fakes.telegram_api import FakeTelegram
    from vibecoder import telegram

    monkeypatch.setattr(telegram, "sleep", lambda seconds: None)
    with FakeTelegram(token=BOT_TOKEN) as fake:
        # A proxy's HTML error page that echoes the request line, and a JSON error that quotes it.
        fake.fail("getMe", 502, html=True, description=f"Bad Gateway for /bot{BOT_TOKEN}/getMe", times=1)
        fake.fail("sendMessage", 400, description=f"Bad Request: /bot{BOT_TOKEN}/sendMessage")
        client = telegram.TelegramClient(BOT_TOKEN, fake.api_url, timeout=5, max_attempts=1)
        for method in ("getMe", "sendMessage"):
            with pytest.raises(telegram.TelegramError) as failed:
                client.call(method, {"chat_id": 1, "text": "x"})
            assert BOT_TOKEN not in _everything_about(failed.value) and _chain(failed.value) == [failed.value]


# --- every sink's chokepoint -----------------------------------------------------------------------


def test_error_events_carry_the_redacted_message_whole(monkeypatch):
    from vibecoder.lambda_kit import error_event

    monkeypatch.setenv("TELEGRAM_WEBHOOK_SECRET", "webhook-secret-value-123")
    error = RuntimeError("x" * 495 + " webhook-secret-value-123 and more")  # cut at 500 after redacting
    event = error_event("telegram-sender", error, None, request_id="r1")
    assert event.data.message == ("x" * 495 + f" {REDACTED}")[:500]


def test_the_bus_publisher_redacts_every_envelope_before_put_events(monkeypatch):
    from vibecoder.bus import EventBridgePublisher
    from vibecoder.events.catalog import CATALOG

    class Recorder:
        entries: list = []

        def put_events(self, Entries):  # noqa: N803 - boto3's parameter name
            self.entries += Entries
            return {"FailedEntryCount": 0, "Entries": [{"EventId": "1"}] * len(Entries)}

    monkeypatch.setenv("OPENAI_API_KEY", OPENAI_KEY)
    event = CATALOG.new_event("analytics.user.interaction.tracked",
                              {"userId": "u1", "action": "x", "properties": {"why": f"key {OPENAI_KEY}"}},
                              correlation_id="c1", source="api")
    recorder = Recorder()
    EventBridgePublisher("bus", client=recorder).publish([event])
    (entry,) = recorder.entries
    assert OPENAI_KEY not in entry["Detail"] and json.loads(entry["Detail"])["data"]["properties"]["why"] == \
        f"key {REDACTED}"


def test_plain_module_loggers_are_redacted_message_extras_and_traceback(monkeypatch):
    import io
    import logging

    observability("redaction-plain-test")  # what every handler module does at import
    monkeypatch.setenv("TELEGRAM_WEBHOOK_SECRET", "plain-logger-secret-99")
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.setFormatter(logging.Formatter("%(message)s %(url)s"))  # a format that prints an extra
    plain = logging.getLogger("telegram_gateway.logic.redaction-test")
    plain.addHandler(handler)
    plain.setLevel(logging.INFO)
    try:
        plain.warning("%s failed: %s", "sendMessage", f"/bot{BOT_TOKEN}/x", extra={"url": "plain-logger-secret-99"})
        try:
            raise ConnectionError(f"url: /bot{BOT_TOKEN}/sendMessage plain-logger-secret-99")
        except ConnectionError:
            plain.exception("failed", extra={"url": "-"})
    finally:
        plain.removeHandler(handler)
    output = buffer.getvalue()
    assert BOT_TOKEN not in output and "plain-logger-secret-99" not in output
    assert f"sendMessage failed: /bot{REDACTED}/x {REDACTED}" in output
    assert f"ConnectionError: url: /bot{REDACTED}/sendMessage {REDACTED}" in output
