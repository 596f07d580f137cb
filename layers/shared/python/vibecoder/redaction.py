"""Secrets never leave the function: one redaction, applied where data leaves (one chokepoint per sink).

What is redacted: every configured secret value (the bot token, the webhook secret, the OpenAI key —
from the environment, and every value resolved from Secrets Manager or handed to the Telegram client,
which register themselves with :func:`remember_secret`), and anything shaped like a Telegram bot token
(``/bot<digits>:<token>`` in a URL, or the bare ``<digits>:<35 characters>``) or an OpenAI key.

Where (each sink has one chokepoint, so no call site can forget):

- log lines: :class:`RedactingFormatter` (the functions' Powertools loggers: message, extra keys,
  traceback) and :func:`install_log_redaction` (every other logger — plain ``logging.getLogger``
  loggers, libraries — as each record is made);
- events: the bus publisher redacts each envelope before ``PutEvents`` (``vibecoder.bus``);
- DynamoDB items and S3 object metadata: botocore hooks on every client ``vibecoder.aws`` creates;
- HTTP answers: :func:`redact_response` around the API handlers' resolvers;
- exceptions: ``TelegramError`` redacts its own text, and the Telegram client never chains requests'
  errors (their text carries the URL, and so the token).
"""

from __future__ import annotations

import logging
import os
import re
import traceback
from typing import Any

from aws_lambda_powertools.logging.formatter import LambdaPowertoolsFormatter

REDACTED = "[REDACTED]"
SECRET_ENV = ("TELEGRAM_BOT_TOKEN", "TELEGRAM_WEBHOOK_SECRET", "OPENAI_API_KEY")
MIN_SECRET_LENGTH = 8  # shorter values would redact ordinary words; real secrets are long
SECRET_SHAPES = re.compile(
    r"(?<=/bot)\d+:[A-Za-z0-9_-]+"  # a Bot API URL: /bot<digits>:<token>/method, whatever the token's length
    r"|\d{5,12}:[A-Za-z0-9_-]{30,}"  # a bare Telegram bot token
    r"|sk-[A-Za-z0-9_-]{16,}"  # OpenAI API key
)

_remembered: set[str] = set()


def remember_secret(value: str | None) -> None:
    """Treat ``value`` as a secret from now on (a value resolved from Secrets Manager, a client's token)."""
    if value and len(value) >= MIN_SECRET_LENGTH:
        _remembered.add(value)


def configured_secrets() -> list[str]:
    """Every secret value this process knows, longest first (so a secret inside another goes with it)."""
    found = {value for name in SECRET_ENV if len(value := os.environ.get(name, "")) >= MIN_SECRET_LENGTH}
    return sorted(found | _remembered, key=len, reverse=True)


def redact(text: str, secrets: list[str] | None = None) -> str:
    for secret in secrets if secrets is not None else configured_secrets():
        text = text.replace(secret, REDACTED)
    return SECRET_SHAPES.sub(REDACTED, text)


def redact_value(value: Any, secrets: list[str] | None = None) -> Any:
    """``value`` with every string in it (dict keys included) redacted; other values are kept as they are."""
    secrets = configured_secrets() if secrets is None else secrets
    if isinstance(value, str):
        return redact(value, secrets)
    if isinstance(value, dict):
        return {redact_value(k, secrets): redact_value(v, secrets) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(redact_value(v, secrets) for v in value)
    if isinstance(value, set | frozenset):
        return type(value)(redact_value(v, secrets) for v in value)
    return value


def redact_response(response: dict[str, Any]) -> dict[str, Any]:
    """An API Gateway proxy response with its body and headers redacted (a base64 body is binary: kept)."""
    redacted = dict(response)
    if isinstance(redacted.get("body"), str) and not redacted.get("isBase64Encoded"):
        redacted["body"] = redact(redacted["body"])
    for key in ("headers", "multiValueHeaders"):
        if redacted.get(key):
            redacted[key] = redact_value(redacted[key])
    return redacted


class RedactingFormatter(LambdaPowertoolsFormatter):
    def serialize(self, log: dict[str, Any]) -> str:
        return redact(super().serialize(log))


def install_log_redaction() -> None:
    """Redact every log record as it is made, whichever logger makes it and whichever handler prints it.

    ``Logger.makeRecord`` is where every record is built and gets its ``extra`` keys, so it is wrapped
    once per process: the message is formatted and redacted at once, extra values are redacted, and an
    exception's traceback and a stack are formatted and redacted into ``exc_text``/``stack_info``,
    which every ``logging.Formatter`` prints as they are. (Powertools loggers are redacted again,
    whole, by :class:`RedactingFormatter`.)
    """
    original = logging.Logger.makeRecord
    if getattr(original, "redacts", False):
        return

    def make_record(self: logging.Logger, name: str, level: int, fn: str, lno: int, msg: Any, args: Any,
                    exc_info: Any, func: str | None = None, extra: dict | None = None,
                    sinfo: str | None = None) -> logging.LogRecord:
        secrets = configured_secrets()
        record = original(self, name, level, fn, lno, msg, args, exc_info, func,
                          redact_value(extra, secrets) if extra else extra, sinfo)
        if isinstance(record.msg, str):
            try:
                message = record.getMessage()
            except (TypeError, ValueError):  # arguments that do not fit: logging would print both raw
                message = f"{record.msg} {record.args!r}"
            record.msg, record.args = redact(message, secrets), ()
        elif isinstance(record.msg, dict | list):
            record.msg = redact_value(record.msg, secrets)
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = redact("".join(traceback.format_exception(*record.exc_info)).rstrip("\n"), secrets)
        if record.stack_info:
            record.stack_info = redact(record.stack_info, secrets)
        return record

    make_record.redacts = True  # type: ignore[attr-defined]
    logging.Logger.makeRecord = make_record  # type: ignore[method-assign]
