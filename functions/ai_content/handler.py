"""ai-content: turns a request into the structured content model (OpenAI or the offline provider)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from ai_content import knowledge, logic
from ai_content.logic import unavailable_secrets, warm_up
from vibecoder.events.catalog import FollowUp
from vibecoder.events.envelope import EventEnvelope
from vibecoder.events.models import AiAnalysisCompleted
from vibecoder.lambda_kit import CORRELATION_ID_PATH, BusConsumer, observability

SERVICE = logic.SERVICE
logger, tracer, metrics = observability(SERVICE)


def report_skips() -> None:
    """Unreadable S3 knowledge (objects, or the listing) and secrets Secrets Manager did not give become
    metrics; the counts then start again (metrics added during init go out with the first invocation)."""
    for name, counter in (("KnowledgeSkipped", knowledge.skipped), ("SecretUnavailable", unavailable_secrets)):
        if total := sum(counter.values()):
            metrics.add_metric(name=name, unit=MetricUnit.Count, value=total)
            counter.clear()


warm_up()  # the knowledge index (and openai, when a key is set) during Lambda's init, not on a request
report_skips()


def step(envelope: EventEnvelope) -> list[FollowUp]:
    follow_ups = logic.handle(envelope)
    report_skips()
    completed: AiAnalysisCompleted | None = next((f.data for f in follow_ups if f.type == "ai.analysis.completed"),
                                                 None)
    if completed is None:  # a slide rewrite
        return follow_ups
    metrics.add_dimension(name="provider", value=completed.provider)
    metrics.add_metric(name="ContentDuration", unit=MetricUnit.Milliseconds, value=completed.duration_ms)
    metrics.add_metric(name="OpenAICostUSD", unit=MetricUnit.NoUnit, value=completed.cost_usd)
    return follow_ups


consume = BusConsumer(SERVICE, step, logger)


@logger.inject_lambda_context(correlation_id_path=CORRELATION_ID_PATH)
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return consume(event, context)
