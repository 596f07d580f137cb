"""Settings from the environment, one model for every function (each reads what it needs)."""

from __future__ import annotations

import os
import time

from pydantic import BaseModel, ConfigDict, Field

from vibecoder.tables import REPLAY_WINDOW_DAYS

# Environment variable → field. Names are the design's contract; do not rename.
_ENV = {
    "event_bus_name": "EVENT_BUS_NAME",
    "carousels_table": "CAROUSELS_TABLE",
    "deliveries_table": "DELIVERIES_TABLE",
    "users_table": "USERS_TABLE",
    "events_table": "EVENTS_TABLE",
    "analytics_table": "ANALYTICS_TABLE",
    "idempotency_table": "IDEMPOTENCY_TABLE",
    "slides_bucket": "SLIDES_BUCKET",
    "telegram_bot_token": "TELEGRAM_BOT_TOKEN",
    "telegram_api_url": "TELEGRAM_API_URL",
    "telegram_webhook_secret": "TELEGRAM_WEBHOOK_SECRET",
    "aws_endpoint_url": "AWS_ENDPOINT_URL",
    "bot_handle": "BOT_HANDLE",
    "local_out_dir": "LOCAL_OUT_DIR",
    "step_timeout_seconds": "STEP_TIMEOUT_SECONDS",
    "delivery_deadline_seconds": "DELIVERY_DEADLINE_SECONDS",
    "event_ttl_days": "EVENT_TTL_DAYS",
    "dead_letter_queues": "DEAD_LETTER_QUEUES",
    "presigned_url_seconds": "PRESIGNED_URL_SECONDS",
    "carousel_max_slides": "CAROUSEL_MAX_SLIDES",
    "carousel_rate_limit_per_hour": "CAROUSEL_RATE_LIMIT_PER_HOUR",
    "alert_failure_rate": "ALERT_FAILURE_RATE",
    "alert_min_outcomes": "ALERT_MIN_OUTCOMES",
}


class ConfigurationError(RuntimeError):
    """The deployment lacks something it needs (e.g. the bot token); retrying will not help until it is fixed."""


MISSING_TELEGRAM_TOKEN = ("TELEGRAM_BOT_TOKEN is not configured: put the bot token into the secret named by "
                          "TELEGRAM_BOT_TOKEN_PARAM (docs/operations.md); a deployed function never records to out/")


def running_in_lambda(environ: dict[str, str] | None = None) -> bool:
    """True inside AWS Lambda: its runtime sets ``AWS_EXECUTION_ENV=AWS_Lambda_python3.12``. The local
    runtime sets ``AWS_LAMBDA_FUNCTION_NAME`` (Powertools reads it) but never this."""
    environ = os.environ if environ is None else environ
    return environ.get("AWS_EXECUTION_ENV", "").startswith("AWS_Lambda_")


class Settings(BaseModel):
    model_config = ConfigDict(frozen=True)

    # Deployed (in Lambda) rather than in the local runtime or a test: no recording stand-ins there.
    deployed: bool = False

    event_bus_name: str = "vibecoder-bus"
    carousels_table: str = "vibecoder-carousels"
    deliveries_table: str = "vibecoder-deliveries"
    users_table: str = "vibecoder-users"
    events_table: str = "vibecoder-events"
    analytics_table: str = "vibecoder-analytics"
    idempotency_table: str = "vibecoder-idempotency"
    slides_bucket: str = "vibecoder-slides"
    telegram_bot_token: str | None = None
    telegram_api_url: str = "https://api.telegram.org"
    telegram_webhook_secret: str | None = None
    aws_endpoint_url: str | None = None
    bot_handle: str = "@BibleVibeCoderBot"
    # Where the local runtime records what the bot would send when no Telegram token is set.
    local_out_dir: str | None = None
    step_timeout_seconds: int = Field(default=300, ge=1)
    # A Telegram album not delivered this long after the request (Telegram down, every retry failed) is
    # given up: the chat gets an apology instead.
    delivery_deadline_seconds: int = Field(default=1800, ge=1)
    event_ttl_days: int = Field(default=REPLAY_WINDOW_DAYS, ge=1)  # the events table (replay's source)
    dead_letter_queues: str = ""  # comma-separated SQS queue URLs, counted by GET /stats
    presigned_url_seconds: int = Field(default=900, ge=1, le=7 * 24 * 3600)
    # Telegram requests: at most this many slides (more than 10 go out as two albums) and carousels per
    # user and hour (0 = no limit).
    carousel_max_slides: int = Field(default=10, ge=1, le=20)
    carousel_rate_limit_per_hour: int = Field(default=10, ge=0)
    # analytics.alert.triggered when, within one hour, at least this many requests ended and this share failed
    alert_failure_rate: float = Field(default=0.2, gt=0, le=1)
    alert_min_outcomes: int = Field(default=5, ge=1)

    @property
    def telegram_token_missing(self) -> bool:
        """Deployed without a bot token: nothing can reach Telegram (locally the recorder stands in)."""
        return self.deployed and not self.telegram_bot_token

    @property
    def dead_letter_queue_urls(self) -> list[str]:
        return [url for url in self.dead_letter_queues.split(",") if url]

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        environ = os.environ if environ is None else environ
        values: dict = {field: environ[name] for field, name in _ENV.items() if environ.get(name)}
        values["deployed"] = running_in_lambda(environ)
        for field in SECRET_FIELDS:
            values[field] = resolve_secret(_ENV[field], environ)
        return cls(**values)


# Deployed, these hold the NAME of a Secrets Manager secret in <VARIABLE>_PARAM (never the value);
# locally the plain variable works too.
SECRET_FIELDS = ("telegram_bot_token", "telegram_webhook_secret")  # ai-content resolves OPENAI_API_KEY itself
UNSET_SECRET = "unset"  # what the stack stores until the operator puts the real value


def resolve_secret(variable: str, environ: dict[str, str] | None = None) -> str | None:
    """The secret's value: ``$VARIABLE`` if set, else the secret named by ``$VARIABLE_PARAM``, read with
    Powertools Parameters (cached for POWERTOOLS_PARAMETERS_MAX_AGE seconds)."""
    from vibecoder.redaction import remember_secret  # every secret the process holds is redacted wherever it goes

    environ = os.environ if environ is None else environ
    if environ.get(variable):
        remember_secret(environ[variable])
        return environ[variable]
    name = environ.get(f"{variable}_PARAM")
    if not name:
        return None
    from aws_lambda_powertools.utilities import parameters  # only functions that hold secrets pay for it

    value = parameters.get_secret(name)
    if not value or value == UNSET_SECRET:
        return None
    remember_secret(value)
    return value


_cached: tuple[Settings, float] | None = None


def get_settings() -> Settings:
    """Settings, re-read after the secrets' cache age so a rotated secret is picked up without a cold start."""
    global _cached
    max_age = float(os.environ.get("POWERTOOLS_PARAMETERS_MAX_AGE", "300"))
    if _cached is None or time.monotonic() - _cached[1] > max_age:
        _cached = (Settings.from_env(), time.monotonic())
    return _cached[0]


def reset_settings() -> None:
    """Forget cached settings (the local runtime and tests change the environment)."""
    global _cached
    _cached = None
