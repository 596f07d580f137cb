"""telegram-sender: progress in the chat, one album per completed carousel, one apology per failed one."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from telegram_sender import logic
from vibecoder.events.catalog import CATALOG
from vibecoder.lambda_kit import CORRELATION_ID_PATH, handle_bus_event, idempotent_event, observability
from vibecoder.repositories import CarouselRepository, UserRepository
from vibecoder.settings import get_settings
from vibecoder.telegram import bot_api_from_settings

SERVICE = logic.SERVICE
logger, tracer, metrics = observability(SERVICE)


@idempotent_event(SERVICE)
def process(event: dict[str, Any]) -> list[dict[str, Any]]:
    envelope = CATALOG.parse(event)
    settings = get_settings()
    deps = logic.SenderDeps(bot=bot_api_from_settings(settings), carousels=CarouselRepository(settings.carousels_table),
                            bucket=settings.slides_bucket, users=UserRepository(settings.users_table))
    sent = logic.handle(envelope, deps)
    if sent is None:  # progress edits and requests with no chat are not responses
        return []
    metrics.add_metric(name="Delivered" if sent.delivered else "DeliveryFailed", unit=MetricUnit.Count, value=1)
    return [CATALOG.follow_up(envelope, "telegram.bot.response.sent", sent, source=SERVICE).to_wire()]


@logger.inject_lambda_context(correlation_id_path=CORRELATION_ID_PATH)
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return handle_bus_event(SERVICE, event, context, process, logger)
