"""What every handler shares: Powertools objects, EventBridge parsing, idempotency, error events.

A bus handler is: parse the EventBridge event into the catalog's envelope, run the function's logic
once per event id (Powertools Idempotency on DynamoDB), publish the follow-up events. The stored
result of a processed event is the list of follow-ups it produced, so a redelivery re-publishes the
same events with the same ids and every downstream consumer drops them as duplicates.
"""

from __future__ import annotations

import functools
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

ProcessFn = Callable[..., list[dict[str, Any]]]


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


def idempotent_event(service: str, key_path: str = "id", publish: bool = False) -> Callable[[ProcessFn], ProcessFn]:
    """Run the decorated ``process(event=<dict>)`` at most once per key (the envelope id) and service.

    With ``publish``, its follow-up events are published inside that once: an event counts as
    processed only when its follow-ups are on the bus (a failed publish is retried with the rest),
    and a duplicate publishes nothing, so events delivered twice never multiply down the chain.
    Follow-up ids are derived from their cause, so a re-run emits the same ids consumers drop.
    """
    config = IdempotencyConfig(event_key_jmespath=key_path, raise_on_no_idempotency_key=True,
                               expires_after_seconds=REPLAY_WINDOW_DAYS * 86400)
    _idempotency_configs.append(config)

    def decorate(function: ProcessFn) -> ProcessFn:
        guarded: ProcessFn | None = None

        def process_and_publish(*, event: dict[str, Any]) -> list[dict[str, Any]]:
            follow_ups = function(event=event)
            if publish:
                default_publisher().publish([CATALOG.parse(e) for e in follow_ups])
            return follow_ups

        @functools.wraps(function)
        def wrapper(*, event: dict[str, Any]) -> list[dict[str, Any]]:
            nonlocal guarded
            if guarded is None:  # built on first use: the table name comes from the environment
                from vibecoder.aws import client  # its writes are redacted like every other table's

                store = DynamoDBPersistenceLayer(table_name=get_settings().idempotency_table,
                                                 boto3_client=client("dynamodb"))
                guarded = idempotent_function(
                    process_and_publish,
                    data_keyword_argument="event",
                    persistence_store=store,
                    config=config,
                    key_prefix=f"{service}.{function.__name__}",
                )
            return guarded(event=event)

        wrapper.publishes = publish  # type: ignore[attr-defined]
        return wrapper

    return decorate


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


def handle_bus_event(
    service: str,
    event: dict[str, Any],
    context: Any,
    process: ProcessFn,
    logger: Logger,
    publisher: EventPublisher | None = None,
) -> dict[str, Any]:
    """Parse an EventBridge event, process its envelope once, publish the follow-ups."""
    detail = parse(event=event, model=EventBridgeModel).detail
    register_lambda_context(context)
    envelope: EventEnvelope | None = None
    publisher = publisher or default_publisher()
    try:
        envelope = CATALOG.parse(detail)
        # A duplicate of an event that produced nothing comes back from the idempotency store as None.
        follow_ups = [CATALOG.parse(e) for e in process(event=detail) or []]
        if not getattr(process, "publishes", False):
            publisher.publish(follow_ups)
    except Exception as error:
        logger.exception("failed to process event", extra={"event_type": detail.get("type")})
        report_error(service, error, envelope, logger, publisher)
        raise  # EventBridge/the local router retries, then dead-letters
    return {"eventId": envelope.id, "emitted": [e.type for e in follow_ups]}


Step = Callable[[EventEnvelope], Sequence[FollowUp]]


class BusConsumer:
    """The one shape of a bus function: parse the EventBridge event once, run the step once per event id
    (Powertools Idempotency on DynamoDB), and publish its follow-ups inside that once.

    An event counts as processed only when its follow-ups are on the bus (a failed publish is retried with
    the rest), and the stored result of a processed event is its follow-ups, so a redelivery publishes
    nothing and events delivered twice never multiply down the chain. ``skip`` answers, before anything is
    stored, "is there nothing to do for this event?" (e.g. no chat to answer): such an event costs no
    idempotency record.
    """

    def __init__(self, service: str, step: Step, logger: Logger, *, idempotent: bool = True,
                 skip: Callable[[EventEnvelope], bool] | None = None):
        self.service, self.step, self.logger, self.skip = service, step, logger, skip
        self._once: Callable[..., list[dict[str, Any]]] | None = None if idempotent else self._process
        self._config = IdempotencyConfig(event_key_jmespath="id", raise_on_no_idempotency_key=True,
                                         expires_after_seconds=REPLAY_WINDOW_DAYS * 86400)
        _idempotency_configs.append(self._config)

    def _process(self, envelope: EventEnvelope) -> list[dict[str, Any]]:
        follow_ups = [CATALOG.follow_up(envelope, f.type, f.data, source=self.service, key=f.key, **f.metadata)
                      for f in self.step(envelope)]
        default_publisher().publish(follow_ups)
        return [e.to_wire() for e in follow_ups]

    def _processed_once(self) -> Callable[..., list[dict[str, Any]]]:
        if self._once is None:  # built on first use: the table name comes from the environment
            from vibecoder.aws import client  # its writes are redacted like every other table's

            store = DynamoDBPersistenceLayer(table_name=get_settings().idempotency_table,
                                             boto3_client=client("dynamodb"))
            self._once = idempotent_function(self._process, data_keyword_argument="envelope",
                                             persistence_store=store, config=self._config,
                                             key_prefix=f"{self.service}.process")
        return self._once

    def __call__(self, event: dict[str, Any], context: Any) -> dict[str, Any]:
        detail = parse(event=event, model=EventBridgeModel).detail
        register_lambda_context(context)
        envelope: EventEnvelope | None = None
        try:
            envelope = CATALOG.parse(detail)
            skipped = self.skip is not None and self.skip(envelope)
            # A duplicate of an event that produced nothing comes back from the idempotency store as None.
            emitted = [] if skipped else self._processed_once()(envelope=envelope) or []
        except Exception as error:
            self.logger.exception("failed to process event", extra={"event_type": detail.get("type")})
            report_error(self.service, error, envelope, self.logger)
            raise  # EventBridge/the local router retries, then dead-letters
        return {"eventId": envelope.id, "emitted": [e["type"] for e in emitted]}
