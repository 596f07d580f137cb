"""Dependency checks shared by ``GET /health`` and the scheduled health check."""

from __future__ import annotations

import functools
from typing import Any

from vibecoder.aws import client
from vibecoder.repositories.slides import SlideRepository
from vibecoder.settings import MISSING_TELEGRAM_TOKEN, Settings
from vibecoder.tables import TABLES


def check_dependencies(settings: Settings) -> dict[str, str]:
    """Each table, the slides bucket and the event bus → "ok" or the error's short description."""
    checks: dict[str, Any] = {}
    dynamodb, events = client("dynamodb"), client("events")
    for name, spec in TABLES.items():
        table_name = getattr(settings, spec.settings_field)
        checks[f"table:{name}"] = functools.partial(dynamodb.describe_table, TableName=table_name)
    checks["bucket:slides"] = SlideRepository(settings.slides_bucket).check
    checks["bus:events"] = lambda: events.describe_event_bus(Name=settings.event_bus_name)
    results = {}
    for name, check in checks.items():
        try:
            check()
            results[name] = "ok"
        except Exception as error:  # noqa: BLE001 - any failure makes the dependency unhealthy
            results[name] = f"error: {type(error).__name__}"
    return results


def configuration_checks(settings: Settings) -> dict[str, str]:
    """Settings a deployed function cannot work without → "ok" or "error: …" (locally, without a token,
    the recorder stands in for Telegram: that is the local runtime's configuration, so "ok")."""
    return {"config:telegram-bot-token": f"error: {MISSING_TELEGRAM_TOKEN}" if settings.telegram_token_missing
            else "ok"}


def overall_status(results: dict[str, str]) -> str:
    failing = sum(1 for status in results.values() if status != "ok")
    if not failing:
        return "healthy"
    return "unhealthy" if failing == len(results) else "degraded"
