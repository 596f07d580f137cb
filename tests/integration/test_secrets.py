"""Secrets come from Secrets Manager by name (Powertools Parameters), never as plaintext variables."""

import pytest
from aws_lambda_powertools.utilities import parameters

from ai_content.logic import ContentSettings
from vibecoder.aws import client
from vibecoder.settings import get_settings, reset_settings


@pytest.fixture
def secrets(runtime, monkeypatch):
    parameters.clear_caches()
    manager = client("secretsmanager")
    for variable, name, value in [
        ("TELEGRAM_BOT_TOKEN", "stack/telegram/bot-token", "123456:ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghi"),
        ("TELEGRAM_WEBHOOK_SECRET", "stack/telegram/webhook-secret", "generated-webhook-secret-value"),
        ("OPENAI_API_KEY", "stack/openai/api-key", "unset"),
    ]:
        manager.create_secret(Name=name, SecretString=value)
        monkeypatch.delenv(variable, raising=False)
        monkeypatch.setenv(f"{variable}_PARAM", name)
    reset_settings()
    yield manager
    parameters.clear_caches()
    reset_settings()


def test_secret_names_resolve_to_their_values(secrets):
    settings = get_settings()
    assert settings.telegram_bot_token == "123456:ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghi"
    assert settings.telegram_webhook_secret == "generated-webhook-secret-value"


def test_an_unset_placeholder_means_not_configured(secrets):
    assert ContentSettings.from_env().openai_api_key is None  # ai-content falls back to offline content


def test_a_plain_variable_wins_locally(secrets, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-local-development-key-000")
    assert ContentSettings.from_env().openai_api_key == "sk-local-development-key-000"


def test_a_rotated_secret_is_read_again_after_the_cache_age(secrets, monkeypatch):
    monkeypatch.setenv("POWERTOOLS_PARAMETERS_MAX_AGE", "0")  # deployed: 300 s
    assert get_settings().telegram_webhook_secret == "generated-webhook-secret-value"
    secrets.put_secret_value(SecretId="stack/telegram/webhook-secret", SecretString="rotated-secret-value")

    assert get_settings().telegram_webhook_secret == "rotated-secret-value"


def test_a_resolved_secret_never_reaches_a_table_or_object_metadata(secrets, runtime):
    from vibecoder.repositories import CarouselRecord, CarouselRepository, EventStore, StagePatch
    from vibecoder.tables import TABLES
    from vibecoder.workflow import Stage

    token, secret = get_settings().telegram_bot_token, get_settings().telegram_webhook_secret
    settings = runtime.settings
    carousels = CarouselRepository(settings.carousels_table)
    carousels.start(CarouselRecord(request_id="r1", user_id="u1", topic=f"about {secret}"))
    carousels.advance("r1", Stage.FAILED, None, StagePatch(failure=f"sendMediaGroup: /bot{token}/sendMediaGroup refused"))
    EventStore(settings.events_table).append({"id": "e1", "type": "system.error.occurred", "correlationId": "r1",
                                              "timestamp": "2026-01-01T00:00:00+00:00", "data": {"m": secret}})
    s3 = client("s3")
    s3.put_object(Bucket=settings.slides_bucket, Key="slides/r1/x.txt", Body=b"x", Metadata={"note": secret})

    dynamodb = client("dynamodb")
    written = [dynamodb.scan(TableName=getattr(settings, spec.settings_field))["Items"] for spec in TABLES.values()]
    metadata = s3.head_object(Bucket=settings.slides_bucket, Key="slides/r1/x.txt")["Metadata"]
    everything = repr(written) + repr(metadata)
    assert token not in everything and secret not in everything
    assert carousels.get("r1").topic == "about [REDACTED]" and metadata == {"note": "[REDACTED]"}
