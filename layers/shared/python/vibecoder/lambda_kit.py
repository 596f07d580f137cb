"""What every handler shares: Powertools objects, EventBridge parsing, idempotency, error events.

Every bus function is a ``BusConsumer``: parse the EventBridge event into the catalog's envelope, run
the function's step once per event id (Powertools Idempotency on DynamoDB), publish the follow-up
events it returns inside that once. Follow-up ids are derived from their cause, so a re-run emits the
same ids and every downstream consumer drops them as duplicates.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Sequence
from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer,
    IdempotencyConfig,
    idempotent_function,
)
from aws_lambda_powertools.utilities.parser import parse
from aws_lambda_powertools.utilities.parser.models import EventBridgeModel

from vibecoder.bus import EventPublisher, default_publisher
from vibecoder.events.catalog import CATALOG, FollowUp
from vibecoder.events.envelope import EventEnvelope
from vibecoder.events.models import SystemErrorOccurred
from vibecoder.redaction import RedactingFormatter, install_log_redaction, redact
from vibecoder.settings import get_settings
from vibecoder.tables import REPLAY_WINDOW_DAYS

METRICS_NAMESPACE = "BibleVibeCoder"
CORRELATION_ID_PATH = "detail.correlationId"  # for Logger.inject_lambda_context on bus events

def observability(service: str) -> tuple[Logger, Tracer, Metrics]:
    """The function's Logger (secrets redacted), Tracer and Metrics, named for the service (many share one
    process locally). Every other logger in the process (plain ``logging.getLogger``, libraries) is
    redacted from here on too."""
    install_log_redaction()
    logger = Logger(service=service, logger_formatter=RedactingFormatter())
    return logger, Tracer(service=service), Metrics(namespace=METRICS_NAMESPACE, service=service)


_idempotency_configs: list[IdempotencyConfig] = []


def register_lambda_context(context: Any) -> None:
    """Let Idempotency know the remaining time, so a timed-out attempt does not block its retry."""
    for config in _idempotency_configs:
        config.register_lambda_context(context)


def error_event(service: str, error: BaseException, cause: EventEnvelope | None, request_id: str | None = None):
    data = SystemErrorOccurred(
        service=service,
        error_type=type(error).__name__,
        message=redact(str(error))[:500],  # cut after redacting: a cut secret would no longer match
        request_id=request_id or (getattr(cause.data, "request_id", None) if cause else None),
        cause_event_id=cause.id if cause else None,
        cause_event_type=cause.type if cause else None,
    )
    if cause is not None:
        return CATALOG.follow_up(cause, "system.error.occurred", data, source=service)
    correlation_id = request_id or "unknown"
    return CATALOG.new_event("system.error.occurred", data, correlation_id=correlation_id, source=service)


def report_error(service: str, error: BaseException, cause: EventEnvelope | None, logger: Logger,
                 publisher: EventPublisher | None = None, request_id: str | None = None) -> None:
    """Emit ``system.error.occurred``; never raises (the original error is what matters)."""
    try:
        (publisher or default_publisher()).publish([error_event(service, error, cause, request_id)])
    except Exception:  # noqa: BLE001 - reporting must not hide the error being reported
        logger.exception("could not publish system.error.occurred")


Step = Callable[[EventEnvelope], Sequence[FollowUp]]


def once_per_key(service: str, name: str, key_path: str = "id") -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Run the decorated ``function(data=...)`` at most once per key (``key_path`` into ``data``: a dict or a
    pydantic model) and service, with Powertools Idempotency on DynamoDB; a repeat gets the stored result.
    Records live as long as the bus archive can replay an event (REPLAY_WINDOW_DAYS)."""
    config = IdempotencyConfig(event_key_jmespath=key_path, raise_on_no_idempotency_key=True,
                               expires_after_seconds=REPLAY_WINDOW_DAYS * 86400)
    _idempotency_configs.append(config)

    def decorate(function: Callable[..., Any]) -> Callable[..., Any]:
        guarded: Callable[..., Any] | None = None

        @functools.wraps(function)
        def wrapper(*, data: Any) -> Any:
            nonlocal guarded
            if guarded is None:  # built on first use: the table name comes from the environment
                from vibecoder.aws import client  # its writes are redacted like every other table's

                store = DynamoDBPersistenceLayer(table_name=get_settings().idempotency_table,
                                                 boto3_client=client("dynamodb"))
                guarded = idempotent_function(function, data_keyword_argument="data", persistence_store=store,
                                              config=config, key_prefix=f"{service}.{name}")
            return guarded(data=data)

        return wrapper

    return decorate


class BusConsumer:
    """The one shape of a bus function: parse the EventBridge event once, run the step once per event id
    (Powertools Idempotency on DynamoDB), and publish its follow-ups inside that once.

    An event counts as processed only when its follow-ups are on the bus (a failed publish is retried with
    the rest), and a redelivery of a processed event gets back which events it emitted and publishes
    nothing, so events delivered twice never multiply down the chain. ``skip`` answers, before anything is
    stored, "is there nothing to do for this event?" (e.g. no chat to answer), and ``repeatable`` "is this
    event's step harmless to run twice, with no follow-ups?" (e.g. a progress bar that only moves forward
    by a conditional write): neither costs an idempotency record.
    """

    def __init__(self, service: str, step: Step, logger: Logger, *, idempotent: bool = True,
                 skip: Callable[[EventEnvelope], bool] | None = None,
                 repeatable: Callable[[EventEnvelope], bool] | None = None):
        self.service, self.step, self.logger, self.skip, self.repeatable = service, step, logger, skip, repeatable
        self._processed = once_per_key(service, "process")(self._process) if idempotent else self._process

    def _process(self, *, data: EventEnvelope) -> list[dict[str, Any]]:
        envelope = data
        follow_ups = [CATALOG.follow_up(envelope, f.type, f.data, source=self.service, key=f.key, **f.metadata)
                      for f in self.step(envelope)]
        default_publisher().publish(follow_ups)
        # What is stored for a redelivery: which events it emitted, not the events (a duplicate publishes
        # nothing, and the idempotency record is written twice, billed by its size).
        return [{"id": e.id, "type": e.type} for e in follow_ups]

    def __call__(self, event: dict[str, Any], context: Any) -> dict[str, Any]:
        if "Records" in event:  # an SQS event source (a delayed subscription): each body is the EventBridge event
            return self._batch(event["Records"], context)
        return self._one(event, context)

    def _batch(self, records: list[dict[str, Any]], context: Any) -> dict[str, Any]:
        """Each message once (the same idempotency as a direct delivery); the failed ones go back to the queue
        (a partial batch response: ``ReportBatchItemFailures``), and after its receive count to its DLQ."""
        failures = []
        for record in records:
            try:
                event = json.loads(record["body"])
            except ValueError:
                self.logger.exception("an SQS message that is not an EventBridge event",
                                      extra={"message_id": record["messageId"]})
                failures.append({"itemIdentifier": record["messageId"]})
                continue
            try:
                self._one(event, context)
            except Exception:  # noqa: BLE001 - logged and reported by _one; SQS delivers it again
                failures.append({"itemIdentifier": record["messageId"]})
        return {"batchItemFailures": failures}

    def _one(self, event: dict[str, Any], context: Any) -> dict[str, Any]:
        detail = parse(event=event, model=EventBridgeModel).detail
        register_lambda_context(context)
        envelope: EventEnvelope | None = None
        try:
            envelope = CATALOG.parse(detail)
            if self.skip is not None and self.skip(envelope):
                emitted = []
            elif self.repeatable is not None and self.repeatable(envelope):
                emitted = self._process(data=envelope)
            else:  # a duplicate of an event that produced nothing comes back from the idempotency store as None
                emitted = self._processed(data=envelope) or []
        except Exception as error:
            self.logger.exception("failed to process event", extra={"event_type": detail.get("type")})
            report_error(self.service, error, envelope, self.logger)
            raise  # EventBridge/the local router retries, then dead-letters
        return {"eventId": envelope.id, "emitted": [e["type"] for e in emitted]}
