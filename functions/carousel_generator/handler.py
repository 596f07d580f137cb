"""carousel-generator: the carousel saga (request → content → slides → images → completed)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from carousel_generator import logic
from vibecoder.events.catalog import CATALOG
from vibecoder.lambda_kit import CORRELATION_ID_PATH, handle_bus_event, idempotent_event, observability
from vibecoder.repositories import CarouselRepository
from vibecoder.settings import get_settings

SERVICE = logic.SERVICE
logger, tracer, metrics = observability(SERVICE)


@idempotent_event(SERVICE, publish=True)
def process(event: dict[str, Any]) -> list[dict[str, Any]]:
    envelope = CATALOG.parse(event)
    deps = logic.GeneratorDeps(carousels=CarouselRepository(get_settings().carousels_table))
    follow_ups = logic.handle(envelope, deps)
    metrics.add_metric(name=f"Step.{envelope.type}", unit=MetricUnit.Count, value=1)
    return [e.to_wire() for e in follow_ups]


@logger.inject_lambda_context(correlation_id_path=CORRELATION_ID_PATH)
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return handle_bus_event(SERVICE, event, context, process, logger)
