"""BusConsumer behind an SQS event source (a delayed subscription's queue): each record's body is the
EventBridge event, each runs once (the same idempotency as a direct delivery), failed ones come back as a
partial batch response."""

from __future__ import annotations

import json
import logging

from aws_lambda_powertools import Logger

from local.context import LocalLambdaContext
from vibecoder.events.catalog import CATALOG
from vibecoder.events.models import TelegramPastePartReceived
from vibecoder.lambda_kit import BusConsumer


def eventbridge_event(envelope) -> dict:
    return {"version": "0", "id": f"eb-{envelope.id}", "detail-type": envelope.type,
            "source": f"vibecoder.{envelope.metadata.source}", "account": "123456789012",
            "time": "2026-12-01T10:00:00Z", "region": "us-east-1", "resources": [], "detail": envelope.to_wire()}


def sqs_record(message_id: str, body: dict | str) -> dict:
    return {"messageId": message_id, "receiptHandle": f"handle-{message_id}",
            "body": body if isinstance(body, str) else json.dumps(body), "attributes": {}, "messageAttributes": {},
            "md5OfBody": "", "eventSource": "aws:sqs", "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:delay",
            "awsRegion": "us-east-1"}


def part(message_id: int) -> object:
    data = TelegramPastePartReceived(user_id="7", chat_id=7, message_id=message_id, update_id=message_id, text="x")
    return CATALOG.new_event("telegram.paste.part.received", data, correlation_id=f"req-{message_id}",
                             source="telegram-gateway", user_id="7")


def test_each_record_runs_once_and_only_the_failed_ones_return_to_the_queue(runtime, caplog):
    seen: list[int] = []

    def step(envelope):
        if envelope.data.message_id == 3:
            raise RuntimeError("this part cannot be joined")
        seen.append(envelope.data.message_id)
        return []

    consume = BusConsumer("telegram-gateway", step, Logger(service="test-sqs-consumer"))
    first, second, failing = part(1), part(2), part(3)
    batch = {"Records": [sqs_record("m1", eventbridge_event(first)), sqs_record("m2", eventbridge_event(second)),
                         sqs_record("m3", eventbridge_event(failing))]}
    context = LocalLambdaContext(function_name="vibecoder-telegram-gateway")

    with caplog.at_level(logging.ERROR):
        assert consume(batch, context) == {"batchItemFailures": [{"itemIdentifier": "m3"}]}
    assert seen == [1, 2]

    # SQS delivers at least once: the same messages again run nothing twice; the failed one is tried again.
    again = {"Records": [sqs_record("m1", eventbridge_event(first)), sqs_record("m3", eventbridge_event(failing))]}
    assert consume(again, context) == {"batchItemFailures": [{"itemIdentifier": "m3"}]}
    assert seen == [1, 2]

    # A direct EventBridge delivery of the same event is the same event: already done.
    assert consume(eventbridge_event(second), context)["eventId"] == second.id
    assert seen == [1, 2]


def test_a_body_that_is_not_an_event_fails_only_its_record(runtime):
    consume = BusConsumer("telegram-gateway", lambda envelope: [], Logger(service="test-sqs-consumer"))
    batch = {"Records": [sqs_record("bad", "not json"), sqs_record("ok", eventbridge_event(part(4)))]}
    result = consume(batch, LocalLambdaContext(function_name="vibecoder-telegram-gateway"))
    assert result == {"batchItemFailures": [{"itemIdentifier": "bad"}]}
