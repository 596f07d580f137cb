"""Publishing envelopes to EventBridge: ``put_events`` in batches of 10, failed entries retried."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Sequence
from functools import lru_cache
from typing import Any, Protocol

from vibecoder.events.catalog import CATALOG
from vibecoder.events.envelope import EventEnvelope
from vibecoder.redaction import redact_value

MAX_BATCH = 10  # EventBridge's limit per PutEvents call


class EventPublishError(RuntimeError):
    def __init__(self, failed: list[dict[str, Any]]):
        codes = sorted({f.get("ErrorCode", "?") for f in failed})
        super().__init__(f"{len(failed)} event(s) could not be published: {', '.join(codes)}")
        self.failed = failed


class EventPublisher(Protocol):
    def publish(self, events: Sequence[EventEnvelope]) -> None: ...


def to_entry(event: EventEnvelope, bus_name: str) -> dict[str, Any]:
    """The PutEvents entry for ``event``: the one place every event leaves a function, so secrets are
    redacted here (the bus feeds the archive, the event store and every consumer)."""
    entry = {
        "Source": CATALOG.service(event.metadata.source).source,
        "DetailType": event.type,
        "Detail": json.dumps(redact_value(event.to_wire()), ensure_ascii=False),
        "EventBusName": bus_name,
    }
    trace_header = os.environ.get("_X_AMZN_TRACE_ID")
    if trace_header:  # lets X-Ray follow the request across the bus
        entry["TraceHeader"] = trace_header
    return entry


class EventBridgePublisher:
    def __init__(self, bus_name: str, client: Any = None, max_attempts: int = 3, backoff_seconds: float = 0.05):
        self.bus_name = bus_name
        self._client = client
        self.max_attempts = max_attempts
        self.backoff_seconds = backoff_seconds

    @property
    def client(self) -> Any:
        if self._client is None:
            from vibecoder.aws import client

            self._client = client("events")
        return self._client

    def publish(self, events: Sequence[EventEnvelope]) -> None:
        entries = [to_entry(e, self.bus_name) for e in events]
        for start in range(0, len(entries), MAX_BATCH):
            self._put_batch(entries[start : start + MAX_BATCH])

    def _put_batch(self, batch: list[dict[str, Any]]) -> None:
        pending = batch
        for attempt in range(1, self.max_attempts + 1):
            response = self.client.put_events(Entries=pending)
            if not response.get("FailedEntryCount"):
                return
            # Results are positional: keep only the entries that failed, retry those.
            failed = [(entry, result) for entry, result in zip(pending, response["Entries"], strict=False) if result.get("ErrorCode")]
            pending = [entry for entry, _ in failed]
            if attempt == self.max_attempts:
                raise EventPublishError([dict(result, DetailType=entry["DetailType"]) for entry, result in failed])
            time.sleep(self.backoff_seconds * 2 ** (attempt - 1))


class InMemoryPublisher:
    """A publisher for unit tests: keeps what would have been sent."""

    def __init__(self) -> None:
        self.events: list[EventEnvelope] = []

    def publish(self, events: Sequence[EventEnvelope]) -> None:
        self.events.extend(events)

    def types(self) -> list[str]:
        return [e.type for e in self.events]


@lru_cache(maxsize=1)
def default_publisher() -> EventPublisher:
    from vibecoder.settings import get_settings

    return EventBridgePublisher(get_settings().event_bus_name)
