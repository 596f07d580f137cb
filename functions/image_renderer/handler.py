"""image-renderer: slides → images (Pillow) → S3."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from image_renderer import logic
from vibecoder.events.catalog import FollowUp
from vibecoder.events.envelope import EventEnvelope
from vibecoder.lambda_kit import CORRELATION_ID_PATH, BusConsumer, observability
from vibecoder.repositories import SlideRepository
from vibecoder.settings import get_settings

SERVICE = logic.SERVICE
logger, tracer, metrics = observability(SERVICE)


def step(envelope: EventEnvelope) -> list[FollowUp]:
    settings = get_settings()
    follow_ups = logic.handle(envelope, logic.RendererDeps(slides=SlideRepository(settings.slides_bucket),
                                                           bot_handle=settings.bot_handle))
    for follow_up in follow_ups:
        if follow_up.type == "carousel.failed":
            logger.warning("slides cannot be drawn", extra={"reason": follow_up.data.reason})
            metrics.add_metric(name="RenderMissingGlyph", unit=MetricUnit.Count, value=1)
        else:
            metrics.add_metric(name="RenderTime", unit=MetricUnit.Milliseconds, value=follow_up.data.render_ms)
            metrics.add_metric(name="SlidesRendered", unit=MetricUnit.Count, value=len(follow_up.data.images))
    return follow_ups


consume = BusConsumer(SERVICE, step, logger)


@logger.inject_lambda_context(correlation_id_path=CORRELATION_ID_PATH)
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return consume(event, context)
