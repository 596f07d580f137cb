"""The event bus and everything built from the event catalog on it.

- ``EventBus``: the custom bus, an archive of every vibecoder event (replay), the schema registry
  holding ``CATALOG.json_schemas()``.
- ``DeadLetterQueues``: one SQS DLQ per consuming function (its rules' targets and the function's own
  async-invoke failures land there, all as the original EventBridge event), plus one for the schedule.
- ``Subscriptions``: one rule per ``CATALOG.subscriptions()`` entry, pattern straight from the
  catalog, Lambda target with a retry policy and the function's DLQ; the 5-minute schedule rule. A
  subscription to an event type with a delivery delay (``delivery_delay_seconds``) targets an SQS queue with
  that delivery delay instead, which the function reads as its event source (redriven to the function's DLQ
  after ``DELAY_QUEUE_RECEIVES`` attempts): the event waits in the queue, no Lambda waits for it.
"""

from __future__ import annotations

import json
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_eventschemas as eventschemas
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as event_sources
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from cdk.config import FUNCTIONS
from cdk.nag import acknowledge
from vibecoder.events.catalog import CATALOG, SOURCE_PREFIX, Subscription
from vibecoder.tables import REPLAY_WINDOW_DAYS

SCHEDULE_FUNCTION = "event-orchestrator"
SCHEDULE_DLQ = "event-orchestrator-schedule"
SCHEDULE_RATE = cdk.Duration.minutes(5)
TARGET_RETRY_ATTEMPTS = 8  # EventBridge → Lambda delivery (throttling, service errors)
TARGET_MAX_EVENT_AGE = cdk.Duration.hours(2)
DLQ_RETENTION = cdk.Duration.days(14)  # SQS's maximum: time to look and redrive
DELAY_QUEUE_RECEIVES = 3  # a delayed event's attempts (a partial batch response returns the failed ones) before the DLQ
DELAY_QUEUE_BATCH = 10


def draft4(schema: dict[str, Any]) -> dict[str, Any]:
    """pydantic's JSON Schema (``$defs``) in draft-4 form (``definitions``), the registry's JSONSchemaDraft4."""
    text = json.dumps(schema, sort_keys=True).replace('"#/$defs/', '"#/definitions/')
    converted = json.loads(text)
    if "$defs" in converted:
        converted["definitions"] = converted.pop("$defs")
    return {"$schema": "http://json-schema.org/draft-04/schema#", **converted}


def consuming_functions() -> list[str]:
    return list(dict.fromkeys(sub.function for sub in CATALOG.subscriptions()))


def event_pattern(pattern: dict[str, Any]) -> events.EventPattern:
    """A catalog pattern (``source``/``detail-type`` lists, ``{"prefix": …}`` items) as a CDK EventPattern."""

    def values(items: list[Any]) -> list[str]:
        out: list[str] = []
        for item in items:
            if isinstance(item, dict) and set(item) == {"prefix"}:
                out += events.Match.prefix(item["prefix"])
            elif isinstance(item, str):
                out.append(item)
            else:
                raise ValueError(f"unsupported pattern item {item!r}")
        return out

    known = {"source": "source", "detail-type": "detail_type"}
    unknown = set(pattern) - set(known)
    if unknown:
        raise ValueError(f"unsupported pattern keys {sorted(unknown)}")
    return events.EventPattern(**{known[key]: values(items) for key, items in pattern.items()})


class EventBus(Construct):
    def __init__(self, scope: Construct, id: str, *, bus_name: str, archive_days: int):
        super().__init__(scope, id)
        if not 1 <= archive_days <= REPLAY_WINDOW_DAYS:
            # A replay of events older than the consumers' idempotency records would run them again as new.
            raise ValueError(f"archiveRetentionDays must be 1-{REPLAY_WINDOW_DAYS} (how long consumers remember "
                             f"an event, vibecoder.tables.REPLAY_WINDOW_DAYS), not {archive_days}")
        self.bus = events.EventBus(self, "Bus", event_bus_name=bus_name)
        self.archive = self.bus.archive(
            "Archive",
            description="Every vibecoder event, for replay",
            event_pattern=event_pattern({"source": [{"prefix": SOURCE_PREFIX}]}),
            retention=cdk.Duration.days(archive_days),
        )
        # CDK writes KmsKeyIdentifier: "" when no key is given; EventBridge's own key is meant by leaving it out.
        self.archive.node.default_child.add_property_deletion_override("KmsKeyIdentifier")
        self.registry = eventschemas.CfnRegistry(
            self, "Registry", registry_name=f"{bus_name}-schemas",
            description="JSON Schemas of the event envelopes (generated from the event catalog)",
        )
        self.schemas: dict[str, eventschemas.CfnSchema] = {}
        for name, schema in CATALOG.json_schemas().items():
            spec = CATALOG.get(name)
            resource = eventschemas.CfnSchema(
                self, f"Schema-{name}",
                registry_name=self.registry.attr_registry_name,
                schema_name=name,
                type="JSONSchemaDraft4",
                content=json.dumps(draft4(schema), sort_keys=True),
                description=(spec.description or name)[:256],
            )
            self.schemas[name] = resource


class DeadLetterQueues(Construct):
    """``functions``: a DLQ each (rule targets + the function's async DLQ); ``others``: target-only DLQs."""

    def __init__(self, scope: Construct, id: str, *, functions: list[str], others: list[str]):
        super().__init__(scope, id)
        self.queues: dict[str, sqs.Queue] = {}
        for name in [*functions, *others]:
            queue = sqs.Queue(
                self, name,
                encryption=sqs.QueueEncryption.SQS_MANAGED,
                enforce_ssl=True,
                retention_period=DLQ_RETENTION,
            )
            if name in others:  # cdk-nag recognises a Lambda function's DLQ, not an EventBridge target's
                acknowledge(queue, "AwsSolutions-SQS3",
                            f"This queue is itself the dead-letter queue of an EventBridge target ({name}); a "
                            "DLQ of a DLQ would only move the messages once more.")
            self.queues[name] = queue

    def urls(self) -> str:
        return ",".join(queue.queue_url for queue in self.queues.values())


class Subscriptions(Construct):
    """The catalog's subscriptions as rules on the bus, and the schedule rule on the default bus."""

    def __init__(self, scope: Construct, id: str, *, bus: events.IEventBus,
                 functions: dict[str, lambda_.IFunction], dead_letters: DeadLetterQueues):
        super().__init__(scope, id)
        self.rules: dict[str, events.Rule] = {}
        self.subscriptions: list[Subscription] = CATALOG.subscriptions()
        self.delay_queues: dict[str, sqs.Queue] = {}
        for sub in self.subscriptions:
            rule = events.Rule(
                self, sub.rule_name,
                rule_name=sub.rule_name,
                event_bus=bus,
                description=f"{sub.function} receives {', '.join(sub.event_types) or 'every event (audit)'}",
                event_pattern=event_pattern(sub.event_pattern()),
            )
            if sub.delay_seconds:
                rule.add_target(targets.SqsQueue(
                    self._delay_queue(sub, functions[sub.function], dead_letters.queues[sub.function]),
                    dead_letter_queue=dead_letters.queues[sub.function],
                    retry_attempts=TARGET_RETRY_ATTEMPTS,
                    max_event_age=TARGET_MAX_EVENT_AGE,
                ))
            else:
                rule.add_target(targets.LambdaFunction(
                    functions[sub.function],
                    dead_letter_queue=dead_letters.queues[sub.function],
                    retry_attempts=TARGET_RETRY_ATTEMPTS,
                    max_event_age=TARGET_MAX_EVENT_AGE,
                ))
            self.rules[sub.rule_name] = rule
        self._add_schedule(functions, dead_letters)

    def _delay_queue(self, sub: Subscription, function: lambda_.IFunction, dead_letter: sqs.IQueue) -> sqs.Queue:
        """The queue holding a delayed subscription's events for its delay, then feeding its function."""
        queue = sqs.Queue(
            self, f"{sub.rule_name}-delay",
            delivery_delay=cdk.Duration.seconds(sub.delay_seconds or 0),
            # Lambda's SQS event source wants at least the function's timeout; AWS advises six times it.
            visibility_timeout=cdk.Duration.seconds(6 * FUNCTIONS[sub.function].timeout_seconds),
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
            dead_letter_queue=sqs.DeadLetterQueue(max_receive_count=DELAY_QUEUE_RECEIVES, queue=dead_letter),
        )
        function.add_event_source(event_sources.SqsEventSource(
            queue, batch_size=DELAY_QUEUE_BATCH, report_batch_item_failures=True))
        self.delay_queues[sub.rule_name] = queue
        return queue

    def _add_schedule(self, functions: dict[str, lambda_.IFunction], dead_letters: DeadLetterQueues) -> None:
        # Scheduled rules run on the default bus only.
        self.schedule = events.Rule(
            self, "Schedule",
            description=f"{SCHEDULE_FUNCTION}: sweep stuck requests and health-check every 5 minutes",
            schedule=events.Schedule.rate(SCHEDULE_RATE),
        )
        self.schedule.add_target(targets.LambdaFunction(
            functions[SCHEDULE_FUNCTION],
            dead_letter_queue=dead_letters.queues[SCHEDULE_DLQ],
            retry_attempts=2,
            max_event_age=cdk.Duration.minutes(5),  # a later run replaces a missed one
        ))
