"""telegram-sender: one album per completed carousel, one apology per failed one."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from telegram_sender import logic
from vibecoder.aws import client
from vibecoder.events.catalog import CATALOG
from vibecoder.lambda_kit import CORRELATION_ID_PATH, handle_bus_event, idempotent_event, observability
from vibecoder.settings import get_settings
from vibecoder.telegram import bot_api_from_settings

SERVICE = "telegram-sender"
logger, tracer, metrics = observability(SERVICE)


@idempotent_event(SERVICE)
def process(event: dict[str, Any]) -> list[dict[str, Any]]:
    envelope = CATALOG.parse(event)
    if envelope.data.chat_id is None:  # requested through the HTTP API: nobody to message
        return []
    settings = get_settings()
    deps = logic.SenderDeps(bot=bot_api_from_settings(settings), s3=client("s3"), bucket=settings.slides_bucket)
    if envelope.type == "carousel.completed":
        sent = logic.send_album(envelope.data, deps)
    else:
        sent = logic.send_failure(envelope.data, deps)
    metrics.add_metric(name="Delivered" if sent.delivered else "DeliveryFailed", unit=MetricUnit.Count, value=1)
    return [envelope.follow_up("telegram.bot.response.sent", sent, source=SERVICE).to_wire()]


@logger.inject_lambda_context(correlation_id_path=CORRELATION_ID_PATH)
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return handle_bus_event(SERVICE, event, context, process, logger)
