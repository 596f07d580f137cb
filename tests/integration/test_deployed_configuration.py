"""Deployed, a missing bot token is a configuration error, shown by /health; only locally does the
recorder stand in for Telegram (it writes to out/, which Lambda's file system would refuse)."""

import json

import pytest

from local.flow import run_carousel
from vibecoder.settings import MISSING_TELEGRAM_TOKEN, ConfigurationError, Settings, reset_settings
from vibecoder.telegram import RecordingBotApi, TelegramClient, bot_api_from_settings

LAMBDA = {"AWS_EXECUTION_ENV": "AWS_Lambda_python3.12", "AWS_LAMBDA_FUNCTION_NAME": "vibecoder-telegram-sender"}


def test_only_lambdas_own_marker_means_deployed():
    assert Settings.from_env(LAMBDA).deployed
    assert not Settings.from_env({"AWS_LAMBDA_FUNCTION_NAME": "vibecoder-local", "LOCAL_OUT_DIR": "out"}).deployed


def test_without_a_token_deployed_is_a_configuration_error_and_local_records(tmp_path):
    with pytest.raises(ConfigurationError, match="TELEGRAM_BOT_TOKEN is not configured"):
        bot_api_from_settings(Settings(deployed=True))
    assert isinstance(bot_api_from_settings(Settings(local_out_dir=str(tmp_path))), RecordingBotApi)
    assert isinstance(bot_api_from_settings(Settings(deployed=True, telegram_bot_token="1:x")), TelegramClient)


@pytest.fixture
def deployed(runtime, monkeypatch):
    """The local topology, but the functions believe they run in Lambda."""
    for name, value in LAMBDA.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    reset_settings()
    yield runtime
    reset_settings()


def health(runtime):
    from tests.integration.test_orchestration import api

    return api(runtime, "GET", "/health")


def test_health_shows_the_missing_token_deployed(deployed):
    status, body = health(deployed)
    assert status == 503 and body["status"] == "degraded"
    assert body["dependencies"]["config:telegram-bot-token"] == f"error: {MISSING_TELEGRAM_TOKEN}"


def test_health_is_fine_locally_and_deployed_with_a_token(runtime, monkeypatch):
    assert health(runtime)[1]["dependencies"]["config:telegram-bot-token"] == "ok"  # locally: the recorder
    for name, value in LAMBDA.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123456:configured-token-value")
    reset_settings()
    status, body = health(runtime)
    assert status == 200 and body["dependencies"]["config:telegram-bot-token"] == "ok"
    reset_settings()


def test_a_deployed_sender_without_a_token_reports_it_and_writes_nothing(deployed, tmp_path):
    out = tmp_path / "out"
    run_carousel(deployed, "TDD", slides=2, out_dir=out, chat_id=77)

    assert not (out / "telegram").exists()
    letters = [x for x in deployed.router.dead_letters() if x.function == "telegram-sender"]
    assert letters and all("ConfigurationError" in x.error and "TELEGRAM_BOT_TOKEN" in x.error for x in letters)
    from vibecoder.repositories import EventStore

    errors = EventStore(deployed.settings.events_table).latest_of_type("system.error.occurred")
    assert {(e["data"]["service"], e["data"]["errorType"]) for e in errors} >= {("telegram-sender",
                                                                                   "ConfigurationError")}
    assert json.dumps(errors).count("TELEGRAM_BOT_TOKEN is not configured") >= 1
