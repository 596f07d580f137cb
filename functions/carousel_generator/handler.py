"""carousel-generator: the carousel saga and the only writer of the carousel record."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from carousel_generator import logic
from vibecoder.events.catalog import FollowUp
from vibecoder.events.envelope import EventEnvelope
from vibecoder.lambda_kit import CORRELATION_ID_PATH, BusConsumer, observability
from vibecoder.repositories import CarouselRepository, SlideRepository
from vibecoder.settings import get_settings

SERVICE = logic.SERVICE
logger, tracer, metrics = observability(SERVICE)


def step(envelope: EventEnvelope) -> list[FollowUp]:
    settings = get_settings()
    deps = logic.GeneratorDeps(carousels=CarouselRepository(settings.carousels_table), remove_slides=SlideRepository(settings.slides_bucket).delete)
    metrics.add_metric(name=f"Step.{envelope.type}", unit=MetricUnit.Count, value=1)
    return logic.handle(envelope, deps)


consume = BusConsumer(SERVICE, step, logger, skip=logic.nothing_to_do)


@logger.inject_lambda_context(correlation_id_path=CORRELATION_ID_PATH)
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return consume(event, context)
