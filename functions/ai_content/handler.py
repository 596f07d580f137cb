"""ai-content: turns a request into the structured content model (OpenAI or the offline provider)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from ai_content import knowledge
from ai_content.logic import generate_content, unavailable_secrets, warm_up
from vibecoder.events.catalog import CATALOG
from vibecoder.events.models import AiAnalysisCompleted, AiContentRequested, CarouselContentAnalyzed
from vibecoder.lambda_kit import CORRELATION_ID_PATH, handle_bus_event, idempotent_event, observability

SERVICE = "ai-content"
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


@idempotent_event(SERVICE, publish=True)
def process(event: dict[str, Any]) -> list[dict[str, Any]]:
    envelope = CATALOG.parse(event)
    request: AiContentRequested = envelope.data
    result = generate_content(request)
    report_skips()
    ref = request.ref()
    metrics.add_dimension(name="provider", value=result.provider)
    metrics.add_metric(name="ContentDuration", unit=MetricUnit.Milliseconds, value=result.duration_ms)
    metrics.add_metric(name="OpenAICostUSD", unit=MetricUnit.NoUnit, value=result.cost_usd)
    metrics.add_metric(name="TokensUsed", unit=MetricUnit.Count, value=result.prompt_tokens + result.completion_tokens)
    provenance = {"provider": result.provider, "fallbackReason": result.fallback_reason,
                  "circuitOpen": result.circuit_open}
    analyzed = CarouselContentAnalyzed(
        **ref,
        content=result.content,
        slides_count=request.slides_count,
        style=request.style,
        provider=result.provider,
        model=result.model,
        fallback_reason=result.fallback_reason,
        failure=result.failure,
        covered_subjects=result.covered_subjects,
        language=request.language,
    )
    completed = AiAnalysisCompleted(**ref, **result.model_dump(exclude={"content", "covered_subjects"}))  # same names
    return [
        CATALOG.follow_up(envelope, "carousel.content.analyzed", analyzed, source=SERVICE, **provenance).to_wire(),
        CATALOG.follow_up(envelope, "ai.analysis.completed", completed, source=SERVICE, **provenance).to_wire(),
    ]


@logger.inject_lambda_context(correlation_id_path=CORRELATION_ID_PATH)
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return handle_bus_event(SERVICE, event, context, process, logger)
