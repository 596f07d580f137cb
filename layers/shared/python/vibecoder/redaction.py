"""Secrets never reach the logs: every log line is scrubbed after it is formatted.

Scrubs the configured secret values (bot token, webhook secret, OpenAI key) and anything shaped like a
Telegram bot token or an OpenAI key, wherever it appears (messages, extra keys, tracebacks, URLs).
"""

from __future__ import annotations

import os
import re
from typing import Any

from aws_lambda_powertools.logging.formatter import LambdaPowertoolsFormatter

REDACTED = "[REDACTED]"
SECRET_ENV = ("TELEGRAM_BOT_TOKEN", "TELEGRAM_WEBHOOK_SECRET", "OPENAI_API_KEY")
SECRET_SHAPES = re.compile(
    r"\d{5,12}:[A-Za-z0-9_-]{30,}"  # Telegram bot token
    r"|sk-[A-Za-z0-9_-]{16,}"  # OpenAI API key
)


def redact(text: str, secrets: list[str] | None = None) -> str:
    for secret in secrets if secrets is not None else configured_secrets():
        text = text.replace(secret, REDACTED)
    return SECRET_SHAPES.sub(REDACTED, text)


def configured_secrets() -> list[str]:
    # Short values would redact ordinary words; real secrets are long.
    return [value for name in SECRET_ENV if len(value := os.environ.get(name, "")) >= 8]


class RedactingFormatter(LambdaPowertoolsFormatter):
    def serialize(self, log: dict[str, Any]) -> str:
        return redact(super().serialize(log))
