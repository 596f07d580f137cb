"""telegram-sender: progress in the chat, one album per completed carousel, one apology per failed one."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from telegram_sender import logic
from vibecoder.events.catalog import FollowUp
from vibecoder.events.envelope import EventEnvelope
from vibecoder.lambda_kit import CORRELATION_ID_PATH, BusConsumer, observability
from vibecoder.repositories import CarouselRepository, DeliveryLog, UserRepository
from vibecoder.settings import get_settings
from vibecoder.telegram import bot_api_from_settings

SERVICE = logic.SERVICE
logger, tracer, metrics = observability(SERVICE)


def step(envelope: EventEnvelope) -> list[FollowUp]:
    settings = get_settings()
    deps = logic.SenderDeps(bot=bot_api_from_settings(settings), carousels=CarouselRepository(settings.carousels_table),
                            deliveries=DeliveryLog(settings.deliveries_table), bucket=settings.slides_bucket,
                            users=UserRepository(settings.users_table))
    follow_ups = logic.handle(envelope, deps)
    for follow_up in follow_ups:  # progress edits are not responses
        metrics.add_metric(name="Delivered" if follow_up.data.delivered else "DeliveryFailed", unit=MetricUnit.Count,
                           value=1)
    return follow_ups


consume = BusConsumer(SERVICE, step, logger, skip=logic.nothing_to_do, repeatable=logic.repeatable)


@logger.inject_lambda_context(correlation_id_path=CORRELATION_ID_PATH)
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return consume(event, context)
