"""analytics: counters in DynamoDB and EMF metrics for the dashboard."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from analytics import logic
from vibecoder.events.catalog import FollowUp
from vibecoder.events.envelope import EventEnvelope
from vibecoder.lambda_kit import CORRELATION_ID_PATH, BusConsumer, observability
from vibecoder.repositories import AnalyticsRepository
from vibecoder.settings import get_settings

SERVICE = logic.SERVICE
logger, tracer, metrics = observability(SERVICE)

# Event type → the metric it feeds (the dashboard reads these names). What a producer measures of its own
# work stays its metric: ai-content's tokens (TokensUsed), the sender's answers (Delivered, DeliveryFailed).
COUNTED = {
    "carousel.generate.requested": "CarouselRequested",
    "carousel.completed": "CarouselCompleted",
    "carousel.failed": "CarouselFailed",
    "system.error.occurred": "SystemError",
}


def record_metrics(envelope: Any) -> None:
    if envelope.type in COUNTED:
        metrics.add_metric(name=COUNTED[envelope.type], unit=MetricUnit.Count, value=1)
    if envelope.type == "carousel.completed":
        metrics.add_metric(name="EndToEndLatency", unit=MetricUnit.Milliseconds,
                           value=envelope.data.timings.get("completed", 0.0))
        metrics.add_metric(name="SlidesGenerated", unit=MetricUnit.Count, value=len(envelope.data.slides))


def step(envelope: EventEnvelope) -> list[FollowUp]:
    settings = get_settings()
    deps = logic.AnalyticsDeps(counters=AnalyticsRepository(settings.analytics_table),
                               alert_failure_rate=settings.alert_failure_rate, alert_min_outcomes=settings.alert_min_outcomes)
    follow_ups = logic.handle(envelope, deps)
    record_metrics(envelope)
    for alert in follow_ups:
        logger.warning("alert", extra={"alert": alert.data.alert, "message": alert.data.message})  # SNS when deployed
        metrics.add_metric(name="AlertTriggered", unit=MetricUnit.Count, value=1)
    return follow_ups


consume = BusConsumer(SERVICE, step, logger)


@logger.inject_lambda_context(correlation_id_path=CORRELATION_ID_PATH)
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return consume(event, context)
