"""image-renderer: slides → images (Pillow) → S3."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from image_renderer import logic
from vibecoder.events.catalog import CATALOG
from vibecoder.events.models import CarouselFailed
from vibecoder.lambda_kit import CORRELATION_ID_PATH, handle_bus_event, idempotent_event, observability
from vibecoder.repositories import SlideRepository
from vibecoder.settings import get_settings

SERVICE = "image-renderer"
logger, tracer, metrics = observability(SERVICE)


@idempotent_event(SERVICE, publish=True)
def process(event: dict[str, Any]) -> list[dict[str, Any]]:
    envelope = CATALOG.parse(event)
    settings = get_settings()
    deps = logic.RendererDeps(slides=SlideRepository(settings.slides_bucket), brand=settings.bot_handle)
    rendered = logic.render_and_store(envelope.data, deps)
    if isinstance(rendered, CarouselFailed):  # a character no font has: retrying cannot help
        logger.warning("slides cannot be drawn", extra={"reason": rendered.reason})
        metrics.add_metric(name="RenderMissingGlyph", unit=MetricUnit.Count, value=1)
        return [CATALOG.follow_up(envelope, "carousel.failed", rendered, source=SERVICE).to_wire()]
    metrics.add_metric(name="RenderTime", unit=MetricUnit.Milliseconds, value=rendered.render_ms)
    metrics.add_metric(name="SlidesRendered", unit=MetricUnit.Count, value=len(rendered.images))
    return [CATALOG.follow_up(envelope, "carousel.images.rendered", rendered, source=SERVICE).to_wire()]


@logger.inject_lambda_context(correlation_id_path=CORRELATION_ID_PATH)
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return handle_bus_event(SERVICE, event, context, process, logger)
