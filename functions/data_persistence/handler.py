"""data-persistence: users, preferences and each user's carousel history."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from data_persistence import logic
from vibecoder.events.catalog import FollowUp
from vibecoder.events.envelope import EventEnvelope
from vibecoder.lambda_kit import CORRELATION_ID_PATH, BusConsumer, observability
from vibecoder.repositories import UserRepository
from vibecoder.settings import get_settings

SERVICE = logic.SERVICE
logger, tracer, metrics = observability(SERVICE)


def step(envelope: EventEnvelope) -> list[FollowUp]:
    follow_ups = logic.handle(envelope, logic.PersistenceDeps(users=UserRepository(get_settings().users_table)))
    for follow_up in follow_ups:
        metrics.add_metric(name=follow_up.type, unit=MetricUnit.Count, value=1)
    return follow_ups


consume = BusConsumer(SERVICE, step, logger)


@logger.inject_lambda_context(correlation_id_path=CORRELATION_ID_PATH)
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return consume(event, context)
