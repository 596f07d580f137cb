"""event-orchestrator: audits every event, tracks workflows; on schedule, sweeps and health-checks."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from event_orchestrator import logic
from vibecoder.bus import default_publisher
from vibecoder.events.catalog import FollowUp
from vibecoder.events.envelope import EventEnvelope
from vibecoder.health import check_dependencies, overall_status
from vibecoder.lambda_kit import CORRELATION_ID_PATH, BusConsumer, observability
from vibecoder.repositories import CarouselRepository, DeliveryLog, EventStore
from vibecoder.settings import get_settings

SERVICE = logic.SERVICE
logger, tracer, metrics = observability(SERVICE)


def deps() -> logic.OrchestratorDeps:
    settings = get_settings()
    return logic.OrchestratorDeps(events=EventStore(settings.events_table, settings.event_ttl_days),
                                  carousels=CarouselRepository(settings.carousels_table),
                                  deliveries=DeliveryLog(settings.deliveries_table))


def step(envelope: EventEnvelope) -> list[FollowUp]:
    return logic.on_event(envelope, deps())


# Not idempotent: the audit write overwrites itself (keyed by the event's own time and id) and a re-emitted
# workflow.step.changed has the same (derived) id, so a duplicate costs one rewrite, and no idempotency
# record is written for every one of the flow's events.
consume = BusConsumer(SERVICE, step, logger, idempotent=False)


def scheduled_run(event: dict[str, Any]) -> dict[str, Any]:
    """The sweeps, as of the schedule's tick (the event's ``time``), then the health check."""
    settings = get_settings()
    now = datetime.fromisoformat(event["time"]) if event.get("time") else None
    dependencies = deps()
    timed_out = logic.sweep_stuck(dependencies, settings.step_timeout_seconds, now=now)
    overdue = logic.sweep_undelivered(dependencies, quiet_seconds=settings.step_timeout_seconds,
                                      deadline_seconds=settings.delivery_deadline_seconds, now=now)
    checks = check_dependencies(settings)
    status = overall_status(checks)
    default_publisher().publish([*timed_out, *overdue, logic.health_event(checks, status)])
    metrics.add_metric(name="StuckRequestsTimedOut", unit=MetricUnit.Count, value=len(timed_out))
    metrics.add_metric(name="DeliveriesRedriven", unit=MetricUnit.Count, value=len(overdue))
    return {"timedOut": [e.data.request_id for e in timed_out], "redriven": [e.data.request_id for e in overdue],
            "health": status}


@logger.inject_lambda_context(correlation_id_path=CORRELATION_ID_PATH)
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    if event.get("source") == "aws.events":  # the schedule rule
        return scheduled_run(event)
    return consume(event, context)
