"""Tokens and keys never appear in log lines, whatever carries them."""

import json

from vibecoder.lambda_kit import observability
from vibecoder.redaction import REDACTED, redact

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
